"""LibreOffice for the tests: convert files with one soffice run, in a profile of its own."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

SOFFICE_TIMEOUT = 180  # seconds; a cold start on a loaded machine takes tens of them


def convert(files: list[Path], target: str, outdir: Path, profile: Path) -> None:
    """Convert `files` to `target` (a soffice filter such as "pdf") into `outdir`, with one
    soffice run (its start-up costs seconds); fail naming the files it did not convert."""
    command = [
        "soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to", target, "--outdir", str(outdir), *map(str, files),
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    ) as process:
        try:
            out, err = process.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"soffice did not convert {len(files)} files in {SOFFICE_TIMEOUT}s")
    extension = target.split(":")[0]
    missing = [f.name for f in files if not (outdir / f"{f.stem}.{extension}").exists()]
    assert process.returncode == 0 and not missing, (
        f"soffice exited {process.returncode}, nothing made for {missing}:\n"
        f"{out.decode(errors='replace')}\n{err.decode(errors='replace')}"
    )
