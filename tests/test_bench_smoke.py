"""`bash bench/run.sh --quick` keeps working (issue #15: the benchmarks' smoke run is part of CI).

It runs every benchmark at small sizes against loopback servers and prints their sections; nothing is timed
here and BENCHMARKS.md is left alone. The benchmarks read the corpus from ../shared like the tests do.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.shared import REPO, shared_path

SECTIONS = ("## Extraction throughput", "## Crawl throughput", "## Memory at scale", "## Distributed workers",
            "## Storage", "## Re-extraction")


def test_quick_benchmarks_run_and_print_every_section():
    shared_path("corpus", "raw", "MANIFEST.tsv")
    before = (REPO / "BENCHMARKS.md").read_bytes()
    env = {**os.environ, "PYTHON": sys.executable, "NEWSCRAWL_BENCH_FUNDUS_VENV": "/nonexistent-fundus-venv"}
    env.pop("NEWSCRAWL_DATA_DIR", None)
    env.pop("NEWSCRAWL_DATABASE", None)
    done = subprocess.run(["bash", "bench/run.sh", "--quick"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "failed:" not in done.stderr
    for section in SECTIONS:
        assert section in done.stdout, f"{section} missing from the quick run's output"
    assert "Traceback" not in done.stdout + done.stderr
    assert (REPO / "BENCHMARKS.md").read_bytes() == before  # a smoke run writes nothing
