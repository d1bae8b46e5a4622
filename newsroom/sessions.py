"""Sessions read through the shared cache and written to the database, that keep working without the cache.

Django's ``cached_db`` engine logs a failed write when a session is saved, but with the cache down its ``load()``
reads the session from the database and then raises storing it in the cache, and a check for a new session's key
and a logout raise too: with Redis down, every editor got a 500 and nobody could log in. Here each of those uses
the database alone while the cache fails, and for a few seconds after a failure (``cache.attempt``), as
the public pages do.
"""

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from newsroom import cache


class SessionStore(cached_db.SessionStore):
    def load(self):
        data = cache.attempt("read", lambda: self._cache.get(self.cache_key))
        if data is not None:
            return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        cache.attempt(
            "written", lambda: self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        )
        return data

    def exists(self, session_key):
        cached = cache.attempt("read", lambda: self.cache_key_prefix + session_key in self._cache, fallback=False)
        return cached or DatabaseStore.exists(self, session_key)

    def save(self, must_create=False):
        DatabaseStore.save(self, must_create)
        cache.attempt("written", lambda: self._cache.set(self.cache_key, self._session, self.get_expiry_age()))

    def delete(self, session_key=None):
        DatabaseStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is not None:
            cache.attempt("written", lambda: self._cache.delete(self.cache_key_prefix + session_key))
