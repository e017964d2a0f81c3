"""The container set-up says exactly what the code reads."""

from __future__ import annotations

import yaml

from service.config import DEFAULTS
from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_uses_only_known_settings():
    app = compose()["x-app"]
    assert set(app["environment"]) <= set(DEFAULTS)
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["environment"]["CELERY_BROKER_URL"].startswith("redis://")


def test_compose_runs_web_workers_and_migrations():
    services = compose()["services"]
    assert services["web"]["command"][0] == "gunicorn" and "wsgi:app" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "worker", "worker"]
    assert "beat" not in services  # the workers recover by themselves
    assert services["migrate"]["command"] == ["docgen", "db", "upgrade"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("redis", "postgres", "web", "worker"):
        assert "healthcheck" in services[name], name
    for name in ("redis", "postgres"):
        assert services[name]["volumes"], name


def test_committed_openapi_document_is_current():
    from scripts.export_openapi import render

    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(), "run `make openapi` and commit docs/openapi.json"


def test_compose_has_no_secret_of_its_own():
    # Every secret comes from the environment (or .env), and compose refuses to start
    # without it (`${VAR:?…}`): no password or key is written in the file.
    app = compose()["x-app"]["environment"]
    assert app["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in app["DATABASE_URL"]
    postgres = compose()["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
