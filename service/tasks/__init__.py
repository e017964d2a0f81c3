"""Celery tasks (distributed mode)."""
