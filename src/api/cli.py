"""Project commands on Litestar's CLI: `litestar tueroeffner <command>`."""

from __future__ import annotations

import asyncio
import getpass
import time
from typing import Any

import click
from litestar import Litestar
from litestar.plugins import CLIPlugin
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

console = Console()


def _factory(app: Litestar) -> Any:
    return app.state.session_factory


async def _load_reference(app: Litestar) -> dict[str, int]:
    from matching.reference.loader import load_reference_data

    async with _factory(app)() as session:
        written = await load_reference_data(session)
        await session.commit()
    return written


class TueroeffnerCLIPlugin(CLIPlugin):
    def on_cli_init(self, cli: click.Group) -> None:
        @cli.group(name="tueroeffner", help="Türöffner: Referenz- und Demodaten, Konten.")
        def group() -> None:
            pass

        @group.command(
            name="load-reference-data", help="Kommunen, KdU-Grenzen, Absagegründe laden."
        )
        def load_reference_data(app: Litestar) -> None:
            written = asyncio.run(_load_reference(app))
            console.print(f"Referenzdaten geladen: {written}")

        @group.command(name="demo-data", help="Demodaten erzeugen (deterministisch).")
        @click.option("--households", default=2000, show_default=True, type=int)
        @click.option("--vacancies", default=150, show_default=True, type=int)
        @click.option("--seed", default=42, show_default=True, type=int)
        @click.option("--if-empty", is_flag=True, help="Nur, wenn noch keine Haushalte existieren.")
        def demo_data(
            app: Litestar, households: int, vacancies: int, seed: int, if_empty: bool
        ) -> None:
            asyncio.run(_demo(app, households, vacancies, seed, if_empty))

        @group.command(name="create-admin", help="Erstes Administrationskonto anlegen.")
        @click.option("--email", prompt="E-Mail")
        @click.option("--name", prompt="Name")
        @click.option("--organisation", default="Fachstelle Wohin", show_default=True)
        @click.option("--password", default=None, help="Sonst wird interaktiv gefragt.")
        def create_admin(
            app: Litestar, email: str, name: str, organisation: str, password: str | None
        ) -> None:
            pw = password or getpass.getpass("Passwort (mind. 12 Zeichen): ")
            asyncio.run(_create_admin(app, email, name, organisation, pw))

        @group.command(name="demo-logins", help="Die Demo-Zugänge anzeigen.")
        @click.option("--url", default="http://127.0.0.1:8000", show_default=True)
        def demo_logins(url: str) -> None:
            print_demo_logins(url)


async def _demo(app: Litestar, households: int, vacancies: int, seed: int, if_empty: bool) -> None:
    import sqlalchemy as sa

    from matching.db.models import Household
    from matching.demo.generator import load_demo_data

    await _load_reference(app)
    async with _factory(app)() as session:
        if if_empty and (await session.scalar(sa.select(sa.func.count(Household.id)))):
            console.print("Demodaten vorhanden – nichts zu tun.")
            return
        started = time.perf_counter()
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done)

            counts = await load_demo_data(
                session, households=households, vacancies=vacancies, seed=seed, progress=progress
            )
            await session.commit()
    console.print(
        f"Demodaten geschrieben: {counts['households']} Haushalte, "
        f"{counts['vacancies']} Wohnungsangebote in {time.perf_counter() - started:.1f} s"
    )


async def _create_admin(app: Litestar, email: str, name: str, organisation: str, pw: str) -> None:
    import sqlalchemy as sa

    from matching.accounts.service import create_organisation, create_user
    from matching.actors import SYSTEM
    from matching.db.models import Organisation
    from matching.enums import OrganisationKind
    from matching.validation import ValidationFailed

    async with _factory(app)() as session:
        try:
            org = await session.scalar(
                sa.select(Organisation).where(Organisation.name == organisation)
            )
            if org is None:
                org = await create_organisation(
                    session, SYSTEM, organisation, OrganisationKind.FACHSTELLE, None
                )
            user = await create_user(
                session,
                SYSTEM,
                email=email,
                name=name,
                organisation_id=org.id,
                password=pw,
                is_org_admin=True,
            )
        except ValidationFailed as exc:
            for err in exc.errors:
                console.print(f"[red]{err.field}: {err.message}[/red]")
            raise SystemExit(1) from exc
        await session.commit()
        console.print(f"Administrationskonto {user.email} angelegt.")


def print_demo_logins(url: str) -> None:
    """Plain lines, never truncated, so the logins can be copied from any terminal or log."""
    from matching.demo.accounts import DEMO_LOGINS
    from matching.enums import label

    wide = Console(width=240, highlight=False)
    table = Table(title=f"Türöffner läuft auf {url} – Demo-Zugänge", expand=False)
    for col in ("Rolle", "Organisation", "E-Mail", "Passwort"):
        table.add_column(col, no_wrap=True, overflow="ignore")
    for login in DEMO_LOGINS:
        table.add_row(label(login.role), login.organisation, login.email, login.password)
    wide.print(table)
