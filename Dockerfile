FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=8000 MAPLINK_DATA_DIR=/app/data
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY map_converter/ map_converter/
COPY web/ web/
COPY templates/ templates/
COPY static/ static/
COPY docs/openapi.yaml docs/openapi.yaml
COPY flask_app.py gunicorn.conf.py ./

RUN useradd --create-home --uid 10001 app \
    && mkdir -p data/uploads data/processed \
    && chown -R app:app data
USER app

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8000\")}/health', timeout=4)"
CMD ["gunicorn", "flask_app:app"]
