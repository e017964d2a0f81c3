"""What other systems need of the API: the webhook secret callbacks are signed with, the
bodies of callbacks, `Location` on every 201/202, `Retry-After` documented where it is sent,
and the pages of lists (`page`, `per_page`, a `Link` header and `X-Total-Count`)."""

from __future__ import annotations

from urllib.parse import urlencode

from apispec import BasePlugin
from flask import Flask, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session

from service import callbacks, extensions
from service.api.common import audit_event, scope
from service.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from service.api.idempotency import idempotent
from service.api.schemas import BatchOutSchema, DocumentJobSchema, error_responses
from service.batches import creation
from service.domain.status import Status
from service.errors import Forbidden
from service.models import Callback, DocumentRecord, Organisation
from service.schemas.common import LocalDateTime
from service.tasks import records
from service.tenancy import Role, Scope

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhook-secret",
    description="The secret callbacks are signed with",
)
ADMIN_ONLY_ERROR = "Only an admin may make the webhook secret."
MAX_PER_PAGE = 100


class WebhookSecretSchema(Schema):
    secret = fields.String(
        metadata={
            "description": "Shown only in the answer of the POST that made it (and of its "
            "replays): keep it; callbacks are signed with it"
        }
    )
    created_at = LocalDateTime(allow_none=True)
    algorithm = fields.String(metadata={"example": "HMAC-SHA256"})
    header = fields.String(
        metadata={
            "description": "The header of the signature: t=<unix time>,v1=<hex HMAC-SHA256 of "
            '"<t>.<body>">',
            "example": callbacks.SIGNATURE_HEADER,
        }
    )


def _described(secret: str | None, created_at) -> dict:
    described = {
        "created_at": created_at,
        "algorithm": "HMAC-SHA256",
        "header": callbacks.SIGNATURE_HEADER,
    }
    return described if secret is None else {**described, "secret": secret}


def _admin() -> Scope:
    if not scope().has(Role.ADMIN):
        raise Forbidden(ADMIN_ONLY_ERROR)
    return scope()


def _replay_secret(_tenant: str) -> dict:
    with extensions.db().session() as session:
        organisation = session.get(Organisation, _admin().tenant)
        return _described(organisation.webhook_secret, organisation.webhook_secret_created_at)


@blp.route("")
class WebhookSecret(MethodView):
    @blp.response(200, WebhookSecretSchema)
    def get(self):
        """When the organisation's webhook secret was made (never the secret itself)."""
        with extensions.db().session() as session:
            organisation = session.get(Organisation, scope().tenant)
            return _described(None, organisation.webhook_secret_created_at)

    @blp.doc(
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=error_responses(
            {403: "Not an admin", 409: "The Idempotency-Key was used with another body"}
        ),
    )
    @blp.response(201, WebhookSecretSchema)
    @idempotent(
        _replay_secret,
        location=lambda _result: "/api/v1/webhook-secret",
        made_id=lambda _result: scope().tenant,
    )
    def post(self):
        """Make the organisation's webhook secret, replacing any earlier one (callbacks not
        yet sent are signed with the new one); it is shown in this answer only."""
        tenant = _admin().tenant
        with extensions.db().session() as session:
            secret, created_at = callbacks.new_secret(session, tenant)
        audit_event("created", "webhook_secret", tenant)
        return _described(secret, created_at)


class PageQuerySchema(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1), metadata={"description": "From 1"}
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"At most {MAX_PER_PAGE}"},
    )


PAGE_HEADERS = {
    "Link": {
        "description": 'The other pages: <…?page=2&per_page=20>; rel="next", and "prev", '
        '"first", "last"',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many records match, on every page",
        "schema": {"type": "integer"},
    },
}


def page_headers(total: int, page: int, per_page: int) -> dict[str, str]:
    """The Link (first, prev, next, last) and X-Total-Count headers of a page of a list."""
    last = max(1, -(-total // per_page))
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")]

    def link(number: int, rel: str) -> str:
        query = urlencode([*args, ("page", number), ("per_page", per_page)])
        return f'<{request.path}?{query}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    return {"Link": ", ".join(links), "X-Total-Count": str(total)}


def render_callback(app: Flask):
    """The sender's `render`: the body of a callback whose job or batch ended, as the API
    shows it (in the language of the request that asked for it), or None before."""

    def render(session: Session, callback: Callback) -> tuple[str, dict] | None:
        whole = Scope.whole(callback.tenant)
        headers = {"Accept-Language": callback.language}
        if callback.document_id is not None:
            record = session.get(DocumentRecord, callback.document_id)
            status = records.overall_status(record)
            if not Status(status).finished:
                return None
            with app.test_request_context("/", headers=headers):
                return f"document.{status}", {"document": DocumentJobSchema().dump(record)}
        described = creation.describe(session, whole, callback.batch_id)
        if not described["finished"]:
            return None
        with app.test_request_context("/", headers=headers):
            return "batch.finished", {"batch": BatchOutSchema().dump(described)}

    return render


def sender(app: Flask) -> callbacks.Sender:
    """A callback sender for `app` (not started)."""
    return callbacks.Sender(
        extensions.db(app),
        render_callback(app),
        callbacks.Policy.from_config(app.config),
        interval=float(app.config["CALLBACK_POLL_SECONDS"]),
    )


def allow_private() -> bool:
    return bool(current_app.config["CALLBACK_ALLOW_PRIVATE_NETWORKS"])


@blp.after_app_request
def _location(response):
    """Every 201 and 202 of the API says where what it made is: the answer's own link when a
    view set no Location."""
    if response.status_code in (201, 202) and "Location" not in response.headers:
        body = response.get_json(silent=True) if response.is_json else None
        own = body.get("links", {}).get("self") if isinstance(body, dict) else None
        if own:
            response.headers["Location"] = own
    return response


LOCATION = {
    "description": "Where what was made (or is being made) is: its status",
    "schema": {"type": "string"},
}
RETRY_AFTER = {
    "description": "Seconds after which to ask again",
    "schema": {"type": "integer"},
}
REPLAYED = {
    "description": "true when this answers an earlier request with the same Idempotency-Key",
    "schema": {"type": "string", "enum": ["true"]},
}


class IntegrationHeaders(BasePlugin):
    """Document the headers every operation may answer with: Location on 201 and 202,
    Retry-After on 503 and on a 409 "not ready yet", Idempotent-Replayed where an
    Idempotency-Key is read."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        if not path or not path.startswith("/api/v1/") or not operations:
            return
        for operation in operations.values():
            responses = operation.get("responses", {})
            keyed = any(
                isinstance(p, dict) and p.get("name") == "Idempotency-Key"
                for p in operation.get("parameters", ())
            )
            for code, response in responses.items():
                if not isinstance(response, dict):
                    continue
                headers = response.setdefault("headers", {})
                if str(code) in ("201", "202"):
                    headers.setdefault("Location", LOCATION)
                    if keyed:
                        headers.setdefault("Idempotent-Replayed", REPLAYED)
                if str(code) in ("409", "503"):
                    headers.setdefault("Retry-After", RETRY_AFTER)
                if not headers:
                    response.pop("headers")
