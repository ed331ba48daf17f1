"""/metrics: Prometheus's counters of requests, votes, tasks and errors, to the machine itself
or a bearer of the metrics token; JSON log lines carry the request id and nothing personal."""

import json
import subprocess
import sys
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from wenming.core import outages

pytestmark = pytest.mark.django_db


def samples(client=None, **headers):
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode()) for s in family.samples}


def test_requests_and_errors_are_counted():
    before = samples()
    client = Client(raise_request_exception=False)
    client.get("/healthz")
    client.get("/no-such-page/")
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("refused")):
        assert client.get("/api/v1/candidates").status_code == 503
    outages.incidents.clear()
    after = samples()

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("wenming_requests_total", method="GET", status="2xx") >= 2  # /healthz and the first /metrics
    assert grew("wenming_requests_total", method="GET", status="4xx") == 1
    assert grew("wenming_requests_total", method="GET", status="5xx") == 1
    assert grew("wenming_errors_total", kind="database") == 1


def test_only_the_machine_itself_or_the_token_reads_them(settings):
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-metrics"
    assert Client().get("/metrics").status_code == 404  # with a token, loopback alone is not enough
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert "wenming_requests_total" in str(samples(HTTP_AUTHORIZATION="Bearer s3cret-metrics"))
    assert Client().post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics").status_code == 405


def test_a_json_log_line_carries_the_request_id_and_not_the_request(tmp_path):
    """In a process configured as in production (WENMING_LOG_FORMAT=json)."""
    code = """
import django, logging, os
os.environ["DJANGO_SETTINGS_MODULE"] = "wenming.settings"
django.setup()
from django.test import RequestFactory
from wenming.core import request_context
request = RequestFactory().get("/x?phone=13800138000")
token = request_context.activate(request_context.RequestContext(request_id="abc123"))
logging.getLogger("django.request").warning("Not Found: %s", request.path, extra={"request": request, "status_code": 404})
request_context.reset(token)
logging.getLogger("wenming.test").warning("outside")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "WENMING_LOG_FORMAT": "json", "WENMING_DATA_DIR": str(tmp_path),
                              "WENMING_SECRET_KEY": "x" * 50})
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    assert [(line["name"], line["message"], line["request_id"]) for line in lines] == [
        ("django.request", "Not Found: /x", "abc123"), ("wenming.test", "outside", "-")]
    assert lines[0]["status_code"] == 404 and "13800138000" not in run.stderr


def test_under_the_server_every_process_counts_into_one_sum(tmp_path):
    """`wenming serve` and `wenming worker` set PROMETHEUS_MULTIPROC_DIR (cli.metrics_dir)."""
    env = {"PATH": "/usr/bin:/bin", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wenming.settings",
           "WENMING_DATA_DIR": str(tmp_path / "data"), "WENMING_SECRET_KEY": "x" * 50}
    setup = "import django; django.setup(); from wenming.core import metrics; "
    for _ in range(2):
        subprocess.run([sys.executable, "-c", setup + "metrics.VOTE_OUTCOMES['cast'].inc(3)"], env=env, check=True,
                       timeout=60)
    shown = subprocess.run([sys.executable, "-c", setup + "print(metrics.exposition().decode())"], env=env,
                           check=True, timeout=60, capture_output=True, text=True).stdout
    assert 'wenming_votes_total{outcome="cast"} 6.0' in shown
