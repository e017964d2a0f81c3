"""Celery worker entry point: `celery -A worker worker` (no `celery beat`: every worker
recovers what dead workers and a restarted broker left, service.tasks.liveness)."""

from service import create_app, extensions

flask_app = create_app()
celery_app = extensions.celery(flask_app)
if celery_app is None:
    raise SystemExit("The worker needs a broker: set CELERY_BROKER_URL or REDIS_URL.")
