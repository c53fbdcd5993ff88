"""pip-audit over the locked requirements (uv.lock), for `make lint`.

Known vulnerabilities fail the build. When the advisory service cannot be reached (offline,
a proxy, PyPI answering "not found" for everything) the audit cannot say anything: it prints a
notice and succeeds, so an air-gapped build still runs – the notice says the audit is missing.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 # fixed argument lists, never a shell
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # nosec B603 # own tools from the venv, fixed args
        args, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        report = Path(tmp) / "audit.json"
        export = _run(
            [
                str(BIN / "uv"),
                "export",
                "--frozen",
                "--no-hashes",
                "--format",
                "requirements-txt",
                "--no-emit-project",
                "--all-groups",
                "--quiet",
                "--output-file",
                str(requirements),
            ]
        )
        if export.returncode != 0:
            print(f"pip-audit: could not export the lock file:\n{export.stderr}", file=sys.stderr)
            return 1
        audit = _run(
            [
                str(BIN / "pip-audit"),
                "--requirement",
                str(requirements),
                "--no-deps",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ]
        )
        try:
            data = json.loads(report.read_text("utf-8"))
        except (OSError, ValueError):
            data = None
    if data is None:
        last = (audit.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"NOTICE: pip-audit skipped – advisory data unreachable ({last}).")
        return 0
    deps = data.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        print(
            f"NOTICE: pip-audit could not check any of the {len(deps)} locked packages – "
            "advisory data unreachable; no result."
        )
        return 0
    for dep in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
        print(f"VULNERABLE: {dep['name']} {dep['version']}: {ids}")
    skipped = len(deps) - len(audited)
    print(
        f"pip-audit: {len(audited)} packages checked, {len(vulnerable)} vulnerable"
        + (f", {skipped} not checkable" if skipped else "")
        + "."
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    raise SystemExit(main())
