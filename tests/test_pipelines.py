"""Each pipeline alone, built from a crawler with the project's settings."""

from __future__ import annotations

import random
import re
import tracemalloc
from decimal import Decimal

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.dates import MODIFIED_LABELS, VISIBLE_DATE, labeled_date
from newscrawl.items import ArticleItem, TickerItem
from newscrawl.pageitems import TICKER_OF_DROPPED_ARTICLE, page_items, tie_page
from pipelines.chrome import StripChromePipeline
from pipelines.dates import KstDatesPipeline
from pipelines.dedup import DedupPipeline, DuplicateItem
from pipelines.normalize import NormalizeTextPipeline
from pipelines.pagetie import PageTiePipeline
from pipelines.store import DatabasePipeline
from pipelines.validate import ValidatePipeline


@pytest.fixture
def crawler(tmp_path):
    settings = get_project_settings().copy_to_dict()
    settings["NEWSCRAWL_DATABASE"] = f"sqlite:///{tmp_path}/test.sqlite3"
    return get_crawler(settings_dict=settings)


def article(**fields) -> ArticleItem:
    base = {"url": "https://www.etoday.co.kr/news/view/1", "site": "etoday", "publisher": "이투데이",
            "title": "제목", "paragraphs": ["본문이다."], "published_at": "2024-07-25 10:55",
            "canonical_url": "https://www.etoday.co.kr/news/view/1"}
    return ArticleItem(**{**base, **fields})


def test_strip_chrome_removes_widget_lines_markers_and_repeated_captions(crawler):
    item = article(
        paragraphs=["가장작게", "본문 첫 문장이다.", "좋아요0", "▲사진 설명. 연합뉴스", "무단전재 및 재배포 금지",
                    "홍길동 기자 hong@example.com", "작게 보이는 글씨가 문제라고 말했다."],
        images=[{"url": "a.jpg", "caption": "▲사진 설명. 연합뉴스"}, {"url": "a.jpg", "caption": "▲사진 설명. 연합뉴스"}],
    )
    out = StripChromePipeline.from_crawler(crawler).process_item(item)
    assert out.paragraphs == ["본문 첫 문장이다.", "작게 보이는 글씨가 문제라고 말했다."]
    assert out.images == [{"url": "a.jpg", "caption": "사진 설명. 연합뉴스"}]
    assert crawler.stats.get_value("newscrawl/chrome/lines_removed") == 5


def test_normalize_nfc_whitespace_bullets_body_and_hash():
    decomposed = "\u1100\u1161"  # 가 as conjoining jamo
    item = article(title=f" {decomposed}\u00a0나\u3000다 ", subtitles=["ㆍ식품ㆍ화장품 교류", "- 둘째 줄", " "],
                   paragraphs=["첫째  줄", "", "둘째\u200b 줄"])
    out = NormalizeTextPipeline().process_item(item)
    assert out.title == "가 나 다"
    assert out.subtitles == ["식품ㆍ화장품 교류", "둘째 줄"]
    assert out.body == "첫째 줄\n\n둘째 줄"
    assert len(out.content_hash) == 64
    assert NormalizeTextPipeline().process_item(article(title="가 나 다", subtitles=["식품ㆍ화장품 교류", "둘째 줄"],
                                                        paragraphs=["첫째 줄", "둘째 줄"])).content_hash == out.content_hash


@pytest.mark.parametrize(("raw", "iso"), [
    ("2024-07-25 10:55", "2024-07-25T10:55:00+09:00"),
    ("2023-04-05T01:57:54.555Z", "2023-04-05T10:57:54+09:00"),
    ("2025-05-15T20:00:52.000+0900", "2025-05-15T20:00:52+09:00"),
    ("2016.09.17 18:59", "2016-09-17T18:59:00+09:00"),
    ("2023.09.07. 오후 12:22", "2023-09-07T12:22:00+09:00"),
    ("2023.09.07. 오전 12:05", "2023-09-07T00:05:00+09:00"),
    ("입력 : 2016.09.26 09:57:01", "2016-09-26T09:57:01+09:00"),
])
def test_dates_become_kst(crawler, raw, iso):
    out = KstDatesPipeline.from_crawler(crawler).process_item(article(published_at=raw))
    assert out.published_at == iso
    again = KstDatesPipeline.from_crawler(crawler).process_item(article(published_at=raw))  # from the parse cache
    assert again.published_at == iso


def test_unparsable_date_is_counted_and_cleared(crawler):
    out = KstDatesPipeline.from_crawler(crawler).process_item(article(published_at="어제 저녁"))
    assert out.published_at is None
    assert crawler.stats.get_value("newscrawl/dates/unparsable/published_at") == 1


def test_validate_drops_incomplete_items_with_a_counted_reason(crawler):
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match="without body"):
        pipeline.process_item(NormalizeTextPipeline().process_item(article(paragraphs=[])))
    assert crawler.stats.get_value("newscrawl/dropped/article/missing_body") == 1
    good = NormalizeTextPipeline().process_item(article())
    assert pipeline.process_item(good) is good


def test_dedup_keeps_one_article_per_canonical_url_and_one_quote_per_value(crawler):
    pipeline = DedupPipeline.from_crawler(crawler)
    pipeline.process_item(article())
    with pytest.raises(DropItem):
        pipeline.process_item(article(url="https://m.etoday.co.kr/news/view/1"))
    quote = dict(site="etoday", market="crypto", name="비트코인", price=1, change_pct=Decimal("0.5"))
    pipeline.process_item(TickerItem(**quote))
    with pytest.raises(DropItem):
        pipeline.process_item(TickerItem(**quote))
    pipeline.process_item(TickerItem(**{**quote, "price": 2}))
    assert crawler.stats.get_value("newscrawl/duplicates/article") == 1
    assert crawler.stats.get_value("newscrawl/duplicates/ticker") == 1


def test_dedup_remembers_a_kept_quote_in_little_memory(crawler):
    """A long crawl keeps every quote's identity for the run (12 a page on etoday): as a digest, ~100 bytes each
    with the set's slot; the identity's own tuple of fresh strings took ~400."""
    pipeline = DedupPipeline.from_crawler(crawler)
    quotes = [TickerItem(site="etoday", market="crypto", name=f"코인{n % 12}", price=Decimal(f"{n}.125"),
                         change_pct=Decimal("-1.5"), as_of="2026-11-30T10:00:00+09:00",
                         source_url=f"https://www.etoday.co.kr/news/view/{2_000_000 + n // 12}") for n in range(6000)]
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for quote in quotes:
        pipeline.process_item(quote)
    kept = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    assert len(pipeline.tickers) == 6000
    assert kept / 6000 < 150
    with pytest.raises(DropItem):  # the digest still knows each one
        pipeline.process_item(TickerItem(**{f: getattr(quotes[4321], f) for f in
                                             ("site", "market", "name", "price", "change_pct", "as_of", "source_url")}))


def test_dedup_remembers_the_quotes_of_a_first_article_page_with_the_page_only(crawler):
    """A page tied to the first article of its canonical URL: its quotes (whose identity holds that URL) are told
    apart within the page and forgotten with it; a later page of the URL is a duplicate article (its quotes go
    with it: pipelines/pagetie.py); a portal copy's quotes, or a page's without an article, stay for the run."""
    PageTiePipeline.from_crawler(crawler)  # the tie's ledger
    dedup = DedupPipeline.from_crawler(crawler)
    url = "https://www.etoday.co.kr/news/view/1"

    def quotes(page: ArticleItem, *prices: int) -> list[TickerItem]:
        made = [TickerItem(site="etoday", market="crypto", name="비트코인", price=p, source_url=url) for p in prices]
        tie_page(crawler, page.url, page, made)
        return made

    first = article()
    first_quotes = quotes(first, 1, 2, 1)  # the widget shows one quote twice
    dedup.process_item(first)
    assert [dedup.process_item(q) for q in first_quotes[:2]] == first_quotes[:2]
    with pytest.raises(DuplicateItem):
        dedup.process_item(first_quotes[2])
    assert not dedup.tickers  # nothing kept for the run

    again = article(url="https://m.etoday.co.kr/news/view/1")
    quotes(again, 1)
    with pytest.raises(DuplicateItem):
        dedup.process_item(again)  # ... and the tie pipeline drops its quote with it

    copy = article(url="https://n.news.naver.com/mnews/article/999/1", site="naver", syndicated=True,
                   canonical_url="https://www.etoday.co.kr/news/view/2")
    copy_quote = TickerItem(site="naver", market="crypto", name="비트코인", price=3, source_url=copy.canonical_url)
    tie_page(crawler, copy.url, copy, [copy_quote])
    dedup.process_item(copy)
    dedup.process_item(copy_quote)
    assert len(dedup.tickers) == 1  # a portal copy's page may be followed by its publisher's: kept for the run
    with pytest.raises(DuplicateItem):
        dedup.process_item(TickerItem(site="naver", market="crypto", name="비트코인", price=3,
                                      source_url=copy.canonical_url))


def test_store_upserts_revisions_and_appends_tickers(crawler):
    pipeline = DatabasePipeline.from_crawler(crawler)
    first = NormalizeTextPipeline().process_item(article())
    pipeline.process_item(first)
    pipeline.process_item(NormalizeTextPipeline().process_item(article()))
    pipeline.process_item(NormalizeTextPipeline().process_item(article(paragraphs=["고친 본문이다."])))
    price = Decimal("0.000012345678901234567")
    pipeline.process_item(TickerItem(site="etoday", market="crypto", name="코인", price=price))
    storage = pipeline.storage
    storage.commit()
    assert [a["paragraphs"] for a in storage.articles()] == [["고친 본문이다."]]
    assert storage.db.execute("SELECT revision FROM articles").fetchone() == (2,)
    assert storage.db.execute("SELECT COUNT(*) FROM article_revisions").fetchone() == (2,)
    assert storage.tickers()[0]["price"] == str(price)  # exact, not a rounded float
    stats = crawler.stats
    assert [stats.get_value(f"newscrawl/articles/{k}") for k in ("new", "unchanged", "updated")] == [1, 1, 1]


def test_a_portal_copy_never_replaces_the_publishers_article(crawler):
    store, normalize = DatabasePipeline.from_crawler(crawler), NormalizeTextPipeline()
    own = normalize.process_item(article())
    copy = normalize.process_item(article(url="https://n.news.naver.com/mnews/article/999/0000000001",
                                          site="naver", paragraphs=["포털 사본이다."], syndicated=True,
                                          other_urls=["https://n.news.naver.com/mnews/article/999/0000000001"]))
    store.process_item(own)
    with pytest.raises(DropItem, match="is a copy of"):
        store.process_item(copy)
    storage = store.storage
    assert [(a["site"], a["paragraphs"]) for a in storage.articles()] == [("etoday", ["본문이다."])]
    assert set(storage.done_urls()) == {own.url, copy.url}  # the portal's URL is recorded, and done


def test_the_publishers_article_replaces_a_portal_copy_stored_first(crawler):
    store, normalize = DatabasePipeline.from_crawler(crawler), NormalizeTextPipeline()
    copy = normalize.process_item(article(url="https://n.news.naver.com/mnews/article/999/0000000001",
                                          site="naver", paragraphs=["포털 사본이다."], syndicated=True))
    store.process_item(copy)
    store.process_item(normalize.process_item(article()))
    assert [(a["site"], a["paragraphs"]) for a in store.storage.articles()] == [("etoday", ["본문이다."])]
    assert store.storage.db.execute("SELECT site, revision FROM articles").fetchone() == ("etoday", 2)
    assert [crawler.stats.get_value(f"newscrawl/articles/{k}") for k in ("new", "updated")] == [1, 1]


def test_within_a_run_the_publishers_page_gets_past_a_portal_copy_seen_first(crawler):
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.process_item(article(url="https://n.news.naver.com/mnews/article/999/1", site="naver", syndicated=True))
    own = article()
    assert dedup.process_item(own) is own
    with pytest.raises(DropItem):
        dedup.process_item(article(url="https://n.news.naver.com/mnews/article/999/1", site="naver",
                                   syndicated=True))


def test_a_tied_ticker_waits_for_its_article_to_be_scraped_and_goes_with_it(crawler):
    """newscrawl/pageitems.py: a ticker that reaches the tie pipeline while its article is still in the
    pipelines waits; it goes on once the article is scraped (not merely stored), is dropped (and counted) when
    the article is dropped, and the store commits nothing between the article and its tickers."""
    tie = PageTiePipeline.from_crawler(crawler)
    store = DatabasePipeline.from_crawler(crawler)
    quote = {"site": "etoday", "market": "crypto", "name": "비트코인"}
    dropped, dropped_ticker = article(url="https://www.etoday.co.kr/news/view/2"), TickerItem(**quote, price=1)
    kept, kept_ticker = NormalizeTextPipeline().process_item(article()), TickerItem(**quote, price=2)
    tie_page(crawler, dropped.url, dropped, [dropped_ticker])
    tie_page(crawler, kept.url, kept, [kept_ticker])

    waiting = tie.process_item(dropped_ticker)  # its article is not decided yet: an awaitable
    waiting.send(None)
    tie.item_dropped(dropped, DropItem(f"article without body: {dropped.url}"))
    with pytest.raises(DropItem, match=f"{TICKER_OF_DROPPED_ARTICLE}: 비트코인 of {dropped.url}") as gone:
        waiting.send(None)
    tie.item_dropped(dropped_ticker, gone.value)
    assert crawler.stats.get_value("newscrawl/dropped/ticker/article_dropped") == 1

    waiting = tie.process_item(kept_ticker)
    waiting.send(None)
    assert store.process_item(kept) is kept
    assert page_items(crawler).page_of(kept_ticker).outcome is None  # stored, not yet in the feeds
    store.item_scraped(kept)
    tie.item_scraped(kept)
    assert store.sinks.in_flight  # the page is done only with its ticker
    with pytest.raises(StopIteration) as released:
        waiting.send(None)
    assert released.value.value is kept_ticker
    assert store.process_item(kept_ticker) is kept_ticker
    store.item_scraped(kept_ticker)
    tie.item_scraped(kept_ticker)
    assert not store.sinks.in_flight and not page_items(crawler).by_item
    store.storage.commit()
    assert [(t["name"], t["price"]) for t in store.storage.tickers()] == [("비트코인", "2")]
    assert crawler.stats.get_value("newscrawl/dropped/ticker/article_dropped") == 1


def test_a_portal_copys_tickers_are_kept_with_the_publishers_page(crawler):
    """The store drops a portal's copy of an article stored from its publisher, but the copy's page was read:
    its tickers are stored (the store settles the page before dropping the copy)."""
    tie = PageTiePipeline.from_crawler(crawler)
    store = DatabasePipeline.from_crawler(crawler)
    store.process_item(NormalizeTextPipeline().process_item(article()))
    copy = NormalizeTextPipeline().process_item(
        article(url="https://n.news.naver.com/mnews/article/999/1", site="naver", syndicated=True))
    ticker = TickerItem(site="naver", market="crypto", name="비트코인", price=3)
    tie_page(crawler, copy.url, copy, [ticker])
    with pytest.raises(DropItem, match="is a copy of") as copy_dropped:
        store.process_item(copy)
    tie.item_dropped(copy, copy_dropped.value)
    assert tie.process_item(ticker) is ticker
    assert not crawler.stats.get_value("newscrawl/dropped/ticker/article_dropped")


def test_untied_items_pass_the_tie_pipeline_as_they_are(crawler):
    tie = PageTiePipeline.from_crawler(crawler)
    ticker, lone = TickerItem(site="etoday", market="crypto", name="비트코인", price=1), article()
    assert tie.process_item(ticker) is ticker and tie.process_item(lone) is lone
    tie_page(crawler, lone.url, lone, [])  # an article without tickers is not tied
    assert not page_items(crawler).by_item


def test_labeled_date_finds_what_a_search_for_each_labelled_occurrence_finds():
    """labeled_date (str.find over each label's occurrences) against the plain regex reading of the same rule."""
    def by_regex(text: str, labels: tuple[str, ...]) -> str | None:
        for label in labels:
            for found in re.finditer(re.escape(label), text):
                date = VISIBLE_DATE.match(text[found.end(): found.end() + 40].lstrip(" :：|\u00a0"))
                if date:
                    return date.group(0)
        return None

    rng = random.Random(15)
    pieces = ["입력", "입력 ", "수정", ": ", "2016.09.17 18:59", "2024-07-25 10:55", "입력입력", "a", " ", "오후 ",
              "12:05", "2023.09.07.", "\u00a0", " | "]
    found = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        labels = tuple(rng.choice(["입력", "수정", "", "입력입력", "a", "최종수정"]) for _ in range(rng.randint(1, 3)))
        expected = by_regex(text, labels)
        assert labeled_date(text, labels) == expected, (text, labels)
        found += expected is not None
    assert found > 1000
    assert labeled_date("기사입력 2016.09.17 18:59 최종수정 2016.09.18 08:00", MODIFIED_LABELS) == "2016.09.18 08:00"
