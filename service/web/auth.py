"""Signing in and out of the pages, the session that follows, and CSRF tokens.

The session is Flask's signed cookie (`HttpOnly`, `SameSite=Lax`, `Secure` unless the
WEB_COOKIE_SECURE setting is off for a plain-HTTP office network), kept by Flask-Login; it
ends at sign-out, after WEB_SESSION_HOURS without a request, after WEB_SESSION_MAX_HOURS in
all, and as soon as the account is deactivated. Every form of the pages carries a CSRF
token (Flask-WTF) checked on every POST. Sign-in attempts count against the same limit per
address as the API's.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import SQLAlchemyError

from service import accounts, audit, extensions
from service.accounts import scope_of
from service.api.auth import client_address, count_sign_in
from service.errors import DatabaseUnavailable, TooManyRequests
from service.models import User
from service.tenancy import Role, Scope
from service.web.blueprint import bp
from service.web.language import COOKIE, UI_LANGUAGES, gettext

csrf = CSRFProtect()
login_manager = LoginManager()
_SIGNED_IN_AT = "signed_in_at"
# Pages a visitor reaches without signing in.
OPEN_ENDPOINTS = {"web.sign_in", "web.static", "web.set_language", "web.guide"}


class WebUser(UserMixin):
    """Who a page acts for: the account's id, name, scope and interface language."""

    def __init__(self, user: User, organisation: str):
        self.id = user.id
        self.username = user.username
        self.scope: Scope = scope_of(user)
        self.ui_language = user.ui_language
        self.organisation = organisation

    def has(self, role: str) -> bool:
        return self.scope.has(Role(role))


def init_app(app: Flask) -> None:
    hours = app.config["WEB_SESSION_HOURS"]
    app.config.update(
        SESSION_COOKIE_NAME="docgen_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["WEB_COOKIE_SECURE"]),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(hours)),
        WTF_CSRF_CHECK_DEFAULT=False,  # the pages check their own POSTs; the API has tokens
        WTF_CSRF_TIME_LIMIT=None,  # a token lasts as long as its session
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.login_view = "web.sign_in"


def page_actor() -> audit.Actor:
    """The signed-in user as the audit log names them (no token: a page's session)."""
    return audit.Actor(
        current_user.scope.tenant, current_user.id, current_user.username, None, client_address()
    )


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    started = session.get(_SIGNED_IN_AT, 0)
    if time.time() - started > float(current_app.config["WEB_SESSION_MAX_HOURS"]) * 3600:
        return None
    try:
        with extensions.db().session() as db_session:
            user = db_session.get(User, user_id)
            if user is None or user.deactivated_at is not None:
                return None
            organisation = accounts.get_organisation(db_session, user.organisation_id).name
            return WebUser(user, organisation)
    except SQLAlchemyError:
        # The session stays; this request is answered «busy» (not «sign in»), and the
        # page that says so draws no menu (no second attempt at the database).
        g.database_unavailable = True
        return None


@login_manager.unauthorized_handler
def _unauthorized():
    return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))


@bp.before_request
def _guard():
    """Every POST of the pages carries its CSRF token; every page but the open ones needs a
    signed-in user."""
    if request.method == "POST":
        csrf.protect()
    signed_in = current_user.is_authenticated
    if g.get("database_unavailable"):
        raise DatabaseUnavailable()
    if request.endpoint not in OPEN_ENDPOINTS and not signed_in:
        return login_manager.unauthorized()
    return None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("web.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in page (a user already signed in goes on where they were going)."""
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:100]
        password = request.form.get("password", "")[:1000]
        try:
            count_sign_in()
        except TooManyRequests:
            error = gettext("Too many attempts from this computer. Wait a minute and try again.")
        else:
            with extensions.db().session() as db_session:
                user = accounts.sign_in(db_session, username, password)
                if user is not None:
                    organisation = accounts.get_organisation(db_session, user.organisation_id)
                    found = WebUser(user, organisation.name)
            if user is None:
                error = gettext("Wrong username or password.")
            else:
                session.clear()
                session.permanent = True
                session[_SIGNED_IN_AT] = time.time()
                login_user(found)
                return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("sign_in.html", error=error, username=username), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    logout_user()
    session.clear()
    flash(gettext("You have signed out."))
    return redirect(url_for("web.sign_in"))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language: kept with the account, and in a cookie for the sign-in
    page."""
    chosen = request.form.get("language")
    target = _safe_next(request.form.get("next"))
    if chosen not in UI_LANGUAGES:
        return redirect(target)
    if current_user.is_authenticated:
        with extensions.db().session() as db_session:
            db_session.get(User, current_user.id).ui_language = chosen
    response = redirect(target)
    response.set_cookie(
        COOKIE,
        chosen,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
