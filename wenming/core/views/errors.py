"""The project's 500 handler: an unreachable dependency is a 503 (core.outages), and so is a
statement that ran out of time (logged with its traceback, no incident); the rest a 500."""

import sys

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

from wenming.core import metrics, outages
from wenming.core.apiutils import error_response


def server_error(request):
    exc = sys.exc_info()[1]
    failure = outages.failure_of(exc)
    if failure is None:
        metrics.count_error("500")
        return HttpResponseServerError(loader.get_template("500.html").render())
    kind, nature = failure
    if nature == outages.OUTAGE:
        metrics.count_error(kind)
        outages.incidents.refused(kind, exc)
        reason = outages.LABELS[kind]
    else:
        metrics.count_error("timeout")
        reason = outages.BUSY_LABEL
    if request.path.startswith("/api/"):
        response = error_response(503)
    else:
        # No context processors: they would ask the database that is down.
        response = HttpResponse(loader.get_template("503.html").render({"reason": reason}), status=503)
    response["Retry-After"] = str(outages.RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
