"""Celery worker entry point: `celery -A worker worker` (and `celery -A worker beat`)."""

from service import create_app

flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("The worker needs a broker: set CELERY_BROKER_URL or REDIS_URL.")
celery_app = flask_app.extensions["celery"]
