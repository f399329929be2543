"""Rate limit on writing tickets and replies, per user (rate: DEFAULT_THROTTLE_RATES
["support"], 10/hour when unset)."""

from django.conf import settings

from accounts.throttles import ScopedCacheThrottle

DEFAULT_RATE = "10/hour"


class SupportThrottle(ScopedCacheThrottle):
    scope = "support"

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(
            self.scope, DEFAULT_RATE
        )

    def get_identity(self, request, view) -> str | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        return f"user:{request.user.pk}"
