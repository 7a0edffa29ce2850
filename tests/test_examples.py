"""The scheduling examples are valid and the commands they run work (against a loopback portal)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import yaml

from tests.servers import FixtureServer, page
from tests.shared import FIXTURES, REPO

EXAMPLES = REPO / "examples"
ETODAY = FIXTURES / "etoday"
CRON_FIELD_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return False
        if base == "*":
            continue
        bounds = base.split("-")
        if not all(b.isdigit() and low <= int(b) <= high for b in bounds) or len(bounds) > 2:
            return False
    return True


def crontab_jobs() -> list[tuple[list[str], str]]:
    jobs = []
    for line in (EXAMPLES / "crontab").read_text().splitlines():
        if not line.strip() or line.startswith("#") or "=" in line.split()[0]:
            continue
        fields = line.split(None, 5)
        jobs.append((fields[:5], fields[5]))
    return jobs


def scrapy_args(command: str) -> list[str]:
    """The scrapy part of a shell command line (after `.venv/bin/scrapy`, before redirections)."""
    words = shlex.split(command.split(">>")[0].split("&&")[-1])
    return words[words.index(next(w for w in words if w.endswith("bin/scrapy"))) + 1:]


def run_scrapy(args: list[str], base_url: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir)}
    env.pop("NEWSCRAWL_DATABASE", None)
    return subprocess.run([sys.executable, "-m", "scrapy", *args, "-a", f"base_url={base_url}",
                           "-s", "AUTOTHROTTLE_ENABLED=0"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def run_dashboard(command: str, data_dir) -> subprocess.CompletedProcess:
    """The dashboard step that follows a crawl in an example (after `;` in the crontab, a step of its own)."""
    words = shlex.split(command.split(";")[-1].split(">>")[0])
    assert words[0].endswith("bin/scrapy") and words[1] == "dashboard", command
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir)}
    env.pop("NEWSCRAWL_DATABASE", None)
    return subprocess.run([sys.executable, "-m", "scrapy", *words[1:]], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def etoday_only(args: list[str]) -> list[str]:
    return [("etoday" if a.startswith("etoday,") else a) for a in args]


def test_crontab_lines_are_valid_and_locked():
    jobs = crontab_jobs()
    assert len(jobs) == 3
    for schedule, _ in jobs:
        assert all(cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(schedule, CRON_FIELD_RANGES, strict=True))
    crawls = [command for _, command in jobs if "scrapy crawlall" in command]
    assert len(crawls) == 2 and all("flock -n" in command for command in crawls)
    checks = [(schedule, command) for schedule, command in jobs if "scrapy checklayouts" in command]
    assert len(checks) == 1 and checks[0][0][2:] == ["*", "*", "*"]  # daily


ETODAY_ROUTES = {"/eto/etoday_news_all.xml": (ETODAY / "etoday_news_all.xml", "application/rss+xml"),
                 "/news/view/2384652": (ETODAY / "news_view_2384652.html", "text/html; charset=utf-8")}


def test_scheduled_layout_checks_run_against_a_loopback_portal(tmp_path):
    crontab = next(command for _, command in crontab_jobs() if "checklayouts" in command)
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    job = workflow["jobs"]["checklayouts"]
    assert "0 6 * * *" in job["if"] and {"cron": "0 6 * * *"} in workflow[True]["schedule"]
    actions = [s["run"] for s in job["steps"] if "run" in s]
    routes = {path: page(file, kind) for path, (file, kind) in ETODAY_ROUTES.items()}
    with FixtureServer(routes) as server:
        for command in (crontab, actions[-1]):
            done = run_scrapy([*scrapy_args(command), "--sites", "etoday"], server.base_url, tmp_path)
            assert done.returncode == 0, done.stderr[-2000:]
            assert done.stdout.splitlines()[1].split()[:5] == ["etoday", "1", "1", "0", "0"], done.stdout
    assert not (tmp_path / "newscrawl.sqlite3").exists()  # a check stores nothing


def test_crontab_command_runs_and_reports(tmp_path):
    routes = {"/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml"),
              "/news/view/2384652": page(ETODAY / "news_view_2384652.html")}
    with FixtureServer(routes) as server:
        args = etoday_only(scrapy_args(crontab_jobs()[0][1]))
        done = run_scrapy(args, server.base_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "run-report.json").read_text())
    assert report["ok"] and report["sites"][0]["articles"]["new"] == 1
    drawn = run_dashboard(crontab_jobs()[0][1], tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert "id='site-etoday'" in (tmp_path / "dashboard.html").read_text(encoding="utf-8")


def test_crontab_command_fails_loudly_when_the_site_is_gone(tmp_path):
    with FixtureServer({}) as server:  # every page 404
        done = run_scrapy(etoday_only(scrapy_args(crontab_jobs()[0][1])), server.base_url, tmp_path)
    assert done.returncode == 1
    assert "FLAG yield dropped to zero" in done.stderr
    assert run_dashboard(crontab_jobs()[0][1], tmp_path).returncode == 0  # the flagged run is drawn too
    assert "etoday: yield dropped to zero" in (tmp_path / "dashboard.html").read_text(encoding="utf-8")


def test_github_workflow_is_valid_and_runs_the_setup_and_a_crawl(tmp_path):
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    assert workflow[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True
    assert workflow["jobs"]["crawl"]["if"] == "github.event.schedule != '0 6 * * *'"  # the daily check only checks
    steps = workflow["jobs"]["crawl"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == "bash scripts/setup.sh" and (REPO / "scripts" / "setup.sh").exists()
    routes = {"/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml"),
              "/news/view/2384652": page(ETODAY / "news_view_2384652.html")}
    with FixtureServer(routes) as server:
        done = run_scrapy(etoday_only(scrapy_args(runs[1])), server.base_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "articles.jsonl").read_text().count("\n") == 1
    dashboard = next(s for s in steps if s.get("name") == "Dashboard")
    assert dashboard["if"] == "always()" and run_dashboard(dashboard["run"], tmp_path).returncode == 0
    assert (tmp_path / "dashboard.html").exists()
    assert "data/dashboard.html" in next(s for s in steps if "upload-artifact" in s.get("uses", ""))["with"]["path"]


def test_progress_is_logged_as_one_greppable_line_per_interval(tmp_path):
    routes = {"/eto/etoday_news_all.xml": page(ETODAY / "etoday_news_all.xml", "application/rss+xml"),
              "/news/view/2384652": page(ETODAY / "news_view_2384652.html")}
    with FixtureServer(routes) as server:
        done = run_scrapy(["crawl", "etoday", "-s", "LOGSTATS_INTERVAL=0.2", "-s", "DOWNLOAD_DELAY=0.5"],
                          server.base_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "progress spider=etoday pages=" in line]
    assert len(lines) >= 2
    assert all(f" {field}=" in lines[-1] for field in
               ("pages_per_min", "items", "items_per_min", "download_errors", "parse_errors", "dropped"))
