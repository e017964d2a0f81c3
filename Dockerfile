# One image for the web process, the workers and the scheduler (they differ by command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
COPY examples ./examples
RUN pip install --no-cache-dir -c constraints.txt . && useradd --system --uid 1000 docgen
COPY wsgi.py worker.py gunicorn.conf.py alembic.ini ./
USER docgen
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "wsgi:app"]
