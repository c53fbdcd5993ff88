"""Project commands on Litestar's CLI: `litestar tueroeffner <command>`."""

from __future__ import annotations

import asyncio
import getpass
import time
from pathlib import Path
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
            name="load-reference-data",
            help="Kommunen, Mietobergrenzen (Beispielwerte und amtlich 2013), Absagegründe laden.",
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

        @group.command(
            name="train-acceptance",
            help="Zusage-Chance neu trainieren (aus allen beantworteten Vorschlägen).",
        )
        def train_acceptance(app: Litestar) -> None:
            asyncio.run(_train_acceptance(app))

        _security_commands(group)
        _rent_limit_commands(group)


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
        f"{counts['vacancies']} Wohnungsangebote, {counts.get('cases', 0)} Fälle der "
        f"Wohnungssicherung in {time.perf_counter() - started:.1f} s"
    )


async def _train_acceptance(app: Litestar) -> None:
    service = app.state.acceptance
    started = time.perf_counter()
    async with _factory(app)() as session:
        try:
            card = await service.train_from(session)
        except ValueError as exc:
            console.print(f"[yellow]Kein Modell trainiert: {exc}[/yellow]")
            raise SystemExit(1) from exc
    auc = "–" if card.roc_auc is None else f"{card.roc_auc:.3f}"
    console.print(
        f"Modell {card.version} trainiert in {time.perf_counter() - started:.1f} s: "
        f"{card.answered} beantwortete Vorschläge ({card.window_start} bis {card.window_end}), "
        f"ROC AUC {auc}, Brier {card.brier:.4f} (Vermieter-Quote {card.baseline_brier:.4f}), "
        f"Kalibrierungsfehler {card.ece:.3f}."
    )
    status = service.status()
    console.print("Wird angezeigt." if status.available else f"Nicht angezeigt: {status.reason}")


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


# -- rent-limit tables ---------------------------------------------------------------------------


