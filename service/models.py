"""SQLAlchemy tables: document jobs, their outputs (artifacts) and the bytes they point to.

Every document row carries its tenant (the id of the organisation that owns it), and every
query in service.tasks.records filters on it; accounts, their tokens, the audit log and the
daily quotas' counters are here too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from service.domain.status import Status


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A UTC instant: stored without zone (SQLite has none), always read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class DocumentRecord(Base):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name="documents_status_known",
        ),
        UniqueConstraint("tenant", "idempotency_key", name="documents_idempotency"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    municipality_id: Mapped[str | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default=Status.QUEUED, index=True)
    # None (JSON null) once the job was deleted or its input purged.
    input: Mapped[dict | None] = mapped_column(JSON, nullable=False)
    input_sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    filename: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict | None] = mapped_column(JSON)
    # Warnings about the input (service.domain.notices.Notice.as_json each), as recorded at
    # submission; None for jobs recorded before they were stored.
    warnings: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The worker that has reserved (queued) or claimed (running) the job; None: no one yet.
    # A reserved job is that worker's while its heartbeat lasts; a running one while its
    # lease, renewed by that heartbeat as long as the job runs (service.tasks.liveness).
    worker_id: Mapped[str | None] = mapped_column(String(32), index=True)
    lease_renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the job was last handed to the broker; None when that hand-off failed. Compared
    # with the broker's epoch to tell a message a restarted broker lost.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The outputs asked for besides the .docx (["pdf"]; None: the .docx alone) and the PDF's
    # profile (None, or "pdf/a-2b"); each is made by a conversion of its own.
    formats: Mapped[list | None] = mapped_column(JSON)
    pdf_profile: Mapped[str | None] = mapped_column(String(20))
    # Deletion and retention (service.retention): a deleted job has neither input nor outputs,
    # and its register line stays, withdrawn; retention purges outputs, then inputs.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outputs_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    input_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A done job has its outputs: service.tasks.records.finish writes them and the status
    # in one transaction. Loaded with the jobs a query selects, by one more query.
    artifacts: Mapped[list[Artifact]] = relationship(
        lazy="selectin", order_by="Artifact.format", back_populates="document"
    )

    conversions: Mapped[list[Conversion]] = relationship(
        lazy="selectin", order_by="Conversion.format", back_populates="document"
    )
    # Its callback (service.callbacks), when the request gave a callback_url.
    callback: Mapped[Callback | None] = relationship(lazy="selectin", viewonly=True, uselist=False)

    def artifact(self, format: str) -> Artifact | None:
        """The job's output in `format` ("docx"…), or None."""
        return next((a for a in self.artifacts if a.format == format), None)


DOCX = "docx"


class Artifact(Base):
    """One output of a job in one format: where its bytes are, their size and sha256."""

    __tablename__ = "artifacts"
    __table_args__ = (
        CheckConstraint("size >= 0", name="artifacts_size_known"),
        Index("ix_artifacts_key", "key"),
    )

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    document: Mapped[DocumentRecord] = relationship(back_populates="artifacts", lazy="raise")


class Conversion(Base):
    """The making of one output of a job from its .docx (a PDF), on a queue of its own: the
    life cycle and liveness columns of a job (service.tasks.converting)."""

    __tablename__ = "conversions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name="conversions_status_known",
        ),
        UniqueConstraint("document_id", "format", name="conversions_one_per_format"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    pdf_profile: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=Status.QUEUED, index=True)
    error: Mapped[dict | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(32), index=True)
    lease_renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    document: Mapped[DocumentRecord] = relationship(back_populates="conversions", lazy="raise")


