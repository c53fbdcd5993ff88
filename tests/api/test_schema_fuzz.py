"""schemathesis against /schema: every JSON operation, authenticated, fuzzed, all checks.

Every built-in check (``--checks all``: server errors, documented statuses, content types,
headers and schemas, negative data rejected, positive data accepted, missing headers,
unsupported methods and their Allow header, ignored auth, ...) over valid and invalid
cases: zero failures. Runs once, on a migrated SQLite database, with API keys of a
counselling organisation and of a landlord. New /api/ operations fall under it by
themselves; api.openapi documents their common problem answers.

One deliberate setting: schema-valid data may also be answered 422 where a domain rule
decides that JSON Schema cannot express (a postal code outside the Kreis, an unknown town,
an id in a body that does not exist, cross-field rules); every such 422 is still a
documented problem-details answer naming the field.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from matching.config import DatabaseSettings
from matching.db.engine import make_engine, make_session_factory
from tests.support.apps import sqlite_app_settings
from tests.support.world import World, build_world

EXAMPLES_PER_OPERATION = 30
#: positive_data_acceptance: schemathesis' defaults plus 422 for domain rules (see above).
DOMAIN_ACCEPTANCE = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]


async def _seed(url: str) -> World:
    engine = make_engine(DatabaseSettings(url=url))
    async with make_session_factory(engine)() as session:
        world = await build_world(session)
    await engine.dispose()
    return world


#: Both kinds of organisation call every operation (access rules must hold for each), with
#: valid and with invalid data; each combination is its own test so pytest-xdist can run them
#: on both cores.
RUNS = [
    pytest.param(kind, mode, id=f"{kind}-{mode.value}")
    for kind in ("counseling_a", "landlord_a")
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
]


@pytest.mark.slow
@pytest.mark.parametrize(("organisation", "mode"), RUNS)
def test_every_json_operation_survives_fuzzing(
    tmp_path: Path, organisation: str, mode: GenerationMode
) -> None:
    from api.app import create_app

    url, _db_file, app_settings = sqlite_app_settings(tmp_path, "fuzz")
    world = asyncio.run(_seed(url))
    key = world.keys[f"{organisation}:all"]
    app = create_app(app_settings)
    config = SchemathesisConfig.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": DOMAIN_ACCEPTANCE}}}
    )
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)
    load_all_checks()
    checks = [c for c in CHECKS.get_all() if getattr(c, "__name__", "") != "max_response_time"]
    counts: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    json_operations = [op for op in operations if op.path.startswith("/api/")]
    assert json_operations, "no JSON operations found in /schema"
    for operation in json_operations:
        _fuzz(operation, key, mode, checks, counts, failures)
    print(
        f"\nschemathesis ({organisation}, {mode.value}): {len(json_operations)} operations, "
        f"{sum(counts.values())} requests, status codes {dict(sorted(counts.items()))}, "
        f"failures {len(failures)}"
    )
    assert not failures, "\n".join(failures[:20])


def _auth(case: Any, key: str) -> dict[str, str]:
    """Our key on every case - except one whose only invalid part is its headers (a missing
    or broken Authorization): that one must be refused as it is."""
    negative = {
        location
        for location, info in (case.meta.components.items() if case.meta else [])
        if info.mode == GenerationMode.NEGATIVE
    }
    if negative and all(str(getattr(loc, "value", loc)) == "header" for loc in negative):
        return {}
    return {"Authorization": f"Bearer {key}"}


def _fuzz(
    operation: Any,
    key: str,
    mode: GenerationMode,
    checks: list[Any],
    counts: Counter[str],
    failures: list[str],
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # the same cases in every CI run; raise the count to explore more
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(headers=_auth(case, key))
        counts[f"{response.status_code}"] += 1
        try:
            case.validate_response(response, checks=checks)
        except BaseException as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}"[:600])

    run()
