# The image every process of docker-compose.yml runs: the runtime dependencies, FFmpeg and
# espeak-ng (demo speech), the code, collected static files. The command picks the role.
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=cnt.settings.production
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DJANGO_SETTINGS_MODULE=cnt.settings python manage.py collectstatic --noinput -v0
RUN useradd --system --uid 1000 cnt && mkdir -p /app/var && chown cnt /app/var
USER cnt
EXPOSE 8000
CMD ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--lifespan", "off", "cnt.asgi:application"]
