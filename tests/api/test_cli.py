"""The project commands on Litestar's CLI: create-admin, demo-data, demo-logins."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from api.cli import _create_admin, _demo, print_demo_logins
from matching.db.models import Household, Organisation, User, Vacancy
from matching.enums import OrganisationKind, Role

pytestmark = pytest.mark.anyio


async def test_create_admin_makes_the_first_account(app: Any, session: Any) -> None:
    await _create_admin(
        app, "Erste@Example.org", "Erste Admin", "Fachstelle Neu", "ein-langes-Passwort-1"
    )
    user = await session.scalar(sa.select(User).where(User.email == "erste@example.org"))
    assert user is not None
    assert user.role == Role.ADMIN
    org = await session.get(Organisation, user.organisation_id)
    assert org.kind == OrganisationKind.FACHSTELLE


async def test_create_admin_refuses_a_weak_password_and_stores_nothing(
    app: Any, session: Any
) -> None:
    with pytest.raises(SystemExit):
        await _create_admin(app, "schwach@example.org", "Schwach", "Fachstelle Neu", "kurz")
    assert await session.scalar(sa.select(sa.func.count(User.id))) == 0


async def test_demo_data_command_writes_once_with_if_empty(app: Any, session: Any) -> None:
    await _demo(app, households=40, vacancies=5, seed=3, if_empty=True)
    await _demo(app, households=40, vacancies=5, seed=3, if_empty=True)  # nothing to do
    assert await session.scalar(sa.select(sa.func.count(Household.id))) == 40
    open_count = sa.select(sa.func.count(Vacancy.id)).where(Vacancy.status == "open")
    assert await session.scalar(open_count) == 5  # the rest is the year of history


def test_demo_logins_are_printed_in_full(capsys: Any) -> None:
    print_demo_logins("http://127.0.0.1:8000")
    out = capsys.readouterr().out
    assert "admin@wohin.example" in out
    assert "Vermieter-Luebbecke-2026" in out
    assert "http://127.0.0.1:8000" in out
