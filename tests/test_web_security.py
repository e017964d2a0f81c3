"""The pages' security, through Flask's test client: CSRF tokens on every POST, the session
cookie's flags, the CSP and no inline script on any page, session expiry, the sign-in limit,
no redirect off the site, and each page's own weight.

The routes are read off the app's URL map: a page added to the `web` blueprint is covered here
without a change to this file.
"""

from __future__ import annotations

import html
import re
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import BuildError

from service import accounts, create_app, extensions
from service.db import upgrade
from service.i18n import translations
from service.models import Organisation, User
from service.tenancy import ALL_ROLES
from tests.conftest import UNLIMITED

BASE = "https://localhost"  # the session cookie is Secure
PASSWORD = "correct horse battery"
PAGE_BUDGET = 200 * 1024  # bytes: a page's own HTML, CSS and scripts
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _ky(message: str) -> str:
    return translations("ky", "web").gettext(message)


@pytest.fixture
def make_app(tmp_path):
    made = []

    def make(**overrides):
        url = f"sqlite:///{tmp_path / f'web-{len(made)}.sqlite3'}"
        upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "CELERY_BROKER_URL": None, "REDIS_URL": None}
            | UNLIMITED
            | overrides
        )
        made.append(app)
        return app

    yield make
    for app in made:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


@pytest.fixture
def web_app(make_app):
    return make_app()


def _person(app, organisation: str = "office") -> str:
    """A new user of every role with PASSWORD; its username."""
    username = f"user-{uuid.uuid4().hex[:10]}"
    with extensions.db(app).session() as session:
        if session.get(Organisation, organisation) is None:
            accounts.create_organisation(
                session, f"{organisation} office", "municipality", organisation
            )
        accounts.create_user(session, organisation, username, PASSWORD, sorted(ALL_ROLES), None)
    return username


def _token(client, path: str = "/sign-in") -> str:
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no csrf_token in {path}"
    return found.group(1)


def _sign_in(client, username: str, password: str = PASSWORD, query: str = ""):
    return client.post(
        f"/sign-in{query}",
        data={"csrf_token": _token(client), "username": username, "password": password},
    )


@pytest.fixture
def person(web_app) -> str:
    return _person(web_app)


@pytest.fixture
def signed_in(web_app, person):
    client = web_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.environ_base["HTTP_HOST"] = "localhost"
    answer = _sign_in(client, person)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _client(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    client.environ_base["HTTP_HOST"] = "localhost"
    return client


def _web_rules(app, method: str):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.") and method in rule.methods
    ]


def _path(app, rule) -> str:
    """The rule's path with a made-up value for each of its arguments."""
    for made_up in ("0" * 32, 1):
        try:
            built = rule.build(dict.fromkeys(rule.arguments, made_up), append_unknown=False)
        except (BuildError, ValueError, TypeError):
            continue
        if built is not None:
            return built[1]
    raise AssertionError(f"cannot build {rule.rule}")


def _pages(app) -> list[str]:
    """Every GET page of the blueprint that takes no argument in its path."""
    return sorted(
        rule.rule for rule in _web_rules(app, "GET") if not rule.arguments and "<" not in rule.rule
    )


# --- CSRF ---------------------------------------------------------------------------------


def test_every_page_post_without_a_csrf_token_is_refused(web_app, signed_in):
    rules = _web_rules(web_app, "POST")
    endpoints = {rule.endpoint for rule in rules}
    assert {"web.sign_in", "web.sign_out", "web.set_language"} <= endpoints
    refused = _ky("The form has expired. Go back, reload the page and try again.")
    anonymous = _client(web_app)
    for rule in rules:
        path = _path(web_app, rule)
        for client in (signed_in, anonymous):
            for data in ({}, {"csrf_token": "not-the-token"}):
                answer = client.post(path, data=data)
                assert answer.status_code == 400, (path, data, answer.status_code)
                assert answer.mimetype == "text/html", path
                assert refused in html.unescape(answer.get_data(as_text=True)), path
    # Still signed in: the refused posts (sign-out among them) did nothing.
    assert signed_in.get("/").status_code == 200


