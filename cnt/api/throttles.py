"""Scoped rate limits: fixed windows counted atomically on the shared cache.

Rates are read from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] on every request (DRF's
own throttles freeze them at import), so an operator or a test can change them live.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/min' -> (10, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


class ScopedCacheThrottle(BaseThrottle):
    """Allows `n` requests per window and scope for one identity (the client IP by default)."""

    scope: str = ""
    default_rate: str | None = None  # used when settings name no rate for the scope
    timer = staticmethod(time.time)

    def get_rate(self) -> str | None:
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        if self.scope in rates:
            return rates[self.scope]
        if self.default_rate is None:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}.")
        return self.default_rate

    def get_ident(self, request) -> str:
        # Without a configured proxy count X-Forwarded-For is client-controlled: ignore it.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_identity(self, request, view) -> str | None:
        return f"ip:{self.get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        self._wait = None
        rate = self.get_rate()
        identity = self.get_identity(request, view)
        if rate is None or identity is None:
            return True
        limit, duration = parse_rate(rate)
        now = self.timer()
        window = int(now // duration)
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        key = f"throttle:{self.scope}:{digest}:{window}"
        cache.add(key, 0, timeout=duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.add(key, 1, timeout=duration + 1)
            count = 1
        if count <= limit:
            return True
        self._wait = max(1, math.ceil((window + 1) * duration - now))
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class UserWriteThrottle(ScopedCacheThrottle):
    """Counts a signed-in user's POSTs (reads and anonymous callers are not limited here)."""

    def get_identity(self, request, view) -> str | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        return f"user:{request.user.pk}"
