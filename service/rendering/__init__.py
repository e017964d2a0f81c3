"""Template → bytes: the only package that knows docxtpl.

User text is data, never template code: Jinja autoescaping turns «&», «<», «>» and quotes into
XML entities, and StrictUndefined makes a missing value an error instead of an empty line.
Template code is data too: it runs in Jinja's sandbox, and only the subset of Jinja a document
needs (`subset`) is ever compiled, so a tenant's template cannot reach Python objects.

A template is compiled once (`engine`, with the load steps of `steps`) and kept under the
sha256 of its bytes, so several versions of a kind's template (a tenant's own, the default)
live side by side in one process; `lint` checks a template against its kind's context.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from service.domain.properties import DocumentProperties
from service.rendering.engine import CompiledDocx, load
from service.rendering.lint import LintProblem, lint_template

__all__ = [
    "DOCX_MIME",
    "TEMPLATE_DIR",
    "LintProblem",
    "lint_template",
    "render_docx",
    "render_file",
    "render_template",
    "template_bytes",
]

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates_docx"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Compiled templates kept at most; beyond, the one loaded first goes (tenants' templates come
# and go, a kind's default stays hot and is reloaded in milliseconds if it ever goes).
CACHE_SIZE = 64


def template_bytes(name: str) -> bytes:
    """Return the .docx bytes of template `name`, loading and compiling it if not yet done."""
    return _compiled_file(TEMPLATE_DIR / f"{name}.docx").source


def render_docx(template: str, context: dict, media: Mapping[str, bytes] | None = None) -> bytes:
    """Render the template `template` (file stem) with a context of plain values.

    `media` replaces the bytes of pictures of the template, by part name
    («word/media/image1.png»); the drawings keep the size and place the template gives them.
    """
    return render_file(TEMPLATE_DIR / f"{template}.docx", context, media)


def render_file(
    path: str | os.PathLike[str],
    context: dict,
    media: Mapping[str, bytes] | None = None,
    properties: DocumentProperties | None = None,
) -> bytes:
    """Render the .docx template at `path` with a context of plain values (and `media`).

    `properties` gives the file its own metadata (title, language, date, issuing body) in
    place of the template's, and drops the template's thumbnail.
    """
    compiled = _compiled_file(path)
    return compiled.package(compiled.render_parts(context), media or {}, properties)


def render_template(
    source: bytes, context: dict, media: Mapping[str, bytes] | None = None
) -> bytes:
    """Render the .docx template given as bytes with a context of plain values (and `media`)."""
    compiled = _compiled(source, hashlib.sha256(source).digest())
    return compiled.package(compiled.render_parts(context), media or {})


# ---------------------------------------------------------------------------------------------
# The cache: compiled templates by the sha256 of their bytes.

_compiled_by_hash: dict[bytes, CompiledDocx] = {}
# A file's stat → the hash of the bytes read under it: a render from a path then costs a stat,
# not a read and a hash. The inode catches a file replaced by rename, mtime and size one
# edited in place.
_hash_by_file: dict[str, tuple[tuple[int, int, int], bytes]] = {}
_lock = threading.Lock()
# Jobs are made in processes forked from threads (service.tasks.isolation): a fork never
# happens while another thread holds the lock, which the child could then never take.
os.register_at_fork(
    before=_lock.acquire, after_in_parent=_lock.release, after_in_child=_lock.release
)


def _compiled(source: bytes, digest: bytes) -> CompiledDocx:
    found = _compiled_by_hash.get(digest)
    if found is not None:
        return found
    with _lock:
        found = _compiled_by_hash.get(digest)
        if found is None:
            found = load(source)
            while len(_compiled_by_hash) >= CACHE_SIZE:
                del _compiled_by_hash[next(iter(_compiled_by_hash))]
            _compiled_by_hash[digest] = found
    return found


def _compiled_file(path: str | os.PathLike[str]) -> CompiledDocx:
    key = os.fspath(path)
    st = os.stat(key)
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    known = _hash_by_file.get(key)
    if known is not None and known[0] == stamp:
        found = _compiled_by_hash.get(known[1])
        if found is not None:
            return found
    # The stamp is taken before the read: a file changed in between is read again by the
    # next render, never kept under the newer stamp.
    with open(key, "rb") as fh:
        source = fh.read()
    digest = hashlib.sha256(source).digest()
    _hash_by_file[key] = (stamp, digest)
    return _compiled(source, digest)
