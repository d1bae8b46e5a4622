"""Serving benchmark: the public pages under gunicorn and wrk, uncached and cached, over N generated stories.

On a fresh database, migrated and given N stories (default 100,000; the
generator of bench/corpus.py: nine languages, three topics, tags, related
links, translations, two years of publication dates) and their search index
(``newsroom.search.rebuild()``; on PostgreSQL then ``VACUUM ANALYZE`` and a
``CHECKPOINT``; then the machine's dirty pages written out, ``os.sync()``, so
that no write of the load runs during the measurements), each in a child
process measured for wall clock and peak RSS:

1. probe: in a child process, Django's test client on the same database, page
   cache off, DEBUG off: picks the URLs (a fixed story: the first published
   English original with related links; the topic's page 2,000, or its last
   page when the topic has fewer) and counts each page's SQL queries (the
   second request of two, with ``CaptureQueriesContext``);
2. serve: gunicorn on a free 127.0.0.1 port, 2 workers, DEBUG off, static
   files collected (hashed, compressed) as in production, with
   config/gunicorn.conf.py when it exists (workers, bind and the access log
   overridden on the command line) and the settings bench/serve_settings.py,
   which add ``/bench/floor/`` (bench/serve_urls.py), a bare view returning a
   fixed string: the framework floor. The server runs twice, and the two
   runs differ only in ``NEWSROOM_PAGE_CACHE_SECONDS``: uncached (0: page
   cache off), then cached (the default lifetime). Both use Redis at
   ``--redis-url`` (its database is flushed before, between and after), or
   per-process memory with ``--no-redis``;
3. load: per URL, one GET that must answer 200, a 1 s warm-up, then
   ``wrk -t2 -c8 -d<seconds>s --latency``: requests per second, p50 and p99;
   the workers' peak RSS (VmHWM) sampled from /proc throughout. Every URL in
   turn, ``--rounds`` times (default 3); each URL's figures are its median
   round's (by requests per second), so a round the machine slowed (another
   tenant, the checkpointer) moves no ratio, and every round is printed too.

URLs: the floor, the home page, a topic page 1 and 2,000, an article, a
search, the same search each time new, the RSS feed and the API list. A
search's ranking is remembered per state of the site, as a listing's ids are,
so "search" repeats a search the site has ranked; "search, first time" adds
a parameter of its own to every request (bench/fresh_requests.lua), so that
each is ranked, as a query no reader has asked yet is. It prints one table and
the targets, as ratios within the run: uncached topic page 1 at least 0.07 of
the floor's requests per second, page 2,000 at least 0.8 of page 1, the
article at least 0.15 of the floor, cached pages at least 0.5 of the floor
(each server's own floor; not the new searches, which no cache can answer),
at most 8 SQL queries per public page, p99 under 100 ms uncached (the
target is for 100,000 stories) and workers under 250 MB each. Exit status 0
whether or not targets are met; 1 when a phase crashed, a page did not
answer 200, wrk saw errors or non-2xx answers, or the counts are wrong.

wrk is installed with apt-get when missing (as root), else the script says so.

Run (SQLite in a temporary folder):
    .venv/bin/python bench/serve_bench.py [--stories N] [--seconds S] [--no-redis] [--keep]
PostgreSQL (the database is created, and dropped afterwards unless --keep):
    .venv/bin/python bench/serve_bench.py \\
        --database-url postgres://postgres@127.0.0.1:5432/newsroom_serve_bench
"""

import argparse
import http.client
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from corpus import TOPICS, child_generate
from import_bench import BenchError, _process_tree, database, in_workdir, manage
from search_bench import Phase, child_index, run_child, run_phase, verdict

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
GUNICORN_CONF = REPO / "config" / "gunicorn.conf.py"
HOST = "127.0.0.1"
WORKERS = 2
WRK_THREADS = 2
CONNECTIONS = 8
WARM_UP_SECONDS = 1
WRK_TIMEOUT = "10s"
TOPIC = TOPICS[0]
FAR_PAGE = 2000
SEARCH_QUERY = "bac ninh"
# "search, first time": the search's URL with a parameter of its own on every request (``fresh``, which the site
# ignores but which makes each request another list), so that no remembered ranking or cached page answers it.
FRESH_PARAMETER = "fresh"
FRESH_SCRIPT = BENCH / "fresh_requests.lua"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SERVER_START_SECONDS = 60
# As from the TLS-terminating proxy the site sits behind: gunicorn trusts it from 127.0.0.1 (its
# forwarded_allow_ips), so requests are https and DEBUG-off security settings do not redirect them.
FORWARDED_PROTO = ("X-Forwarded-Proto", "https")

