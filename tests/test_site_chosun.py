"""조선일보: layout choice, the Arc XP element kinds, and a real-engine crawl of a loopback chosun.com serving the
real corpus pages, the real legacy RSS feed and list page, and hand-written Arc RSS / news sitemap fixtures."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import pytest

from newscrawl import keys
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import reporter_name
from newscrawl.pages import ExtractionError
from newscrawl.sites.chosun import SITE as CHOSUN_SITE
from newscrawl.sites.chosun import ChosunArcPage, ChosunLegacyPage, chosun_page
from newscrawl.text import render_lines
from tests.crawling import crawl
from tests.servers import FixtureServer, Route, page
from tests.shared import (
    COMPARED_FIELDS,
    FIXTURES,
    CorpusSite,
    assert_article_matches,
    run_page,
)

CHOSUN = FIXTURES / "chosun"
ARC = "chosun_20230405_RNGKBEZYJJ"
LEGACY = ("chosun_2016091700921_euckr", "chosun_2016091302449_editorial_euckr")
EUC_KR = "text/html; charset=EUC-KR"


CORPUS = CorpusSite("chosun")
truth, raw, original_path = CORPUS.truth, CORPUS.raw, CORPUS.original_path


def test_layout_is_chosen_by_page_content():
    assert isinstance(chosun_page("https://www.chosun.com/x/", raw(ARC).decode("utf-8")), ChosunArcPage)
    legacy = raw(LEGACY[0]).decode("cp949")
    assert isinstance(chosun_page("http://news.chosun.com/x.html", legacy), ChosunLegacyPage)


def test_list_page_is_not_an_article():
    with pytest.raises(ExtractionError) as error:
        chosun_page("http://news.chosun.com/svc/list_in/list.html", raw("chosun_list_2016_euckr").decode("cp949"))\
            .extract()
    assert error.value.reason == "missing_fields"


def test_arc_story_data_outranks_the_meta_creation_time():
    article = run_page(truth(ARC)["url"], raw(ARC), "chosun")[0]
    # meta name=article:published_time is created_date (10:57:54 KST); first_publish_date is the publication.
    assert article["published_at"] == "2023-04-05T11:52:50+09:00"
    assert article["canonical_url"] == truth(ARC)["url"]


def test_synthetic_arc_story_covers_every_element_kind():
    base = "http://127.0.0.1:9"
    expected = json.loads((CHOSUN / "arc_synthetic_story.expected.json").read_text(encoding="utf-8")
                          .replace("{BASE}", base))
    items = run_page(expected["url"], (CHOSUN / "arc_synthetic_story.html").read_bytes(), "chosun")
    assert_article_matches(items[0], expected, (*COMPARED_FIELDS, "url", "canonical_url"))


def linked_articles(feed: bytes) -> set[str]:
    return set(re.findall(rb"/site/data/html_dir/\d{4}/\d\d/\d\d/(\d{13})\.html", feed))


@pytest.fixture
def chosun_portal():
    routes = {
        "/arc/outboundfeeds/rss/?outputType=xml": page(CHOSUN / "arc_rss.xml", "application/rss+xml; charset=utf-8"),
        "/arc/outboundfeeds/news-sitemap/?outputType=xml": page(CHOSUN / "arc_news_sitemap.xml",
                                                                 "application/xml; charset=utf-8"),
        "/site/data/rss/rss.xml": Route(raw("chosun_rss_all_2016", "xml"), "application/rss+xml; charset=utf-8"),
        "/svc/list_in/list.html": Route(raw("chosun_list_2016_euckr"), EUC_KR),
        "/site/data/rss/politics.xml": page(CHOSUN / "legacy_rss_politics.xml", "application/rss+xml"),
        "/site/data/rss/editorials.xml": page(CHOSUN / "legacy_rss_editorials.xml", "application/rss+xml"),
        original_path(ARC): Route(raw(ARC)),
    }
    for stem in LEGACY:
        routes[original_path(stem)] = Route(raw(stem), EUC_KR)
    with FixtureServer(routes) as server:
        yield server


def test_crawl_finds_both_eras_and_counts_the_missing(chosun_portal, tmp_path):
    feeds = [*CHOSUN_SITE.discovery, "http://www.chosun.com/site/data/rss/politics.xml",
             "http://www.chosun.com/site/data/rss/editorials.xml"]
    result = crawl("chosun", chosun_portal.base_url, tmp_path / "data", args={"feeds": ",".join(feeds)})
    assert result.returncode == 0, result.log[-3000:]

    got = {a["url"].removeprefix(chosun_portal.base_url): a for a in result.articles}
    assert set(got) == {original_path(ARC), *(original_path(stem) for stem in LEGACY)}
    for stem in (ARC, *LEGACY):
        assert_article_matches(got[original_path(stem)], truth(stem))

    # Every discovery source was read; the legacy ?related_all suffix and the utm parameters were dropped.
    for path in ("/site/data/rss/rss.xml", "/svc/list_in/list.html", "/arc/outboundfeeds/news-sitemap/?outputType=xml"):
        assert path in chosun_portal.requests
    assert not [p for p in chosun_portal.requests if "related_all" in p or "utm_" in p]
    assert chosun_portal.requests.count(original_path(ARC)) == 1  # in the RSS and the sitemap, fetched once

    # The real legacy feed and list page link articles this server does not have: each is a counted failure.
    missing = linked_articles(raw("chosun_rss_all_2016", "xml")) | linked_articles(raw("chosun_list_2016_euckr"))
    assert len(missing) == 60
    stats = result.stats
    assert stats[keys.article_fetch_failed()] == len(missing) + 1  # + the Arc story missing from the RSS
    assert stats["newscrawl/discovery/duplicate_article"] >= 1
    assert stats.get(keys.parse_error("missing_fields"), 0) == 0


class _QueriedLegacyPage(ChosunLegacyPage):
    """The legacy layout read with one CSS query per field (its reading before Marked): the reference that the
    layout's readings from Marked must equal."""

    def json_ld_texts(self) -> list[str]:
        return self.selector.css('script[type="application/ld+json"]::text').getall()

    def meta_elements(self):
        return self.selector.root.iter("meta")

    def canonical_url(self) -> str:
        link = self.selector.css('link[rel="canonical"]::attr(href)').get() or self.meta("og:url")
        return self.absolute(link) or self.url

    def article(self):
        body = self.selector.css("#news_body_id")
        if not body:
            raise ExtractionError("missing_fields", "body (#news_body_id)")
        paragraphs = [line for par in body.css("div.par") for line in render_lines(par.root)]
        title = self.text("h1#news_title_text_id") or self.meta("og:title") or ""
        date_line = self.text("#date_text") or self.text(".news_date")
        published = labeled_date(date_line, PUBLISHED_LABELS)
        self.require(title=title, body=paragraphs, published_at=published)
        return self.new_article(
            title=title, subtitles=self.lines("h3.news_subtitle"), published_at=published,
            modified_at=labeled_date(date_line, MODIFIED_LABELS),
            authors=[n for n in (reporter_name(" ".join(render_lines(li.root)))
                                 for li in self.selector.css(".news_title_author li")) if n],
            section=self.section_var or self._title_section(), paragraphs=paragraphs,
            images=[self._queried_image(figure) for figure in body.css(".news_imgbox figure")], tags=[])

    def _queried_image(self, figure) -> dict:
        captions = figure.css("figcaption")
        caption = " ".join(render_lines(captions[0].root)) if captions else ""
        return {"url": self.absolute(figure.css("img::attr(src)").get()), "caption": caption or None}


