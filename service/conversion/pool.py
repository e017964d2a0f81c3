"""The warm converter pool: N slots, each a long-lived soffice driven over UNO by its bridge.

A slot is two processes: soffice (headless, its own profile directory, listening on a named
pipe) and `bridge.py` under the converter's Python, which the pool talks to over the bridge's
standard input and output. A call takes a free slot (waiting while all are busy), sends the
.docx and reads the PDF within the call's timeout; the slots never share a lock, so N slots
convert N documents at once.

A slot is restarted, in a thread of its own so that the failed call returns at once: after a
timeout (both processes killed: this also ends a hung LibreOffice), after LibreOffice died
during a conversion (the call is then tried once more, on the next free slot), and after
`max_conversions` conversions (LibreOffice's memory grows with
every document). A LibreOffice found dead when a call takes its slot (killed while idle) is
restarted by that call, which then succeeds. Processes start on first use; every start
checks the fonts first (`service.conversion.fonts`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from service.conversion.errors import ConversionError
from service.conversion.fonts import find_font

BRIDGE = Path(__file__).with_name("bridge.py")
ROOT = Path(__file__).resolve().parents[2]
# The converter environment `make converter` makes (Debian's Python, its site packages).
CONVERTER_ENVIRONMENT_PYTHON = ROOT / "var" / "converter-env" / "bin" / "python"
SYSTEM_PYTHON = "/usr/bin/python3"
SOFFICE_OPTIONS = ("--headless", "--invisible", "--norestore", "--nologo", "--nodefault")
# What the service's own Python puts in the environment must not reach Debian's Python.
FOREIGN_PYTHON_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
QUIT_SECONDS = 3.0
WORKDIR_PREFIX = "docgen-converter-"  # then the owner's pid
PROBE_SECONDS = 5.0  # an idle LibreOffice answers a ping in about a millisecond

# The PDF profiles a conversion may ask for (besides None, LibreOffice's default PDF 1.6).
pdf_profiles = MappingProxyType(
    {"pdf/a-2b": "PDF/A-2b (ISO 19005-2, level B), for archiving: fonts embedded, an sRGB "
     "output intent, the PDF/A identification in the XMP metadata, no encryption"}
)  # fmt: skip


def default_python() -> str:
    """The converter environment's Python if it was made, else Debian's own."""
    if CONVERTER_ENVIRONMENT_PYTHON.exists():
        return str(CONVERTER_ENVIRONMENT_PYTHON)
    return SYSTEM_PYTHON


class _Timeout(Exception):
    pass


class _Gone(Exception):
    pass


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a live process, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2])


def _office_pid(group: int) -> int | None:
    """The soffice.bin of the process group `group` (the soffice script execs oosplash,
    which runs soffice.bin as its child)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            name = Path(f"/proc/{entry}/comm").read_text().strip()
        except OSError:
            continue
        stat = _proc_stat(int(entry))
        if name == "soffice.bin" and stat and stat[2] == group and stat[0] != "Z":
            return int(entry)
    return None


