"""Whole public pages cached for anonymous readers, invalidated at once by a generation token.

``PageCacheMiddleware`` serves and stores the complete answers of anonymous GET/HEAD requests to the public
pages named in ``CACHEABLE_VIEWS`` (listings, stories, tags, feeds, sitemaps, robots.txt, the API), for
``settings.NEWSROOM_PAGE_CACHE_SECONDS`` (0 turns the page cache off). A request that carries the session
cookie or an Authorization header is never served from, nor stored into, the cache, and its answer is marked
``private``. Only plain 200 answers are stored: no Set-Cookie, not streamed, not private or no-store.

Invalidation is one token, the *generation*, that every stored page carries: a page is served only while
the token it was built under is the current one. Any change that can alter a public page (a story, its links,
images, tags, aliases, topics, outlets; see ``connect_signals`` and the explicit ``invalidate()`` calls after
bulk writes) replaces the token, so everything public is invalidated at once: simple, and exact. A page's key
names the page only (scheme, host, path, query, language; not the query's tracking parameters, which no page
reads: ``newsroom.tracking``), so the token and the page are read in one round trip to Redis, and a page built
anew replaces the stale one in place. Three races and how they are closed:

- The middleware reads the generation *before* running the view and stores the page with that one: a page
  built from data read before a change carries the replaced token, and nobody is served it.
- ``invalidate()`` replaces the token after the transaction commits (nobody else can read the new data
  before), and at once as well when the writer's own thread has read pages since (tests run in one
  transaction; see ``invalidate``).
- A story published with a future date becomes public without any write. Each generation knows the next
  scheduled publication (one indexed query, made before a view runs, so it cannot miss a story that view
  did not show); every page stored carries that moment and is not served from then on.

The token is random, never a counter: a generation key lost to eviction or a restart can never come back
with a value old pages were stored under. With Redis (any shared backend) the token lives in the cache.
Local memory is per process, and gunicorn runs several: there the token lives in a small file
(``NEWSROOM_PAGE_CACHE_GENERATION_FILE``, default in the temporary directory) that every process of the
machine reads, so a change made in one worker (or by ``import_seeds``) reaches all of them at once.

A hit costs no SQL query. Hits and misses carry the same ETag (computed once, stored with the page), so
``ConditionalGetMiddleware`` answers 304 to a matching If-None-Match either way; public answers say
``max-age=0, must-revalidate``: browsers revalidate every time and see an editor's change at once.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import math
import os
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re, patch_cache_control, set_response_etag

from newsroom.tracking import page_query

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
GENERATION_KEY = "newsroom:pages:generation"
SAFE_METHODS = ("GET", "HEAD")
# How long a value ``remember`` keeps (a replaced generation makes it unreachable sooner).
MEMO_SECONDS = 600
# How many remembered values a process keeps a copy of: a listing's ids (up to a few hundred KB), its filters'
# options; enough for the listings a day's readers cycle through, few enough for a worker's memory.
PROCESS_MEMOS = 64
# The public pages, by URL name. Search is included: it is the costliest page and popular searches (places,
# programmes) repeat; odd queries only take room until they expire, like odd API filters do.
CACHEABLE_VIEWS = frozenset(
    {
        "newsroom:home",
        "newsroom:topic-detail",
        "newsroom:tag-list",
        "newsroom:tag-detail",
        "newsroom:article-detail",
        "newsroom:search",
        "newsroom:feed-rss",
        "newsroom:feed-atom",
        "newsroom:topic-rss",
        "newsroom:topic-atom",
        "feed-all-rss",
        "feed-all-atom",
        "topic-all-rss",
        "topic-all-atom",
        "sitemap",
        "sitemap-news",
        "sitemap-section",
        "robots-txt",
        "api:index",
        "api:article-list",
        "api:article-detail",
        "api:topic-list",
        "api:tag-list",
        "api:outlet-list",
        "api:openapi-document",
    }
)
# A stored page is keyed by the language LocaleMiddleware chose (the URL's, or for unprefixed URLs the
# cookie's or Accept-Language's) and is sent to anonymous readers only: varying on these is covered.
COVERED_VARY = frozenset({"accept-language", "cookie"})
PUBLIC_CACHE_CONTROL = {"max_age": 0, "must_revalidate": True}

_state = threading.local()


def page_cache_seconds() -> int:
    return int(getattr(settings, "NEWSROOM_PAGE_CACHE_SECONDS", 0) or 0)


def _cache():
    return caches[CACHE_ALIAS]


# When the shared cache fails (Redis down, restarting, out of reach), pages are built from the database alone, as
# with the cache off: nothing is read from it or kept in it. After a failure this process leaves it alone for
# ``UNAVAILABLE_SECONDS`` (logging the failure once), so that a Redis that does not answer, each call waiting for
# its timeout, costs one call every few seconds instead of a few a request. An invalidation is attempted even then,
# unless one this process owes is still waiting for the pause to end: the replacement it owes covers both changes.
#
# An invalidation owed is also recorded in the database (``PendingInvalidation``), and every process that uses the
# cache looks there every ``NEWSROOM_PENDING_CHECK_SECONDS`` (and as soon as the cache answers again after a failure
# of its own) and makes the invalidations it finds. So pages stored before a change are not served for long when the
# process that made the change cannot reach Redis while others can (an instance cut off from it), nor when it exits
# first (a command), and nobody has to run ``invalidate_cache``.
UNAVAILABLE_SECONDS = 5.0
_unavailable_until = 0.0  # time.monotonic() until which the shared cache is left alone
_bump_owed = False  # an invalidation of this process's did not reach the shared cache
_owed_recorded = False  # ... and it is recorded in the database, for another process to make
_next_pending_check = 0.0  # time.monotonic() from which this process looks for recorded invalidations again


def cache_available() -> bool:
    """Whether this process uses the shared cache now: no failure of it in the last ``UNAVAILABLE_SECONDS``, and
    the generation replaced if an invalidation could not do it then."""
    if time.monotonic() < _unavailable_until:
        return False
    if _bump_owed:
        _bump()
    if not _bump_owed and time.monotonic() >= _next_pending_check:
        _make_pending()
    return not _bump_owed


def attempt(what: str, operation, fallback=None):
    """``operation()`` on the shared cache; ``fallback`` while it is unavailable, or when it fails (``unavailable``:
    ``what`` could not be done)."""
    if not cache_available():
        return fallback
    try:
        return operation()
    except Exception:
        unavailable(what)
        return fallback


def forget_failures() -> None:
    """Forget this process's failures of the shared cache and any invalidation owed to it: for the tests' fixtures,
    which give each test a cache of its own."""
    global _unavailable_until, _bump_owed, _owed_recorded, _next_pending_check
    _unavailable_until, _bump_owed, _owed_recorded, _next_pending_check = 0.0, False, False, 0.0


def unavailable(what: str) -> None:
    """The shared cache failed (called inside an ``except``): left alone for a while, the failure logged."""
    global _unavailable_until, _next_pending_check  # one moment for the whole process: shared by all its threads
    _unavailable_until = time.monotonic() + UNAVAILABLE_SECONDS
    _next_pending_check = 0.0  # once the cache answers again, what others could not invalidate meanwhile
    logger.exception("The shared cache could not be %s; left alone for %s s", what, UNAVAILABLE_SECONDS)


# The generation ---------------------------------------------------------------------------------------------


def _generation_file() -> Path:
    configured = getattr(settings, "NEWSROOM_PAGE_CACHE_GENERATION_FILE", "")
    if configured:
        return Path(configured)
    site = hashlib.sha256(f"{settings.BASE_DIR}|{_cache().key_prefix}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsroom-{site}.page-generation"


def _in_file(cache) -> bool:
    """Whether the generation lives in a file: the cache is this process's own memory."""
    return isinstance(cache, LocMemCache)


