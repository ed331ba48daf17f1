class DomainError(Exception):
    """A refusal by the domain: a Chinese message for the person and a machine `code`; no HTTP
    status. Pages and the API map it in wenming.core.refusals (through wenming.core.pages and
    the API's one handler in wenming.api.api)."""

    code = "refused"

    def __init__(self, message: str = "", code: str | None = None):
        if code is not None:
            self.code = code
        super().__init__(message)


class Conflict(DomainError):
    """The record is not in a state that allows this (answered 409)."""

    code = "conflict"
