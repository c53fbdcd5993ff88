"""Domain errors the web layer maps to HTTP answers (404, 409, 422, 403)."""

from __future__ import annotations


class NotFound(Exception):
    """Unknown id, or an object of another organisation: the answer never reveals which."""

    def __init__(self, what: str = "Objekt") -> None:
        super().__init__(f"{what} nicht gefunden.")
        self.what = what


class Conflict(Exception):
    """The object changed meanwhile (stale version) or the action clashes with its state."""


class Forbidden(Exception):
    """The actor may see the object but not do this to it."""