# The pages, in the table's order; "far" is the topic's page 2,000 (or its last page when it has fewer).
PAGES = (
    ("floor", "floor (bare view)"),
    ("home", "home"),
    ("topic", "topic page 1"),
    ("far", "topic page {far:,}"),
    ("article", "article"),
    ("search", "search"),
    ("fresh", "search, first time"),
    ("feed", "feed (RSS)"),
    ("api", "API list"),
)

# Targets, as agreed for serving: ratios within one run, and absolute limits.
TOPIC_FLOOR_SHARE = 0.07
FAR_PAGE_SHARE = 0.8
ARTICLE_FLOOR_SHARE = 0.15
CACHED_FLOOR_SHARE = 0.5
MAX_QUERIES = 8
P99_MS = 100.0
P99_STORIES = 100_000
WORKER_MB = 250.0


def fresh(path: str, number: object) -> str:
    """``path`` (with a query string) as "search, first time" requests it the ``number``th time."""
    return f"{path}&{FRESH_PARAMETER}={number}"


# -- the child processes: each phase after django.setup() on the bench database ---------------------------

RESULT_COUNT = re.compile(r'<p class="result-count">(\d+)')


def listing_pages(response) -> int:
    """How many pages a listing has, from the count it shows (digits in every language), 20 stories a page."""
    from newsroom.views import STORIES_PER_PAGE

    found = RESULT_COUNT.search(response.content.decode())
    if response.status_code != 200 or found is None:
        raise BenchError(f"the listing answered HTTP {response.status_code} without a count of its stories")
    return max(1, -(-int(found.group(1)) // STORIES_PER_PAGE))


def child_probe() -> dict:
    """The URLs to load and, from the test client, each page's status and SQL queries (cold and warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import translation

    from newsroom.models import Article

    setup_test_environment()  # the test client's host ("testserver") allowed
    published = Article.objects.published().order_by("pk")
    story = published.filter(original_language="en", related__isnull=False).first() or published.first()
    if story is None:
        raise BenchError("no published story to load")
    with translation.override("en"):
        topic = reverse("newsroom:topic-detail", kwargs={"slug": TOPIC})
        paths = {
            "floor": reverse("bench-floor"),
            "home": reverse("newsroom:home"),
            "topic": topic,
            "article": story.get_absolute_url("en"),
            "search": f"{reverse('newsroom:search')}?{urlencode({'q': SEARCH_QUERY})}",
            "feed": reverse("newsroom:feed-rss"),
            "api": reverse("api:article-list"),
        }
    client = Client()
    pages = listing_pages(client.get(topic, secure=True))
    far = min(FAR_PAGE, pages)
    paths["far"] = f"{topic}?{urlencode({'page': far})}"
    paths["fresh"] = paths["search"]
    statuses, cold, warm = {}, {}, {}
    for key, path in paths.items():
        first_path, again_path = (fresh(path, "probe-1"), fresh(path, "probe-2")) if key == "fresh" else (path, path)
        with CaptureQueriesContext(connection) as first_queries:
            response = client.get(first_path, secure=True)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(again_path, secure=True)
        statuses[key] = [response.status_code, again.status_code]
        cold[key], warm[key] = len(first_queries), len(queries)
    return {
        "paths": paths,
        "statuses": statuses,
        "cold_queries": cold,
        "queries": warm,
        "topic_pages": pages,
        "far_page": far,
        "article": story.pk,
        "vendor": connection.vendor,
    }


# -- the load generator ---------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass(frozen=True)
class Load:
    """What wrk measured on one URL."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx: int


def ensure_wrk() -> str:
    """The path of wrk; installed from Debian's packages when missing and this runs as root."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("... installing wrk (apt-get install wrk)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, env=env, capture_output=True, check=False).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
            subprocess.run(install, env=env, capture_output=True, check=False)
        found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is needed: apt-get install wrk (Debian, Ubuntu) or brew install wrk (macOS)")
    return found


def parse_wrk(output: str) -> Load:
    latency = {share: float(value) * UNIT_MS[unit] for share, value, unit in LATENCY.findall(output)}
    rps, requests = REQUESTS_PER_SECOND.search(output), REQUESTS.search(output)
    if rps is None or requests is None or set(latency) != {"50", "99"}:
        raise BenchError(f"could not read wrk's output:\n{output}")
    errors, non_2xx = SOCKET_ERRORS.search(output), NON_2XX.search(output)
    return Load(
        rps=float(rps.group(1)),
        p50_ms=latency["50"],
        p99_ms=latency["99"],
        requests=int(requests.group(1)),
        socket_errors=sum(int(count) for count in errors.groups()) if errors else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def run_wrk(wrk: str, url: str, seconds: int, fresh_run: str | None = None) -> Load:
    """wrk on ``url``; with ``fresh_run``, each request a new one (``FRESH_SCRIPT``), named after that run."""
    command = [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", WRK_TIMEOUT, "--latency"]
    command += ["--header", ": ".join(FORWARDED_PROTO)]
    command += [] if fresh_run is None else ["--script", str(FRESH_SCRIPT)]
    arguments = [] if fresh_run is None else ["--", fresh_run]
    result = subprocess.run([*command, url, *arguments], capture_output=True, text=True, check=False)
    if result.returncode:
        raise BenchError(f"wrk failed on {url}:\n{result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)


def http_status(base_url: str, path: str) -> int:
    """The status of one GET, redirects not followed."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", path, headers=dict([FORWARDED_PROTO]))
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# -- the server --------------------------------------------------------------------------------------------


class WorkerMemory(threading.Thread):
    """The peak RSS (VmHWM) of each worker of a gunicorn master, sampled from /proc every second (Linux);
    workers that a ``max_requests`` setting recycles keep their figure."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master = master
        self.peaks: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.sample()

    def sample(self) -> None:
        for pid in _process_tree(self.master)[1:]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), int(match.group(1)) / 1024)

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.sample()


@dataclass
class ServerRun:
    name: str
    rounds: dict[str, list[Load]] = field(default_factory=dict)  # each URL's load in each round, in order
    worker_peaks: dict[int, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def loads(self) -> dict[str, Load]:
        """Each URL's median round by requests per second (the lower middle one of an even number): its p50 and
        p99 are that round's."""
        return {
            key: sorted(loads, key=lambda load: load.rps)[(len(loads) - 1) // 2] for key, loads in self.rounds.items()
        }

    @property
    def worker_peak_mb(self) -> float:
        return max(self.worker_peaks.values(), default=0.0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def gunicorn_options() -> list[str]:
    """``-c config/gunicorn.conf.py`` when it exists, its access log sent nowhere when it sets one
    (a flag cannot unset it: ``/dev/null`` is the nearest)."""
    if not GUNICORN_CONF.exists():
        return []
    declared = runpy.run_path(str(GUNICORN_CONF))
    return ["-c", str(GUNICORN_CONF), *(["--access-logfile", os.devnull] if declared.get("accesslog") else [])]


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[tuple[str, WorkerMemory]]:
    """gunicorn serving the site on a free port until the block ends: its base URL and its workers' memory."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *gunicorn_options(),
        "--workers",
        str(WORKERS),
        "--bind",
        f"{HOST}:{port}",
        "--pythonpath",
        f"{REPO},{BENCH}",
        "config.wsgi:application",
    ]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    memory = WorkerMemory(server.pid)
    try:
        wait_until_serving(server, base_url, log)
        memory.start()
        yield base_url, memory
    finally:
        if memory.is_alive():
            memory.stop()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(server: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with status {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if http_status(base_url, "/bench/floor/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}")


def flush_redis(url: str | None) -> None:
    if url is None:
        return
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        raise BenchError(f"Redis at {url}: {error} (start it, or pass --no-redis)") from None


def serve(
    name: str, env: dict[str, str], paths: dict[str, str], wrk: str, seconds: int, rounds: int, logs: Path
) -> ServerRun:
    """One gunicorn server, every URL loaded in turn, ``rounds`` times over: a page and the floor it is compared
    with are measured minutes apart at most, and the median round leaves out a round the machine slowed."""
    result = ServerRun(name)
    print(f"... {name}: starting gunicorn", flush=True)
    with gunicorn(env, logs / f"gunicorn_{name}.log") as (base_url, memory):
        for number in range(1, rounds + 1):
            print(f"    round {number} of {rounds}", flush=True)
            for key, _ in PAGES:
                path = paths[key]
                status = http_status(base_url, path)
                if status != 200:
                    result.problems.append(f"{name}: GET {path} answered HTTP {status}")
                    continue
                run = f"{name}-{number}"  # "search, first time": no request of a run repeats one of another
                fresh_runs = (f"{run}-warm-up", run) if key == "fresh" else (None, None)
                run_wrk(wrk, base_url + path, WARM_UP_SECONDS, fresh_runs[0])
                load = run_wrk(wrk, base_url + path, seconds, fresh_runs[1])
                result.rounds.setdefault(key, []).append(load)
                print(
                    f"    {key:<8} {load.rps:>9,.1f} req/s  p50 {load.p50_ms:>7.1f} ms  p99 {load.p99_ms:>7.1f} ms",
                    flush=True,
                )
                if load.socket_errors or load.non_2xx:
                    result.problems.append(
                        f"{name}: {path}: {load.socket_errors} socket errors, {load.non_2xx} non-2xx/3xx answers "
                        f"in {load.requests:,} requests"
                    )
        memory.stop()
        result.worker_peaks = dict(memory.peaks)
    return result


# -- the report ----------------------------------------------------------------------------------------------


def page_label(key: str, label: str, far: int) -> str:
    return label.format(far=far) if key == "far" else label


def ratio(numerator: Load | None, denominator: Load | None) -> float | None:
    if numerator is None or denominator is None or not denominator.rps:
        return None
    return numerator.rps / denominator.rps


def print_table(runs: list[ServerRun], probe: dict) -> None:
    uncached, cached = runs
    print(f"\n{'':<20}{'---------- uncached ----------':>33}{'----------- cached -----------':>33}")
    columns = f"{'req/s':>10}{'p50 ms':>8}{'p99 ms':>8}{'×floor':>7}"
    print(f"{'page':<20}   {columns}   {columns}   SQL")
    for key, label in PAGES:
        cells = []
        for run in (uncached, cached):
            load, share = run.loads.get(key), ratio(run.loads.get(key), run.loads.get("floor"))
            if load is None:
                cells.append(f"{'failed':>33}")
            else:
                cells.append(f"   {load.rps:>10,.1f}{load.p50_ms:>8.1f}{load.p99_ms:>8.1f}{share or 0:>7.2f}")
        queries = probe["queries"][key]
        cold = probe["cold_queries"][key]
        sql = f"{queries}" if cold == queries else f"{queries} ({cold} first)"
        print(f"{page_label(key, label, probe['far_page']):<20}{''.join(cells)}   {sql}")
    print("\nURLs (http://127.0.0.1:<port> …):")
    for key, label in PAGES:
        path = fresh(probe["paths"][key], "<new each time>") if key == "fresh" else probe["paths"][key]
        print(f"  {page_label(key, label, probe['far_page']):<20}{path}")


def print_rounds(runs: list[ServerRun], probe: dict) -> None:
    """Each URL's requests per second in every round, to show how much the machine moved."""
    print("\nreq/s in each round:")
    for run in runs:
        print(f"  {run.name}")
        for key, label in PAGES:
            figures = "  ".join(f"{load.rps:>9,.1f}" for load in run.rounds.get(key, []))
            print(f"    {page_label(key, label, probe['far_page']):<20}{figures}")


def print_targets(runs: list[ServerRun], probe: dict, count: int) -> None:
    """Each target: met, NOT met, or unknown (a page failed), with the figure it was judged on."""
    uncached, cached = runs
    labels = {key: page_label(key, label, probe["far_page"]) for key, label in PAGES}
    public = [key for key in labels if key != "floor"]
    targets: list[tuple[str, float | None, bool, str]] = []
    for key, over, limit, what in (
        ("topic", "floor", TOPIC_FLOOR_SHARE, "the floor's"),
        ("far", "topic", FAR_PAGE_SHARE, "page 1's"),
        ("article", "floor", ARTICLE_FLOOR_SHARE, "the floor's"),
    ):
        value = ratio(uncached.loads.get(key), uncached.loads.get(over))
        label = f"uncached {labels[key]} at least {limit} of {what} req/s"
        targets.append((label, value, value is not None and value >= limit, f"{value or 0:.3f}"))
    cacheable = [key for key in public if key != "fresh"]  # a URL never asked before is a miss in any cache
    shares = {key: ratio(cached.loads.get(key), cached.loads.get("floor")) for key in cacheable}
    worst = min(cacheable, key=lambda key: -1 if shares[key] is None else shares[key])
    targets.append(
        (
            f"every cached page at least {CACHED_FLOOR_SHARE} of the floor's req/s (the cached server's floor; "
            "not the new searches, which no cache can answer)",
            shares[worst],
            shares[worst] is not None and shares[worst] >= CACHED_FLOOR_SHARE,
            f"lowest {shares[worst] or 0:.2f} ({labels[worst]})",
        )
    )
    most = max(public, key=lambda key: probe["queries"][key])
    queries = probe["queries"][most]
    targets.append(
        (
            f"every public page at most {MAX_QUERIES} SQL queries",
            queries,
            queries <= MAX_QUERIES,
            f"most {queries} ({labels[most]})",
        )
    )
    p99 = {key: uncached.loads[key].p99_ms if key in uncached.loads else None for key in labels}
    slowest = max(labels, key=lambda key: float("inf") if p99[key] is None else p99[key])
    targets.append(
        (
            f"p99 under {P99_MS:.0f} ms uncached, every page (the target is at {P99_STORIES:,} stories; "
            f"this run {count:,})",
            p99[slowest],
            p99[slowest] is not None and p99[slowest] < P99_MS,
            f"highest {p99[slowest] or 0:.1f} ms ({labels[slowest]})",
        )
    )
    peak = max(run.worker_peak_mb for run in runs)
    targets.append(
        (
            f"gunicorn workers under {WORKER_MB:.0f} MB each (peak RSS, both servers)",
            peak or None,
            0 < peak < WORKER_MB,
            f"largest {peak:.1f} MB",
        )
    )
    print("\nTargets:")
    for label, value, met, measured in targets:
        verdict = "unknown" if value is None else "met    " if met else "NOT met"
        print(f"  {verdict}  {label}: {measured if value is not None else 'no figure'}")


def report(
    backend: str, count: int, phases: list[Phase], runs: list[ServerRun], options: argparse.Namespace, redis: str | None
):
    generate, index, probe = (phase.result for phase in phases)
    config = "config/gunicorn.conf.py" if GUNICORN_CONF.exists() else "gunicorn's defaults (no config/gunicorn.conf.py)"
    print(
        f"\nServing benchmark on {backend}: {count:,} stories ({generate['translations']:,} with a second language), "
        f"{generate['tag_links']:,} tag links, {generate['related_links']:,} related links; "
        f"{index['documents']:,} search documents"
    )
    print(
        f"gunicorn {WORKERS} workers with {config}, DEBUG off; wrk {WRK_THREADS} threads, {CONNECTIONS} connections, "
        f"{options.seconds} s per URL after a {WARM_UP_SECONDS} s warm-up, every URL in turn, {options.rounds} "
        f"round(s) per server, each figure its median round's; cache: {redis or 'per-process memory'}; "
        "SQL: queries of one request (the second) from the test client, page cache off"
    )
    print(f"\n{'phase':<10}{'wall s':>10}{'peak RSS MB':>13}")
    for phase in phases:
        print(f"{phase.name:<10}{phase.run.seconds:>10.1f}{phase.run.peak_mb:>13.1f}")
    if probe["far_page"] < FAR_PAGE:
        print(
            f"\nThe topic {TOPIC!r} has {probe['topic_pages']:,} pages at {count:,} stories: its last page, "
            f"{probe['far_page']:,}, stands in for page {FAR_PAGE:,}."
        )
    print_table(runs, probe)
    if options.rounds > 1:
        print_rounds(runs, probe)
    for run in runs:
        workers = ", ".join(f"{peak:.1f}" for peak in sorted(run.worker_peaks.values(), reverse=True))
        replaced = len(run.worker_peaks) - WORKERS
        print(
            f"Worker peak RSS, {run.name}: {workers or 'not sampled'} MB"
            + (f" ({replaced} worker(s) replaced during the run: max_requests)" if replaced > 0 else "")
        )
    print_targets(runs, probe, count)


def count_problems(phases: list[Phase], runs: list[ServerRun], count: int) -> list[str]:
    generate, index, probe = (phase.result for phase in phases)
    problems = [
        f"{generate[key]:,} {key} stories in the database, expected {count:,}"
        for key in ("articles", "published")
        if generate[key] != count
    ]
    if index["documents"] != generate["expected_documents"]:
        problems.append(f"{index['documents']:,} search documents, expected {generate['expected_documents']:,}")
    problems += [
        f"test client: GET {probe['paths'][key]} answered HTTP {statuses}"
        for key, statuses in probe["statuses"].items()
        if statuses != [200, 200]
    ]
    for run in runs:
        problems += run.problems
    return problems


def site_env(database_url: str, workdir: Path, redis_url: str | None) -> dict[str, str]:
    """The environment the site runs in for a bench: production settings (DEBUG off) with the floor's URL
    (bench/serve_settings.py), on ``database_url``, caching in Redis at ``redis_url`` or in each process."""
    return {
        **{name: value for name, value in os.environ.items() if name not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "serve_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), str(BENCH), os.environ.get("PYTHONPATH")))),
        "DEBUG": "0",
        "SECRET_KEY": "serve-bench-only-not-a-secret",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "STATIC_ROOT": str(workdir / "static"),
        # Without Redis the page cache's processes share a generation file: this run's own, so that
        # nothing else on the machine (a test run, an import) can invalidate its pages mid-run.
        "NEWSROOM_PAGE_CACHE_GENERATION_FILE": str(workdir / "page_cache_generation"),
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }


def benchmark(options: argparse.Namespace, workdir: Path) -> int:
    backend = "SQLite" if options.database_url is None else "PostgreSQL"
    wrk = ensure_wrk()
    redis_url = None if options.no_redis else options.redis_url
    flush_redis(redis_url)
    with database(options.database_url, workdir, options.keep) as url:
        env = site_env(url, workdir, redis_url)
        uncached_env = {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0"}
        cached_env = {name: value for name, value in env.items() if name != "NEWSROOM_PAGE_CACHE_SECONDS"}
        print(f"... migrating {url}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        phases = [
            run_phase("generate", env, workdir, "--stories", str(options.stories), script=__file__),
            run_phase("index", env, workdir, script=__file__),
            run_phase("probe", uncached_env, workdir, script=__file__),
        ]
        paths = phases[-1].result["paths"]
        runs = []
        try:
            for name, server_env in (("uncached", uncached_env), ("cached", cached_env)):
                flush_redis(redis_url)
                runs.append(serve(name, server_env, paths, wrk, options.seconds, options.rounds, workdir))
        finally:
            flush_redis(redis_url)
    report(backend, options.stories, phases, runs, options, redis_url)
    return verdict(count_problems(phases, runs, options.stories))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000, help="How many stories (default 100,000).")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's duration per URL and round (default 10).")
    parser.add_argument(
        "--rounds", type=int, default=3, help="How many times each server loads every URL (default 3; median shown)."
    )
    parser.add_argument("--database-url", help="postgres://… to run on PostgreSQL (default: SQLite in a temp dir).")
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help=f"The cache's Redis database, FLUSHED (default {DEFAULT_REDIS_URL}).",
    )
    parser.add_argument("--no-redis", action="store_true", help="Cache in each worker's memory instead of Redis.")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs.")
    parser.add_argument("--child", choices=("generate", "index", "probe"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if min(options.stories, options.seconds, options.rounds) < 1:
        parser.error("--stories, --seconds and --rounds must be at least 1")
    if options.child:
        run_child(
            options.child,
            {"generate": lambda: child_generate(options.stories), "index": child_index, "probe": child_probe},
        )
        return 0
    return in_workdir("serve_bench_", options.keep, lambda workdir: benchmark(options, workdir))


if __name__ == "__main__":
    sys.exit(main())
