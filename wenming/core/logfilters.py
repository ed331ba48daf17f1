"""Logging filters named in settings.LOGGING."""

# Answers that apply a rule (already voted today: 409; quota or rate limit: 429) are outcomes,
# not faults: under a vote flood, logging each would flood the log. Rate limits and refusals
# are visible in the data (quotas, quarantine) and the fraud review.
RULE_REFUSALS = frozenset({409, 429})


def drop_rule_refusals(record):
    return getattr(record, "status_code", None) not in RULE_REFUSALS
