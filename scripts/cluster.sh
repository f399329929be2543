#!/usr/bin/env bash
# `make cluster`: the production topology on one machine. Two web processes (uvicorn
# workers), a Celery worker per queue (media, default), beat, the machine's PostgreSQL and
# Redis (started if not running) and a local S3 (moto), all from Procfile.cluster under
# honcho, with the production settings. One Ctrl-C stops everything.
#
# Overridable: CLUSTER_PORT (8000), CLUSTER_S3_PORT (9000), CLUSTER_DB (cnt_cluster),
# CLUSTER_REDIS_DB (12), CLUSTER_PG (postgres://postgres:postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."

export CLUSTER_PORT="${CLUSTER_PORT:-8000}"
export CLUSTER_S3_PORT="${CLUSTER_S3_PORT:-9000}"
CLUSTER_DB="${CLUSTER_DB:-cnt_cluster}"
CLUSTER_REDIS_DB="${CLUSTER_REDIS_DB:-12}"
CLUSTER_PG="${CLUSTER_PG:-postgres://postgres:postgres@127.0.0.1:5432}"
export CLUSTER_VAR="${CLUSTER_VAR:-var/cluster}"
mkdir -p "$CLUSTER_VAR"

# Secrets made once per checkout and kept in var/cluster (not for a real deployment).
[ -s "$CLUSTER_VAR/secret_key" ] || .venv/bin/python -c \
  "import secrets; print(secrets.token_urlsafe(50))" > "$CLUSTER_VAR/secret_key"
[ -s "$CLUSTER_VAR/fernet_key" ] || .venv/bin/python -c \
  "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" \
  > "$CLUSTER_VAR/fernet_key"

export DJANGO_SETTINGS_MODULE=cnt.settings.production
export SECRET_KEY="$(cat "$CLUSTER_VAR/secret_key")"
export FINANCE_ENCRYPTION_KEYS="$(cat "$CLUSTER_VAR/fernet_key")"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export DATABASE_URL="$CLUSTER_PG/$CLUSTER_DB"
export REDIS_URL="redis://127.0.0.1:6379/$CLUSTER_REDIS_DB"
export CELERY_TASK_ALWAYS_EAGER=false
# Plain HTTP on loopback: no TLS redirect, cookies and HSTS as in production otherwise.
export SECURE_SSL_REDIRECT=false
export AWS_STORAGE_BUCKET_NAME="cnt-cluster"
export AWS_S3_ENDPOINT_URL="http://127.0.0.1:$CLUSTER_S3_PORT"
export AWS_S3_REGION_NAME="us-east-1"
export AWS_ACCESS_KEY_ID="cluster"
export AWS_SECRET_ACCESS_KEY="cluster"
export DB_POOL_MAX_SIZE="${DB_POOL_MAX_SIZE:-4}"
export PYTHONUNBUFFERED=1

.venv/bin/python - "$CLUSTER_PG" "$CLUSTER_DB" <<'PY'
import sys

import psycopg

server, name = sys.argv[1], sys.argv[2]
with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        connection.execute(f'CREATE DATABASE "{name}"')
        print(f"==> created database {name}")
PY
echo "==> migrating $CLUSTER_DB"
.venv/bin/python manage.py migrate --noinput -v0
echo "==> serving on http://127.0.0.1:$CLUSTER_PORT (S3 on :$CLUSTER_S3_PORT); Ctrl-C stops all"
exec .venv/bin/honcho -f Procfile.cluster start
