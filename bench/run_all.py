"""All the benchmarks, one after the other, each printing its own table; then one summary table.

Runs bench/import_bench.py, bench/search_bench.py, bench/serve_bench.py and
bench/load_bench.py with their defaults (SQLite in a temporary folder), each as
its own process, its output shown as it comes. With ``--postgres SERVER``
each runs on PostgreSQL instead, in a database of its own (created and
dropped by the benchmark).
The summary gives each benchmark's exit status, run time and targets (met,
NOT met). Exit status 1 when a benchmark failed (crashed, wrong counts),
else 0, whether or not the targets are met.

Run (``make bench`` runs the first):
    .venv/bin/python bench/run_all.py
    .venv/bin/python bench/run_all.py --postgres postgres://postgres@127.0.0.1:5432
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# Each benchmark and the database it makes on PostgreSQL.
BENCHMARKS = (
    ("import", "import_bench.py", "newsroom_bench"),
    ("search", "search_bench.py", "newsroom_search_bench"),
    ("serve", "serve_bench.py", "newsroom_serve_bench"),
    ("load", "load_bench.py", "newsroom_load_bench"),
)
TARGET = re.compile(r"^  (met|NOT met|unknown)\s+(.+)$")


def run(script: str, arguments: list[str]) -> tuple[int, float, list[tuple[str, str]]]:
    """The benchmark's exit status, wall clock and target lines (verdict, text); its output is passed through."""
    started = time.perf_counter()
    targets = []
    with subprocess.Popen(
        [sys.executable, str(BENCH / script), *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            if match := TARGET.match(line.rstrip("\n")):
                targets.append((match.group(1), match.group(2)))
    return process.returncode, time.perf_counter() - started, targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", help="A PostgreSQL server URL (postgres://user@host:port): run every benchmark there."
    )
    options = parser.parse_args()
    results = []
    for name, script, database in BENCHMARKS:
        arguments = ["--database-url", f"{options.postgres.rstrip('/')}/{database}"] if options.postgres else []
        print(f"\n==== {name}: {script} {' '.join(arguments)}".rstrip(), flush=True)
        results.append((name, *run(script, arguments)))
    engine = "PostgreSQL" if options.postgres else "SQLite"
    print(f"\n==== Summary ({engine})\n{'benchmark':<11}{'status':<10}{'minutes':>8}  targets")
    for name, status, seconds, targets in results:
        met = sum(verdict == "met" for verdict, _ in targets)
        verdict = "ok" if status == 0 else f"FAILED ({status})"
        print(f"{name:<11}{verdict:<10}{seconds / 60:>8.1f}  {met} of {len(targets)} met")
    missed = [(name, verdict, text) for name, _, _, targets in results for verdict, text in targets if verdict != "met"]
    for name, verdict, text in missed:
        print(f"  {name:<8}{verdict:<9}{text}")
    return 1 if any(status for _, status, _, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