def legacy_variants() -> dict[str, str]:
    """The real legacy page, and copies edited where the readings of Marked and of CSS could part: several or nested
    bodies, boxes and bylines, figures without a caption or with an img lacking src, the headline and date missing
    (og:title, .news_date), classes among others and in other case, JSON-LD and a canonical link."""
    page = raw(LEGACY[0]).decode("cp949")
    body = '<div id="news_body_id" class="news_body">'
    figure = '<div class="news_imgbox under600 center"'
    variants = {
        "real": page,
        "editorial": raw(LEGACY[1]).decode("cp949"),
        "two bodies": page.replace("<!-- news_body -->", '<!-- news_body --><div id="news_body_id"><div class="x par">'
                                   "둘째 본문입니다.</div></div>", 1),
        "nested bodies": page.replace(body, body + '<div id="news_body_id"><div class="par">안쪽 본문입니다.</div>'
                                      "</div>", 1),
        "body is a par": page.replace(body, '<div id="news_body_id" class="par news_body">', 1),
        "nested boxes": page.replace(figure, '<div class="news_imgbox"><figure><img data-src="a.jpg"><img src="b.jpg">'
                                     "</figure>" + figure.replace("<div", "<div id=x"), 1),
        "box outside the body": page.replace('<header class="news_title">', '<div class="news_imgbox"><figure><img '
                                             'src="/out.jpg"><figcaption>밖</figcaption></figure></div>'
                                             '<header class="news_title">', 1),
        "figure is a box": page.replace("<figure>", '<figure class="news_imgbox"><figure class="news_imgbox"><img '
                                        'src="/inner.jpg"></figure>', 1),
        "no caption": page.replace("<figcaption>", "<p>").replace("</figcaption>", "</p>"),
        "two bylines": page.replace('<div class="news_title_author">', '<div class="news_title_author"><ul><li>김철수 '
                                    '기자</li></ul><div class="news_title_author"><li>이영희 기자</li></div>', 1),
        "byline is an li": page.replace('<li id="j1">', '<li id="j1" class="news_title_author">', 1),
        "no headline": page.replace('id="news_title_text_id"', 'id="title_gone"'),
        "headline not h1": page.replace('<h1 id="news_title_text_id">', '<h2 id="news_title_text_id">x</h2><h1 id="t">'),
        "date box only": page.replace('id="date_text"', 'id="date_gone"'),
        "classes among others": page.replace('class="par"', 'class="\tpar  extra"').replace(
            'class="news_subtitle"', 'class="news_subtitleX news_subtitle"'),
        "upper-case class": page.replace('class="par"', 'class="PAR"'),
        "json-ld and canonical": page.replace("</head>", '<link rel="canonical" href="/canon.html"><script type='
                                              '"application/ld+json">{"@type": "NewsArticle", "datePublished": '
                                              '"2016-09-17T18:59:00+09:00"}</script><link rel="canonical"></head>'),
        "impossible date": page.replace("2016.09.17 18:59", "2016.09.31 18:59"),
    }
    return variants


@pytest.mark.parametrize("variant", list(legacy_variants()))
def test_legacy_reading_is_the_css_queries_reading(variant):
    html = legacy_variants()[variant]
    url = "http://news.chosun.com/site/data/html_dir/2016/09/17/2016091700921.html"
    try:
        expected = asdict(_QueriedLegacyPage(url, html).extract().article)
    except ExtractionError as error:
        with pytest.raises(ExtractionError, match=re.escape(str(error))):
            ChosunLegacyPage(url, html).extract()
        return
    page = ChosunLegacyPage(url, html)
    assert asdict(page.extract().article) == expected
    assert page.impossible_dates == _QueriedLegacyPage(url, html).extract().impossible_dates
    if variant == "real":
        assert len(expected["paragraphs"]) > 3 and expected["images"] and expected["authors"]
