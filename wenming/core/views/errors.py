"""The project's 500 handler: an unreachable dependency is a 503 (core.outages), the rest a 500."""

import sys

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

from wenming.core import metrics, outages
from wenming.core.apiutils import error_response


def server_error(request):
    exc = sys.exc_info()[1]
    kind = outages.dependency_of(exc)
    metrics.count_error(kind or "500")
    if kind is None:
        return HttpResponseServerError(loader.get_template("500.html").render())
    outages.incidents.refused(kind, exc)
    if request.path.startswith("/api/"):
        response = error_response(503)
    else:
        # No context processors: they would ask the database that is down.
        response = HttpResponse(loader.get_template("503.html").render({"what": outages.LABELS[kind]}),
                                status=503)
    response["Retry-After"] = str(outages.RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
