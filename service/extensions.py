"""Typed access to what the app factory builds: the database, storage, runner, dispatcher.

`db()`, `storage()`… read the current app (or the one given), so that no caller looks a
service up by a string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

from service.db import Database
from service.storage import Storage
from service.tasks.converting import ConversionRunner
from service.tasks.dispatch import Dispatcher
from service.tasks.runner import Runner

if TYPE_CHECKING:
    from celery import Celery
    from flask_smorest import Api

_KEY = "docgen"
# Where Flask extensions conventionally keep themselves (flask-smorest's Api, Celery's app).
_API, _CELERY = "api", "celery"


@dataclass(frozen=True)
class Services:
    """Everything the domain needs at run time, built once per app."""

    db: Database
    storage: Storage
    runner: Runner
    # Makes the PDFs of done jobs (service.tasks.converting), with its converter pool.
    converting: ConversionRunner
    dispatcher: Dispatcher
    # Send again the jobs a crash or a restarted broker left (each worker's heartbeat calls it).
    recover: Callable[[], int]


def install(app: Flask, services: Services) -> None:
    """Attach the services to `app`."""
    app.extensions[_KEY] = services


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app."""
    return (app or current_app).extensions[_KEY]


def db(app: Flask | None = None) -> Database:
    """The database."""
    return services(app).db


def storage(app: Flask | None = None) -> Storage:
    """Where document bytes live."""
    return services(app).storage


def runner(app: Flask | None = None) -> Runner:
    """The job runner."""
    return services(app).runner


def converting(app: Flask | None = None) -> ConversionRunner:
    """The conversion runner (and its converter pool)."""
    return services(app).converting


def dispatcher(app: Flask | None = None) -> Dispatcher:
    """How jobs reach workers."""
    return services(app).dispatcher


def api(app: Flask | None = None) -> Api:
    """The flask-smorest Api (its `spec` is the OpenAPI document)."""
    return (app or current_app).extensions[_API]


def celery(app: Flask | None = None) -> Celery | None:
    """The Celery app in the distributed mode; None in the embedded one."""
    return (app or current_app).extensions.get(_CELERY)
