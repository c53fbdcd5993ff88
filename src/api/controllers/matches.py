"""JSON API for rankings: matches of a vacancy, of a household, and one pair explained."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