def _rss_kib(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        _, writable, _ = select.select([], [fd], [], remaining)
        if not writable:
            continue
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            continue
        except OSError as error:  # the bridge is gone
            raise _Gone from error


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    chunks, missing = [], size
    while missing:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            continue
        try:
            chunk = os.read(fd, min(missing, 1 << 20))
        except BlockingIOError:
            continue
        except OSError as error:
            raise _Gone from error
        if not chunk:
            raise _Gone
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


@dataclass
class _Options:
    timeout: float
    max_conversions: int
    start_timeout: float
    soffice: str
    python: str
    environment: dict[str, str]


class _Slot:
    """One soffice and its bridge; used by one call at a time (the pool sees to that)."""

    def __init__(self, index: int, workdir: Path, options: _Options):
        self.index = index
        self.profile = workdir / f"slot-{index}"
        self.log = workdir / f"slot-{index}.log"
        self.options = options
        self.soffice: subprocess.Popen | None = None
        self.bridge: subprocess.Popen | None = None
        self.office_pid: int | None = None
        self.state = "stopped"
        self.font: str | None = None
        self.starts = 0
        self.conversions = 0  # since this start
        self.total_conversions = 0
        self.last_restart_reason: str | None = None
        self.last_error: ConversionError | None = None
        self.started_at: float | None = None
        self.pending_restart: str | None = None

    @property
    def running(self) -> bool:
        return self.bridge is not None

    def alive(self) -> bool:
        """Both processes are there (a stopped, i.e. hung, LibreOffice counts as there)."""
        soffice, bridge, office_pid = self.soffice, self.bridge, self.office_pid
        if soffice is None or bridge is None or office_pid is None:
            return False
        if soffice.poll() is not None or bridge.poll() is not None:
            return False
        stat = _proc_stat(office_pid)
        return stat is not None and stat[0] not in "ZX"

    def start(self, reason: str | None = None) -> None:
        """Check the fonts, start soffice and the bridge, wait until they answer."""
        environment = {**os.environ, **self.options.environment}
        try:
            self.font = find_font(environment)
        except ConversionError as error:
            self.last_error = error
            raise
        soffice = shutil.which(self.options.soffice, path=environment.get("PATH"))
        if soffice is None:
            self._fail(
                f"LibreOffice ({self.options.soffice}) is not installed: install the Debian "
                "package libreoffice-writer-nogui"
            )
        try:
            self.profile.mkdir(parents=True, exist_ok=True)
            # A LibreOffice killed in this profile left its lock; the pool owns the profile.
            (self.profile / ".lock").unlink(missing_ok=True)
        except OSError as error:
            self._fail(f"the converter's profile directory cannot be made: {error}")
        pipe = f"docgen-{os.getpid()}-{self.index}-{uuid.uuid4().hex[:12]}"
        try:
            self.soffice = subprocess.Popen(
                [soffice, *SOFFICE_OPTIONS, f"-env:UserInstallation={self.profile.as_uri()}",
                 f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=environment, start_new_session=True,
            )  # fmt: skip
        except OSError as error:
            self._fail(f"LibreOffice ({soffice}) cannot run: {error}")
        bridge_environment = {
            k: v for k, v in environment.items() if k not in FOREIGN_PYTHON_VARIABLES
        }
        with open(self.log, "wb") as log:
            try:
                self.bridge = subprocess.Popen(
                    [self.options.python, "-I", "-B", str(BRIDGE), "--pipe", pipe,
                     "--soffice-pgid", str(self.soffice.pid),
                     "--connect-timeout", str(self.options.start_timeout)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    env=bridge_environment, start_new_session=True,
                )  # fmt: skip
            except OSError as error:
                self.kill()
                self._fail(f"the converter's Python {self.options.python} cannot run: {error}")
        os.set_blocking(self.bridge.stdin.fileno(), False)
        os.set_blocking(self.bridge.stdout.fileno(), False)
        deadline = time.monotonic() + self.options.start_timeout + 5
        try:
            header, _ = self._receive(deadline)
        except (_Timeout, _Gone, ValueError):
            self.kill()
            self._fail(
                f"LibreOffice did not answer within {self.options.start_timeout:g} s"
                f"{self._log_tail()}"
            )
        if not header.get("ok"):
            self.kill()
            self._fail(f"LibreOffice did not start: {header.get('message')}{self._log_tail()}")
        self.office_pid = _office_pid(self.soffice.pid)
        if self.starts:
            self.last_restart_reason = reason or "restarted"
        self.starts += 1
        self.conversions = 0
        self.started_at = time.monotonic()
        self.last_error = None
        self.state = "idle"

    def _fail(self, message: str) -> None:
        self.last_error = ConversionError("converter_unavailable", message)
        self.state = "stopped"
        raise self.last_error

    def _log_tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        if not lines:
            return ""
        hint = ""
        if any("No module named 'uno'" in line for line in lines):
            hint = " (install the Debian package python3-uno; run make converter)"
        return f": {lines[-1]}{hint}"

    def convert(self, docx: bytes, profile: str | None, timeout: float) -> bytes:
        reason, self.pending_restart = self.pending_restart, None
        if self.running and not self.alive():
            self.kill()
            self.start("died")
        elif not self.running:
            self.start(reason)
        self.state = "busy"
        deadline = time.monotonic() + timeout
        try:
            header, body = self._request({"op": "convert", "profile": profile}, docx, deadline)
        except _Timeout:
            self.kill()
            self.pending_restart = "timeout"
            raise ConversionError(
                "conversion_timeout",
                f"Converting the document to PDF took longer than {timeout:g} s and was "
                "stopped; the converter is being restarted.",
            ) from None
        except (_Gone, ValueError, OSError) as error:  # ValueError: a garbled answer
            self.kill()
            self.pending_restart = "crashed"
            raise ConversionError(
                "converter_crashed",
                "LibreOffice stopped during the conversion; the converter is being restarted.",
            ) from error
        if not header.get("ok"):
            code = header.get("code", "conversion_failed")
            if code == "converter_crashed":
                self.kill()
                self.pending_restart = "crashed"
            raise ConversionError(code, header.get("message") or "The conversion failed.")
        self.conversions += 1
        self.total_conversions += 1
        if self.conversions >= self.options.max_conversions:
            self.pending_restart = "recycled"
        return body

    def _request(self, header: dict, body: bytes, deadline: float) -> tuple[dict, bytes]:
        encoded = json.dumps(header).encode()
        message = struct.pack(">I", len(encoded)) + encoded + struct.pack(">I", len(body))
        _write_all(self.bridge.stdin.fileno(), message + body, deadline)
        return self._receive(deadline)

    def _receive(self, deadline: float) -> tuple[dict, bytes]:
        fd = self.bridge.stdout.fileno()
        header = _read_exact(fd, struct.unpack(">I", _read_exact(fd, 4, deadline))[0], deadline)
        body = _read_exact(fd, struct.unpack(">I", _read_exact(fd, 4, deadline))[0], deadline)
        return json.loads(header), body

    def stop(self) -> None:
        """Ask LibreOffice to quit, then kill whatever is left."""
        if self.bridge is not None and self.alive():
            with contextlib.suppress(_Timeout, _Gone, ValueError):
                self._request({"op": "quit"}, b"", time.monotonic() + QUIT_SECONDS)
                self.soffice.wait(QUIT_SECONDS)
        self.kill()

    def kill(self) -> None:
        """Kill both processes (a stopped one too) and forget them."""
        for process in (self.soffice, self.bridge):
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        if self.bridge is not None:
            for stream in (self.bridge.stdin, self.bridge.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        self.soffice = self.bridge = None
        self.office_pid = None
        self.state = "stopped"

    def health(self) -> dict[str, Any]:
        state = self.state
        if state in ("idle", "busy") and not self.alive():
            state = "dead"
        error, bridge, office_pid = self.last_error, self.bridge, self.office_pid
        return {
            "slot": self.index,
            "state": state,
            "pid": office_pid,
            "bridge_pid": bridge.pid if bridge else None,
            "conversions": self.conversions,
            "total_conversions": self.total_conversions,
            "restarts": max(self.starts - 1, 0),
            "last_restart_reason": self.last_restart_reason,
            "uptime_seconds": round(time.monotonic() - self.started_at, 1)
            if self.started_at and self.running
            else None,
            "rss_kib": _rss_kib(office_pid),
            "font": self.font,
            "last_error": {"code": error.code, "message": error.message} if error else None,
        }


def _remove_stale_workdirs(base: Path) -> None:
    """Remove the directories of pools whose process is gone (killed before it could)."""
    try:
        entries = list(base.glob(f"{WORKDIR_PREFIX}*-*"))
    except OSError:
        return
    for entry in entries:
        owner = entry.name[len(WORKDIR_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and _proc_stat(int(owner)) is None:
            shutil.rmtree(entry, ignore_errors=True)


def _shutdown(slots: list[_Slot], workdir: Path, owner: int) -> None:
    """Stop every slot and remove the pool's directory (in the process that made them)."""
    if os.getpid() != owner:
        return
    threads = [threading.Thread(target=slot.stop) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shutil.rmtree(workdir, ignore_errors=True)


class ConverterPool:
    """`size` warm LibreOffice converters; thread-safe, no global lock (see the module)."""

    def __init__(
        self,
        size: int,
        *,
        timeout: float,
        max_conversions: int,
        start_timeout: float = 60.0,
        soffice: str = "soffice",
        python: str | None = None,
        environment: dict[str, str] | None = None,
        workdir: str | Path | None = None,
    ):
        """`timeout`: seconds one conversion may take (a start has `start_timeout` more);
        `max_conversions`: a slot's conversions before it is restarted; `python`: the
        converter's interpreter (default: `default_python()`); `environment`: variables
        added to the converters' (FONTCONFIG_FILE, say); `workdir`: where the profiles go
        (a directory of this pool is made in it, the system's temporary one by default)."""
        if size < 1 or timeout <= 0 or max_conversions < 1 or start_timeout <= 0:
            raise ValueError("size, timeout, max_conversions and start_timeout must be positive")
        self.size = size
        self._options = _Options(
            timeout=float(timeout),
            max_conversions=int(max_conversions),
            start_timeout=float(start_timeout),
            soffice=soffice,
            python=python or default_python(),
            environment=dict(environment or {}),
        )
        self._base = Path(workdir) if workdir else None
        self._setup()

    def _setup(self) -> None:
        if self._base:
            self._base.mkdir(parents=True, exist_ok=True)
        _remove_stale_workdirs(self._base or Path(tempfile.gettempdir()))
        self._workdir = Path(
            tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-", dir=self._base)
        )
        self._owner = os.getpid()
        self._cond = threading.Condition()
        self._closed = False
        self._slots = [_Slot(i, self._workdir, self._options) for i in range(self.size)]
        self._free = list(self._slots)
        self._restarters: set[threading.Thread] = set()
        self._failures: dict[str, int] = {}
        self._finalizer = weakref.finalize(self, _shutdown, self._slots, self._workdir, self._owner)

    @property
    def timeout(self) -> float:
        return self._options.timeout

    def convert(
        self, docx: bytes, *, pdf_profile: str | None = None, timeout: float | None = None
    ) -> bytes:
        """The PDF of `docx` (PDF/A-2b with pdf_profile="pdf/a-2b"); ConversionError else."""
        if pdf_profile is not None and pdf_profile not in pdf_profiles:
            raise ConversionError(
                "unknown_pdf_profile",
                f"Unknown PDF profile {pdf_profile!r}; known: {', '.join(pdf_profiles)}.",
            )
        retries = 1
        while True:
            slot = self._acquire()
            try:
                return slot.convert(docx, pdf_profile, timeout or self._options.timeout)
            except ConversionError as error:
                with self._cond:
                    self._failures[error.code] = self._failures.get(error.code, 0) + 1
                # LibreOffice died under the call (killed just before it, say): once more,
                # on a restarted one; a document that kills it twice fails.
                if error.code != "converter_crashed" or not retries:
                    raise
                retries -= 1
            finally:
                self._release(slot)

    def start(self) -> None:
        """Start every slot that is not running, at once (else each starts on first use), and
        wait for the restarts under way; raise the first slot's ConversionError."""
        self._adopt_after_fork()
        with self._cond:
            taken = [slot for slot in self._free if not slot.running]
            for slot in taken:
                self._free.remove(slot)
            restarters = list(self._restarters)
        errors: list[ConversionError] = []

        def start(slot: _Slot) -> None:
            try:
                slot.start()
            except ConversionError as error:
                errors.append(error)
            finally:
                self._release(slot)

        threads = [threading.Thread(target=start, args=(slot,)) for slot in taken]
        for thread in threads:
            thread.start()
        for thread in [*threads, *restarters]:
            thread.join()
        errors += [slot.last_error for slot in self._slots if slot.last_error and not slot.running]
        if errors:
            raise errors[0]

    def _adopt_after_fork(self) -> None:
        """In a forked child the processes (and the lock's state) are the parent's: make this
        process's own, to start on first use."""
        if os.getpid() != self._owner:
            self._setup()

    def _acquire(self) -> _Slot:
        self._adopt_after_fork()
        with self._cond:
            while True:
                if self._closed:
                    raise ConversionError("converter_unavailable", "The converter is closed.")
                if self._free:
                    running = [slot for slot in self._free if slot.running]
                    slot = running[-1] if running else self._free[-1]
                    self._free.remove(slot)
                    return slot
                self._cond.wait()

    def _release(self, slot: _Slot) -> None:
        with self._cond:
            if slot.pending_restart and not self._closed:
                slot.state = "restarting"
                thread = threading.Thread(
                    target=self._restart, args=(slot,), name=f"converter-restart-{slot.index}"
                )
                self._restarters.add(thread)
                thread.start()
                return
            if slot.state == "busy":
                slot.state = "idle"
            self._free.append(slot)
            self._cond.notify()

    def _restart(self, slot: _Slot) -> None:
        reason = slot.pending_restart
        try:
            slot.stop()
            if not self._closed:
                slot.start(reason)
                slot.pending_restart = None
        except ConversionError:
            pass  # recorded in slot.last_error; the next call that takes the slot retries
        finally:
            with self._cond:
                self._restarters.discard(threading.current_thread())
                if self._closed:
                    slot.kill()
                self._free.append(slot)
                self._cond.notify()

    def health(self, *, probe: bool = False, probe_timeout: float = PROBE_SECONDS) -> dict:
        """The pool's settings and each slot's state, pid, conversions and restarts (read from
        the processes, never waiting for a busy slot). With `probe`, each idle slot is also
        asked to answer over UNO within `probe_timeout` seconds; one that does not is hung:
        it is killed and restarted (its last_restart_reason "hung")."""
        if probe:
            self._probe(probe_timeout)
        with self._cond:
            slots = [slot.health() for slot in self._slots]
            failures = dict(self._failures)
        return {
            "converter": "libreoffice",
            "size": self.size,
            "timeout_seconds": self._options.timeout,
            "max_conversions": self._options.max_conversions,
            "python": self._options.python,
            "closed": self._closed,
            "conversions": sum(slot["total_conversions"] for slot in slots),
            "restarts": sum(slot["restarts"] for slot in slots),
            "failures": failures,
            "slots": slots,
        }

    def _probe(self, timeout: float) -> None:
        with self._cond:
            idle = [slot for slot in self._free if slot.running]
            for slot in idle:
                self._free.remove(slot)
        for slot in idle:
            try:
                header, _ = slot._request({"op": "ping"}, b"", time.monotonic() + timeout)
                if not header.get("ok"):
                    raise _Gone
            except (_Timeout, _Gone, ValueError, OSError):
                slot.kill()
                slot.pending_restart = "hung"
            finally:
                self._release(slot)

    def close(self) -> None:
        """Stop every converter; later calls fail with converter_unavailable."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            restarters = list(self._restarters)
        for thread in restarters:
            thread.join()
        self._finalizer()

    def __enter__(self) -> ConverterPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
