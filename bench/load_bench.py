"""Load benchmark: 64 connections for 60 s on the public pages and the API, alone and during an import.

The "Load" requirement: 60 s at 64 concurrent connections on gunicorn against
the public pages and the API, on a database of 10,000 stories: 0 errors, 0 5xx,
p99 reported; the same while an import of 1,000 files runs.

On a fresh database, migrated and given N stories (default 10,000; the
generator of bench/corpus.py) and their search index, each in a child process
as bench/serve_bench.py does:

1. paths: the URL mix, built in a child process with ``reverse()`` and the
   database (the test client: each listing's count of stories tells its pages):
   the home page and page 1 of each topic in every content language; each
   topic's pages 2, 50, middle and last, and the tag pages (list, the most
   used tags and random others, page 2 of the top ones) in two or three
   languages; article pages of 400 different stories in each language they
   exist in, and 50 of them in English where they lack it (the original,
   labelled); searches in six scripts; RSS and Atom feeds; the sitemap index,
   every section and the news sitemap; the API index, lists (pages, filters,
   search) and 100 article details. Shuffled with a fixed seed;
2. serve: gunicorn exactly as serve_bench runs it (``serve_bench.gunicorn``:
   config/gunicorn.conf.py, 2 workers, DEBUG off, static files collected,
   access log off, errors to a log file), with the page cache ON at its
   default lifetime (``NEWSROOM_PAGE_CACHE_SECONDS`` unset: 600 s) and, as in
   production without ``REDIS_URL``, in each worker's memory with the
   generation file shared by the workers and the import (``--redis-url`` uses
   Redis instead, ``--uncached`` turns the page cache off). Every URL of the mix
   is fetched once first and must answer 200 (a check of the list, and a warm-up).
   Django's memory cache keeps 300 entries per process unless told otherwise
   (``MAX_ENTRIES``): a mix cycled through that is larger than that gets few
   hits from it, which the "cache hits" column shows;
3. load: ``wrk -t2 -c64 -d<seconds>s --timeout 10s --latency`` (an answer
   later than 10 s is a timeout error) with a Lua script (written to the work
   folder) that cycles through the mix, each thread from its own offset, and
   counts the answers by status class and by ``X-Cache``. Run 1: the load
   alone, on its own server. Run 2: the same on a new server while
   ``manage.py import_seeds <dir> --json`` (``import_bench.import_phase``)
   imports 1,000 generated raw files (``import_bench.write_corpus``: about 1%
   bad, one a 2,000,000-character line) as drafts, started 5 s into the load,
   in its own process with the server's settings; each file's commit
   invalidates the page cache, as any change does.

It prints one table (requests, requests per second, p50, p99, socket errors,
5xx, non-2xx/3xx answers), the import's wall time and result, the server
errors logged, and the targets: 0 errors and 0 5xx in each run. Exit status 0
whether or not targets are met; 1 when a phase crashed, a URL of the mix did
not answer 200 before the load, a 4xx came during it (the mix is wrong), or the
counts are wrong (stories, search documents, files imported).

Run (SQLite in a temporary folder):
    .venv/bin/python bench/load_bench.py [--stories N] [--files N] [--seconds S] [--uncached] [--keep]
PostgreSQL (the database is created, and dropped afterwards unless --keep):
    .venv/bin/python bench/load_bench.py --database-url postgres://postgres@127.0.0.1:5432/newsroom_load_bench
"""

import argparse
import html
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from corpus import TOPICS, child_generate
from import_bench import (
    COUNT_QUERY,
    BenchError,
    Corpus,
    at_least_ten,
    database,
    import_phase,
    in_workdir,
    manage,
    write_corpus,
)
from import_bench import Phase as ImportPhase
from search_bench import Phase, child_index, run_child, run_phase, verdict
from serve_bench import (
    FORWARDED_PROTO,
    SOCKET_ERRORS,
    WORKERS,
    WRK_THREADS,
    WRK_TIMEOUT,
    Load,
    ensure_wrk,
    flush_redis,
    gunicorn,
    http_status,
    listing_pages,
    parse_wrk,
    site_env,
)

