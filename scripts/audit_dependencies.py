"""Audit the pinned dependencies with pip-audit, and say how many it really checked.

    .venv/bin/python -m scripts.audit_dependencies      (pip-audit installed, network access)

Runs `pip-audit -r constraints.txt --no-deps --format json` and reads its report. pip-audit
prints "No known vulnerabilities found" even when it skipped packages; this prints how many
of the pins were checked, each vulnerability found, and each package skipped, and exits
  0  every pin checked, no known vulnerability;
  1  a known vulnerability;
  2  nothing or not everything checked (no network, the vulnerability service unreachable,
     packages skipped): never reported as "no known vulnerabilities".
A deployment check for machines with network access, not a CI gate: the build machines have
no route to the vulnerability database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _command() -> list[str] | None:
    found = shutil.which("pip-audit")
    if found:
        return [found]
    try:
        import pip_audit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pip_audit"]


def audit(requirements: Path = ROOT / "constraints.txt") -> tuple[int, str]:
    """Run pip-audit on `requirements`; return (exit status, the report to print)."""
    command = _command()
    if command is None:
        return 2, "pip-audit is not installed (pip install pip-audit): nothing was checked."
    pins = [
        line
        for line in requirements.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    run = subprocess.run(
        [*command, "-r", str(requirements), "--no-deps", "--format", "json",
         "--progress-spinner", "off"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except ValueError:
        reason = (run.stderr.strip().splitlines() or ["no report"])[-1]
        return 2, f"pip-audit checked nothing: {reason}"
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    checked = [d for d in dependencies if "skip_reason" not in d]
    lines = [f"checked {len(checked)} of {len(pins)} pinned packages"]
    vulnerable = [d for d in checked if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            lines.append(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} ({fixes})")
    lines += [f"not checked {d['name']}: {d['skip_reason']}" for d in skipped]
    if vulnerable:
        return 1, "\n".join(lines)
    if not checked or skipped or len(checked) < len(pins):
        lines.append("not every package was checked: no conclusion about vulnerabilities")
        return 2, "\n".join(lines)
    lines.append(f"no known vulnerabilities in the {len(checked)} packages checked")
    return 0, "\n".join(lines)


def main() -> None:
    status, report = audit()
    print(report)
    sys.exit(status)


if __name__ == "__main__":
    main()