class Worker(Base):
    """A live worker process, by its heartbeat: renewed every HEARTBEAT_SECONDS, dead (and
    its jobs given to others) once `last_seen` is older than JOB_LEASE_SECONDS."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Blob(Base):
    """Content-addressed bytes (the key is their sha256)."""

    __tablename__ = "blobs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Municipality(Base):
    """A municipality (or territorial unit) in the registry: its letterhead, people, numbering.

    `data` holds the validated registry input (names, letterhead lines, head, act words, and
    any grammatical forms set by hand); forms not set are computed when documents are made.
    """

    __tablename__ = "municipalities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    data: Mapped[dict] = mapped_column(JSON)
    numbering_pattern: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RegisterCounter(Base):
    """The last outgoing sequence number a municipality issued in a year."""

    __tablename__ = "register_counters"

    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class RegisterEntry(Base):
    """One line of the outgoing register: a number issued with a document, or (no document)
    a number the office took outside the service and recorded here, in the same sequence."""

    __tablename__ = "register_entries"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year", "seq", name="register_entries_unique_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_id: Mapped[str] = mapped_column(ForeignKey("municipalities.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # Who signed the act and who prepared it, as a paper outgoing journal lists them.
    signed_by: Mapped[str | None] = mapped_column(Text)
    executed_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Batch(Base):
    """Documents of one kind for many municipalities, submitted together."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[dict] = mapped_column(JSON)
    item_count: Mapped[int] = mapped_column(Integer)
    # Uploaded as a spreadsheet: its items' errors name the columns by their labels.
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BatchItem(Base):
    """One row of a batch: its own fields, and its document or why it has none."""

    __tablename__ = "batch_items"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    fields: Mapped[dict] = mapped_column(JSON)
    municipality_id: Mapped[str | None] = mapped_column(String(32))
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    errors: Mapped[dict | None] = mapped_column(JSON)


class Organisation(Base):
    """A tenant: one municipality's own office, or a district office coordinating several.

    Its id is the `tenant` of every record it owns (documents, batches, municipalities).
    """

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('municipality', 'district')", name="organisations_kind_known"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The key its callbacks are signed with (HMAC-SHA256): shown once when made, kept as it
    # is since signing needs it (it grants nothing in the API, unlike a token).
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    webhook_secret_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class User(Base):
    """An account of an organisation, with its roles and (None: all of the organisation's)
    the municipalities it acts for."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list] = mapped_column(JSON)
    municipalities: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language of the web pages this user chose (ky, ru); None: the browser's.
    ui_language: Mapped[str | None] = mapped_column(String(2))


class ApiToken(Base):
    """A user's API token: only its SHA-256 is kept (the token itself is shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """Who did what, when, from where, with which token: appended, never changed (on
    PostgreSQL a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_organisation_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    organisation_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(100))
    token_id: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(64))
    municipality_id: Mapped[str | None] = mapped_column(String(32), index=True)
    details: Mapped[dict | None] = mapped_column(JSON)


class DailyUsage(Base):
    """How many documents (or batch items) an organisation submitted on a day (Asia/Bishkek)."""

    __tablename__ = "daily_usage"

    organisation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    what: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Callback(Base):
    """A callback of a job or a batch: waiting while it runs, then pending (its body made,
    signed and sent at each attempt) until delivered, or failed after its last attempt.

    A row per callback is what makes deliveries survive a crash: any web process's sender
    takes due rows, each for a lease (`locked_until`), so a sender that died mid-delivery
    leaves its row to the next (a receiver may see a delivery twice; never none)."""

    __tablename__ = "callbacks"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'pending', 'delivered', 'failed')",
            name="callbacks_status_known",
        ),
        Index("ix_callbacks_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    # The language of the messages in its body (the request's).
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    event: Mapped[str | None] = mapped_column(String(30))
    body: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # One entry per attempt: {"at", "status_code" or "error", "seconds"}.
    history: Mapped[list] = mapped_column(JSON, default=list)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotentRequest(Base):
    """A POST made with an Idempotency-Key (other than a document's, kept on its job): the
    request's fingerprint and what it made, so that a retry answers the same."""

    __tablename__ = "idempotent_requests"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    # What it made (None while the first request is still being served).
    resource_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Draft(Base):
    """A document's input saved from its web form before it is issued: resumed later, by its
    author or anyone of the organisation (it takes no number and makes no job)."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