def test_a_post_with_the_token_is_taken(signed_in):
    answer = signed_in.post("/sign-out", data={"csrf_token": _token(signed_in, "/")})
    assert answer.status_code == 302 and answer.location.endswith("/sign-in")
    assert signed_in.get("/").status_code == 302


def test_a_token_from_another_session_is_refused(web_app, signed_in, person):
    other = _client(web_app)
    _sign_in(other, person)
    answer = signed_in.post("/sign-out", data={"csrf_token": _token(other, "/")})
    assert answer.status_code == 400


# --- cookies ------------------------------------------------------------------------------


def _set_cookie(answer, name: str) -> list[str]:
    (header,) = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return [part.strip().lower() for part in header.split(";")]


def test_the_session_cookie_is_secure_http_only_and_same_site_lax(web_app, person):
    client = _client(web_app)
    answer = _sign_in(client, person)
    assert answer.status_code == 302
    flags = _set_cookie(answer, "docgen_session")
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
    switched = client.post("/language", data={"csrf_token": _token(client, "/"), "language": "ru"})
    flags = _set_cookie(switched, "docgen_ui_language")
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags


# --- CSP and inline code ------------------------------------------------------------------


class _Inline(HTMLParser):
    """What the CSP would refuse in a page: inline scripts, style attributes and elements,
    event-handler attributes, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._in_script = True
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: in <{tag} {name}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _policy(answer) -> dict[str, list[str]]:
    policy = {}
    for part in answer.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def _check_page(path: str, answer) -> None:
    policy = _policy(answer)
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy["default-src"])
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, (path, policy)
        assert not any(s.startswith(("http:", "https:", "*")) for s in sources), (path, policy)
    assert policy["object-src"] == ["'none'"], path
    if answer.mimetype == "text/html":
        parser = _Inline()
        parser.feed(answer.get_data(as_text=True))
        assert not parser.found, (path, parser.found)


def test_every_page_has_the_csp_and_no_inline_script(web_app, signed_in):
    pages = _pages(web_app)
    assert "/" in pages and "/sign-in" in pages
    shown = 0
    for path in pages:
        answer = signed_in.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
        _check_page(path, answer)
        shown += answer.status_code == 200 and answer.mimetype == "text/html"
    assert shown >= 2
    # The pages a visitor sees before signing in, a refused sign-in, an error page.
    anonymous = _client(web_app)
    for path, answer in {
        "/sign-in": anonymous.get("/sign-in"),
        "/sign-in (wrong)": _sign_in(anonymous, "nobody", "wrong password"),
        "/sign-out (no token)": signed_in.post("/sign-out"),
    }.items():
        assert answer.mimetype == "text/html", path
        _check_page(path, answer)


# --- session expiry -----------------------------------------------------------------------


class _Clock:
    """time.time, moved forward by hand (Flask's signed cookie and the session's start read
    it)."""

    def __init__(self, monkeypatch):
        self._real = time.time
        self.offset = 0.0
        monkeypatch.setattr(time, "time", lambda: self._real() + self.offset)

    def hours(self, hours: float) -> None:
        self.offset = hours * 3600


def test_a_session_ends_after_its_idle_hours(make_app, monkeypatch):
    app = make_app(WEB_SESSION_HOURS=2, WEB_SESSION_MAX_HOURS=12)
    client = _client(app)
    clock = _Clock(monkeypatch)
    assert _sign_in(client, _person(app)).status_code == 302
    for hours in (1.5, 3.0, 4.5):  # a request every 1.5 hours keeps it
        clock.hours(hours)
        assert client.get("/").status_code == 200, hours
    clock.hours(4.5 + 2.1)
    answer = client.get("/")
    assert answer.status_code == 302 and "/sign-in" in answer.location


def test_a_session_ends_after_its_absolute_hours_however_busy(make_app, monkeypatch):
    app = make_app(WEB_SESSION_HOURS=8, WEB_SESSION_MAX_HOURS=12)
    client = _client(app)
    clock = _Clock(monkeypatch)
    assert _sign_in(client, _person(app)).status_code == 302
    for hours in (4, 8, 11.9):
        clock.hours(hours)
        assert client.get("/").status_code == 200, hours
    clock.hours(12.1)
    answer = client.get("/")
    assert answer.status_code == 302 and "/sign-in" in answer.location
    # Signing in again starts a new session.
    assert _sign_in(client, _person(app)).status_code == 302
    assert client.get("/").status_code == 200


def test_a_deactivated_users_session_ends_at_the_next_request(web_app, signed_in, person):
    assert signed_in.get("/").status_code == 200
    with extensions.db(web_app).session() as session:
        user = session.scalar(select(User).where(User.username == person))
        accounts.deactivate(session, user)
    answer = signed_in.get("/")
    assert answer.status_code == 302 and "/sign-in" in answer.location
    refused = _sign_in(_client(web_app), person)
    assert refused.status_code == 401


# --- sign-in limit ------------------------------------------------------------------------


def test_the_sign_in_limit_answers_with_the_pages_message(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="3 per minute")
    username = _person(app)
    client = _client(app)
    wrong = _ky("Wrong username or password.")
    for _ in range(3):
        answer = _sign_in(client, username, "wrong password")
        assert answer.status_code == 401
        assert wrong in html.unescape(answer.get_data(as_text=True))
    # Past the limit even the right password is turned away, with the page's own message.
    answer = _sign_in(client, username)
    text = html.unescape(answer.get_data(as_text=True))
    assert answer.mimetype == "text/html" and answer.status_code in (401, 429)
    assert _ky("Too many attempts from this computer. Wait a minute and try again.") in text
    assert 'id="username"' in text  # the form, again
    assert client.get("/").status_code == 302  # not signed in


# --- no redirect off the site -------------------------------------------------------------

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/path",
    "///evil.example/path",
    "/\\evil.example/path",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "https:evil.example",
]


def _lands_on(location: str) -> str:
    """The host a browser goes to for this Location (browsers drop tabs and newlines and read a
    backslash as a slash)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin(f"{BASE}/sign-in", cleaned)).netloc


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_cannot_redirect_off_the_site(web_app, person, target):
    client = _client(web_app)
    answer = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"csrf_token": _token(client), "username": person, "password": PASSWORD},
    )
    assert answer.status_code == 302
    assert _lands_on(answer.headers["Location"]) == "localhost", answer.headers["Location"]
    switched = client.post(
        "/language", data={"csrf_token": _token(client, "/"), "language": "ru", "next": target}
    )
    assert switched.status_code == 302
    assert _lands_on(switched.headers["Location"]) == "localhost", switched.headers["Location"]


