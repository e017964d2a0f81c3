"""The PDF converter pool with the real LibreOffice: every kind, the Kyrgyz letters as text in
an embedded font, PDF/A-2b, a hang, a crash, restarts after N conversions, two slots at once,
the fonts check, health.

One pool of two slots serves the module (a start costs about a second); the fonts tests make
their own one-slot pools, since they change what fontconfig sees.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from io import BytesIO

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from service.conversion import (
    ConversionError,
    ConverterPool,
    converter_from_config,
    default_python,
    pdf_profiles,
)
from service.conversion.fonts import find_font
from service.generation import generate_document
from tests.conftest import EXAMPLES, ROOT
from tests.stack import services_missing, wait_for

EXAMPLE_FILES = {
    "working-group-order": "uch-korgon-order.json",
    "joint-plan": "uch-korgon-plan.json",
    "annual-report": "uch-korgon-report.json",
}
PAGES = {"working-group-order": 4, "joint-plan": 16, "annual-report": 10}  # ky+ru, ±1
KYRGYZ_LETTERS = ("ң", "ө", "ү")
MAX_CONVERSIONS = 5
HANG_TIMEOUT = 3.0  # seconds a call waits for a hung LibreOffice
EMPTY_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n'
)
SYSTEM_FONTCONFIG = (
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
    "<fontconfig><include>/etc/fonts/fonts.conf</include></fontconfig>\n"
)


def require_converter() -> None:
    """Skip without LibreOffice, its Python bridge or poppler, unless make test promised them."""
    missing = [tool for tool in ("soffice", "pdftotext", "pdffonts") if not shutil.which(tool)]
    if missing:
        services_missing(
            f"the converter tests need LibreOffice and poppler-utils; missing {missing} "
            "(scripts/ensure-services.sh installs them, as root)"
        )
    probe = subprocess.run([default_python(), "-I", "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        services_missing(
            f"{default_python()} cannot import uno: install python3-uno (make converter)"
        )


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    """The three example kinds, bilingual, as .docx."""
    return {
        kind: generate_document(
            kind, json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        ).content
        for kind, name in EXAMPLE_FILES.items()
    }


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    require_converter()
    pool = ConverterPool(
        2, timeout=60, max_conversions=MAX_CONVERSIONS, workdir=tmp_path_factory.mktemp("conv")
    )
    pool.start()
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def pdfs(pool, documents) -> dict[tuple[str, str | None], bytes]:
    """Each kind as PDF and as PDF/A-2b."""
    return {
        (kind, profile): pool.convert(docx, pdf_profile=profile)
        for kind, docx in documents.items()
        for profile in (None, "pdf/a-2b")
    }


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pdffonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(name, embedded) of every font, as poppler lists them."""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    rows = out.decode().splitlines()[2:]
    return [(row.split()[0], row.split()[-5] == "yes") for row in rows if row.strip()]


def resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def fonts_without_file(reader: PdfReader) -> list[str]:
    """Fonts of the pages whose descriptor carries no font program (i.e. not embedded)."""
    missing = []
    for page in reader.pages:
        fonts = resolve(resolve(page.get("/Resources", {})).get("/Font", {}))
        for font in (resolve(f) for f in fonts.values()):
            described = font
            if font.get("/Subtype") == "/Type0":
                described = resolve(resolve(font["/DescendantFonts"])[0])
            descriptor = resolve(described.get("/FontDescriptor", {}))
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


def soffice_pids(pool) -> list[int]:
    return [slot["pid"] for slot in pool.health()["slots"] if slot["pid"]]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


@pytest.mark.parametrize("kind", EXAMPLE_FILES)
def test_every_kind_converts(pdfs, kind):
    pdf = pdfs[kind, None]
    assert pdf.startswith(b"%PDF-")
    assert abs(len(PdfReader(BytesIO(pdf)).pages) - PAGES[kind]) <= 1


