"""Every command (but extract, tested on its own) shows an example under --help, and a failure before or at
start-up is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import pg
from tests.shared import REPO

COMMANDS = ("crawl", "crawlall", "evaluate", "seed", "dashboard", "export")


def scrapy(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=REPO, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_an_example(command):
    done = scrapy(command, "--help")
    assert done.returncode == 0
    examples = done.stdout.split("Examples:\n", 1)[1].splitlines()
    assert examples and all(line.startswith(f"  scrapy {command} ") for line in examples), done.stdout


def last_line_only(done: subprocess.CompletedProcess, prefix: str) -> str:
    """The failure's line: the last on stderr, alone after Scrapy's start-up log, no traceback anywhere."""
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    line = done.stderr.rstrip("\n").rsplit("\n", 1)[-1]
    assert line.startswith(prefix), done.stderr[-3000:]
    return line


def test_unknown_spider(tmp_path):
    done = scrapy("crawl", "nosuch", NEWSCRAWL_DATA_DIR=str(tmp_path))
    assert done.returncode == 2
    assert "known: " in last_line_only(done, "scrapy crawl: no spider named 'nosuch'")


@pytest.mark.parametrize("command", [("crawl", "etoday"), ("crawlall", "--sites", "etoday")])
def test_unreachable_database_stops_the_start(command, tmp_path):
    dsn = f"postgresql://nobody@127.0.0.1:{pg.free_port()}/none"
    done = scrapy(*command, "-a", "base_url=http://127.0.0.1:9", NEWSCRAWL_DATABASE=dsn,
                  NEWSCRAWL_DATA_DIR=str(tmp_path))
    assert done.returncode == 1
    line = last_line_only(done, f"scrapy {command[0]}: cannot use NEWSCRAWL_DATABASE postgresql://nobody@127.0.0.1")
    assert "Connection refused" in line
    assert not (tmp_path / "articles.jsonl").exists()  # nothing was crawled


def test_unsupported_database_scheme(tmp_path):
    done = scrapy("crawlall", "--sites", "etoday", NEWSCRAWL_DATABASE="mysql://x/y", NEWSCRAWL_DATA_DIR=str(tmp_path))
    assert done.returncode == 1
    last_line_only(done, "scrapy crawlall: NEWSCRAWL_DATABASE scheme 'mysql' is not supported")


def test_bad_arguments_exit_2_with_the_reason():
    done = scrapy("crawlall", "stray")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.rstrip().endswith("error: crawlall takes no positional arguments; use --sites")
    export = scrapy("export", "--kind", "poem")
    assert export.returncode == 2 and "invalid choice: 'poem'" in export.stderr
