"""Instructions per request: what each public page costs the CPU, counted, not timed.

Requests per second on a shared 2-core machine move by ±20% between runs of the same code, so a change of a
few percent cannot be seen in them. This counts the instructions a request executes instead
(``valgrind --tool=callgrind``), which repeat to the instruction for the same code, data and environment,
whatever else the machine is doing.

On an existing bench database (``serve_bench.py --keep`` leaves one; ``--database-url`` names it), the URLs are
picked as serve_bench picks them (its probe). Each page then runs in a child process under callgrind, with
Django's test client (DEBUG off, the production settings plus the floor's URL): once warmed up (20 requests),
and once warmed up and then ``--requests`` more; the difference divided by ``--requests`` is the cost of one
request, Python, database driver, SQLite and all (not PostgreSQL's or Redis's own server work, which run in their
own processes). The floor, the home page, topic page 1, the article, the search (its ranking remembered after the
first), "fresh" (the same search with a parameter of its own each time, so each is ranked), the RSS feed and the
API list run with the page cache off; "article (cached)" with it on, every request after the first a hit. Redis at
``--redis-url`` (flushed) holds the cache and the generation.

Run (valgrind from Debian's packages; the script says so when it is missing):
    .venv/bin/python bench/instructions.py --database-url sqlite:////tmp/serve_bench_…/bench.sqlite3
    .venv/bin/python bench/instructions.py --database-url postgres://postgres@127.0.0.1:5432/newsroom_serve_bench
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from import_bench import BenchError, manage
from search_bench import run_phase
from serve_bench import DEFAULT_REDIS_URL, flush_redis, fresh, site_env

WARM_UP = 20
UNCACHED = ("floor", "home", "topic", "article", "search", "fresh", "feed", "api")
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def child_requests(path: str, count: int, new_each_time: bool) -> None:
    """``WARM_UP + count`` GETs of ``path`` in Django's test client, each answering 200; ``new_each_time``, each
    with a parameter of its own (as the serve bench's "search, first time")."""
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host allowed
    client = Client()
    for number in range(WARM_UP + count):
        status = client.get(fresh(path, number) if new_each_time else path, secure=True).status_code
        if status != 200:
            raise BenchError(f"{path} answered HTTP {status}")


def instructions(valgrind: str, env: dict[str, str], path: str, count: int, redis_url: str, new_each_time: bool) -> int:
    """The instructions a child process executes making ``WARM_UP + count`` requests of ``path``."""
    flush_redis(redis_url)
    command = [valgrind, "--tool=callgrind", f"--callgrind-out-file={os.devnull}", sys.executable, __file__]
    result = subprocess.run(
        [*command, "--child", path, "--requests", str(count), *(["--new-each-time"] if new_each_time else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = COLLECTED.search(result.stderr)
    if result.returncode or found is None:
        raise BenchError(f"{path}: the child failed (exit status {result.returncode}):\n{result.stderr[-3000:]}")
    return int(found.group(1))


def per_request(valgrind: str, env: dict[str, str], path: str, count: int, redis_url: str, new: bool) -> float:
    """Millions of instructions one request of ``path`` costs, warm (``new``: each request a new one)."""
    warm = instructions(valgrind, env, path, 0, redis_url, new)
    return (instructions(valgrind, env, path, count, redis_url, new) - warm) / count / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="The bench database (sqlite:///… or postgres://…).")
    parser.add_argument("--requests", type=int, default=100, help="Requests counted per page (default 100).")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help=f"FLUSHED (default {DEFAULT_REDIS_URL}).")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--new-each-time", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child_requests(options.child, options.requests, options.new_each_time)
        return 0
    if not options.database_url or options.requests < 1:
        parser.error("--database-url is required (serve_bench.py --keep leaves one), --requests at least 1")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="instructions_") as workdir:
            env = site_env(options.database_url, Path(workdir), options.redis_url)
            manage(env, "collectstatic", "--noinput")  # the pages name their static files by the manifest
            uncached = {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "0"}
            probe = run_phase("probe", uncached, Path(workdir), script=str(Path(__file__).with_name("serve_bench.py")))
            paths = probe.result["paths"]
            runs = [(name, uncached, paths[name]) for name in UNCACHED]
            runs.append(("article (cached)", {**env, "NEWSROOM_PAGE_CACHE_SECONDS": "600"}, paths["article"]))
            print(f"{'page':<18} {'M instructions':>15} {'× floor':>8}   URL")
            floor = None
            for name, run_env, path in runs:
                new = name == "fresh"
                cost = per_request(valgrind, run_env, path, options.requests, options.redis_url, new)
                floor = floor or cost
                shown = fresh(path, "<new each time>") if new else path
                print(f"{name:<18} {cost:>15.2f} {floor / cost:>8.3f}   {shown}", flush=True)
    except BenchError as error:
        print(f"instructions: {error}", file=sys.stderr)
        return 1
    finally:
        flush_redis(options.redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