@pytest.mark.parametrize("kind", EXAMPLE_FILES)
def test_kyrgyz_letters_are_text_in_an_embedded_font(pdfs, kind):
    text = pdftotext(pdfs[kind, None])
    assert all(letter in text for letter in KYRGYZ_LETTERS)
    fonts = pdffonts(pdfs[kind, None])
    assert fonts and all(embedded for _, embedded in fonts), fonts
    # Times New Roman, or the metric-compatible font the converter checked for at start.
    serif = [name for name, _ in fonts if re.search(r"TimesNewRoman|LiberationSerif", name)]
    assert serif, fonts


@pytest.mark.parametrize("kind", EXAMPLE_FILES)
def test_pdf_a_2b(pdfs, kind):
    reader = PdfReader(BytesIO(pdfs[kind, "pdf/a-2b"]))
    assert not reader.is_encrypted
    xmp = reader.xmp_metadata
    assert xmp is not None
    description = xmp.rdf_root.getElementsByTagNameNS(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "Description"
    )
    pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    values = {
        name: node.getAttributeNS(pdfaid, name)
        or "".join(
            child.firstChild.data
            for child in node.getElementsByTagNameNS(pdfaid, name)
            if child.firstChild
        )
        for node in description
        for name in ("part", "conformance")
        if node.getAttributeNS(pdfaid, name) or node.getElementsByTagNameNS(pdfaid, name)
    }
    assert values == {"part": "2", "conformance": "B"}, values
    intents = resolve(reader.trailer["/Root"].get("/OutputIntents"))
    assert intents, "no output intent"
    intent = resolve(intents[0])
    assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    assert fonts_without_file(reader) == []
    assert all(embedded for _, embedded in pdffonts(pdfs[kind, "pdf/a-2b"]))
    assert all(letter in pdftotext(pdfs[kind, "pdf/a-2b"]) for letter in KYRGYZ_LETTERS)


def test_plain_pdf_does_not_claim_pdf_a(pdfs):
    assert b"pdfaid" not in pdfs["working-group-order", None]


def test_unknown_profile_and_unreadable_input_fail_cleanly(pool, documents):
    with pytest.raises(ConversionError) as raised:
        pool.convert(documents["working-group-order"], pdf_profile="pdf/x-4")
    assert raised.value.code == "unknown_pdf_profile" and "pdf/a-2b" in raised.value.message
    with pytest.raises(ConversionError) as raised:
        pool.convert(b"this is not a Word document")
    assert raised.value.code == "conversion_failed"
    assert "could not read" in raised.value.message
    assert pool.convert(documents["working-group-order"]).startswith(b"%PDF-")
    assert list(pdf_profiles) == ["pdf/a-2b"]


def test_a_hang_times_out_and_the_next_call_succeeds(pool, documents):
    pool.start()
    pids = soffice_pids(pool)
    restarts = pool.health()["restarts"]
    signal_all(pids, signal.SIGSTOP)  # every slot hung: the call cannot dodge it
    try:
        started = time.monotonic()
        with pytest.raises(ConversionError) as raised:
            pool.convert(documents["working-group-order"], timeout=HANG_TIMEOUT)
        elapsed = time.monotonic() - started
    finally:
        signal_all(pids, signal.SIGCONT)  # the slot the call did not take
    assert raised.value.code == "conversion_timeout"
    assert f"{HANG_TIMEOUT:g} s" in raised.value.message
    assert HANG_TIMEOUT <= elapsed < HANG_TIMEOUT + 2
    assert pool.convert(documents["working-group-order"]).startswith(b"%PDF-")
    health = wait_for(
        lambda: (h := pool.health())["restarts"] > restarts and h, 60, "the hung slot's restart"
    )
    assert any(slot["last_restart_reason"] == "timeout" for slot in health["slots"])
    assert health["failures"].get("conversion_timeout", 0) >= 1


