"""Default settings: the embedded mode and local development (see base.py)."""

from .base import *  # noqa: F403
