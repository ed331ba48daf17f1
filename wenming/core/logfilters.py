"""Logging filters named in settings.LOGGING."""

from wenming.core import request_context

# Answers that apply a rule (already voted today: 409; quota or rate limit: 429) are outcomes,
# not faults: under a vote flood, logging each would flood the log. Rate limits and refusals
# are visible in the data (quotas, quarantine) and the fraud review.
RULE_REFUSALS = frozenset({409, 429})


def drop_rule_refusals(record):
    return getattr(record, "status_code", None) not in RULE_REFUSALS


def add_request_id(record):
    """Every line carries the id of the request it was written in (the X-Request-Id answered),
    "-" outside a request; never the request itself (its query string may hold anything)."""
    record.request_id = request_context.current().request_id or "-"
    record.__dict__.pop("request", None)
    return True