def test_a_killed_converter_is_restarted_by_the_next_call(pool, documents):
    pool.start()
    pids = soffice_pids(pool)
    signal_all(pids, signal.SIGKILL)
    wait_for(lambda: all(slot["state"] == "dead" for slot in pool.health()["slots"]), 10, "death")
    assert pool.convert(documents["joint-plan"]).startswith(b"%PDF-")
    slots = pool.health()["slots"]
    restarted = [slot for slot in slots if slot["state"] == "idle"]
    assert restarted and all(slot["pid"] not in pids for slot in restarted)
    assert any(slot["last_restart_reason"] == "died" for slot in slots)


def test_a_converter_is_restarted_after_max_conversions(pool, documents):
    pool.start()
    before = {slot["slot"]: slot for slot in pool.health()["slots"]}
    for _ in range(MAX_CONVERSIONS * len(before) + 1):
        pool.convert(documents["working-group-order"])

    def recycled():
        slots = pool.health()["slots"]
        return [
            slot
            for slot in slots
            if slot["last_restart_reason"] == "recycled"
            and slot["restarts"] > before[slot["slot"]]["restarts"]
            and slot["pid"] not in (None, before[slot["slot"]]["pid"])
        ]

    slots = wait_for(recycled, 60, "a slot restarted after its conversions")
    assert all(slot["conversions"] < MAX_CONVERSIONS for slot in slots)


def test_two_slots_convert_at_once(pool, documents):
    """No global lock: with one slot's LibreOffice hung mid-conversion, the other converts;
    both calls finish once the first is let go, their intervals overlapping."""
    pool.start()
    pids = soffice_pids(pool)
    assert len(pids) == 2
    signal_all(pids, signal.SIGSTOP)
    results: dict[str, tuple[float, float, bytes]] = {}

    def convert(name: str) -> None:
        started = time.monotonic()
        pdf = pool.convert(documents["annual-report"], timeout=60)
        results[name] = (started, time.monotonic(), pdf)

    first = threading.Thread(target=convert, args=("first",))
    try:
        first.start()
        busy = wait_for(
            lambda: [s for s in pool.health()["slots"] if s["state"] == "busy"], 10, "busy slot"
        )
        signal_all([pid for pid in pids if pid != busy[0]["pid"]], signal.SIGCONT)
        convert("second")  # finishes while the first call still waits for its slot
        assert first.is_alive()
    finally:
        signal_all(pids, signal.SIGCONT)
        first.join(60)
    assert results["first"][2].startswith(b"%PDF-") and results["second"][2].startswith(b"%PDF-")
    assert results["second"][0] < results["first"][1] and results["first"][0] < results["second"][1]
    assert results["second"][1] < results["first"][1]


def test_health_reports_every_slot_and_probes_for_hangs(pool, documents):
    pool.convert(documents["working-group-order"])
    pool.start()
    health = pool.health(probe=True)
    assert all(slot["state"] == "idle" for slot in health["slots"]), health
    assert health["size"] == 2 and health["max_conversions"] == MAX_CONVERSIONS
    assert health["conversions"] >= 1 and not health["closed"]
    assert [slot["slot"] for slot in health["slots"]] == [0, 1]
    for slot in health["slots"]:
        assert set(slot) >= {"state", "pid", "conversions", "restarts", "rss_kib", "font"}
        if slot["state"] == "idle":
            assert slot["pid"] > 0 and slot["rss_kib"] > 0
            assert slot["font"] in ("Times New Roman", "Liberation Serif")
    # A LibreOffice that stopped answering while idle is found by the probe and restarted.
    hung = health["slots"][0]
    os.kill(hung["pid"], signal.SIGSTOP)
    try:
        pool.health(probe=True, probe_timeout=1)
    finally:
        signal_all([hung["pid"]], signal.SIGCONT)
    slot = wait_for(
        lambda: (s := pool.health()["slots"][0])["state"] == "idle" and s, 60, "the restart"
    )
    assert slot["last_restart_reason"] == "hung" and slot["pid"] != hung["pid"]
    assert slot["restarts"] == hung["restarts"] + 1


