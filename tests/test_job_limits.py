"""A job's time and memory limits, enforced in a child process the worker survives, and the
cap on attempts that keeps a message delivered again and again from looping."""

from __future__ import annotations

import io
import os
import time

import pytest
from docx import Document
from sqlalchemy.exc import OperationalError

from service.domain.status import Status
from service.errors import InvalidInput
from service.generation import generate_document
from service.i18n import translate_error
from service.models import DocumentRecord
from service.rendering import render_template
from service.storage import MemoryStorage
from service.tasks import runner as runner_module
from service.tasks.isolation import Isolation, JobLimits, JobTooLarge, JobTooSlow
from service.tasks.runner import Runner
from tests.conftest import queued

LIMITS = JobLimits(seconds=1.5, megabytes=128)


# Run in the child: module-level, so that they travel by name.
def _pid() -> int:
    return os.getpid()


def _spin() -> None:
    while True:
        pass


def _sleep() -> None:
    time.sleep(60)


def _hog() -> bytes:
    return b"x" * (1024 * 1024 * 1024)


def _invalid() -> None:
    raise InvalidInput(errors={"members": ["Exactly one leader is required."]})


def _broken() -> None:
    raise ValueError("a bug")


def _template(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# Templates inside the subset the linter allows, which still ask for too much: every letter
# of a text for every letter for every letter (10^9 steps), or the text printed 10^9 times.
SLOW = "{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}"
LARGE = (
    "{% for a in s %}{% for b in s %}{% for c in s %}{{ s }}{% endfor %}{% endfor %}{% endfor %}"
)


def _render(template: str) -> bytes:
    return render_template(_template(template), {"s": "ы" * 1000})


@pytest.fixture
def isolation():
    found = Isolation(LIMITS)
    yield found
    found.close()


def test_a_function_runs_in_a_child_that_is_reused(isolation):
    first = isolation.run("job", _pid)
    assert first != os.getpid()
    assert isolation.run("job", _pid) == first


def test_a_job_past_its_time_is_stopped_and_the_next_gets_a_fresh_child(isolation):
    child = isolation.run("job", _pid)
    for func in (_spin, _sleep):
        started = time.monotonic()
        with pytest.raises(JobTooSlow) as caught:
            isolation.run("job", func)
        assert time.monotonic() - started < LIMITS.seconds + 2
    assert str(caught.value) == (
        "Making the document took longer than 1.5 s and was stopped: the template or the "
        "input asks for too much work."
    )
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # killed, and reaped
    assert isolation.run("job", _pid) not in (child, os.getpid())


def test_a_job_past_its_memory_is_stopped(isolation):
    with pytest.raises(JobTooLarge) as caught:
        isolation.run("job", _hog)
    assert "more than 128 MiB" in str(caught.value)
    assert isolation.run("job", _pid) != os.getpid()


def test_the_memory_limit_counts_from_what_the_child_uses_before_the_job(isolation):
    # 100 MiB under a limit of 128 MiB more than the child's own size: allowed, every time.
    for _ in range(3):
        assert len(isolation.run("job", bytes, 100 * 1024 * 1024)) == 100 * 1024 * 1024


def test_a_template_asking_for_too_much_is_stopped(isolation):
    with pytest.raises(JobTooSlow):
        isolation.run("job", _render, SLOW)
    roomy = Isolation(JobLimits(seconds=60, megabytes=128))  # time enough to fill the memory
    try:
        with pytest.raises(JobTooLarge):
            roomy.run("job", _render, LARGE)
    finally:
        roomy.close()


def test_errors_of_the_child_reach_the_parent(isolation):
    with pytest.raises(InvalidInput) as invalid:
        isolation.run("job", _invalid)
    assert invalid.value.errors == {"members": ["Exactly one leader is required."]}
    with pytest.raises(ValueError, match="a bug") as bug:
        isolation.run("job", _broken)
    assert any("in the child process" in note for note in bug.value.__notes__)


def test_a_child_killed_between_jobs_is_replaced(isolation):
    child = isolation.run("job", _pid)
    os.kill(child, 9)
    time.sleep(0.1)
    assert isolation.run("job", _pid) not in (child, os.getpid())


def test_a_document_from_the_child_is_the_document_made_here(isolation, order_input):
    here = generate_document("working-group-order", order_input)
    there = isolation.run("job", generate_document, "working-group-order", order_input)
    assert there.content == here.content and there.filename == here.filename


# --- the runner -----------------------------------------------------------------------------


def _slow_generate(kind, payload):
    time.sleep(60)


def _transient_generate(kind, payload):
    raise OperationalError("SELECT 1", {}, Exception("the database went away"))


def _record(db, document_id: str) -> DocumentRecord:
    with db.session() as session:
        return session.get(DocumentRecord, document_id)


def test_a_job_past_its_limit_fails_at_once_with_the_message_and_is_not_retried(
    db, order_input, monkeypatch
):
    monkeypatch.setattr(runner_module, "generate_document", _slow_generate)
    runner = Runner(db, MemoryStorage(), 15, limits=JobLimits(1, 256), max_attempts=5)
    document_id = queued(db, order_input)
    assert runner.run_job(document_id) is Status.FAILED  # no exception: nothing to retry
    record = _record(db, document_id)
    assert record.status == Status.FAILED and record.attempts == 1
    message = record.error["message"]
    assert message.startswith("Making the document took longer than 1 s")
    assert translate_error(message, "ru").startswith("Создание документа заняло больше 1 с")
    assert translate_error(message, "ky").startswith("Документти түзүү 1 секунддан ашык")
    assert runner.run_job(document_id) is None  # a redelivered message changes nothing
    runner.close()


def test_a_job_claimed_again_and_again_is_given_up_after_the_cap(db, order_input, monkeypatch):
    # Each run is interrupted after its claim (the database away, a worker killed): released
    # or freed by its lease, it is claimed again, until the cap.
    monkeypatch.setattr(runner_module, "generate_document", _transient_generate)
    runner = Runner(db, MemoryStorage(), 15, max_attempts=3)
    document_id = queued(db, order_input)
    for _ in range(3):
        with pytest.raises(OperationalError):
            runner.run_job(document_id)
        assert _record(db, document_id).status == Status.QUEUED
    assert runner.run_job(document_id) is Status.FAILED
    record = _record(db, document_id)
    assert record.status == Status.FAILED and record.attempts == 4
    assert record.error == {"message": "The document was given up after 3 attempts to make it."}
    assert translate_error(record.error["message"], "ru") == (
        "Создание документа прекращено после 3 попыток."
    )


def test_the_app_runs_its_jobs_in_child_processes_under_the_configured_limits(tmp_path):
    from service import create_app, extensions
    from service.db import upgrade

    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "RENDER_TIME_LIMIT_SECONDS": 7, "RENDER_MEMORY_LIMIT_MB": 300}
    )
    try:
        runner = extensions.runner(app)
        assert runner.isolation.limits == JobLimits(7, 300)
        assert runner.max_attempts == 5
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


@pytest.mark.distributed
def test_a_celery_worker_survives_jobs_past_their_time_and_does_not_retry_them(stack, order_input):
    from service import create_app, extensions
    from tests.stack import statuses, wait_for

    # A millisecond: no document is made that fast (its input alone takes longer to load).
    stack.settings["RENDER_TIME_LIMIT_SECONDS"] = "0.001"
    worker = stack.worker(concurrency=1)
    app = create_app(stack.app_config())
    try:
        ids = [queued(extensions.db(app), order_input) for _ in range(3)]
        for document_id in ids:
            extensions.dispatcher(app).enqueue(document_id)
        wait_for(lambda: statuses(app, ids)[Status.FAILED] == 3, 60, "the jobs to fail")
        for document_id in ids:
            record = _record(extensions.db(app), document_id)
            assert record.attempts == 1
            assert record.error == {
                "message": "Making the document took longer than 0.001 s and was stopped: "
                "the template or the input asks for too much work."
            }
        # One pool process ran them all: each time its child was killed, it lived on.
        assert worker.alive() and len(worker.pids()) == 2  # the main process and its pool
        assert not any("retrying" in line for line in worker.log_lines())
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