SEED = 20251126
CONNECTIONS = 64
IMPORT_DELAY_SECONDS = 5
CHECK_THREADS = 4
CHECK_SHOWN = 10
ARTICLES = 400
ARTICLES_IN_ENGLISH = 50
API_DETAILS = 100
DEEP_PAGE = 50
SEARCHES = ("bac ninh", "Bắc Ninh", "OCOP", "khuyến công", "バクニン省", "निन्ह", "北宁省", "박닌성", "Бакнинь")
SEARCH_LANGUAGES = ("en", "vi")
KINDS = ("home", "topic", "tag", "article", "search", "feed", "sitemap", "api list", "api detail")
RUN_ALONE = "load alone"
RUN_IMPORT = "load + import"
STATUS_LINE = re.compile(
    r"^load_bench statuses: 2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+) other=(\d+) hit=(\d+) miss=(\d+)$", re.MULTILINE
)
STATUS_KEYS = ("2xx", "3xx", "4xx", "5xx", "other", "hit", "miss")
# What Django (django.request) and gunicorn log about failed requests, at the root logger's WARNING level.
LOGGED_FAILURE = re.compile(r"^(Internal Server Error|Not Found|Bad Request|Forbidden[^:]*): (\S+)", re.MULTILINE)
EXCEPTION_LINE = re.compile(r"^([\w.]+(?:Error|Exception|Locked|Timeout)\w*): (.*)$", re.MULTILINE)
SITEMAP_LOCATION = re.compile(r"<loc>([^<]+)</loc>")
WORKER_TIMEOUT = re.compile(r"WORKER TIMEOUT", re.MULTILINE)


# -- the child processes: each phase after django.setup() on the bench database ---------------------------


