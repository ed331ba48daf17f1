"""/healthz and /readyz (core.health): plain answers for balancers, never cached."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wenming.core import health
from wenming.core.apiutils import json_response


@require_GET
@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request):
    ready, checks = health.readiness()
    return json_response({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)
