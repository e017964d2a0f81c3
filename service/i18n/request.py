"""The language of the current request's messages (Accept-Language)."""

from __future__ import annotations

from flask import request

from service.i18n import MESSAGE_LANGUAGES


def request_language() -> str:
    """The language of messages: Russian or Kyrgyz when Accept-Language asks, else English."""
    return request.accept_languages.best_match(MESSAGE_LANGUAGES, default="en") or "en"
