"""/healthz and /readyz (core.health), /metrics (core.metrics): plain answers for balancers and
monitoring, never cached."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from wenming.core import health, metrics
from wenming.core.apiutils import json_response


@require_GET
@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request):
    ready, checks, lag = health.readiness()
    return json_response({"status": "ok" if ready else "unavailable", "checks": checks, "queue_lag_seconds": lag},
                         200 if ready else 503)


def _may_read_metrics(request):
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())
    return request.client_ip in ("127.0.0.1", "::1")


@require_GET
@never_cache
def metrics_view(request):
    """Prometheus's text format, to the machine itself (or a bearer of WENMING_METRICS_TOKEN)."""
    if not _may_read_metrics(request):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
