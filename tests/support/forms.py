"""What a browser would send for an HTML form left unchanged: the round trip of edit forms.

Why a parser instead of a hand-written dict: the test must submit exactly what the page shows
(the rendered text of every value), so a value shown in English notation, rounded or in a
format the server reads differently fails the round trip.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

__all__ = ["submitted_form"]


class _FormValues(HTMLParser):
    """Successful controls of the first ``<form method="post">`` with ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("method", "").lower() == "post" and a.get("action") == self.action
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "reset", "file"):
                self.values.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea, "".join(self._text)))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def submitted_form(html: str, action: str) -> dict[str, Any]:
    """The fields the form posting to ``action`` sends unchanged; a name sent more than once
    (a multiple select) maps to a list. The CSRF token is left to the test client's header."""
    parser = _FormValues(action)
    parser.feed(html)
    values: dict[str, Any] = {}
    for name, value in parser.values:
        if name == "_csrf_token":
            continue
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values
