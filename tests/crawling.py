"""Run a spider through the real Scrapy engine (the `scrapy crawl` CLI, in a subprocess) against a loopback
fixture server, and read back what it wrote: JSONL feeds, the SQLite database and the run's stats."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.shared import REPO


@dataclass
class CrawlResult:
    returncode: int
    log: str
    data_dir: Path

    def jsonl(self, name: str) -> list[dict]:
        path = self.data_dir / name
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    @property
    def articles(self) -> list[dict]:
        return self.jsonl("articles.jsonl")

    @property
    def tickers(self) -> list[dict]:
        return self.jsonl("tickers.jsonl")

    @property
    def stats(self) -> dict:
        return json.loads((self.data_dir / "stats.json").read_text(encoding="utf-8"))

    @property
    def report(self) -> dict:
        return json.loads((self.data_dir / "run-report.json").read_text(encoding="utf-8"))

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "newscrawl.sqlite3")


def crawl(spider: str, base_url: str, data_dir: Path, *, args: dict[str, str] | None = None,
          settings: dict[str, str] | None = None, options: tuple[str, ...] = (), timeout: float = 120) -> CrawlResult:
    """``scrapy crawl SPIDER -a base_url=...`` with output in ``data_dir``; fast, non-throttled settings;
    ``options``: more command-line options (e.g. ``-o FILE``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"NEWSCRAWL_STATS_FILE={data_dir / 'stats.json'}", *options]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in (settings or {}).items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    env.pop("NEWSCRAWL_DATABASE", None)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    return CrawlResult(done.returncode, done.stderr + done.stdout, data_dir)
