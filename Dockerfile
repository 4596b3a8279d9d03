# Production image: `nudge serve` on port 8000. Point DATABASE_URL at PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LOG_FORMAT=json

RUN groupadd --system nudge && useradd --system --gid nudge --home-dir /app nudge

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY messages ./messages
RUN pip install . && mkdir -p /app/data && chown -R nudge:nudge /app/data

USER nudge
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

CMD ["nudge", "serve", "--host", "0.0.0.0", "--port", "8000"]
