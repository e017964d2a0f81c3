"""Write the OpenAPI document to docs/openapi.json (`make openapi`); a test keeps it current."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from service import create_app, extensions

OUT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def spec() -> dict:
    app = create_app({"DATABASE_URL": "sqlite://", "CELERY_BROKER_URL": None})
    try:
        return extensions.api(app).spec.to_dict()
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


def render() -> str:
    return json.dumps(spec(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUT.name}\n")
