"""Redis cache backend: Django's own, minus two costs it adds to every call.

Django 5.2's RedisCacheClient builds a new `redis.Redis` object for every cache call (about
0.1 ms with redis-py 8, which copies its ~170 response callbacks each time), and its `incr()`
asks EXISTS, then INCRBY: two round trips. django-ratelimit calls `add()` and `incr()` for each
of its keys on every public look-up, so on a cached look-up page these are most of the time
spent in Redis (bench/lookup.py). This backend keeps one client per connection pool (redis-py
clients are thread-safe and share the pool's connections) and increments in one round trip,
with a Lua script that keeps `incr()`'s contract: ValueError when the key does not exist, and
no key created.

Selected with `CACHES["default"]["BACKEND"] = "core.cache.RedisCache"`; everything else
(OPTIONS, KEY_PREFIX, serializer, several servers) is Django's.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# Atomic "increment if it exists" (KEYS[1] by ARGV[1]); nil when the key is missing.
_INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # connection pool -> its client
        self._incr_script = None

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if self._incr_script is None:
            self._incr_script = client.register_script(_INCR_IF_EXISTS)
        value = self._incr_script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
