"""Backup and restore of the whole database (SQLite and PostgreSQL).

SQLite: the online backup API copies a consistent snapshot while the app keeps running (WAL
readers and writers are not blocked for long). PostgreSQL: ``pg_dump -Fc`` (custom format,
compressed, consistent snapshot) and ``pg_restore --clean --single-transaction``, so a failed
restore leaves the old database untouched.

The password never appears on a command line (it would be visible in the process list): it is
handed to the PostgreSQL tools in ``PGPASSWORD``. A backup holds the encrypted personal fields
as ciphertext; it is useless without the keys, and the keys must be kept (separately!) for as
long as the backup. Files are created readable by the owner only.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 # fixed argument lists, never a shell (see _run)
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore did not complete; the message is safe to show."""


@dataclass(frozen=True)
class Target:
    kind: str  # "sqlite" | "postgresql"
    sqlite_path: Path | None = None
    env: dict[str, str] | None = None  # libpq variables for the PostgreSQL tools


def target_from_url(url: str) -> Target:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError("Eine SQLite-Datenbank im Speicher kann nicht gesichert werden.")
        return Target("sqlite", sqlite_path=Path(parsed.database))
    if parsed.get_backend_name() == "postgresql":
        env = {
            "PGHOST": parsed.host or "localhost",
            "PGPORT": str(parsed.port or 5432),
            "PGUSER": parsed.username or "postgres",
            "PGDATABASE": parsed.database or "",
        }
        if parsed.password:
            env["PGPASSWORD"] = str(parsed.password)
        return Target("postgresql", env=env)
    raise BackupError(f"Datenbanktyp {parsed.get_backend_name()} wird nicht unterstützt.")


def _sqlite_path(target: Target) -> Path:
    if target.sqlite_path is None:
        raise BackupError("Kein SQLite-Pfad.")
    return target.sqlite_path


def _pg_env(target: Target) -> dict[str, str]:
    if target.env is None:
        raise BackupError("Keine PostgreSQL-Verbindung.")
    return target.env


def default_name(kind: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"tueroeffner-{stamp}.{'sqlite3' if kind == 'sqlite' else 'dump'}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} wurde nicht gefunden (PostgreSQL-Client installieren).")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    # The executable is resolved with shutil.which, the arguments are a fixed list (no shell),
    # and the only variable parts are file paths and libpq environment values.
    result = subprocess.run(  # noqa: S603  # nosec B603 # see the comment above
        args,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        # Tool messages name objects, never row contents; keep the last lines for the operator.
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise BackupError(f"{Path(args[0]).name} ist fehlgeschlagen: {tail}")


def backup(url: str, destination: Path) -> Path:
    """Write a consistent copy of the database to ``destination`` (a file) and return it."""
    target = target_from_url(url)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.touch(mode=0o600, exist_ok=True)
    destination.chmod(0o600)
    if target.kind == "sqlite":
        path = _sqlite_path(target)
        if not path.exists():
            raise BackupError(f"Datenbankdatei {path} existiert nicht.")
        with (
            closing(sqlite3.connect(path)) as source,
            closing(sqlite3.connect(destination)) as copy,
        ):
            source.backup(copy)
        return destination
    _run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file", str(destination)],
        _pg_env(target),
    )
    return destination


def _check_sqlite_backup(backup_db: sqlite3.Connection) -> None:
    """Refuse a damaged file or one that is not a Türöffner database before overwriting."""
    check = backup_db.execute("PRAGMA integrity_check").fetchone()
    if not check or check[0] != "ok":
        raise BackupError("Die Sicherung ist beschädigt (integrity_check).")
    tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"alembic_versions", "households"} <= tables:
        raise BackupError("Die Datei ist keine Sicherung einer Türöffner-Datenbank.")


def restore(url: str, source: Path) -> None:
    """Replace the database's content with the backup (stop the app first)."""
    if not source.is_file():
        raise BackupError(f"Sicherung {source} existiert nicht.")
    target = target_from_url(url)
    if target.kind == "sqlite":
        try:
            with (
                closing(sqlite3.connect(source)) as backup_db,
                closing(sqlite3.connect(_sqlite_path(target))) as live,
            ):
                _check_sqlite_backup(backup_db)
                backup_db.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Die Sicherung ist keine lesbare SQLite-Datenbank: {exc}") from exc
        return
    env = _pg_env(target)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--dbname",
            env["PGDATABASE"],
            str(source),
        ],
        env,
    )
