"""Start-up of the one-shot command line: `python -m bot ask --json "..."`, run as a user runs it.

Every run is a new process, against one temporary SQLite database and index cache: first a cold run on the
fresh database (migrate, seed, build the index), then COUNT runs on the initialised one. Also timed: a bare
interpreter, and the import of `bot.cli` alone. The target is under 1 s.

    python -m benchmarks.startup_bench [--count 15] [--question "what is cat tax"]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.stats import percentile
from tests.conftest import cli_env

TARGET_S = 1.0
IMPORT_CLI = "import bot.cli"


def bench_env(workdir: Path) -> dict[str, str]:
    """The environment of every timed process, with bytecode cached as in a user's installation."""
    env = cli_env(workdir)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass(frozen=True, slots=True)
class Run:
    wall: float
    cpu: float
    """The process's user + system time: less disturbed than `wall` by other work on a busy machine."""


def timed(args: Sequence[str], workdir: Path) -> Run:
    """Wall-clock and CPU seconds of one process; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(args, cwd=workdir, env=bench_env(workdir), capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return Run(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def row(label: str, runs: Sequence[Run]) -> str:
    walls = [r.wall for r in runs]
    median = statistics.median(walls)
    cpu = statistics.median(r.cpu for r in runs)
    return (
        f"| {label} | {len(runs)} | {median * 1000:.0f} ms | {percentile(walls, 0.9) * 1000:.0f} ms | "
        f"{min(walls) * 1000:.0f} ms | {cpu * 1000:.0f} ms | {median / TARGET_S:.2f} |"
    )


def measure(count: int, question: str) -> list[str]:
    """The table rows: interpreter, `import bot.cli`, cold `ask`, warm `ask`."""
    ask = [sys.executable, "-m", "bot", "ask", "--json", question]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        cold = timed(ask, workdir)
        warm = [timed(ask, workdir) for _ in range(count)]
        bare = [timed([sys.executable, "-c", "pass"], workdir) for _ in range(count)]
        cli = [timed([sys.executable, "-c", IMPORT_CLI], workdir) for _ in range(count)]
    return [
        row("`python -c pass` (interpreter alone)", bare),
        row(f"`python -c '{IMPORT_CLI}'`", cli),
        row("`ask --json`, cold (fresh database: migrate, seed, build)", [cold]),
        row("`ask --json`, database ready", warm),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=15, help="runs of each timed command")
    parser.add_argument("--question", default="what is cat tax")
    args = parser.parse_args(argv)
    rows = measure(args.count, args.question)
    print(f"| command | runs | median | p90 | min | CPU median | median / {TARGET_S:g} s target |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nCommand: `python -m benchmarks.startup_bench`")


if __name__ == "__main__":
    main()
