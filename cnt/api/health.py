"""Liveness (/health/) and readiness (/ready/: database, cache, storage, FFmpeg)."""

import logging
import os
import shutil
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger("cnt.health")


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"ready-probe-{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_storage():
    location = getattr(default_storage, "location", None)
    if location is not None and not getattr(default_storage, "bucket_name", None):
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise RuntimeError(f"{location} is not writable")
        return
    default_storage.exists("ready-probe")


def check_ffmpeg():
    for binary in (settings.FFMPEG_BINARY, settings.FFPROBE_BINARY):
        if shutil.which(binary) is None:
            raise RuntimeError(f"{binary} not found on PATH")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "ffmpeg": check_ffmpeg,
}

StatusSerializer = inline_serializer("HealthStatus", {"status": serializers.CharField()})
ReadySerializer = inline_serializer(
    "ReadyStatus",
    {
        "status": serializers.CharField(),
        "checks": serializers.DictField(child=serializers.CharField()),
        "failing": serializers.ListField(child=serializers.CharField()),
    },
)


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["health"], responses={200: StatusSerializer}, summary="Process alive")
    def get(self, request):
        return Response({"status": "ok"})


class ReadyView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["health"],
        responses={200: ReadySerializer, 503: ReadySerializer},
        summary="Dependencies reachable",
    )
    def get(self, request):
        results, failing = {}, []
        for name, check in CHECKS.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # each failure is reported by name, never raised
                # The details (hosts, ports, paths) go to the log, not to the caller.
                logger.warning("readiness check %s failed: %s", name, exc)
                results[name] = "error"
                failing.append(name)
        body = {"status": "unavailable" if failing else "ok", "checks": results, "failing": failing}
        return Response(body, status=503 if failing else 200)
