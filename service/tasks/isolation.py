"""A job's document made in a child process, under a time limit and a memory limit.

A template (a tenant's own, one day uploaded) or an input may ask for more work than a
document needs: a loop over every letter of a long text inside another, a string of
gigabytes. The sandbox stops what reaches Python objects, not what merely takes long or takes
much; these limits do, and the worker survives them, in either mode:

- each thread that runs jobs (a Celery pool process's, or one of the embedded mode's threads
  in the web process) keeps one child process, forked from it once and then reused, so the
  child starts warm (templates compiled, dictionaries loaded) and a job costs a message each
  way, not a fork;
- before each job the child lowers its own soft RLIMIT_AS to what it uses now plus the memory
  limit (an allocation beyond fails with MemoryError, caught in the child) and its RLIMIT_CPU
  to the time limit past what it has used (if the parent is gone, the kernel ends it);
- the parent waits for the answer at most the time limit, then kills the child and forks a
  new one for the next job. A child that ran out of memory exits after answering.

Either way the job fails with a clear message and is not retried (`JobTooSlow`, `JobTooLarge`).
The child runs only the pure generation (`service.generation`): no database, no broker.
"""

from __future__ import annotations

import errno
import logging
import os
import pickle
import resource
import signal
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any

from service.errors import InvalidInput, ServiceError
from service.logs import job_context

log = logging.getLogger(__name__)


class JobTooSlow(ServiceError):
    message = (
        "Making the document took longer than {seconds} s and was stopped: the template or "
        "the input asks for too much work."
    )


class JobTooLarge(ServiceError):
    message = (
        "Making the document needed more than {megabytes} MiB of memory and was stopped: the "
        "template or the input asks for too much."
    )


@dataclass(frozen=True)
class JobLimits:
    """How long one job may take and how much memory it may add, in its child process."""

    seconds: float
    megabytes: int


_PAGE = os.sysconf("SC_PAGE_SIZE")
# Every parent end of a child's pipe in this process: a child forked later closes the others,
# so that a child sees the end of its input when its own parent goes.
_children: weakref.WeakSet[_Child] = weakref.WeakSet()


class Isolation:
    """Runs functions in this thread's child process under `limits`."""

    def __init__(self, limits: JobLimits):
        self.limits = limits
        self._local = threading.local()

    def run(self, job_id: str, func: Callable[..., Any], *args: Any) -> Any:
        """Return `func(*args)` computed in this thread's child; raise what it raised, or
        JobTooSlow / JobTooLarge. `func` and the values travel by pickle."""
        child = getattr(self._local, "child", None)
        if child is not None and child.alive:
            try:
                child.send(job_id, func, args, self.limits)
            except OSError:  # it died between jobs (killed from outside): a new one
                child.close(kill=True)
                child = None
        else:
            child = None
        if child is None:
            child = self._local.child = _Child()
            child.send(job_id, func, args, self.limits)
        return child.answer(self.limits)

    def close(self) -> None:
        """End this thread's child (the others end with their threads, or their parent)."""
        child = getattr(self._local, "child", None)
        if child is not None:
            child.close()


class _Child:
    """One forked child process and the parent's end of its pipe."""

    def __init__(self):
        ours, theirs = Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                ours.close()
                for other in list(_children):
                    other.conn.close()
                _serve(theirs)
                status = 0
            finally:
                os._exit(status)
        theirs.close()
        self.pid, self.conn, self.alive = pid, ours, True
        self._finalizer = weakref.finalize(self, _end, os.getpid(), pid, ours)
        _children.add(self)

    def send(self, job_id: str, func, args, limits: JobLimits) -> None:
        self.conn.send((job_id, func, args, limits))

    def answer(self, limits: JobLimits):
        """The value the child computed, or what it raised, or the limit it exceeded."""
        if not self.conn.poll(limits.seconds):
            self.close(kill=True)
            raise JobTooSlow(seconds=_number(limits.seconds))
        try:
            outcome, value = self.conn.recv()
        except (EOFError, OSError):
            status = self.close(kill=False)
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                raise JobTooSlow(seconds=_number(limits.seconds)) from None
            raise RuntimeError(f"the process making the document ended ({status})") from None
        if outcome == "ok":
            return value
        if outcome == "memory":
            self.close(kill=False)
            raise JobTooLarge(megabytes=limits.megabytes)
        if outcome == "invalid":
            message, errors = value
            raise InvalidInput(message, errors=errors)
        raise value

    def close(self, kill: bool = False) -> int:
        """End the child (killed, or at the end of its input); return its wait status."""
        if not self.alive:
            return 0
        self.alive = False
        self._finalizer.detach()
        return _end(os.getpid(), self.pid, self.conn, kill)


def _end(owner: int, pid: int, conn: Connection, kill: bool = False) -> int:
    conn.close()
    if os.getpid() != owner:
        return 0  # a copy in another child: the process is not ours to reap, or to kill
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            done, status = os.waitpid(pid, 0 if kill else os.WNOHANG)
            if done:
                return status
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)  # still busy with a job a second after its input ended
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # reaped already (a SIGCHLD handler of the host)
        return 0


def _number(seconds: float) -> str:
    return f"{seconds:g}"


# ---------------------------------------------------------------------------------------------
# The child's side.


def _serve(conn: Connection) -> None:
    """Answer requests until the parent's end closes; return after running out of memory."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would dump one
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C is the parent's to handle
    while True:
        try:
            job_id, func, args, limits = conn.recv()
        except EOFError:
            return
        with job_context(job_id), _limited(limits):
            try:
                answer = ("ok", func(*args))
            except MemoryError:
                answer = ("memory", None)
            except InvalidInput as err:
                answer = ("invalid", (err.message, err.errors))
            except Exception as exc:  # noqa: BLE001 — given to the parent, which decides
                answer = ("memory", None) if _out_of_memory(exc) else ("error", _portable(exc))
        conn.send(answer)
        if answer[0] == "memory":
            return  # its heap may be left in pieces: the next job gets a fresh child


class _limited:
    """Lower the soft limits of this process for one job, and restore them after."""

    def __init__(self, limits: JobLimits):
        self.limits = limits

    def __enter__(self):
        memory, cpu = (
            resource.getrlimit(resource.RLIMIT_AS),
            resource.getrlimit(resource.RLIMIT_CPU),
        )
        self.saved = memory, cpu
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * _PAGE
        _lower(resource.RLIMIT_AS, used + self.limits.megabytes * 1024 * 1024)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        spent = usage.ru_utime + usage.ru_stime
        _lower(resource.RLIMIT_CPU, int(spent + self.limits.seconds) + 2)

    def __exit__(self, *exc):
        for which, (soft, hard) in zip(
            (resource.RLIMIT_AS, resource.RLIMIT_CPU), self.saved, strict=True
        ):
            resource.setrlimit(which, (soft, hard))


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(which, (value, hard))


# How a failed allocation reads when it is not a MemoryError: a library that could not map
# its code (an import under the limit), a C call that got ENOMEM.
_NO_MEMORY = ("failed to map segment", "cannot allocate memory", "out of memory")


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it arose from, is a failed allocation."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError):
            return True
        if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
            return True
        if any(words in str(exc).lower() for words in _NO_MEMORY):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _portable(exc: Exception) -> Exception:
    """`exc` with the child's traceback as a note, or a RuntimeError saying what it was, if
    it does not survive pickling."""
    note = "in the child process:\n" + "".join(traceback.format_exception(exc))
    try:
        exc.add_note(note)
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 — any exception that does not travel
        portable = RuntimeError(f"{type(exc).__name__}: {exc}")
        portable.add_note(note)
        return portable