def child_paths() -> dict:
    """The URL mix, as ``[kind, path]`` pairs in a fixed shuffled order."""
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import iri_to_uri

    from newsroom.languages import content_languages
    from newsroom.models import Article, Tag

    setup_test_environment()  # the test client's host ("testserver") allowed
    rng = random.Random(SEED)
    client = Client()
    languages = content_languages()
    listing_languages = [language for language in ("en", "vi", "ja") if language in languages] or languages[:1]
    paths: list[tuple[str, str]] = []

    def add(kind: str, path: str, query: dict | None = None) -> None:
        paths.append((kind, iri_to_uri(f"{path}?{urlencode(query)}" if query else path)))

    def pages(path: str) -> int:
        return listing_pages(client.get(path, secure=True))

    def in_language(language: str, name: str, **kwargs) -> str:
        with translation.override(language):
            return reverse(name, kwargs=kwargs or None)

    for language in languages:
        add("home", in_language(language, "newsroom:home"))
        for topic in TOPICS:
            add("topic", in_language(language, "newsroom:topic-detail", slug=topic))
    deepest = 0
    for language in listing_languages[:2]:
        for topic in TOPICS:
            path = in_language(language, "newsroom:topic-detail", slug=topic)
            last = pages(path)
            deepest = max(deepest, last)
            for page in sorted({min(2, last), min(DEEP_PAGE, last), max(1, last // 2), last} - {1}):
                add("topic", path, {"page": page})

    used = list(
        Tag.objects.annotate(stories=Count("articles", filter=Q(articles__in=Article.objects.published())))
        .filter(stories__gt=0)
        .order_by("-stories", "slug")
        .values_list("slug", "kind")
    )
    tags = [slug for slug, _ in used]
    # The API filters places with ``place`` and other tags with ``tag`` (another value is a 400).
    by_kind = {"place" if kind == Tag.Kind.PLACE else "tag": slug for slug, kind in reversed(used)}
    chosen_tags = tags[:8] + rng.sample(tags[8:], min(8, len(tags[8:])))
    for language in listing_languages:
        add("tag", in_language(language, "newsroom:tag-list"))
        for slug in chosen_tags:
            add("tag", in_language(language, "newsroom:tag-detail", slug=slug))
    for slug in tags[:3]:
        path = in_language(listing_languages[0], "newsroom:tag-detail", slug=slug)
        if pages(path) > 1:
            add("tag", path, {"page": 2})

    published = list(Article.objects.published().values_list("pk", flat=True))
    stories = Article.objects.filter(pk__in=rng.sample(published, min(ARTICLES, len(published))))
    for story in stories.order_by("pk"):
        for language in story.languages():
            add("article", story.get_absolute_url(language))
    lacking_english = [story for story in stories.order_by("pk") if "en" not in story.languages()]
    for story in lacking_english[:ARTICLES_IN_ENGLISH]:
        add("article", story.get_absolute_url("en"))

    for language in SEARCH_LANGUAGES:
        for query in SEARCHES:
            add("search", in_language(language, "newsroom:search"), {"q": query})
    search = in_language("en", "newsroom:search")
    if pages(f"{search}?{urlencode({'q': SEARCHES[0]})}") > 1:
        add("search", search, {"q": SEARCHES[0], "page": 2})

    for language in listing_languages:
        add("feed", in_language(language, "newsroom:feed-rss"))
        add("feed", in_language(language, "newsroom:feed-atom"))
    for topic in TOPICS:
        add("feed", in_language("en", "newsroom:topic-rss", slug=topic))
        add("feed", reverse("topic-all-rss", kwargs={"slug": topic}))
    add("feed", reverse("feed-all-rss"))
    add("feed", reverse("feed-all-atom"))

    add("sitemap", reverse("robots-txt"))
    add("sitemap", reverse("sitemap-news"))
    index = reverse("sitemap")
    add("sitemap", index)
    # Every page of every section, as the index lists them (the stories' section has several).
    listed = client.get(index, secure=True)
    if listed.status_code != 200:
        raise BenchError(f"{index} answered HTTP {listed.status_code} to the test client")
    for location in SITEMAP_LOCATION.findall(listed.content.decode()):
        add("sitemap", html.unescape(urlsplit(location)._replace(scheme="", netloc="").geturl()))

    articles = reverse("api:article-list")
    api_pages = client.get(articles, secure=True).json()["pages"]
    for query in (
        None,
        {"page": min(2, api_pages)},
        {"page": min(DEEP_PAGE, api_pages)},
        {"lang": "en"},
        {"lang": "vi", "translated": "true"},
        {"topic": TOPICS[1]},
        *({name: slug} for name, slug in sorted(by_kind.items())),
        {"q": "bac ninh"},
        {"language": "ja"},
    ):
        add("api list", articles, query)
    for name in ("api:index", "api:topic-list", "api:tag-list", "api:outlet-list"):
        add("api list", reverse(name))
    details = Article.objects.filter(pk__in=rng.sample(published, min(API_DETAILS, len(published))))
    for number, story in enumerate(details.order_by("pk")):
        # Every story whole, or one of its versions (``lang`` must be one it has: another answers 404).
        query = {"lang": story.languages()[-1]} if number % 3 == 0 else None
        add("api detail", reverse("api:article-detail", kwargs={"pk": story.pk}), query)

    rng.shuffle(paths)
    not_ascii = [path for _, path in paths if not path.isascii()]
    if not_ascii:
        raise BenchError(f"URLs not percent-encoded: {not_ascii[:3]}")
    return {"paths": paths, "published": len(published), "deepest_topic_page": deepest}


# -- the load generator ---------------------------------------------------------------------------------------

# wrk runs one Lua state per thread: each walks the whole list from its own offset and counts the answers by
# status class; done() (in the main state) adds the threads' counts up. Responses cannot be matched to their
# requests in wrk, so the failing URLs are read from the server's log instead.
LUA = """\
local paths = {%(paths)s}
local headers = {[%(header)s] = %(value)s}
local threads = {}
local started = 0

function setup(thread)
  thread:set("offset", math.floor(started * #paths / %(threads)d))
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  cursor = offset
  s2, s3, s4, s5, other, hit, miss = 0, 0, 0, 0, 0, 0, 0
end

function request()
  cursor = cursor %% #paths + 1
  return wrk.format("GET", paths[cursor], headers)
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  elseif status >= 200 then s2 = s2 + 1
  else other = other + 1 end
  local cached = headers["X-Cache"]
  if cached == "hit" then hit = hit + 1 elseif cached == "miss" then miss = miss + 1 end
end

function done(summary, latency, requests)
  local t = {s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0, hit = 0, miss = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + (thread:get(name) or 0) end
  end
  io.write(string.format("load_bench statuses: 2xx=%%d 3xx=%%d 4xx=%%d 5xx=%%d other=%%d hit=%%d miss=%%d\\n",
    t.s2, t.s3, t.s4, t.s5, t.other, t.hit, t.miss))
end
"""


def lua_string(text: str) -> str:
    """A Lua string literal of an ASCII string (JSON's escapes of ASCII text are Lua's too)."""
    if not text.isascii():
        raise BenchError(f"not ASCII: {text!r}")
    return json.dumps(text)


def write_lua(path: Path, paths: list[str]) -> Path:
    header, value = FORWARDED_PROTO
    path.write_text(
        LUA
        % {
            "paths": ",\n  ".join(lua_string(item) for item in paths),
            "header": lua_string(header),
            "value": lua_string(value),
            "threads": WRK_THREADS,
        }
    )
    return path


def wrk_command(wrk: str, script: Path, base_url: str, seconds: int) -> list[str]:
    return [
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        WRK_TIMEOUT,
        "--latency",
        "-s",
        str(script),
        f"{base_url}/",
    ]


def timed_status(base_url: str, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = http_status(base_url, path)
    return status, (time.perf_counter() - started) * 1000


def check_paths(base_url: str, mix: list[tuple[str, str]]) -> tuple[list[str], dict[str, list[float]]]:
    """Each URL once, a few at a time: those not answering 200, and the milliseconds each took, by kind."""
    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        answers = list(pool.map(lambda item: timed_status(base_url, item[1]), mix))
    timings: dict[str, list[float]] = {}
    for (kind, _), (_, milliseconds) in zip(mix, answers, strict=True):
        timings.setdefault(kind, []).append(milliseconds)
    failures = [(path, status) for (_, path), (status, _) in zip(mix, answers, strict=True) if status != 200]
    shown = [f"GET {path} answered HTTP {status}" for path, status in failures[:CHECK_SHOWN]]
    more = [f"… and {len(failures) - CHECK_SHOWN:,} more URLs"] if len(failures) > CHECK_SHOWN else []
    return shown + more, timings


# -- one run -------------------------------------------------------------------------------------------------


@dataclass
class LoadRun:
    name: str
    load: Load | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    worker_peaks: dict[int, float] = field(default_factory=dict)
    first_fetch: dict[str, list[float]] = field(default_factory=dict)
    socket_breakdown: dict[str, int] = field(default_factory=dict)
    logged: Counter = field(default_factory=Counter)
    failing_paths: Counter = field(default_factory=Counter)
    exceptions: Counter = field(default_factory=Counter)
    worker_timeouts: int = 0
    imported: ImportPhase | None = None
    import_window: tuple[float, float] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return self.statuses.get("5xx", 0)

    @property
    def socket_errors(self) -> int:
        return self.load.socket_errors if self.load else 0

    @property
    def hit_share(self) -> float:
        cached = self.statuses.get("hit", 0) + self.statuses.get("miss", 0)
        return self.statuses.get("hit", 0) / cached if cached else 0.0


def read_server_log(run: LoadRun, log: Path) -> None:
    """The failed requests, exceptions and worker timeouts the server logged."""
    text = log.read_text(errors="replace")
    for what, path in LOGGED_FAILURE.findall(text):
        run.logged[what] += 1
        run.failing_paths[f"{what}: {path}"] += 1
    for kind, message in EXCEPTION_LINE.findall(text):
        run.exceptions[f"{kind}: {message[:160]}"] += 1
    run.worker_timeouts = len(WORKER_TIMEOUT.findall(text))


def load_run(
    name: str,
    env: dict[str, str],
    mix: list[tuple[str, str]],
    wrk: str,
    script: Path,
    seconds: int,
    logs: Path,
    corpus: Corpus | None = None,
) -> LoadRun:
    """A new gunicorn, every URL checked, then wrk for ``seconds``; with ``corpus``, imported meanwhile."""
    run = LoadRun(name)
    log = logs / ("gunicorn_" + re.sub(r"\W+", "_", name) + ".log")
    print(f"... {name}: starting gunicorn", flush=True)
    with gunicorn(env, log) as (base_url, memory):
        print(f"... {name}: checking the {len(mix):,} URLs", flush=True)
        failures, run.first_fetch = check_paths(base_url, mix)
        run.problems += [f"{name}: {failure}" for failure in failures]
        print(f"... {name}: wrk, {CONNECTIONS} connections for {seconds} s", flush=True)
        started = time.monotonic()
        with subprocess.Popen(
            wrk_command(wrk, script, base_url, seconds), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as load:
            if corpus is not None:
                time.sleep(IMPORT_DELAY_SECONDS)
                began = time.monotonic() - started
                run.imported = import_phase("import during the load", corpus.folder, corpus.files, env, logs)
                run.import_window = (began, time.monotonic() - started)
            output, errors = load.communicate()
        memory.stop()
        run.worker_peaks = dict(memory.peaks)
    if load.returncode:
        raise BenchError(f"{name}: wrk failed with exit status {load.returncode}:\n{errors}{output}")
    (logs / f"wrk_{log.stem.removeprefix('gunicorn_')}.txt").write_text(output + errors)
    run.load = parse_wrk(output)
    if socket_errors := SOCKET_ERRORS.search(output):
        counts = map(int, socket_errors.groups())
        run.socket_breakdown = dict(zip(("connect", "read", "write", "timeout"), counts, strict=True))
    statuses = STATUS_LINE.search(output)
    if statuses is None:
        raise BenchError(f"{name}: the wrk script printed no status counts:\n{output}")
    run.statuses = dict(zip(STATUS_KEYS, map(int, statuses.groups()), strict=True))
    read_server_log(run, log)
    if run.statuses["4xx"]:
        run.problems.append(f"{name}: {run.statuses['4xx']:,} 4xx answers (a URL of the mix is wrong?)")
    counted = sum(run.statuses[key] for key in ("2xx", "3xx", "4xx", "5xx", "other"))
    if counted < run.load.requests:
        run.problems.append(f"{name}: {counted:,} answers counted by status, wrk counted {run.load.requests:,}")
    return run


# -- the report ----------------------------------------------------------------------------------------------


def print_table(runs: list[LoadRun]) -> None:
    print(
        f"\n{'run':<16}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'5xx':>6}{'non-2xx':>9}"
        f"{'cache hits':>12}{'worker MB':>11}"
    )
    for run in runs:
        load = run.load
        peak = max(run.worker_peaks.values(), default=0.0)
        print(
            f"{run.name:<16}{load.requests:>10,}{load.rps:>9,.1f}{load.p50_ms:>9.1f}{load.p99_ms:>9.1f}"
            f"{load.socket_errors:>8,}{run.server_errors:>6,}{load.non_2xx:>9,}{run.hit_share:>12.0%}{peak:>11.1f}"
        )
    print(
        "errors: wrk's socket errors (connect, read, write, timeout); 5xx: counted by the wrk script; non-2xx: wrk's "
        "non-2xx/3xx answers; cache hits: share of X-Cache: hit among the cacheable answers; worker MB: peak RSS"
    )
    for run in runs:
        if run.socket_errors:
            kinds = ", ".join(f"{count:,} {kind}" for kind, count in run.socket_breakdown.items() if count)
            timeout = f" (no answer within {WRK_TIMEOUT})" if run.socket_breakdown.get("timeout") else ""
            print(f"Socket errors, {run.name}: {kinds}{timeout}")


def print_first_fetch(runs: list[LoadRun]) -> None:
    """What one request of each kind costs, from the check before each load (mostly cache misses)."""
    print(f"\nEach URL fetched once before the load ({CHECK_THREADS} at a time), ms:")
    print(f"{'kind':<12}{'URLs':>6}" + "".join(f"{run.name + ' p50':>22}{'max':>8}" for run in runs))
    for kind in KINDS:
        cells = []
        for run in runs:
            timings = sorted(run.first_fetch.get(kind, []))
            cells.append(f"{timings[len(timings) // 2]:>22.0f}{timings[-1]:>8.0f}" if timings else f"{'-':>30}")
        print(f"{kind:<12}{len(runs[0].first_fetch.get(kind, [])):>6}{''.join(cells)}")


def print_import(run: LoadRun, corpus: Corpus, database_counts: dict, stories: int, seconds: int) -> None:
    imported = run.imported
    counts = imported.statuses()
    began, ended = run.import_window
    print(
        f"\nImport during the load: {corpus.files:,} files ({corpus.bad} bad) in {imported.run.seconds:.1f} s "
        f"({imported.rate:,.1f} files/s; from {began:.0f} s to {ended:.0f} s of the load), peak RSS "
        f"{imported.run.peak_mb:.0f} MB, exit status {imported.run.exit_code}: "
        + ", ".join(f"{count:,} {status}" for status, count in sorted(counts.items()))
    )
    if ended > seconds:
        print(
            f"The import outlasted the load: its last {ended - seconds:.0f} s ran without it "
            f"({max(0.0, seconds - began):.0f} s of the import were under load)."
        )
    print(
        f"Database afterwards: {database_counts['articles']:,} stories ({stories:,} generated + "
        f"{database_counts['articles'] - stories:,} imported), {database_counts['imported']:,} files in the ledger"
    )


def print_server_logs(runs: list[LoadRun]) -> None:
    for run in runs:
        if not (run.logged or run.exceptions or run.worker_timeouts):
            print(f"Server log, {run.name}: no failed request, exception or worker timeout")
            continue
        print(f"Server log, {run.name}: {dict(run.logged)}; {run.worker_timeouts} worker timeout(s)")
        for line, count in run.exceptions.most_common(5):
            print(f"    {count:>6,} x {line}")
        for line, count in run.failing_paths.most_common(5):
            print(f"    {count:>6,} x {line}")


def targets(runs: list[LoadRun]) -> list[tuple[str, bool, str]]:
    result = []
    for run in runs:
        load = run.load
        result.append(
            (
                f"{run.name}: 0 errors (connect, read, write, timeout) in {load.requests:,} requests",
                load.socket_errors == 0,
                f"{load.socket_errors:,} (p99 {load.p99_ms:.0f} ms)",
            )
        )
        result.append((f"{run.name}: 0 5xx answers", run.server_errors == 0, f"{run.server_errors:,}"))
    return result


def report(options: argparse.Namespace, backend: str, phases: list[Phase], runs: list[LoadRun], cache: str) -> None:
    generate, index, mix = (phase.result for phase in phases)
    kinds = Counter(kind for kind, _ in mix["paths"])
    print(
        f"\nLoad benchmark on {backend}: {options.stories:,} stories ({generate['translations']:,} with a second "
        f"language), {index['documents']:,} search documents"
    )
    print(
        f"gunicorn {WORKERS} workers with config/gunicorn.conf.py, DEBUG off; page cache: {cache}; "
        f"wrk {WRK_THREADS} threads, {CONNECTIONS} connections, {options.seconds} s per run, timeout {WRK_TIMEOUT}"
    )
    print(
        f"URL mix ({len(mix['paths']):,} URLs, cycled): "
        + ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS)
        + f"; topic pages down to {mix['deepest_topic_page']:,}"
    )
    print(f"\n{'phase':<10}{'wall s':>10}{'peak RSS MB':>13}")
    for phase in phases:
        print(f"{phase.name:<10}{phase.run.seconds:>10.1f}{phase.run.peak_mb:>13.1f}")
    print_table(runs)
    print_first_fetch(runs)


def count_problems(
    phases: list[Phase], runs: list[LoadRun], stories: int, corpus: Corpus, database_counts: dict
) -> list[str]:
    generate, index, _ = (phase.result for phase in phases)
    problems = [
        f"{generate[key]:,} {key} stories generated, expected {stories:,}"
        for key in ("articles", "published")
        if generate[key] != stories
    ]
    if index["documents"] != generate["expected_documents"]:
        problems.append(f"{index['documents']:,} search documents, expected {generate['expected_documents']:,}")
    for run in runs:
        problems += run.problems
    imported = runs[-1].imported
    expected = Counter(created=corpus.good, rejected=corpus.bad)
    if imported.statuses() != expected:
        problems.append(f"import: statuses {dict(imported.statuses())}, expected {dict(expected)}")
    expected_rows = {"articles": stories + corpus.good, "imported": corpus.good}
    problems += [
        f"database: {database_counts[key]:,} {key} rows, expected {count:,}"
        for key, count in expected_rows.items()
        if database_counts[key] != count
    ]
    return problems


def benchmark(options: argparse.Namespace, workdir: Path) -> int:
    backend = "SQLite" if options.database_url is None else "PostgreSQL"
    wrk = ensure_wrk()
    flush_redis(options.redis_url)
    if options.uncached:
        cache = "off (NEWSROOM_PAGE_CACHE_SECONDS=0)"
    else:
        where = f"Redis {options.redis_url}" if options.redis_url else "each worker's memory (no REDIS_URL)"
        cache = f"on, the default lifetime (600 s), in {where}"
    print(f"... generating {options.files:,} raw files to import in {workdir / 'import'}", flush=True)
    corpus = write_corpus(workdir / "import", options.files)
    with database(options.database_url, workdir, options.keep) as url:
        # serve_bench's settings (the site's own plus the floor view gunicorn() waits for), and this run's own
        # generation file, seen by both workers and the import: its invalidations reach them.
        env = {
            **{
                name: value
                for name, value in site_env(url, workdir, options.redis_url).items()
                if name != "NEWSROOM_PAGE_CACHE_SECONDS"
            },
            **({"NEWSROOM_PAGE_CACHE_SECONDS": "0"} if options.uncached else {}),
        }
        print(f"... migrating {url}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        phases = [
            run_phase("generate", env, workdir, "--stories", str(options.stories), script=__file__),
            run_phase("index", env, workdir, script=__file__),
            run_phase("paths", env, workdir, script=__file__),
        ]
        mix = [(kind, path) for kind, path in phases[-1].result["paths"]]
        script = write_lua(workdir / "mix.lua", [path for _, path in mix])
        runs = []
        try:
            for name, imported in ((RUN_ALONE, None), (RUN_IMPORT, corpus)):
                flush_redis(options.redis_url)
                runs.append(load_run(name, env, mix, wrk, script, options.seconds, workdir, imported))
        finally:
            flush_redis(options.redis_url)
        database_counts = json.loads(manage(env, "shell", "--no-imports", "-c", COUNT_QUERY))
    report(options, backend, phases, runs, cache)
    print_import(runs[-1], corpus, database_counts, options.stories, options.seconds)
    print_server_logs(runs)
    print("\nTargets:")
    for label, met, measured in targets(runs):
        print(f"  {'met    ' if met else 'NOT met'}  {label}: {measured}")
    return verdict(count_problems(phases, runs, options.stories, corpus, database_counts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=10_000, help="How many stories (default 10,000).")
    parser.add_argument(
        "--files", type=at_least_ten, default=1000, help="Raw files imported during run 2 (default 1,000)."
    )
    parser.add_argument("--seconds", type=int, default=60, help="wrk's duration per run (default 60).")
    parser.add_argument("--database-url", help="postgres://… to run on PostgreSQL (default: SQLite in a temp dir).")
    parser.add_argument("--redis-url", help="Cache in this Redis database, FLUSHED (default: each worker's memory).")
    parser.add_argument("--uncached", action="store_true", help="Page cache off (NEWSROOM_PAGE_CACHE_SECONDS=0).")
    parser.add_argument("--keep", action="store_true", help="Keep the database, the files and the logs.")
    parser.add_argument("--child", choices=("generate", "index", "paths"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.stories < 1 or options.seconds < 1:
        parser.error("--stories and --seconds must be at least 1")
    if options.seconds <= IMPORT_DELAY_SECONDS:
        parser.error(f"--seconds must be more than {IMPORT_DELAY_SECONDS}: the import starts that far in")
    if options.child:
        run_child(
            options.child,
            {"generate": lambda: child_generate(options.stories), "index": child_index, "paths": child_paths},
        )
        return 0
    return in_workdir("load_bench_", options.keep, lambda workdir: benchmark(options, workdir))


if __name__ == "__main__":
    sys.exit(main())
