class DomainError(Exception):
    """A refusal by the domain: a Chinese message for the person and a machine `code`; no HTTP
    status. Pages map it in wenming.core.pages (REFUSALS), the API in wenming.api.api."""

    code = "refused"


class Conflict(DomainError):
    """The record is not in a state that allows this (answered 409)."""

    code = "conflict"
