"""The layout registry (tests/fixtures/layouts.json): for every layout version of every site, the page that
proves it and the hand-written expected file, with the hash of that file per version.

Rule: an expected file changes only with a version bump of its layout (``version`` in the page object):
add the new version's hash beside the old ones (``scrapy``-free helper: ``python -m tests.layouts hash FILE``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.shared import FIXTURES, SHARED

REGISTRY = FIXTURES / "layouts.json"
BASE = "http://127.0.0.1:9"  # what {BASE} in a fixture's expected file stands for


@dataclass(frozen=True)
class LayoutCase:
    layout: str  # site.ClassName
    page: str  # fixtures:<path> or shared:<path>
    url: str
    expected: str  # fixtures:<path> or shared:<path>
    hashes: dict[str, str]  # version -> sha256 of the expected file
    rendered_text: bool = False

    @property
    def site(self) -> str:
        return self.layout.split(".", 1)[0]

    @property
    def version(self) -> int:
        return max(int(v) for v in self.hashes)


def resolve(reference: str) -> Path:
    root, _, path = reference.partition(":")
    return {"fixtures": FIXTURES, "shared": SHARED}[root] / path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cases() -> list[LayoutCase]:
    return [LayoutCase(**row) for row in json.loads(REGISTRY.read_text(encoding="utf-8"))]


if __name__ == "__main__" and sys.argv[1:2] == ["hash"]:
    for name in sys.argv[2:]:
        print(sha256(Path(name)), name)
