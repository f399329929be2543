"""The Redis cache backend, with one client per process.

Django's RedisCache builds a `redis.Redis` object on every call (get, set, incr...) and
holds its connection pool on the cache object, of which there is one per thread, and under
ASGI one per request context: a read of a cached page paid for a client, and a request
served on a fresh context for a new pool and a new TCP connection. Here every cache object
of a process with the same location and options shares one client and its pool
(redis-py's pool is thread-safe and starts afresh in a forked child), so a cache call
costs one round trip on a connection that is already open.
"""

import threading

from django.core.cache.backends import redis as django_redis
from django.utils.functional import cached_property

_clients: dict[tuple, "SharedRedisCacheClient"] = {}
_clients_lock = threading.Lock()


class SharedRedisCacheClient(django_redis.RedisCacheClient):
    """Django's client, made once per process: one `redis.Redis` per server."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._redis_clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._redis_clients.get(index)
        if client is None:
            with _clients_lock:
                client = self._redis_clients.get(index)
                if client is None:
                    pool = self._get_connection_pool(write)
                    client = self._redis_clients[index] = self._client(connection_pool=pool)
        return client


def shared_client(servers, options: dict) -> SharedRedisCacheClient:
    """The process's client for `servers` with `options` (made on first use)."""
    key = (tuple(servers), repr(sorted(options.items())))
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = SharedRedisCacheClient(servers, **options)
    return client


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache on the process's shared client."""

    @cached_property
    def _cache(self):
        return shared_client(self._servers, self._options)
