"""Security headers on every response, error pages and static files included.

The policy is the one the service's own web pages need: everything from this origin (no CDN,
no inline script, no plugin), framed only by the service's own pages, no referrer sent
elsewhere. The API docs page (Swagger UI, served from this service) keeps what it needs: its
one inline script, allowed by its hash (computed from the page itself, so an upgrade of
flask-smorest cannot leave it blocked), inline styles, which Swagger UI sets from script,
and its `data:` images.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
}
DOCS_PATH = "/api/docs"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def install_security_headers(app: Flask) -> None:
    """Add the security headers to every response of `app`."""

    @app.after_request
    def _secure(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        policy = POLICY
        if response.mimetype == "text/html" and _is_docs(response):
            policy = docs_policy(response.get_data())
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


def _is_docs(response: Response) -> bool:
    from flask import request

    return request.path.rstrip("/") == DOCS_PATH


def docs_policy(page: bytes) -> str:
    """The policy of the Swagger UI page: its inline scripts by hash, inline styles."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip()).replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )
