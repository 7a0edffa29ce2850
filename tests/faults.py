"""A hostile loopback etoday: thousands of generated article pages (from the etoday fixture, each with its own
id, title, canonical URL, body line and quotes) behind a server that injects faults per article.

Faults (``FAULT_KINDS``): 5xx and 429 (with and without Retry-After), slow answers and hangs past the client
timeout, connections reset mid-body, truncated HTML, charsets that lie or are missing, a gzip bomb, 50 MB
pages (announced and streamed), redirect loops, offsite and harmless redirects, soft 404s served with 200.
The feeds add duplicates under other URLs (tracking parameters, ?mobile=1, the m. host, an unknown
parameter), an endless chain of sitemap pages, and robots.txt disallows the /news/view/9... articles.

``FaultPlan`` decides, from a seed, which article gets which fault and what a correct crawl must end with:
the ids stored, and the count of each reason for the ones that cannot be stored.
"""

from __future__ import annotations

import gzip
import html
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.servers import FixtureServer
from tests.shared import FIXTURES, REPO

TEMPLATE = (FIXTURES / "etoday" / "news_view_2384652.html").read_text(encoding="utf-8")
FIXTURE_ID = "2384652"
FIXTURE_TITLE = "북한, 러시아 동맹국 '벨라루스'와 관계 강화…\"새로운 시대 열 것\""
FIRST_ID = 100_000
BLOCKED_FIRST_ID = 900_000  # robots.txt: Disallow /news/view/9
CANONICAL_BASE = "https://www.etoday.co.kr"
HUGE = 50 * 1024 * 1024
BOMB_SIZE = 64 * 1024 * 1024


@dataclass(frozen=True)
class Fault:
    kind: str
    times: int | None = None  # fail this many requests, then serve the article; None: always
    value: str | float | int | None = None  # status code, Retry-After, seconds...
    reason: str | None = None  # the counted reason when the article cannot be stored (None: recoverable)


# name -> (fault, weight among the faulty articles). The weight of the costly ones (bytes, hangs) is small.
FAULT_KINDS: dict[str, tuple[Fault, int]] = {
    "500_once": (Fault("status", 1, 500), 6),
    "502_twice": (Fault("status", 2, 502), 6),
    "503_once": (Fault("status", 1, 503), 6),
    "429_retry_after": (Fault("429", 1, "1"), 6),
    "429_no_retry_after": (Fault("429", 1, None), 6),
    "429_retry_after_long": (Fault("429", 1, "3600"), 4),  # capped by NEWSCRAWL_RETRY_AFTER_MAX
    "429_retry_after_date": (Fault("429", 1, "date+1"), 4),
    "slow": (Fault("slow", None, 0.6), 6),
    "hang_once": (Fault("hang", 1, 0), 4),
    "reset_once": (Fault("reset", 1), 6),
    "euckr_labelled_utf8": (Fault("charset", None, "euckr_as_utf8"), 6),
    "utf8_labelled_euckr": (Fault("charset", None, "utf8_as_euckr"), 6),
    "euckr_unlabelled": (Fault("charset", None, "euckr_unlabelled"), 6),
    "redirect_once": (Fault("redirect", None, "once"), 6),
    "500_always": (Fault("status", None, 500, "http_500"), 4),
    "503_always": (Fault("status", None, 503, "http_503"), 4),
    "429_always": (Fault("429", None, "1", "http_429"), 3),
    "hang_always": (Fault("hang", None, 0, "timeout"), 2),
    "reset_always": (Fault("reset", None, None, "connection_lost"), 4),
    "truncated": (Fault("truncated", None, "tag", "truncated"), 3),  # cut between two tags
    "truncated_mid_char": (Fault("truncated", None, "char", "truncated"), 3),  # cut inside a UTF-8 character
    "soft_404": (Fault("soft404", None, None, "soft_404"), 6),
    "gzip_bomb": (Fault("gzip_bomb", None, None, "too_large"), 1),
    "huge_announced": (Fault("huge", None, "announced", "too_large"), 1),
    "huge_streamed": (Fault("huge", None, "streamed", "too_large"), 1),
    "redirect_loop": (Fault("redirect", None, "loop", "redirect_loop"), 4),
    "redirect_offsite": (Fault("redirect", None, "offsite", "offsite"), 4),
    # Hostile values in the page itself (issue #11). An impossible article:published_time falls back to the
    # visible 입력 line (the next source in ../shared/docs/annotation.md); with both impossible the page is dropped.
    "date_feb30": (Fault("date", None, "2024-02-30T10:00:00+09:00"), 1),  # also a JSON-LD block nested 100,000 deep
    "date_year9999": (Fault("date", None, "9999-12-31T23:00:00-05:00"), 1),  # overflows astimezone
    "date_offset99": (Fault("date", None, "2024-07-25T10:00:00+99:00"), 1),
    "date_year0": (Fault("date", None, "0000-01-01T00:00:00"), 1),
    "date_month13": (Fault("date", None, "2024-13-45"), 1),
    "modified_year9999": (Fault("modified", None, "9999-12-31T23:00:00-05:00"), 1),
    "no_possible_date": (Fault("nodate", None, None, "missing_published_at"), 1),  # its quotes are not stored
    "euckr_stray_byte": (Fault("stray_byte", None, None), 2),  # EUC-KR with one 0xFF byte in a paragraph
    "bidi_controls": (Fault("bidi", None, None), 2),  # U+202E, U+200F, U+2066-U+2069, U+061C and DEL in the text
    # Weight 0: only in explicit plans.
    "503_retry_after_always": (Fault("status", None, 503, "http_503"), 0),  # with Retry-After: 3600
    "redirect_other_port": (Fault("redirect", None, "other_port", "offsite"), 0),  # same host, another port
    # <link rel=canonical> and og:url naming another site, or the next article of this one
    "canonical_offsite": (Fault("canonical", None, "offsite"), 0),
    "canonical_next_article": (Fault("canonical", None, "next"), 0),
}
FOREIGN_CANONICAL_BASE = "https://news.example.com"
GZIP_SITEMAPS = ("/sitemap/articles.xml.gz", "/sitemap/binary.xml.gz", "/sitemap/broken.xml.gz", "/sitemap/bomb.xml.gz")
ROBOTS = b"User-agent: *\nDisallow: /news/view/9\n"


def title_of(article_id: int) -> str:
    return f"[{article_id}] {FIXTURE_TITLE}"


def canonical_of(article_id: int) -> str:
    return f"{CANONICAL_BASE}/news/view/{article_id}"


def article_html(article_id: int, *, charset: str = "utf-8") -> str:
    """The fixture page as article ``article_id``: its title, canonical URL, a body line and two quotes."""
    page = TEMPLATE.replace(FIXTURE_ID, str(article_id)).replace('<meta charset="utf-8">',
                                                                  f'<meta charset="{charset}">' if charset else "")
    page = page.replace(f"<title>{FIXTURE_TITLE}", f"<title>{title_of(article_id)}")
    page = page.replace(f'<h1 class="main_title">{FIXTURE_TITLE}', f'<h1 class="main_title">{title_of(article_id)}')
    page = page.replace(f'content="{html.escape(FIXTURE_TITLE)}', f'content="{html.escape(title_of(article_id))}')
    page = page.replace("<p>한편,", f"<p>기사 번호 {article_id}번의 본문이다.</p>\n      <p>한편,", 1)
    coins = (f'<li><ul><li class="name">비트코인</li><li class="price">{100_000_000 + article_id:,}</li>'
             f'<li class="rate down">-1.06%</li></ul></li>'
             f'<li><ul><li class="name">이더리움</li><li class="price">{4_000_000 + article_id:,}</li>'
             f'<li class="rate up">+2.07%</li></ul></li>')
    return re.sub(r'(<ul class="coin_list">).*?(</ul>\s*<p class="coin_info">)', rf"\g<1>{coins}\g<2>", page,
                  flags=re.DOTALL)


SOFT_404 = ("<!DOCTYPE html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>이투데이</title></head><body>"
            "<div id=\"header\"><h1 class=\"logo\">이투데이</h1></div><div class=\"error\">"
            "<p>요청하신 페이지를 찾을 수 없습니다.</p><p>삭제된 기사이거나 주소가 잘못되었습니다.</p></div>"
            "</body></html>").encode()


# RFC 822 dates that cannot be: 30 February, a year past datetime's range in KST, a month 13.
BAD_PUB_DATES = ("Fri, 30 Feb 2024 10:00:00 +0900", "Fri, 31 Dec 9999 23:00:00 -0500", "2024-13-45")
# The classic entity-expansion bomb (10^9 "lol"s from ten nested entities) as a sitemap.
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE urlset [\n<!ENTITY lol "lol">\n' + "".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1 or "") + ";") * 10}">\n' for n in range(1, 10)) +
    ']>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url>'
    f'<url><loc>{CANONICAL_BASE}/news/view/{FIRST_ID}</loc></url></urlset>').encode()
NESTED_JSON_LD = '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
PUBLISHED_META = '<meta property="article:published_time" content="2024-07-25T10:55:00+09:00">'
VISIBLE_DATE = "<span>입력 2024-07-25 10:55</span>"
# Bidi and invisible controls, each placed where a reader would not see it.
CONTROLS = "\u202e\u200f\u2066\u2069\u061c\x7f"


def hostile_page(article_id: int, fault: Fault) -> bytes:
    """The article page with a hostile value in it (kinds date, modified, nodate, stray_byte, bidi)."""
    page = article_html(article_id)
    assert PUBLISHED_META in page and VISIBLE_DATE in page
    if fault.kind == "date":
        extra = NESTED_JSON_LD if fault.value == "2024-02-30T10:00:00+09:00" else ""
        page = page.replace(PUBLISHED_META, PUBLISHED_META.replace("2024-07-25T10:55:00+09:00", str(fault.value))
                            + extra)
    elif fault.kind == "modified":
        page = page.replace(PUBLISHED_META, f'{PUBLISHED_META}<meta property="article:modified_time" '
                                            f'content="{fault.value}">')
    elif fault.kind == "nodate":
        page = page.replace(PUBLISHED_META, PUBLISHED_META.replace("2024-07-25T10:55:00+09:00", "2024-13-45"))
        page = page.replace(VISIBLE_DATE, "<span>입력 2024-02-30 10:55</span>")
    elif fault.kind == "bidi":
        title = title_of(article_id)
        page = page.replace(f'<h1 class="main_title">{title}',
                            f'<h1 class="main_title">{CONTROLS[:3]}{title[:8]}{CONTROLS[3:]}{title[8:]}')
        page = page.replace(f"기사 번호 {article_id}번의", f"기사 번호\u200f {article_id}번의\x7f")
    elif fault.kind == "stray_byte":
        page = page.replace('<meta charset="utf-8">', '<meta charset="euc-kr">')
        body = page.encode("cp949")
        cut = body.index("한편,".encode("cp949"))
        return body[:cut] + b"\xff" + body[cut:]
    return page.encode()


def send_hostile_page(handler: BaseHTTPRequestHandler, article_id: int, fault: Fault) -> None:
    charset = "euc-kr" if fault.kind == "stray_byte" else "utf-8"
    send(handler, 200, hostile_page(article_id, fault), f"text/html; charset={charset}")


def gzip_bomb() -> bytes:
    """BOMB_SIZE zero bytes, gzip-compressed to about 64 KB (computed once)."""
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(bytes(BOMB_SIZE), 9)
    return _BOMB


_BOMB: bytes | None = None


@dataclass
class FaultPlan:
    """Which article ids exist, which are faulty and how, and what a correct crawl ends with."""

    articles: int
    fault_share: float = 0.10
    seed: int = 7
    duplicates: int = 0  # articles also linked under other URLs; default articles // 50
    blocked: int = 10  # articles linked but disallowed by robots.txt
    unknown_param_copies: bool = True  # also link duplicates as ?cid=7, which only their page's canonical names
    faults: dict[int, tuple[str, Fault]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        ids = self.ids
        faulty = rng.sample(ids, round(len(ids) * self.fault_share))
        total = sum(weight for _, weight in FAULT_KINDS.values())
        kinds = [name for name, (_, weight) in FAULT_KINDS.items() for _ in range(weight)]
        total = len(kinds)
        counts = {name: 0 for name in FAULT_KINDS}
        for index, article_id in enumerate(faulty):
            name = kinds[index % total]  # every kind in proportion, the costly ones rarely
            counts[name] += 1
            self.faults[article_id] = (name, FAULT_KINDS[name][0])
        self.duplicates = self.duplicates or max(1, self.articles // 50)
        self.duplicated = rng.sample([i for i in ids if i not in self.faults], self.duplicates)

    @classmethod
    def explicit(cls, articles: int, kinds: dict[int, str], **kwargs: object) -> FaultPlan:
        """A plan with exactly these faults: article index -> FAULT_KINDS name."""
        plan = cls(articles, fault_share=0.0, **kwargs)
        plan.faults = {FIRST_ID + index: (name, FAULT_KINDS[name][0]) for index, name in kinds.items()}
        plan.duplicated = [i for i in plan.duplicated if i not in plan.faults]
        return plan

    @property
    def ids(self) -> list[int]:
        return list(range(FIRST_ID, FIRST_ID + self.articles))

    @property
    def blocked_ids(self) -> list[int]:
        return list(range(BLOCKED_FIRST_ID, BLOCKED_FIRST_ID + self.blocked))

    def fault(self, article_id: int) -> Fault | None:
        found = self.faults.get(article_id)
        return found[1] if found else None

    @property
    def recoverable(self) -> list[int]:
        return [i for i in self.ids if not (self.fault(i) and self.fault(i).reason)]

    def unrecoverable_reasons(self) -> dict[str, int]:
        """reason -> how many articles must be given up for it."""
        reasons: dict[str, int] = {}
        for _, fault in self.faults.values():
            if fault.reason:
                reasons[fault.reason] = reasons.get(fault.reason, 0) + 1
        return reasons

    def kinds(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for name, _ in self.faults.values():
            counted[name] = counted.get(name, 0) + 1
        return counted

    def variant_links(self, article_id: int) -> list[str]:
        """Other URLs of the same article: three that canonicalise to it, one that only its page names."""
        path = f"/news/view/{article_id}"
        links = [f"{CANONICAL_BASE}{path}?utm_source=rss&utm_medium=feed", f"{CANONICAL_BASE}{path}?mobile=1",
                 f"https://m.etoday.co.kr{path}"]
        return [*links, f"{CANONICAL_BASE}{path}?cid=7"] if self.unknown_param_copies else links


class FaultPortal:
    """The loopback portal for a FaultPlan. Use as a context manager; ``base_url`` is where it listens.

    /robots.txt, /eto/etoday_news_all.xml (RSS: duplicates and blocked articles), /rss/news_sitemap (sitemap
    index: article sitemaps of ``page_size`` and an endless archive chain), /sitemap/articles?page=N,
    /sitemap/archive?page=N, /news/view/<id>. ``hits`` counts requests per path with query.
    """

    def __init__(self, plan: FaultPlan, page_size: int = 500, robots: str = "rules", gzip_sitemaps: bool = False):
        self.plan = plan
        self.gzip_sitemaps = gzip_sitemaps  # article sitemaps as .xml.gz, plus a binary, a broken and a bomb one
        self.page_size = page_size
        self.robots = robots  # rules (ROBOTS) | huge (ROBOTS, then 50 MB of comments) | 503 | reset
        self.first_seen: dict[int, float] = {}  # article id -> when its first request came
        self.hits: dict[str, int] = {}
        self.fault_hits: dict[int, int] = {}
        self.times: dict[int, list[float]] = {}  # faulty article id -> when each request came
        self.offsite_hits = 0  # requests that named another host (must stay 0)
        self.lock = threading.Lock()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                try:
                    portal.serve(self)
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hung up on a hostile answer is the point, not a server error

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.other = FixtureServer()  # the same host on another port: must never be asked for anything
        self.other_port = self.other.httpd.server_address[1]

    def __enter__(self) -> FaultPortal:
        self.thread.start()
        self.other.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.other.__exit__()
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset_counts(self) -> None:
        """Forget past requests: the next crawl meets every transient fault again."""
        with self.lock:
            self.hits.clear()
            self.fault_hits.clear()
            self.times.clear()
            self.offsite_hits = 0

    def hits_under(self, prefix: str) -> int:
        with self.lock:
            return sum(n for path, n in self.hits.items() if path.startswith(prefix))

    # --- routing ---------------------------------------------------------------------------------
    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.hits[handler.path] = self.hits.get(handler.path, 0) + 1
            if not (handler.headers.get("Host") or "").startswith("127.0.0.1"):
                self.offsite_hits += 1
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        page = int(query.get("page", ["1"])[0])
        if parts.path == "/robots.txt":
            return self.send_robots(handler)
        if parts.path == "/eto/etoday_news_all.xml":
            return send(handler, 200, self.rss(), "application/rss+xml; charset=utf-8")
        if parts.path == "/rss/news_sitemap":
            return send(handler, 200, self.sitemap_index(), "application/xml; charset=utf-8")
        if parts.path == "/sitemap/articles":
            return send(handler, 200, self.article_sitemap(page), "application/xml; charset=utf-8")
        if parts.path == "/sitemap/laughs":
            return send(handler, 200, BILLION_LAUGHS, "application/xml; charset=utf-8")
        if parts.path in GZIP_SITEMAPS:  # sitemaps.org: gzip sitemaps; not Content-Encoding, the file itself
            body = {"/sitemap/articles.xml.gz": lambda: gzip.compress(self.article_sitemap(page)),
                    "/sitemap/binary.xml.gz": lambda: bytes(range(256)) * 8,
                    "/sitemap/broken.xml.gz": lambda: b"\x1f\x8b\x08\x00" + bytes(range(200)),
                    "/sitemap/bomb.xml.gz": gzip_bomb}[parts.path]()
            kind = "application/octet-stream" if "binary" in parts.path else "application/x-gzip"
            return send(handler, 200, body, kind)
        if parts.path == "/sitemap/archive":  # endless pagination: every page links the next
            return send(handler, 200, sitemap_index([f"{self.base_url}/sitemap/archive?page={page + 1}"]),
                        "application/xml; charset=utf-8")
        found = re.fullmatch(r"/news/view/(\d+)", parts.path)
        if not found:
            return send(handler, 404, b"<html><body>not found</body></html>")
        article_id = int(found.group(1))
        with self.lock:
            self.first_seen.setdefault(article_id, time.monotonic())
        if not (article_id in self.plan.faults or FIRST_ID <= article_id < FIRST_ID + self.plan.articles
                or article_id >= BLOCKED_FIRST_ID):
            return send(handler, 404, b"<html><body>not found</body></html>")
        fault = self.plan.fault(article_id)
        if fault is None:
            return send(handler, 200, article_html(article_id).encode())
        with self.lock:
            seen = self.fault_hits[article_id] = self.fault_hits.get(article_id, 0) + 1
            self.times.setdefault(article_id, []).append(time.monotonic())
        if fault.times is not None and seen > fault.times:
            return send(handler, 200, article_html(article_id).encode())
        self.inject(handler, article_id, fault, query)

    def inject(self, handler: BaseHTTPRequestHandler, article_id: int, fault: Fault,
               query: dict[str, list[str]]) -> None:
        body = article_html(article_id).encode()
        path = f"/news/view/{article_id}"
        if fault.kind == "status":
            headers = {"Retry-After": "3600"} if "retry_after" in self.plan.faults[article_id][0] else {}
            send(handler, int(fault.value), b"<html><body>error</body></html>", headers=headers)
        elif fault.kind == "429":
            headers = {}
            if fault.value == "date+1":
                headers["Retry-After"] = formatdate(time.time() + 1, usegmt=True)
            elif fault.value:
                headers["Retry-After"] = str(fault.value)
            send(handler, 429, b"<html><body>slow down</body></html>", headers=headers)
        elif fault.kind == "slow":
            time.sleep(float(fault.value))
            send(handler, 200, body)
        elif fault.kind == "hang":
            time.sleep(3.0)  # past the crawl's DOWNLOAD_TIMEOUT, then hang up without an answer
            handler.close_connection = True
        elif fault.kind == "reset":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            reset(handler)
        elif fault.kind == "truncated":
            send(handler, 200, truncate(body, inside_character=fault.value == "char"))
        elif fault.kind == "canonical":
            other = (f"{FOREIGN_CANONICAL_BASE}/news/view/{article_id}" if fault.value == "offsite"
                     else canonical_of(article_id + 1))
            send(handler, 200, body.replace(canonical_of(article_id).encode(), other.encode()))
        elif fault.kind == "soft404":
            send(handler, 200, SOFT_404)
        elif fault.kind == "charset":
            self.send_charset_lie(handler, article_id, str(fault.value))
        elif fault.kind == "gzip_bomb":
            send(handler, 200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
        elif fault.kind == "huge":
            send_huge(handler, announced=fault.value == "announced")
        elif fault.kind == "redirect":
            self.redirect(handler, path, str(fault.value), query)
        else:
            send_hostile_page(handler, article_id, fault)

    def send_robots(self, handler: BaseHTTPRequestHandler) -> None:
        if self.robots == "503":
            return send(handler, 503, b"<html><body>unavailable</body></html>")
        if self.robots == "reset":  # unreachable: every connection for it is reset
            return reset(handler)
        if self.robots == "huge":  # the rules first, then comments up to 50 MB (announced)
            return send_huge(handler, announced=True, head=ROBOTS, chunk=b"# " + b"x" * (1024 * 1024 - 3) + b"\n",
                             content_type="text/plain")
        send(handler, 200, ROBOTS, "text/plain")

    def send_charset_lie(self, handler: BaseHTTPRequestHandler, article_id: int, how: str) -> None:
        if how == "euckr_as_utf8":  # EUC-KR bytes, header and meta both say UTF-8
            send(handler, 200, article_html(article_id).encode("cp949"), "text/html; charset=utf-8")
        elif how == "utf8_as_euckr":  # UTF-8 bytes, header and meta both say EUC-KR
            send(handler, 200, article_html(article_id, charset="euc-kr").encode(), "text/html; charset=euc-kr")
        else:  # EUC-KR bytes, no charset anywhere
            send(handler, 200, article_html(article_id, charset="").encode("cp949"), "text/html")

    def redirect(self, handler: BaseHTTPRequestHandler, path: str, how: str, query: dict[str, list[str]]) -> None:
        if how == "once":
            if "moved" in query:
                return send(handler, 200, article_html(int(path.rsplit("/", 1)[1])).encode())
            return send(handler, 301, b"", headers={"Location": f"{path}?moved=1"})
        if how == "loop":  # /x -> /x?loop=1 -> /x -> ...
            target = path if "loop" in query else f"{path}?loop=1"
            return send(handler, 302, b"", headers={"Location": target})
        port = self.httpd.server_address[1]
        if how == "other_port":  # the same host on another port: outside base_url's origin
            return send(handler, 302, b"", headers={"Location": f"http://127.0.0.1:{self.other_port}{path}"})
        # another host (same machine): offsite for the spider
        send(handler, 302, b"", headers={"Location": f"http://localhost:{port}{path}"})

    # --- feeds -----------------------------------------------------------------------------------
    def rss(self) -> bytes:
        """Duplicates and blocked articles, after three items with impossible pubDates (BAD_PUB_DATES): those
        must not end discovery of the items after them (robots.txt then counts every blocked one)."""
        links = [link for i in self.plan.duplicated for link in self.plan.variant_links(i)]
        links += [canonical_of(i) for i in self.plan.blocked_ids]
        dated = [(canonical_of(FIRST_ID + n), when) for n, when in enumerate(BAD_PUB_DATES)]
        dated += [(link, "Thu, 25 Jul 2024 01:55:00 GMT") for link in links]
        items = "".join(f"<item><title>{n}</title><link>{html.escape(link)}</link><pubDate>{when}</pubDate></item>"
                        for n, (link, when) in enumerate(dated))
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>이투데이</title>'
                f"{items}</channel></rss>").encode()

    def sitemap_index(self) -> bytes:
        pages = -(-self.plan.articles // self.page_size)
        article_path = "/sitemap/articles.xml.gz" if self.gzip_sitemaps else "/sitemap/articles"
        locs = [f"{self.base_url}{article_path}?page={p}" for p in range(1, pages + 1)]
        if self.gzip_sitemaps:
            locs += [f"{self.base_url}{path}" for path in GZIP_SITEMAPS if "articles" not in path]
        return sitemap_index([*locs, f"{self.base_url}/sitemap/archive?page=1", f"{self.base_url}/sitemap/laughs"])

    def article_sitemap(self, page: int) -> bytes:
        ids = self.plan.ids[(page - 1) * self.page_size: page * self.page_size]
        urls = "".join(f"<url><loc>{canonical_of(i)}</loc></url>" for i in ids)
        return (f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()


def sitemap_index(locs: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{html.escape(loc)}</loc></sitemap>" for loc in locs)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>').encode()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def truncate(body: bytes, *, inside_character: bool) -> bytes:
    """The first two thirds of a page: up to a tag's start, or up to the second byte of a Hangul syllable."""
    cut = len(body) * 2 // 3
    if inside_character:
        while body[cut] < 0xE0:  # find a 3-byte sequence's lead byte, keep it and one continuation byte
            cut += 1
        return body[: cut + 2]
    return body[: body.index(b"<", cut)]


def send_huge(handler: BaseHTTPRequestHandler, *, announced: bool, head: bytes = b"",
              chunk: bytes = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n",
              content_type: str = "text/html; charset=utf-8") -> None:
    """A 50 MB page: with its Content-Length, or streamed without one until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    if announced:
        handler.send_header("Content-Length", str(HUGE))
    else:
        handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True
    handler.wfile.write(head)
    for _ in range(HUGE // len(chunk)):
        handler.wfile.write(chunk)


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), as a crashed upstream does."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


# --- running a crawl against the portal ------------------------------------------------------------
FAST_SETTINGS = {
    "CONCURRENT_REQUESTS": "64", "CONCURRENT_REQUESTS_PER_DOMAIN": "64", "DOWNLOAD_TIMEOUT": "2",
    "NEWSCRAWL_RETRY_BACKOFF_BASE": "0.05", "NEWSCRAWL_RETRY_BACKOFF_MAX": "0.5",
    "NEWSCRAWL_RETRY_AFTER_MAX": "1.5", "DEPTH_LIMIT": "4", "LOG_LEVEL": "INFO",
    "NEWSCRAWL_MAX_MISSING_SHARE": "0.5",
}


def crawl_command(base_url: str, data_dir: Path, settings: dict[str, str] | None = None) -> tuple[list[str], dict]:
    """``scrapy crawl etoday`` against the portal with output in ``data_dir`` (as tests/crawling.py)."""
    command = [sys.executable, "-m", "scrapy", "crawl", "etoday", "-a", f"base_url={base_url}",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"NEWSCRAWL_STATS_FILE={data_dir / 'stats.json'}"]
    for name, value in {**FAST_SETTINGS, **(settings or {})}.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "NEWSCRAWL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO),
           "NEWSCRAWL_REPORT_FILE": str(data_dir / "run-report.json")}
    env.pop("NEWSCRAWL_DATABASE", None)
    return command, env


def start_crawl(base_url: str, data_dir: Path, settings: dict[str, str] | None = None) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    command, env = crawl_command(base_url, data_dir, settings)
    log = (data_dir / "crawl.log").open("ab")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
