# Greengrocer's one image: every service in compose.yaml runs it with its own command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VAR_DIR=/app/var

# poppler-utils: the PDF tools the reports use; libpq comes with psycopg[binary].
RUN apt-get update \
    && apt-get install -y --no-install-recommends poppler-utils \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The pinned dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# Named volumes mounted on these start with the image's ownership: the app user's.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin greengrocer \
    && mkdir -p var/media var/mail var/static var/flower \
    && chown -R greengrocer:greengrocer var
USER greengrocer

EXPOSE 8000 5555 1025 8001
CMD ["gunicorn", "shop.wsgi", "--config", "deploy/gunicorn.conf.py"]
