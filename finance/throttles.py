"""Rate limit on starting donations, per user: slows card-testing through the donation
endpoint (rate: DEFAULT_THROTTLE_RATES["donations"], 30/hour when unset)."""

from django.conf import settings

from accounts.throttles import ScopedCacheThrottle

DEFAULT_RATE = "30/hour"


class DonationThrottle(ScopedCacheThrottle):
    scope = "donations"

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(
            self.scope, DEFAULT_RATE
        )

    def get_identity(self, request, view) -> str | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        return f"user:{request.user.pk}"
