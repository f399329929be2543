"""Rate limit on starting donations, per user: slows card-testing through the donation
endpoint (rate: DEFAULT_THROTTLE_RATES["donations"], 30/hour when unset)."""

from cnt.api.throttles import UserWriteThrottle


class DonationThrottle(UserWriteThrottle):
    scope = "donations"
    default_rate = "30/hour"