def _rent_limit_commands(group: click.Group) -> None:
    @group.command(
        name="load-rent-limits",
        help="Mietobergrenzen-Tabelle aus CSV laden (wie die Seite Mietobergrenzen).",
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--example", is_flag=True, help="Als Beispielwerte (nicht amtlich) markieren.")
    @click.option("--name", default="", help="Name der Tabelle (sonst aus Datum und Art).")
    @click.option("--source", default="", help="Rechtsgrundlage (sonst der Dateiname).")
    def load_rent_limits(app: Litestar, file: Path, example: bool, name: str, source: str) -> None:
        from matching.actors import Actor
        from matching.rent_limits.service import format_period, import_file

        actor = Actor(kind="system", organisation_id=None, label="Kommandozeile")
        data = file.read_bytes()

        async def run() -> Any:
            async with _factory(app)() as session:
                table, draft = await import_file(
                    session,
                    actor,
                    filename=file.name,
                    data=data,
                    name=name,
                    legal_source=source or f"Datei {file.name}",
                    example=example,
                )
                if table is not None:
                    await session.commit()
                return table, draft

        table, draft = asyncio.run(run())
        if table is None:
            console.print(f"[red]{len(draft.problems)} Problem(e) – nichts gespeichert:[/red]")
            for p in draft.problems:
                console.print(f"  {f'Zeile {p.line}: ' if p.line else ''}{p.message}")
            raise SystemExit(1)
        console.print(
            f"Tabelle „{table.name}“ geladen (Nr. {table.id}, "
            f"{format_period(table.valid_from, table.valid_to)}, {len(draft.areas)} Gebiete)."
        )


# -- security and privacy operations ------------------------------------------------------------


def _settings(app: Litestar) -> Any:
    return app.state.settings


def _security_commands(group: click.Group) -> None:
    @group.command(
        name="rotate-keys",
        help="Alle verschlüsselten Werte mit dem neuesten Schlüssel neu verschlüsseln.",
    )
    @click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 100_000))
    def rotate_keys(app: Litestar, batch: int) -> None:
        from matching.security.rotation import rotate_all

        keys = _settings(app).security.encryption_keys
        report = asyncio.run(rotate_all(_factory(app), keys, batch=batch))
        console.print(
            f"Neu verschlüsselt: {report.rotated} Werte; bereits aktuell: {report.current}; "
            f"Namensindex neu aufgebaut für {report.reindexed} Haushalte."
        )
        for column, count in sorted(report.per_column.items()):
            console.print(f"  {column}: {count}")
        if len(keys) > 1:
            console.print(
                "Alle Werte nutzen jetzt den ersten Schlüssel; die übrigen können aus "
                "MATCHING_ENCRYPTION_KEYS entfernt werden (Sicherungen beachten)."
            )

    @group.command(name="audit-verify", help="Hash-Kette des Protokolls prüfen.")
    def audit_verify(app: Litestar) -> None:
        from matching.audit.service import verify_chain

        async def run() -> Any:
            async with _factory(app)() as session:
                return await verify_chain(session)

        report = asyncio.run(run())
        if report.ok:
            console.print(
                f"Protokoll unversehrt: {report.checked} Einträge. Letzter Hash: {report.head}"
            )
            return
        console.print(
            f"[red]Protokoll verletzt bei Eintrag {report.first_bad_id}: {report.problem} "
            f"(erkannt bei Eintrag {report.detected_at_id}; {report.checked} Einträge davor "
            "unversehrt).[/red]"
        )
        raise SystemExit(1)

    @group.command(
        name="anonymise", help="Abgeschlossene Haushalte nach Ablauf der Frist anonymisieren."
    )
    @click.option(
        "--months",
        default=None,
        type=click.IntRange(1, 600),
        help="Frist in Monaten (Standard: MATCHING_RETENTION_MONTHS).",
    )
    @click.option("--dry-run", is_flag=True, help="Nur zählen, nichts ändern.")
    def anonymise(app: Litestar, months: int | None, dry_run: bool) -> None:
        from matching import clock
        from matching.gdpr.anonymise import anonymise_due, due_household_ids

        retention = months or _settings(app).retention_months
        today = clock.today()

        async def run() -> int:
            if dry_run:
                async with _factory(app)() as session:
                    return len(await due_household_ids(session, today, retention))
            return len(await anonymise_due(_factory(app), today, retention))

        count = asyncio.run(run())
        verb = "wären zu anonymisieren" if dry_run else "anonymisiert"
        console.print(f"{count} Haushalte {verb} (Frist {retention} Monate nach Abschluss).")

    @group.command(
        name="backup", help="Datenbank sichern (SQLite: Online-Backup, PostgreSQL: pg_dump)."
    )
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
    def backup_cmd(app: Litestar, output: Path | None) -> None:
        from matching.security.backup import BackupError, backup, default_name, target_from_url

        url = _settings(app).database.url
        try:
            kind = target_from_url(url).kind
            path = output or Path(_settings(app).var_dir) / "backups" / default_name(kind)
            backup(url, path)
        except BackupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise SystemExit(1) from exc
        console.print(f"Sicherung geschrieben: {path}")

    @group.command(
        name="restore", help="Datenbank aus einer Sicherung wiederherstellen (App vorher stoppen)."
    )
    @click.option(
        "--input",
        "source",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )
    @click.option("--yes", is_flag=True, help="Ohne Rückfrage überschreiben.")
    def restore_cmd(app: Litestar, source: Path, yes: bool) -> None:
        from matching.security.backup import BackupError, restore

        if not yes:
            click.confirm("Der aktuelle Datenbankinhalt wird ersetzt. Fortfahren?", abort=True)
        try:
            restore(_settings(app).database.url, source)
        except BackupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise SystemExit(1) from exc
        console.print(f"Wiederhergestellt aus {source}.")
