"""The dependency audit's wrapper never reports a run that checked nothing as clean."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from scripts import audit_dependencies


def fake_pip_audit(tmp_path, monkeypatch, stdout: str, stderr: str = "", status: int = 0):
    """Put a `pip-audit` on PATH that prints `stdout` and `stderr` and exits with `status`."""
    script = tmp_path / "pip-audit"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write({stdout!r})\n"
        f"sys.stderr.write({stderr!r})\nsys.exit({status})\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def pins(tmp_path):
    path = tmp_path / "constraints.txt"
    path.write_text("flask==3.1.0\njinja2==3.1.6\n")
    return path


def test_no_network_checks_nothing_and_says_so(tmp_path, monkeypatch, pins):
    fake_pip_audit(tmp_path, monkeypatch, "", "ConnectionError: could not reach pypi.org", status=1)
    status, report = audit_dependencies.audit(pins)
    assert status == 2 and "checked nothing" in report and "pypi.org" in report
    assert "no known vulnerabilities" not in report.lower()


def test_skipped_packages_are_no_conclusion(tmp_path, monkeypatch, pins):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.0", "vulns": []},
        {"name": "jinja2", "skip_reason": "could not be audited: service unavailable"},
    ]}  # fmt: skip
    fake_pip_audit(tmp_path, monkeypatch, json.dumps(report))
    status, out = audit_dependencies.audit(pins)
    assert status == 2 and "checked 1 of 2" in out and "not checked jinja2" in out
    assert "no known vulnerabilities" not in out.lower()


def test_a_vulnerability_is_reported(tmp_path, monkeypatch, pins):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.0", "vulns": []},
        {"name": "jinja2", "version": "3.1.6",
         "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["3.1.7"]}]},
    ]}  # fmt: skip
    fake_pip_audit(tmp_path, monkeypatch, json.dumps(report), status=1)
    status, out = audit_dependencies.audit(pins)
    assert status == 1 and "VULNERABLE jinja2 3.1.6: GHSA-xxxx (3.1.7)" in out


def test_every_pin_checked_and_clean_is_clean(tmp_path, monkeypatch, pins):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.0", "vulns": []},
        {"name": "jinja2", "version": "3.1.6", "vulns": []},
    ]}  # fmt: skip
    fake_pip_audit(tmp_path, monkeypatch, json.dumps(report))
    status, out = audit_dependencies.audit(pins)
    assert status == 0 and "no known vulnerabilities in the 2 packages checked" in out
