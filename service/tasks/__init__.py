"""The job life cycle: records (queued → running → done | failed), the runner that makes a
job's document, the dispatch to workers (threads here, or Celery), and the Celery tasks."""
