"""How a refusal is answered over HTTP: the one mapping, read by pages (wenming.core.pages) and
by the API (its one handler in wenming.api.api, and the plain views of the vote's hot path).

Services refuse with exceptions that carry a Chinese message and, for a domain refusal, a
machine `code` (wenming.core.errors.DomainError) — never a status. Here the code, else the kind
of refusal, decides the status: a role is 403; a state that does not allow it is 409; bad input
is 400 on a page (the reason shown on the form) and 422 in the API, except where a row below
says otherwise."""

from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError

from wenming.core.errors import Conflict, DomainError

REFUSALS = (ValidationError, DomainError, PermissionDenied)


class Answer(NamedTuple):
    page: int
    api: int
    # Whether the API's error body names this code; otherwise it carries the status's own code
    # (ERROR_CODES), as published in API.md before the refusal had a code of its own.
    shown: bool = True


ANSWERS: dict[str, Answer] = {
    "unauthorized": Answer(401, 401),
    "forbidden": Answer(403, 403),
    "not_found": Answer(404, 404),
    "voting_closed": Answer(403, 403),
    # A page says the record's phase does not allow it now (409); API.md: "not allowed now".
    "window_closed": Answer(409, 403),
    "already_voted": Answer(409, 409),
    "quota_used": Answer(429, 429),
    "too_many_requests": Answer(429, 429),
    "idempotency_key_reused": Answer(422, 422),
    "stale_version": Answer(409, 409),
    "same_complaint_open": Answer(409, 409),  # complaints: the same complaint filed within the day
    "too_large": Answer(413, 413),
    "bad_upload": Answer(400, 422, shown=False),
    "wrong_code": Answer(401, 401, shown=False),
    "already_bound": Answer(409, 409, shown=False),
    "consent_outdated": Answer(422, 422, shown=False),
    "sms_unavailable": Answer(503, 503, shown=False),
}


def message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _answer(exc: Exception) -> Answer | None:
    return ANSWERS.get(getattr(exc, "code", None) or "")


def page_status(exc: Exception) -> int:
    """The status of a page that shows the refusal."""
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, DomainError) and (answer := _answer(exc)) is not None:
        return answer.page
    return 409 if isinstance(exc, Conflict) else 400


def api_status(exc: Exception) -> int:
    """The status of the API's answer to a domain refusal (`DomainError`)."""
    answer = _answer(exc)
    return answer.api if answer is not None else 409


def api_code(exc: Exception) -> str | None:
    """The code the API's error body names (None: the status's own)."""
    answer = _answer(exc)
    return exc.code if answer is not None and answer.shown else None
