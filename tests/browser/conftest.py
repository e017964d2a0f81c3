"""The pages in a real browser: Debian's Chromium driven by Playwright, against the real app.

The app is the one `make run` serves, on a SQLite file migrated like the other tests', with
its embedded workers (documents really get made) and its default PDF converter, served by
werkzeug on a free port of 127.0.0.1 in a thread, once for the browser tests (package-scoped:
stopped before the rest of the suite runs), as is the browser. The session cookie stays
`Secure` (WEB_COOKIE_SECURE's default): Chromium sends Secure cookies to http://127.0.0.1 as to
https (test_browser_auth checks it).

Chromium is Debian's (/usr/bin/chromium, which `make test` installs where missing); Playwright
never downloads a browser of its own. Without Chromium or Playwright the tests skip, unless
`make test` promised them (DOCGEN_REQUIRE_SERVICES=1): then they fail.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from service import accounts, create_app, extensions, start_embedded_workers, submission
from service.db import upgrade
from service.models import Organisation
from service.tenancy import ALL_ROLES, Scope
from tests.browser.helpers import DESKTOP, PHONE, closed, new_context, sign_in
from tests.conftest import EXAMPLES, UNLIMITED
from tests.stack import services_missing

CHROMIUM = Path(os.environ.get("DOCGEN_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps calling Google's hosts, which a
# closed network refuses, many at a time.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
PASSWORD = "correct horse battery"  # every test user's (at least 12 characters)
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    organisation: str  # its id
    organisation_name: str


@dataclass(frozen=True)
class Server:
    app: object  # the Flask app
    url: str  # http://127.0.0.1:<port>

    def person(
        self,
        organisation: str,
        *,
        roles=ALL_ROLES,
        kind: str = "municipality",
        name: str | None = None,
    ) -> Person:
        """A new user with a password in `organisation` (made if missing)."""
        username = f"user-{uuid.uuid4().hex[:10]}"
        with extensions.db(self.app).session() as session:
            found = session.get(Organisation, organisation)
            if found is None:
                found = accounts.create_organisation(
                    session, name or f"{organisation} office", kind, organisation
                )
            accounts.create_user(session, organisation, username, PASSWORD, sorted(roles), None)
            organisation_name = found.name
        return Person(username, PASSWORD, organisation, organisation_name)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory) -> Iterator[Server]:
    from werkzeug.serving import make_server

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "CELERY_BROKER_URL": None, "REDIS_URL": None, **UNLIMITED}
    )
    start_embedded_workers(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Server(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


@pytest.fixture(scope="package")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        services_missing("the browser tests need the playwright package (pip install -e .[test])")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(_playwright):
    """Debian's Chromium, headless, one for all the browser tests."""
    if not CHROMIUM.exists():
        services_missing(
            f"the browser tests need Debian's Chromium at {CHROMIUM} "
            "(scripts/ensure-services.sh browser installs it, as root)"
        )
    launched = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser, live_server):
    """A page of its own (no cookies) at 1366x768; the test fails on a script error, a CSP
    refusal or a stylesheet/script/image that did not load."""
    context = new_context(browser, live_server, viewport=DESKTOP)
    yield context.new_page()
    closed(context)


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized context (390x844, touch), watched as `page` is."""
    context = new_context(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    closed(context)


@pytest.fixture(scope="package")
def secretary(live_server) -> Person:
    """The secretary of a one-person aiyl okmotu office: every role."""
    return live_server.person("uch-korgon", name="Үч-Коргон айыл өкмөтү")


@pytest.fixture
def signed_in(page, secretary):
    """`page`, signed in as the secretary, on the start page."""
    sign_in(page, secretary)
    return page


@dataclass(frozen=True)
class Foreign:
    """Another organisation, its user and a document of its own."""

    person: Person
    document_id: str


@pytest.fixture(scope="package")
def foreign(live_server) -> Foreign:
    import json

    person = live_server.person("other-district", kind="district", name="Башка район")
    payload = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    found = extensions.services(live_server.app)
    made = submission.submit_document(
        found.db, found.dispatcher, Scope.whole("other-district"), "working-group-order", payload
    )
    return Foreign(person, made.record.id)
