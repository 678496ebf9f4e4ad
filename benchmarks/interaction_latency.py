"""The bot's own time from INTERACTION_CREATE to its response, against the fake Discord on loopback.

For each of N /ask interactions (questions in English and Chinese, answered and abstained), the fake records
when it sent INTERACTION_CREATE and when the bot's callback arrived; the report gives the median and p99.

    python -m benchmarks.interaction_latency [--count 300]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.stats import percentile
from bot.app import open_core
from bot.client import RedNoteBot
from bot.config import Settings
from tests.fakediscord import FakeDiscord, run_bot

QUESTIONS = (
    "what is the cat tax?",
    "猫税是什么",
    "how do I sign up without a chinese phone number",
    "為什麼我的帖子被限流了",
    "what's the weather in paris tomorrow",
    "why does everyone call me sister",
)


async def measure(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        async with FakeDiscord() as fake:
            fake.default_world()
            async with open_core(settings) as core:
                bot = RedNoteBot(core, settings)
                async with run_bot(bot, fake):
                    for question in QUESTIONS:  # warm up every path once
                        await (await fake.slash("ask", {"question": question})).wait_response()
                    latencies = []
                    started = time.perf_counter()
                    for i in range(count):
                        h = await fake.slash("ask", {"question": QUESTIONS[i % len(QUESTIONS)]})
                        await h.wait_response()
                        latencies.append(h.response_delay * 1000)
                    wall = time.perf_counter() - started
    return {
        "count": count,
        "median_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "throughput_per_s": count / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(measure(args.count))
    print("| interactions | median | p99 | max | sequential throughput |")
    print("|---|---|---|---|---|")
    print(
        f"| {result['count']} /ask | {result['median_ms']:.2f} ms | {result['p99_ms']:.2f} ms | "
        f"{result['max_ms']:.2f} ms | {result['throughput_per_s']:.0f} /s |"
    )
    print("\nCommand: `python -m benchmarks.interaction_latency`")


if __name__ == "__main__":
    main()
