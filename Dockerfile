FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# WeasyPrint renders the station's papers (notices, residence certificates): pango, and a CJK font
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
# The whole project, so no app can be left out; .dockerignore keeps local files (.git, .venv,
# node_modules, var, caches, test artefacts) out of the image.
COPY . .
RUN pip install .
RUN python manage.py compiletranslations \
 && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
# The web node, as docker-compose.yml and tests/production start it (WEB_CONCURRENCY: workers).
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "30", "--access-logfile", "-"]
