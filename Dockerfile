# One image for the web process, the workers and the scheduler (they differ by command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# The PDF converter (service/conversion): LibreOffice, its UNO bridge, which only Debian's own
# /usr/bin/python3 can import (not this image's /usr/local Python), and the fonts: Liberation
# Serif 2 has Times New Roman's metrics and ң ө ү. The converter environment is made on
# Debian's Python with its site packages; CONVERTER_PYTHON names it. postgresql-client (15, as
# the compose file's server) for `docgen db backup` and `restore`.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       libreoffice-writer-nogui python3-uno fonts-liberation2 fonts-dejavu-core fontconfig \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && /usr/bin/python3 -m venv --without-pip --system-site-packages /opt/converter-env \
    && /opt/converter-env/bin/python -c 'import uno' \
    && fc-list ':charset=4a3 4e9 4af' family | grep -q 'Liberation Serif'
ENV CONVERTER_PYTHON=/opt/converter-env/bin/python
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
COPY examples ./examples
RUN pip install --no-cache-dir -c constraints.txt . && useradd --system --uid 1000 docgen
COPY wsgi.py worker.py gunicorn.conf.py alembic.ini ./
USER docgen
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "wsgi:app"]
