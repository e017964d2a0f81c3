"""Warnings about unusual but valid input: a code, an English message id and its values.

The message id is the key of the `errors` catalogs; the values are put in after
translation, so no translated text is ever matched against English.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notice:
    """One warning: `code` for programs, `message` (a catalog id with {fields}) for people."""

    code: str
    message: str
    values: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The English text, values put in."""
        return self.message.format(**self.values)

    def as_json(self) -> dict:
        """The notice as stored with a job: code, message id and values."""
        return {"code": self.code, "message": self.message, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: dict) -> Notice:
        """A notice stored by `as_json`."""
        return cls(data["code"], data["message"], dict(data.get("values") or {}))
