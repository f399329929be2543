"""Rate limit on writing tickets and replies, per user (rate: DEFAULT_THROTTLE_RATES
["support"], 10/hour when unset)."""

from cnt.api.throttles import UserWriteThrottle


class SupportThrottle(UserWriteThrottle):
    scope = "support"
    default_rate = "10/hour"
