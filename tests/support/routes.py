"""The app's route table as test input: every HTTP route, with its path parameters filled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")


@dataclass(frozen=True)
class RouteCase:
    method: str
    template: str  # e.g. "/haushalte/{household_id}"

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    def params(self) -> list[str]:
        return PARAM.findall(self.template)

    def fill(self, values: dict[str, Any]) -> str:
        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise KeyError(f"no test value for path parameter {name!r} in {self.template}")
            return str(values[name])

        return PARAM.sub(repl, self.template)


def route_cases(app: Litestar) -> list[RouteCase]:
    """Every (method, path) the app serves, HEAD/OPTIONS excluded, static files as one case."""
    cases: set[RouteCase] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        template = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path_format)
        for method in route.methods:
            if method in ("HEAD", "OPTIONS"):
                continue
            cases.add(RouteCase(method, template))
    return sorted(cases, key=lambda c: (c.template, c.method))
