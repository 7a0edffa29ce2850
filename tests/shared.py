"""Access to ../shared (seed, corpus, truth) and a one-call way to run a page through extraction and the
project's pipeline chain, as `scrapy extract` does."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.chain import ItemChain
from newscrawl.exporters import dumps
from newscrawl.extract import decode_html, extract_html, extract_rendered_text

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMPARED_FIELDS = ("title", "subtitles", "published_at", "modified_at", "authors", "paragraphs", "body",
                   "images", "section", "tags")


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read the shared corpus from ../shared beside the repo "
                    f"(clone the repo next to the shared/ folder)", pytrace=False)
    return path


@cache
def manifest() -> dict[str, dict[str, str]]:
    with shared_path("corpus", "raw", "MANIFEST.tsv").open(encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


def truth_files() -> list[Path]:
    root = SHARED / "corpus" / "truth"
    return sorted(root.glob("*/*.json")) if root.exists() else []


def run_page(url: str, page: bytes | str, site: str | None = None, *, rendered_text: bool = False) -> list[dict]:
    """Items (as the JSON the feeds write) for one page: extraction, then every pipeline but storage."""
    if rendered_text:
        extracted = extract_rendered_text(url, page if isinstance(page, str) else page.decode("utf-8"), site)
    else:
        html = page if isinstance(page, str) else decode_html(page)[0]
        extracted = extract_html(url, html, site)
    chain = ItemChain(get_project_settings())
    kept, _ = chain.process(extracted.items())
    chain.close()
    return [json.loads(dumps(item)) for item in kept]


def article_of(items: list[dict]) -> dict:
    articles = [i for i in items if i.get("type") == "article"]
    assert articles, "no article item came out of the chain"
    return articles[0]


def assert_article_matches(got: dict, expected: dict, fields: tuple[str, ...] = COMPARED_FIELDS) -> None:
    """Every field of ``expected`` among ``fields`` equals the extracted one (images: url and caption)."""
    problems = []
    for name in fields:
        if name not in expected:
            continue
        want, have = expected[name], got.get(name)
        if name == "images":
            want = [{"url": i.get("url"), "caption": i.get("caption")} for i in want]
            have = [{"url": i.get("url"), "caption": i.get("caption")} for i in have or []]
        if want != have:
            problems.append(f"{name}:\n  expected {json.dumps(want, ensure_ascii=False)[:600]}\n"
                            f"  got      {json.dumps(have, ensure_ascii=False)[:600]}")
    assert not problems, "\n".join(problems)


def url_path(url: str) -> str:
    """Path and query of a URL: where a loopback fixture server serves the page of that URL."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class CorpusSite:
    """One site's real pages and their annotations in ../shared/corpus."""

    def __init__(self, site: str):
        self.site = site

    def truth(self, stem: str) -> dict:
        return json.loads(shared_path("corpus", "truth", self.site, f"{stem}.json").read_text(encoding="utf-8"))

    def raw(self, stem: str, ext: str = "html") -> bytes:
        return shared_path("corpus", "raw", self.site, f"{stem}.{ext}").read_bytes()

    def original_path(self, stem: str, ext: str = "html") -> str:
        """The path (and query) of the page's original URL, from MANIFEST.tsv."""
        return url_path(manifest()[f"{self.site}/{stem}.{ext}"]["original_url"].split(" ")[0])
