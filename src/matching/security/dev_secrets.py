"""Development secrets: generated once under var/ so `make run` needs no set-up.

Production sets MATCHING_SECRET_KEY and MATCHING_ENCRYPTION_KEYS; the generated file is only a
convenience for a laptop and is never used when those variables are present.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from pathlib import Path

from matching.config import Settings
from matching.security.crypto import new_key


def with_dev_secrets(settings: Settings) -> Settings:
    sec = settings.security
    if sec.secret_key and sec.encryption_keys:
        return settings
    path = Path(settings.var_dir) / "dev-secrets.json"
    if path.exists():
        stored = json.loads(path.read_text("utf-8"))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {"secret_key": secrets.token_urlsafe(48), "encryption_keys": [new_key()]}
        path.write_text(json.dumps(stored), "utf-8")
        path.chmod(0o600)
    return replace(
        settings,
        security=replace(
            sec,
            secret_key=sec.secret_key or stored["secret_key"],
            encryption_keys=sec.encryption_keys or tuple(stored["encryption_keys"]),
        ),
    )