def _write_generation_file(path: Path, token: str) -> None:
    """Overwrite the token in place. A reader catching the write halfway reads a mix of old and new: a value
    nobody else uses, which only costs misses. Owner-only: a process that may not read it caches nothing
    (it cannot tell when the site changes), rather than one that may read it but not write it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.pwrite(descriptor, token.encode("ascii"), 0)
    finally:
        os.close(descriptor)


def current_generation(stored: str | None = None) -> str:
    """The token of the current state of the site, which every stored page carries (and whatever else is
    remembered of public data: see ``read_generation``); created when missing. ``stored``: the token as just
    read from the shared cache along with something else (a page, in the same round trip)."""
    cache = _cache()
    if _in_file(cache):
        path = _generation_file()
        try:
            token = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            token = ""  # none yet, made below: an empty value, not a password  # nosec B105
        if not token:
            token = secrets.token_hex(16)
            _write_generation_file(path, token)
        return token
    token = stored if stored is not None else cache.get(GENERATION_KEY)
    if token is None:
        token = secrets.token_hex(16)
        if not cache.add(GENERATION_KEY, token, timeout=None):
            token = cache.get(GENERATION_KEY) or token
    return token


def read_generation(stored: str | None = None) -> str:
    """The generation, for a reader about to remember what it reads under it (a page, the tags' spellings in
    ``search``): an invalidation by this thread inside a transaction then replaces it at once. ``stored``: as
    for ``current_generation``.

    Within a request it is read once (a page asks for it for each thing it remembers: its topics, tags,
    list, the filters' options), so a page is built from one state of the site and pays one round trip to
    Redis; this thread's own invalidation replaces it, and the next request reads it anew."""
    _state.read_since_bump = True
    token = getattr(_state, "request_generation", None)
    if token is None:
        token = current_generation(stored)
        if getattr(_state, "in_request", False):
            _state.request_generation = token
    return token


def _request_started(sender, **kwargs) -> None:
    _state.in_request = True
    _state.request_generation = None


def _request_finished(sender, **kwargs) -> None:
    _state.in_request = False
    _state.request_generation = None


def _replace_generation() -> None:
    cache = _cache()
    token = secrets.token_hex(16)
    if _in_file(cache):
        _write_generation_file(_generation_file(), token)
    else:
        cache.set(GENERATION_KEY, token, timeout=None)


def _bump() -> None:
    """Replace the generation: every page stored so far becomes unreachable."""
    global _bump_owed, _owed_recorded
    _state.read_since_bump = False
    _state.request_generation = None
    _memos.clear()
    # While an invalidation is owed and the pause lasts (an import's every file while Redis is down), Redis is not
    # tried again: one failure (and timeout) each pause, not each file. The change is recorded all the same, as
    # another process may have made the recorded invalidation since.
    if not (_bump_owed and time.monotonic() < _unavailable_until):
        try:
            _replace_generation()
        except Exception:
            unavailable("invalidated")
        else:
            _bump_owed = _owed_recorded = False
            return
    # The change itself is saved. This process serves no page from the cache until it has replaced the generation
    # (``cache_available``), and tries again before it exits (``settle``); any other process that reaches the cache
    # makes the invalidation recorded here within NEWSROOM_PENDING_CHECK_SECONDS.
    _bump_owed = True
    _owed_recorded = _record_pending()


def _record_pending() -> bool:
    """Record an invalidation owed in the database (in a savepoint of its own when inside a transaction, which
    commits it along with the change); whether it could be."""
    from newsroom.models import PendingInvalidation

    try:
        with _apart():
            PendingInvalidation.objects.create()
    except DatabaseError:
        logger.exception("The invalidation owed could not be recorded in the database either")
        return False
    return True


def owed_recorded() -> bool:
    """Whether this process owes an invalidation that another process will make: recorded in the database, where
    processes look (``NEWSROOM_PENDING_CHECK_SECONDS`` not 0)."""
    return _bump_owed and _owed_recorded and pending_check_seconds() > 0


def _apart():
    """Inside a transaction, a savepoint, so that a failure of what runs in it (a database not yet migrated) does
    not break the caller's transaction; outside one, nothing (each statement commits on its own)."""
    return transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()


def pending_check_seconds() -> int:
    return int(getattr(settings, "NEWSROOM_PENDING_CHECK_SECONDS", 0) or 0)


def _make_pending() -> None:
    """Make the invalidations processes recorded as they could not (``_record_pending``), if any: one query, made at
    most every ``NEWSROOM_PENDING_CHECK_SECONDS`` (0: never); then one replacement of the generation covers them all,
    and they are deleted."""
    global _next_pending_check
    seconds = pending_check_seconds()
    if seconds <= 0:
        return
    _next_pending_check = time.monotonic() + seconds
    from newsroom.models import PendingInvalidation

    try:
        with _apart():
            latest = PendingInvalidation.objects.aggregate(latest=Max("pk"))["latest"]
    except DatabaseError:
        logger.exception("The invalidations owed could not be read from the database")
        return
    if latest is None:
        return
    _bump()
    if not _bump_owed:
        try:
            with _apart():
                PendingInvalidation.objects.filter(pk__lte=latest).delete()
        except DatabaseError:
            logger.exception("The invalidations made could not be deleted from the database")  # made again: harmless


SETTLE_ATTEMPTS = 3  # a second apart: a Redis restarting answers again within that


def settle(attempts: int = SETTLE_ATTEMPTS) -> bool:
    """Make the invalidation this process owes, if any, trying ``attempts`` times a second apart; whether none is
    owed now. A worker makes it before its next use of the cache; a command (an import) has no next request, so
    it does this when it exits (``_settle_at_exit``)."""
    global _bump_owed, _owed_recorded
    for attempt_number in range(attempts):
        if not _bump_owed:
            break
        if attempt_number:
            time.sleep(1)
        try:
            _replace_generation()
        except Exception:  # noqa: S110 - each failure was logged when the invalidation was first owed  # nosec B110
            pass
        else:
            _bump_owed = _owed_recorded = False
    return not _bump_owed


def _settle_at_exit() -> None:
    if settle():
        return
    if owed_recorded():
        logger.error(
            "The public pages were not invalidated: the shared cache did not answer. The invalidation is recorded "
            "in the database: the first process that reaches the cache makes it, within %s s of reaching it.",
            pending_check_seconds(),
        )
    else:
        logger.error(
            "The public pages were not invalidated: the shared cache did not answer. Pages stored before this "
            "process's changes may be served for %s s more; run `manage.py invalidate_cache` once it answers.",
            page_cache_seconds(),
        )


atexit.register(_settle_at_exit)


def _bump_after_commit() -> None:
    _bump()


def invalidate() -> None:
    """Every public page may have changed: none stored so far will be served again.

    Replaces the generation once the current transaction commits (at once outside one): before that nobody
    else can read the new data, and a page built from the old data under the old generation is unreachable
    afterwards. Inside the transaction it is also replaced at once when this thread has read the generation
    since its last replacement: the only reader that sees uncommitted data is the writer itself (a test, a
    writer reading its own pages). So a transaction that saves a story, its links and its images replaces the
    generation once, not once per row, and an import of many files once per file.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump()
        return
    # Django keeps (savepoint ids, callback, robust) per pending callback, and drops those of a savepoint
    # rolled back: a registration that did not survive is made again.
    if not any(entry[1] is _bump_after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_bump_after_commit)
    if getattr(_state, "read_since_bump", True):
        _bump()


def next_publication(generation: str) -> float:
    """When the next story scheduled for later goes public (a POSIX time; infinity when none is), as known to
    this generation; asked of the database when not known or already past."""
    from newsroom.models import Article

    cache = _cache()
    key = f"newsroom:pages:next-publication:{generation}"
    now = timezone.now()
    known = cache.get(key)
    if known is not None and known > now.timestamp():
        return known
    # The complement of ``published()``'s date rule among published stories; served by the index on
    # (status, -published_at).
    moment = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    until = moment.timestamp() if moment else math.inf
    cache.set(key, until, timeout=max(page_cache_seconds(), MEMO_SECONDS))
    return until


class _ProcessMemos:
    """The values ``remember`` returned lately, kept in this process as well, by their key (which names the
    generation): a page reads them without a round trip to the shared cache and without unpickling them (a
    listing's ids are tens of thousands of numbers). The least recently used go first; a replaced generation
    empties it."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[str, tuple[object, float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[object, float] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if time.monotonic() >= entry[2]:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry[0], entry[1]

    def put(self, key: str, value: object, until: float) -> None:
        with self.lock:
            self.entries[key] = (value, until, time.monotonic() + MEMO_SECONDS)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_memos = _ProcessMemos(PROCESS_MEMOS)


def forget_process_memos() -> None:
    """Empty this process's copies of remembered values: for a cache cleared behind the generation's back
    (the tests' fixtures)."""
    _memos.clear()


def remember(name: str, compute):
    """``compute()``, a value read from public data (a listing's story ids), remembered under ``name`` until
    that data changes: kept for this generation, and not past the moment the next scheduled story goes public.
    Whether or not pages are cached. The value is shared by every caller in the process: never change it.
    Computed every time while the shared cache is unavailable (``cache_available``)."""
    if not cache_available():
        return compute()
    try:
        generation = read_generation()
        key = f"newsroom:memo:{generation}:" + hashlib.sha256(name.encode()).hexdigest()
        entry = _memos.get(key)
        if entry is None:
            entry = _cache().get(key)
            if entry is not None:
                _memos.put(key, *entry)
    except Exception:
        unavailable("read")
        return compute()
    if entry is not None and timezone.now().timestamp() < entry[1]:
        return entry[0]
    value = compute()
    try:
        until = next_publication(generation)
        _cache().set(key, (value, until), timeout=MEMO_SECONDS)
    except Exception:
        unavailable("written")
        return value
    _memos.put(key, value, until)
    return value


# Signals ------------------------------------------------------------------------------------------------------


def _changed(sender, **kwargs) -> None:
    invalidate()


def _links_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        invalidate()


def connect_signals() -> None:
    """Invalidate on every save or deletion of what public pages show. (Topic keywords are not shown: they
    only steer the classifier.) Mark where requests begin and end: the generation is read once in each."""
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from newsroom.models import Article, ArticleImage, Outlet, Tag, TagAlias, Topic

    for model in (Article, ArticleImage, Tag, TagAlias, Topic, Outlet):
        post_save.connect(_changed, sender=model, dispatch_uid=f"page-cache-saved-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"page-cache-deleted-{model.__name__}")
    for relation in (Article.tags, Article.topics, Article.related):
        m2m_changed.connect(_links_changed, sender=relation.through, dispatch_uid=f"page-cache-{relation.field.name}")
    request_started.connect(_request_started, dispatch_uid="page-cache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="page-cache-request-finished")


# The middleware -------------------------------------------------------------------------------------------------


def _public_view(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name in CACHEABLE_VIEWS


def _personal(request: HttpRequest) -> bool:
    """A request from someone who may be logged in: their pages are their own."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "authorization" in request.headers


def page_key(request: HttpRequest) -> str:
    """The key of a page: scheme, host, path, query (``page_query``: without tracking parameters) and language;
    GET and HEAD share it. The page stored there carries the generation it was built under, and is served only
    while that is the current one."""
    variant = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.path,
            page_query(request).urlencode(),
            translation.get_language() or "",
        ]
    )
    return "newsroom:pages:page:" + hashlib.sha256(variant.encode()).hexdigest()


def storable(response: HttpResponse) -> bool:
    """A plain 200 that says nothing about anyone: no cookie set, not streamed, not private."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    directives = cc_delim_re.split(response.get("Cache-Control", ""))
    cache_control = {part.split("=")[0].strip().lower() for part in directives}
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    vary = {header.strip().lower() for header in cc_delim_re.split(response.get("Vary", "")) if header.strip()}
    return vary <= COVERED_VARY


def _public(response: HttpResponse) -> HttpResponse:
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
    return response


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, **PUBLIC_CACHE_CONTROL)
    return response


class PageCacheMiddleware:
    """Serve and store anonymous public pages (see the module docstring). Placed after LocaleMiddleware (the key
    includes the language it chose) and inside ConditionalGetMiddleware (which answers 304 from the ETag)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS or not _public_view(request):
            return self.get_response(request)
        if _personal(request):
            return _private(self.get_response(request))
        seconds = page_cache_seconds()
        if seconds <= 0 or not cache_available():
            return _public(self.get_response(request))
        request.get_host()  # a disallowed Host is a 400 from Django, not a cache problem to log
        cache = _cache()
        key = page_key(request)
        try:
            if _in_file(cache):
                generation, entry = read_generation(), cache.get(key)
            else:  # the generation and the page in one round trip
                found = cache.get_many([GENERATION_KEY, key])
                generation, entry = read_generation(found.get(GENERATION_KEY)), found.get(key)
        except Exception:
            unavailable("read")
            return _public(self.get_response(request))
        if entry is not None:
            built_under, until, status, headers, content = entry
            if built_under == generation and timezone.now().timestamp() < until:
                response = HttpResponse(content, status=status, headers=dict(headers))
                response["X-Cache"] = "hit"
                return response
        try:
            until = next_publication(generation)
        except Exception:
            unavailable("read")
            return _public(self.get_response(request))
        response = self.get_response(request)
        if request.method == "GET" and storable(response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            _public(response)
            try:
                entry = (generation, until, response.status_code, list(response.items()), response.content)
                cache.set(key, entry, seconds)
            except Exception:
                unavailable("written")
        else:
            _public(response)
        response["X-Cache"] = "miss"
        return response
