"""Counting attempts in the cache, to slow down guessing.

State lives in the cache (process memory, or Redis when VIGIL_REDIS_URL is set)
with a short expiry, never in the database. Keys are keyed hashes, so the cache
holds no username, receipt code or address in the clear.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from vigil.core.metrics import THROTTLED


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int  # seconds, counted from the first attempt

    def _key(self, identifier: str) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(),
            f"{self.scope}\x00{identifier}".encode(),
            hashlib.sha256,
        ).hexdigest()
        return f"throttle:{self.scope}:{digest}"

    def hit(self, identifier: str) -> int:
        """Count one attempt; returns the count so far in this window.

        Increments are atomic in both caches, so parallel attempts each see a
        different count. The caller refuses once the count passes `limit`.
        """
        key = self._key(identifier)
        cache.add(key, 0, timeout=self.window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window)
            count = 1
        if count > self.limit:
            THROTTLED.labels(self.scope).inc()  # the scope only: never who
        return count

    def reset(self, identifier: str) -> None:
        cache.delete(self._key(identifier))
