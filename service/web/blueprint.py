"""The pages' blueprint, the modules that add pages to it, and its error pages.

A refusal on a page (a record of another organisation, a role the user lacks, the queue
down) is an HTML page in the interface language, never the API's JSON envelope; so is an
address no route matches when a browser asks for it (it prefers text/html to JSON), outside
the API's paths.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from service.errors import ServiceError
from service.i18n import translate_message
from service.web.language import gettext, ui_language

log = logging.getLogger(__name__)
# Paths that answer JSON whatever the client prefers.
API_PATHS = ("/api/", "/healthz", "/readyz")

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

# The modules that add their pages to `bp` (each one area of the pages).
PAGE_MODULES = (
    "service.web.auth",
    "service.web.home",
    "service.web.guide",
    "service.web.documents",
    "service.web.register",
    "service.web.batches",
    "service.web.issue",
    "service.web.municipalities",
)


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: str  # a msgid of the `web` catalogs
    role: str | None = None  # shown only to a user with this role


# The header's menu, in order; each page module adds its entries.
MENU: list[MenuItem] = []


def menu_item(endpoint: str, label: str, role: str | None = None) -> None:
    if all(item.endpoint != endpoint for item in MENU):
        MENU.append(MenuItem(endpoint, label, role))


def nav_items() -> list[tuple[str, str]]:
    """The menu entries the signed-in user may use: (endpoint, label in the page's language)."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    return [
        (item.endpoint, gettext(item.label))
        for item in MENU
        if item.role is None or current_user.has(item.role)
    ]


def page_endpoints() -> set[str]:
    return set(current_app.view_functions)


@bp.app_context_processor
def _page_globals():
    return {"nav_items": nav_items, "page_endpoints": page_endpoints}


def load_pages() -> None:
    for name in PAGE_MODULES:
        importlib.import_module(name)


def error_page(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


@bp.errorhandler(ServiceError)
def _service_error(err: ServiceError):
    body, status = error_page(err.status, translate_message(err.message, err.values, ui_language()))
    headers = {"Retry-After": str(err.retry_after)} if err.retry_after else {}
    return body, status, headers


@bp.errorhandler(CSRFError)
def _csrf_error(err: CSRFError):
    return error_page(400, gettext("The form has expired. Go back, reload the page and try again."))


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    messages = {
        404: gettext("There is no such page, or it is not yours to see."),
        405: gettext("This page cannot be used this way."),
        413: gettext("The file is too large."),
    }
    status = err.code or 500
    return error_page(status, messages.get(status, err.name))


@bp.errorhandler(SQLAlchemyError)
def _database_error(err: SQLAlchemyError):
    log.warning("database unavailable for a page", exc_info=err)
    return error_page(503, gettext("The service is busy or restarting. Try again in a minute."))


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    log.exception("unhandled error on a page")
    return error_page(
        500,
        gettext(
            "Something went wrong on our side. Go back and try again; if it happens again, "
            "tell your administrator."
        ),
    )


def install_routing_errors(app: Flask) -> None:
    """A browser's address that matches no route (a mistyped link, GET of a form's target)
    gets the HTML page; an API client, the API's envelope."""
    from service.api.errors import handle_http_exception

    def _routing_error(err: HTTPException):
        wanted = request.accept_mimetypes.best_match(["application/json", "text/html"])
        if request.path.startswith(API_PATHS) or wanted != "text/html":
            return handle_http_exception(err)
        return _http_error(err)

    app.register_error_handler(404, _routing_error)
    app.register_error_handler(405, _routing_error)
