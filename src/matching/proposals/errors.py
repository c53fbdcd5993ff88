"""Domain errors of the proposal workflow and consents.

Every error carries a machine code and a German message the UI can show as is; ``http_status``
is the status the web layer should answer with (the domain itself knows nothing of HTTP).
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base: a refused request with a German explanation."""

    http_status = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """Unknown object, or one the actor may not see (never reveals that it exists)."""

    http_status = 404
    code = "not_found"

    def __init__(self, message: str = "Nicht gefunden.", *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class Forbidden(DomainError):
    """The actor's role may not do this at all (e.g. a landlord proposing households)."""

    http_status = 403
    code = "forbidden"


class TransitionNotAllowed(DomainError):
    """The action is not allowed from the current status for this actor."""

    http_status = 409
    code = "transition_not_allowed"

    def __init__(self, message: str, *, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)


class StaleVersion(DomainError):
    """Someone else changed the object since it was loaded (optimistic locking)."""

    http_status = 409
    code = "stale_version"

    def __init__(
        self,
        message: str = (
            "Der Vorschlag wurde inzwischen von jemand anderem geändert. "
            "Bitte laden Sie die Seite neu und prüfen Sie den aktuellen Stand."
        ),
    ) -> None:
        super().__init__(message)


class Conflict(DomainError):
    """The request is valid but clashes with the current state (e.g. vacancy no longer open)."""

    http_status = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Bad input: names the field so the form can mark it."""

    http_status = 422
    code = "validation_failed"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field