def test_the_fonts_check_refuses_without_a_kyrgyz_times(tmp_path, documents):
    require_converter()
    empty = tmp_path / "empty.conf"
    empty.write_text(EMPTY_FONTCONFIG)
    with pytest.raises(ConversionError) as raised:
        find_font({**os.environ, "FONTCONFIG_FILE": str(empty)})
    assert raised.value.code == "fonts_missing" and "fonts-liberation2" in raised.value.message
    assert find_font() in ("Times New Roman", "Liberation Serif")

    # The check runs at every start: a restart after the fonts went away refuses too.
    config = tmp_path / "fonts.conf"
    config.write_text(SYSTEM_FONTCONFIG)
    with ConverterPool(
        1, timeout=60, max_conversions=100, environment={"FONTCONFIG_FILE": str(config)},
        workdir=tmp_path,
    ) as pool:  # fmt: skip
        assert pool.convert(documents["working-group-order"]).startswith(b"%PDF-")
        config.write_text(EMPTY_FONTCONFIG)
        os.kill(pool.health()["slots"][0]["pid"], signal.SIGKILL)
        for _ in range(2):
            with pytest.raises(ConversionError) as raised:
                pool.convert(documents["working-group-order"])
            assert raised.value.code == "fonts_missing"
            assert "ң ө ү" in raised.value.message and "fonts-liberation2" in raised.value.message
        slot = pool.health()["slots"][0]
        assert slot["state"] == "stopped" and slot["pid"] is None
        assert slot["last_error"]["code"] == "fonts_missing"


def test_from_config_starts_nothing_until_used_and_close_stops(tmp_path, documents):
    require_converter()
    converter = converter_from_config(
        {"CONVERTER_SLOTS": 1, "CONVERTER_TIMEOUT_SECONDS": 45, "CONVERTER_MAX_CONVERSIONS": 9}
    )
    try:
        health = converter.health()
        assert (health["size"], health["timeout_seconds"], health["max_conversions"]) == (1, 45, 9)
        assert health["slots"][0]["state"] == "stopped" and health["slots"][0]["pid"] is None
        assert converter.convert(documents["working-group-order"]).startswith(b"%PDF-")
        pid = converter.health()["slots"][0]["pid"]
    finally:
        converter.close()
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 10, "soffice to exit")
    with pytest.raises(ConversionError) as raised:
        converter.convert(documents["working-group-order"])
    assert raised.value.code == "converter_unavailable"


def test_no_libreoffice_outlives_a_killed_service(tmp_path, documents):
    """The service's process killed (no close, no atexit): its converters die with it."""
    require_converter()
    docx = tmp_path / "order.docx"
    docx.write_bytes(documents["working-group-order"])
    script = (
        "import os, signal, sys\n"
        "from service.conversion import ConverterPool\n"
        f"pool = ConverterPool(1, timeout=60, max_conversions=10, workdir={str(tmp_path)!r})\n"
        f"pool.convert(open({str(docx)!r}, 'rb').read())\n"
        "print(pool.health()['slots'][0]['pid'], flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    pid = int(done.stdout.strip())
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 15, "the orphaned soffice to exit")


def test_a_forked_child_makes_its_own_converters(pool, documents):
    """A pool made before a fork (a prefork worker's parent, say) is usable in the child,
    with processes of its own, and the parent's stay the parent's."""
    pool.start()
    parent_pids = sorted(soffice_pids(pool))
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        code = 1
        try:
            pdf = pool.convert(documents["working-group-order"])
            own = soffice_pids(pool)
            pool.close()
            os.write(write, json.dumps({"pdf": pdf[:5].decode(), "pids": own}).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as answer:
        report = json.loads(answer.read() or "{}")
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and report["pdf"] == "%PDF-"
    assert report["pids"] and not set(report["pids"]) & set(parent_pids)
    assert sorted(soffice_pids(pool)) == parent_pids
    assert pool.convert(documents["working-group-order"]).startswith(b"%PDF-")