def test_next_keeps_a_path_of_the_site(web_app, person):
    client = _client(web_app)
    answer = _sign_in(client, person, query="?next=/sign-in%3Fa%3D1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in?a=1"


# --- weight -------------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.found.append(attributes["href"])
        if tag == "script" and attributes.get("src"):
            self.found.append(attributes["src"])


def test_each_page_with_its_css_and_scripts_is_under_200_kb(web_app, signed_in):
    weighed = {}
    for path in _pages(web_app) + ["/sign-in"]:
        answer = signed_in.get(path) if path != "/sign-in" else _client(web_app).get(path)
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        parser = _Assets()
        parser.feed(answer.get_data(as_text=True))
        assert parser.found, f"{path} links no stylesheet or script"
        total = len(answer.get_data())
        for asset in parser.found:
            assert not urlsplit(asset).netloc, f"{path} loads {asset} from elsewhere"
            linked = signed_in.get(urljoin(path, asset))
            assert linked.status_code == 200, f"{path} links {asset}: {linked.status_code}"
            total += len(linked.get_data())
            linked.close()
        weighed[path] = total
    assert "/" in weighed and "/sign-in" in weighed
    heavy = {path: size for path, size in weighed.items() if size >= PAGE_BUDGET}
    assert not heavy, f"pages of {PAGE_BUDGET} bytes or more: {heavy}"
