"""Prometheus metrics (prometheus-client): requests by method and status class, votes by
outcome, tasks by result, errors by kind (a 500, or a 503 because the database or Redis was out
of reach). Served at /metrics (core.views.health) to the machine itself or to a bearer of
WENMING_METRICS_TOKEN.

Under `wenming serve` and `wenming worker` every process writes its counts to files in
PROMETHEUS_MULTIPROC_DIR (set by the CLI before any import of prometheus_client, emptied when
the server starts) and /metrics adds them up across processes; without it (tests, a shell) the
counts are this process's."""

import os

from django.tasks.signals import task_finished
from prometheus_client import REGISTRY as PROCESS_REGISTRY
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess

REQUESTS = Counter("wenming_requests", "HTTP requests answered, by method and status class", ["method", "status"])
VOTES = Counter("wenming_votes", "Votes decided in the database, by outcome", ["outcome"])
TASKS = Counter("wenming_tasks", "Background tasks finished, by task and result", ["task", "result"])
ERRORS = Counter("wenming_errors", "Requests that failed: 500, or 503 for a dependency out of reach", ["kind"])

# Bound once: a counter's child looked up per request costs more than the increment.
_STATUS = {n: f"{n}xx" for n in range(1, 6)}
_requests = {}
VOTE_OUTCOMES = {outcome: VOTES.labels(outcome) for outcome in ("cast", "replay", "duplicate", "quota", "unauthorized")}


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_request(method, status):
    # A fixed set of labels: any other method is "OTHER", so no caller can mint new series.
    key = (method if method in METHODS else "OTHER", status // 100)
    child = _requests.get(key)
    if child is None:
        child = _requests[key] = REQUESTS.labels(key[0], _STATUS.get(key[1], "other"))
    child.inc()


def count_error(kind):
    ERRORS.labels(kind).inc()


def _task_finished(sender, task_result, **kwargs):
    TASKS.labels(task_result.task.module_path, str(task_result.status).lower()).inc()


task_finished.connect(_task_finished, dispatch_uid="wenming.metrics.tasks")


def exposition():
    """The text format Prometheus scrapes: every process's counts when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(PROCESS_REGISTRY)
