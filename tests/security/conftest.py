"""Helpers for the security and privacy tests."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from api.observability import JsonFormatter


class LogCapture:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]


@pytest.fixture
def json_logs(app: Any) -> Iterator[LogCapture]:
    """Every record the app's logging configuration lets through, formatted as in production."""
    capture = LogCapture()
    root = logging.getLogger()
    root.addHandler(capture.handler)
    try:
        yield capture
    finally:
        root.removeHandler(capture.handler)


# ---------------------------------------------------------------- a proposal with identity


def counselor_actor(world: Any, who: str = "counselor_a") -> Any:
    from matching.actors import Actor
    from matching.enums import OrganisationKind, Role

    user = world.users[who]
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=Role.COUNSELOR,
        organisation_kind=OrganisationKind.COUNSELING,
        user_id=user.id,
        label=f"user:{user.id}",
    )


def landlord_actor(world: Any, who: str = "landlord_a") -> Any:
    from matching.actors import Actor
    from matching.enums import OrganisationKind, Role

    user = world.users[who]
    return Actor(
        kind="user",
        organisation_id=user.organisation_id,
        role=Role.LANDLORD,
        organisation_kind=OrganisationKind.LANDLORD,
        user_id=user.id,
        label=f"user:{user.id}",
    )


async def send_proposal(
    session: Any,
    world: Any,
    household_id: int,
    *,
    form_reference: str = "Akte 1/2026",
    scope: tuple[str, ...] = (
        "composition",
        "income_basis",
        "name",
        "phone",
        "email",
        "landlord_notes",
    ),
) -> int:
    """Consent to share everything, then a sent proposal for vacancy a; returns its id."""
    from datetime import timedelta

    from matching import clock
    from matching.db.models import Consent
    from matching.enums import ConsentRecipients
    from matching.proposals.checker import PassAllChecker
    from matching.proposals.service import propose

    today = clock.today()
    session.add(
        Consent(
            household_id=household_id,
            scope=list(scope),
            recipients=ConsentRecipients.NETWORK,
            recipient_organisation_ids=[],
            given_at=today - timedelta(days=1),
            valid_until=today + timedelta(days=180),
            form_reference=form_reference,
        )
    )
    await session.flush()
    outcome = await propose(
        session,
        counselor_actor(world),
        world.vacancies["a"].id,
        [household_id],
        checker=PassAllChecker(),
    )
    assert outcome[0].proposal_id is not None, outcome[0].message
    await session.commit()
    return outcome[0].proposal_id


def run_cli(settings: Any, monkeypatch: Any, *args: str) -> Any:
    """Invoke `litestar tueroeffner …` in-process (in a worker thread: it runs its own loop)."""
    from click.testing import CliRunner
    from litestar.cli.main import litestar_group

    from matching.config import get_settings

    env = {
        "MATCHING_DATABASE_URL": settings.database.url,
        "MATCHING_SECRET_KEY": settings.security.secret_key,
        "MATCHING_ENCRYPTION_KEYS": ",".join(settings.security.encryption_keys),
        "MATCHING_VAR_DIR": str(settings.var_dir),
        "MATCHING_SCHEDULER": "0",
        "MATCHING_SESSION_STORE": "memory",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            litestar_group, ["--app", "api.app:create_app", "tueroeffner", *args]
        )
    finally:
        get_settings.cache_clear()
