"""Callbacks: a signed JSON POST to the client's `callback_url` when its job or batch ends.

A callback is a row (`Callback`) recorded with the job or batch, `waiting` while it runs.
A sender thread in each web process (`Sender`, started by `service.start_callback_sender`)
polls the table: a waiting callback whose job is final (every output made or failed) or whose
batch is finished gets its body, once, and becomes `pending`; a pending one is taken for a
lease, POSTed, and recorded `delivered` (a 2xx), or tried again after a delay that doubles
(`failed` after the last attempt). Nothing of this runs in a job's worker, and nothing is
lost with a process: whatever a dead sender held is taken by the next after its lease.

Each POST carries `Docgen-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
with the organisation's webhook secret, `Docgen-Delivery` (the callback's id, the same on
every attempt: a receiver may see one twice) and `Docgen-Event`; `verify` is how a receiver
checks one. Addresses on loopback, private, link-local or other non-public networks are
refused when the callback is asked for and again at every attempt (the host is resolved, every
address checked, and the connection made to a checked address: a DNS answer that changed
since cannot lead it elsewhere), unless the setting allows them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.errors import InvalidInput
from service.models import Callback, Organisation, utcnow

log = logging.getLogger(__name__)

WAITING, PENDING, DELIVERED, FAILED = "waiting", "pending", "delivered", "failed"
SIGNATURE_HEADER = "Docgen-Signature"
MAX_URL_LENGTH = 2000
# The longest a delivery may wait between attempts, and how old a signature a receiver
# accepts by default.
MAX_RETRY_DELAY = 3600
SIGNATURE_TOLERANCE = 300

SCHEME_ERROR = "Give an http or https address."
UNRESOLVED_ERROR = "This address cannot be resolved: {host}."
PRIVATE_ERROR = (
    "Callback addresses on loopback, private or link-local networks are refused: {host} is "
    "{address}."
)
NO_SECRET_ERROR = (
    "Make a webhook secret first (POST /api/v1/webhook-secret): callbacks are signed with it."
)


def refused_address(address: str) -> bool:
    """Whether `address` lies outside the public internet (loopback, private, link-local,
    shared, reserved, multicast; an IPv4 address mapped into IPv6 as itself)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _target(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(SCHEME_ERROR)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of `host`, every one of them public unless `allow_private`; ValueError
    (with the message to show) otherwise."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValueError(UNRESOLVED_ERROR.format(host=host)) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise ValueError(UNRESOLVED_ERROR.format(host=host))
    if not allow_private:
        for address in addresses:
            if refused_address(address):
                raise ValueError(PRIVATE_ERROR.format(host=host, address=address))
    return addresses


def check_url(url: object, *, allow_private: bool) -> str:
    """The callback address `url`, checked; InvalidInput naming `callback_url` otherwise."""
    try:
        if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
            raise ValueError(SCHEME_ERROR)
        _scheme, host, port = _target(url)
        resolve(host, port, allow_private=allow_private)
    except ValueError as err:
        raise InvalidInput(errors={"callback_url": [str(err)]}) from None
    return url


def require_secret(session: Session, tenant: str) -> None:
    """InvalidInput naming `callback_url` unless the organisation has a webhook secret."""
    if not session.scalar(select(Organisation.webhook_secret).where(Organisation.id == tenant)):
        raise InvalidInput(errors={"callback_url": [NO_SECRET_ERROR]})


def new_secret(session: Session, tenant: str) -> tuple[str, datetime]:
    """Make (or replace) the organisation's webhook secret; return it, to be shown once."""
    organisation = session.get(Organisation, tenant)
    organisation.webhook_secret = "whsec_" + secrets.token_urlsafe(32)
    organisation.webhook_secret_created_at = utcnow()
    return organisation.webhook_secret, organisation.webhook_secret_created_at


def watch(
    session: Session,
    tenant: str,
    url: str,
    language: str,
    *,
    document_id: str | None = None,
    batch_id: str | None = None,
) -> Callback:
    """Record a callback of a job or a batch, waiting for it to end."""
    session.flush()  # its job first: no relationship orders the two inserts
    callback = Callback(
        id=uuid.uuid4().hex,
        tenant=tenant,
        document_id=document_id,
        batch_id=batch_id,
        url=url,
        language=language,
        status=WAITING,
        attempts=0,
        history=[],
    )
    session.add(callback)
    return callback


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = SIGNATURE_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether `header` signs `body` with `secret`, at most `tolerance` seconds ago (what a
    receiver checks: an old delivery replayed fails)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass(frozen=True)
class Policy:
    """How deliveries are made (from the CALLBACK_* settings)."""

    allow_private: bool = False
    retry_seconds: float = 10.0
    max_attempts: int = 8
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Policy:
        return cls(
            allow_private=bool(config["CALLBACK_ALLOW_PRIVATE_NETWORKS"]),
            retry_seconds=float(config["CALLBACK_RETRY_SECONDS"]),
            max_attempts=int(config["CALLBACK_MAX_ATTEMPTS"]),
            timeout=float(config["CALLBACK_TIMEOUT_SECONDS"]),
        )


def describe(callback: Callback | None) -> dict | None:
    """A callback as a status shows it: address, status and every attempt."""
    if callback is None:
        return None
    return {
        "url": callback.url,
        "status": callback.status,
        "attempts": callback.attempts,
        "history": list(callback.history or ()),
        "next_attempt_at": callback.next_attempt_at,
        "delivered_at": callback.delivered_at,
    }


def of_batch(session: Session, batch_id: str) -> Callback | None:
    return session.scalar(select(Callback).where(Callback.batch_id == batch_id))


# What the sender is given to make a body: (session, callback) → (event, payload), or None
# while its job or batch has not ended.
Render = Callable[[Session, Callback], tuple[str, dict] | None]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` through the address already checked (the Host header stays)."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` through the address already checked, its certificate checked for
    `host`."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], policy: Policy) -> int:
    """POST `body` to `url` (no redirect followed); the response's status code. ValueError
    for a refused address, OSError for a network failure."""
    scheme, host, port = _target(url)
    addresses = resolve(host, port, allow_private=policy.allow_private)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    last: OSError | None = None
    for address in addresses:
        connection = connection_class(host, port, address, timeout=policy.timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(65536)
            return response.status
        except OSError as err:
            last = err
        finally:
            connection.close()
    raise last or OSError("no address")


class Sender:
    """Makes the bodies of callbacks whose job or batch ended, and delivers the due ones,
    every `interval` seconds, in a daemon thread of its own."""

    def __init__(self, db, render: Render, policy: Policy, *, interval: float = 2.0):
        self.db = db
        self.render = render
        self.policy = policy
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="docgen-callbacks", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(self.policy.timeout + 5)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.run_once()
            except Exception:
                log.warning("callbacks: a round failed", exc_info=True)
            self._stopped.wait(self.interval)

    def run_once(self) -> int:
        """Make the bodies of ended jobs' and batches' callbacks, then send those due;
        return how many were sent."""
        self.prepare()
        sent = 0
        for callback_id in self._due():
            if self._take(callback_id):
                self.deliver(callback_id)
                sent += 1
        return sent

    def prepare(self) -> None:
        """Give each waiting callback whose job or batch ended its body: pending, due now."""
        with self.db.session() as session:
            waiting = session.scalars(
                select(Callback).where(Callback.status == WAITING).limit(500)
            ).all()
            for callback in waiting:
                made = self.render(session, callback)
                if made is None:
                    continue
                event, payload = made
                payload = {"event": event, "delivery_id": callback.id, **payload}
                callback.event = event
                callback.body = json.dumps(payload, ensure_ascii=False, default=str)
                callback.status = PENDING
                callback.next_attempt_at = utcnow()

    def _due(self) -> list[str]:
        now = utcnow()
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Callback.id)
                    .where(
                        Callback.status == PENDING,
                        Callback.next_attempt_at <= now,
                        or_(Callback.locked_until.is_(None), Callback.locked_until < now),
                    )
                    .order_by(Callback.next_attempt_at)
                    .limit(100)
                )
            )

    def _take(self, callback_id: str) -> bool:
        """Hold a due callback for the time of one attempt; False if another sender has it."""
        now = utcnow()
        lease = now + timedelta(seconds=self.policy.timeout * 2 + 30)
        with self.db.session() as session:
            result = session.execute(
                update(Callback)
                .where(
                    Callback.id == callback_id,
                    Callback.status == PENDING,
                    or_(Callback.locked_until.is_(None), Callback.locked_until < now),
                )
                .values(locked_until=lease)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    def deliver(self, callback_id: str) -> None:
        """One attempt at a held callback, recorded."""
        with self.db.session() as session:
            callback = session.get(Callback, callback_id)
            secret = session.scalar(
                select(Organisation.webhook_secret).where(Organisation.id == callback.tenant)
            )
            url, body, event = callback.url, callback.body.encode(), callback.event
        started = time.monotonic()
        attempt: dict = {"at": utcnow().isoformat(timespec="seconds")}
        delivered = False
        if not secret:
            attempt["error"] = "no webhook secret"
        else:
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "docgen-kg-callbacks",
                "Docgen-Event": event,
                "Docgen-Delivery": callback_id,
                SIGNATURE_HEADER: sign(secret, body, int(time.time())),
            }
            try:
                status = post(url, body, headers, self.policy)
                attempt["status_code"] = status
                delivered = 200 <= status < 300
            except ValueError as err:
                attempt["error"] = str(err)
            except (OSError, http.client.HTTPException) as err:
                attempt["error"] = f"{type(err).__name__}: {err}"[:300]
        attempt["seconds"] = round(time.monotonic() - started, 3)
        self._record(callback_id, attempt, delivered)

    def _record(self, callback_id: str, attempt: dict, delivered: bool) -> None:
        now = utcnow()
        with self.db.session() as session:
            callback = session.get(Callback, callback_id)
            callback.attempts += 1
            callback.history = [*(callback.history or ()), attempt]
            callback.locked_until = None
            if delivered:
                callback.status, callback.delivered_at = DELIVERED, now
                callback.next_attempt_at = None
            elif callback.attempts >= self.policy.max_attempts:
                callback.status, callback.next_attempt_at = FAILED, None
            else:
                delay = min(
                    self.policy.retry_seconds * 2 ** (callback.attempts - 1), MAX_RETRY_DELAY
                )
                callback.next_attempt_at = now + timedelta(seconds=delay)
            if not delivered:
                log.info(
                    "callback attempt failed",
                    extra={"callback_id": callback_id, "attempt": callback.attempts},
                )
