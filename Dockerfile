# One image for every process: web (the default command), the workers and beat
# (override the command, see docker-compose.yml). Not built in CI here: the
# project's machines have no Docker. Keep it in step with Makefile/Procfile.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    # Selenium: use the apt browser and driver, never download or phone home.
    SE_AVOID_STATS=true \
    DJANGO_SETTINGS_MODULE=tennisbook.settings.production \
    TENNISBOOK_VAR_DIR=/app/var

# Chromium and its driver for the booking engine (the worker); tini reaps
# the browser's processes and forwards signals.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium chromium-driver tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are baked into the image; whitenoise serves them. The dummy
# secret only lets the settings load during the build.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 tennisbook \
    && mkdir -p /app/var \
    && chown -R tennisbook:tennisbook /app/var

USER tennisbook
EXPOSE 8000
ENTRYPOINT ["tini", "--"]
CMD ["python", "-m", "tennisbook.web", "-b", "0.0.0.0", "-p", "8000", "tennisbook.asgi:application"]
