"""Walking the HTML pages like a reader: visible text, same-site links, code-looking text.

Why a text filter instead of a list of known codes: a code nobody thought of (a new enum value,
a raw timestamp, ``None``) must fail the walk as well.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Text a person should never read: CONSTANT_CODES, Python literals, raw ISO timestamps and
# the scoring policies' lowercase keys.
CODE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b[A-Z]+_[A-Z_]+\b"),
    re.compile(r"\b(?:None|True|False)\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?"),
    re.compile(r"\b(?:dringlichkeit|wartezeit|passgenauigkeit)\b"),
    re.compile(r"\b[a-z]+[._][a-z_]+\b"),
)
# Not read as prose: hidden parts, and <code> (deliberately technical, e.g. an API key's
# prefix that identifies it, random letters that may look like anything).
_HIDDEN = {"script", "style", "template", "noscript", "head", "code"}
# Words that look like a pattern above but are German (or a file name a person downloads).
ALLOWED = re.compile(
    r"\b(?:vorlage\.(?:csv|xlsx)|bericht\.csv|auskunft\.json|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b"
    # an API key's visible prefix ("tk_" + random characters) is an identifier people compare
    r"|\btk_[\w-]+"
)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.text: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if element_id := dict(attrs).get("id"):
            self.ids.append(element_id)
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.text.append(" ".join(data.split()))


def read_page(html: str) -> tuple[list[str], list[str]]:
    """(visible text pieces, link targets) of one HTML page."""
    page = _Page()
    page.feed(html)
    return page.text, page.links


def duplicate_ids(html: str) -> list[str]:
    """Element ids used more than once (a label or error link would reach the wrong field)."""
    page = _Page()
    page.feed(html)
    return sorted({i for i in page.ids if page.ids.count(i) > 1})


def code_like(text: str) -> list[str]:
    """Every piece of ``text`` that looks like a code rather than a German word."""
    cleaned = ALLOWED.sub(" ", text)
    return [m.group(0) for p in CODE_PATTERNS for m in p.finditer(cleaned)]


def same_site(base: str, href: str) -> str | None:
    """The path+query of ``href`` when it is an HTML page of this app, else None."""
    if href.startswith(("mailto:", "tel:", "#", "javascript:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.netloc and url.netloc != urlsplit(base).netloc:
        return None
    path = url.path
    if path.startswith(("/static/", "/schema", "/api/", "/logout")) or path.endswith(
        (".csv", ".xlsx", ".json", ".pdf")
    ):
        return None
    return path + (f"?{url.query}" if url.query else "")
