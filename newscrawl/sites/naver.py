"""네이버 뉴스 (n.news.naver.com): portal copies of other publishers' articles.

DOM facts (article pages ``/article/<oid>/<aid>`` and ``/mnews/article/<oid>/<aid>``, 2022-2023 layout):
headline ``h2.media_end_head_headline`` (``#title_area``); dates on the visible 입력/수정 spans as machine
values ``span._ARTICLE_DATE_TIME[data-date-time]`` and ``span._ARTICLE_MODIFY_DATE_TIME[data-modify-date-time]``
(KST, seconds included); reporters ``em.media_end_head_journalist_name`` ("한지숙 기자"); the press logo
``a.media_end_head_top_logo img[alt]`` names the original publisher and ``a.media_end_head_origin_link``
(기사원문) links its own URL; body ``#dic_area``, with the deck ``strong.media_end_summary`` inside it, photos
``span.end_photo_org`` (caption ``em.img_desc``, or the next row of the ``table.nbd_table`` around the photo);
the article's own section label ``em.media_end_categorize_item`` ("이 기사는 언론사에서 사회 섹션으로 분류했습니다").
The press byline under the body (``div.byline``) sits outside ``#dic_area``.
"""

from __future__ import annotations

import re

from parsel import Selector

from newscrawl.extractors.bylines import reporter_name, without_dateline
from newscrawl.extractors.images import take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines
from newscrawl.urls import strip_tracking

NAME = "naver"
PORTAL = "네이버 뉴스"
ARTICLE_PATH = re.compile(r"/(?:mnews/)?(?:ranking/|hotissue/)?article/(\d{3})/(\d{10})")
_LEGACY_READ = re.compile(r"/main/read\.(?:naver|nhn)\?")  # news.naver.com/main/read.naver?oid=..&aid=..
# Press ids (oid) as Naver's own pages name them (press links and logos on the corpus list pages); the
# logo alt on the article page wins, this table is the fallback.
PRESS_BY_OID = {
    "001": "연합뉴스", "002": "프레시안", "003": "뉴시스", "005": "국민일보", "006": "미디어오늘",
    "008": "머니투데이", "009": "매일경제", "011": "서울경제", "014": "파이낸셜뉴스", "015": "한국경제",
    "016": "헤럴드경제", "018": "이데일리", "020": "동아일보", "021": "문화일보", "022": "세계일보",
    "023": "조선일보", "024": "매경이코노미", "025": "중앙일보", "028": "한겨레", "029": "디지털타임스",
    "030": "전자신문", "031": "아이뉴스24", "032": "경향신문", "044": "코리아헤럴드", "047": "오마이뉴스",
    "052": "YTN", "055": "SBS", "056": "KBS", "057": "MBN", "079": "노컷뉴스", "081": "서울신문",
    "082": "부산일보", "088": "매일신문", "092": "지디넷코리아", "119": "데일리안", "138": "디지털데일리",
    "214": "MBC", "215": "한국경제TV", "243": "이코노미스트", "277": "아시아경제", "293": "블로터",
    "308": "시사IN", "366": "조선비즈", "374": "SBS Biz", "421": "뉴스1", "422": "연합뉴스TV",
    "437": "JTBC", "448": "TV조선", "449": "채널A", "469": "한국일보", "586": "시사저널", "629": "더팩트",
    "648": "비즈워치", "656": "대전일보", "658": "국제신문", "666": "경기일보",
}



def article_ids(url: str) -> tuple[str, str] | None:
    """(oid, aid) of a Naver article URL of any shape (also ranking/hotissue views and read.naver?oid=&aid=)."""
    found = ARTICLE_PATH.search(url)
    if found:
        return found.group(1), found.group(2)
    if not _LEGACY_READ.search(url):
        return None
    oid, aid = re.search(r"[?&]oid=(\d{3})", url), re.search(r"[?&]aid=(\d{10})", url)
    return (oid.group(1), aid.group(1)) if oid and aid else None


def canonical_article_url(oid: str, aid: str) -> str:
    """One URL per article, whichever route (article, mnews, ranking, hotissue) reached it."""
    return f"https://n.news.naver.com/mnews/article/{oid}/{aid}"


class NaverArticlePage(HtmlArticlePage):
    site = NAME
    publisher = PORTAL  # replaced per page by the original press name
    chrome_selectors = (
        "script", "style", ".vod_player_wrap", "._VOD_PLAYER_WRAP", ".media_end_head_autosummary",
        "#dic_area .link_news", "#dic_area .nbd_btn",
    )
    body_css = "#dic_area"
    # The header box (headline, dates, reporters, press logo, 기사원문 link) and the section label under the body
    # (one selector per region: lexbor's selection costs ~15 µs per selector on a portal page).
    regions = (".media_end_head", ".media_end_categorize")

    def article(self) -> ArticleItem:
        body = self.selector.css(self.body_css)
        title = self.text("h2.media_end_head_headline") or self.text("#title_area") or self.meta("og:title")
        published = self.selector.css("._ARTICLE_DATE_TIME::attr(data-date-time)").get()
        self.require(title=title, body=body, published_at=published)
        subtitles = take_deck(body, "strong.media_end_summary")
        images = self.images(body[0])
        subtitles, paragraphs = with_shaped_deck(subtitles, render_lines(body[0].root))
        authors = [reporter_name(a) for a in self.selector.css(".media_end_head_journalist_name").xpath(
            "string()").getall()]
        paragraphs, dateline_names = without_dateline(paragraphs)
        authors = authors or dateline_names
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=published,
            modified_at=self.selector.css("._ARTICLE_MODIFY_DATE_TIME::attr(data-modify-date-time)").get(),
            authors=[a for a in authors if a],
            section=clean(self.selector.css(".media_end_categorize_item").xpath("string()").get()) or None,
            paragraphs=paragraphs,
            images=images,
            tags=[],
            **self.identity(),
        )

    def identity(self) -> dict:
        """The article is the publisher's: with a 기사원문 link, that URL is canonical and Naver's is another."""
        original = self.absolute(self.selector.css("a.media_end_head_origin_link::attr(href)").get())
        if not original:
            return {"original_url": None}
        own = self.canonical_url()
        return {"original_url": original, "canonical_url": strip_tracking(original), "other_urls": [own],
                "syndicated": True}

    def publisher_name(self) -> str:
        return self.press_name()

    def press_name(self) -> str:
        """The original publisher: press logo alt, then meta, then the oid table."""
        logo = self.selector.css(".media_end_head_top_logo img::attr(alt)").get()
        author = (self.meta("og:article:author") or "").split("|")[0]
        ids = article_ids(self.url) or article_ids(self.meta("og:url") or "")
        for name in (logo, self.meta("twitter:creator"), author, PRESS_BY_OID.get(ids[0]) if ids else None):
            if name and clean(name):
                return clean(name)
        return PORTAL

    def images(self, body: Selector) -> list[dict]:
        """Photos of the body with their captions; each photo box is then dropped from the body."""
        images = []
        for photo in body.css("span.end_photo_org, div.end_photo_org"):
            url = photo.css("img::attr(data-src)").get() or photo.css("img::attr(src)").get()
            caption = clean(photo.css("em.img_desc").xpath("string()").get())
            box = photo.xpath("ancestor::table[contains(@class, 'nbd_table')][last()]")
            if box:  # caption in the table row under the photo
                photo.css("em.img_desc").drop()
                caption = caption or " ".join(render_lines(box[0].root))
            images.append({"url": self.absolute(url), "caption": caption or None})
            (box or photo).drop()
        return images

    def canonical_url(self) -> str:
        ids = article_ids(self.meta("og:url") or "") or article_ids(self.url)
        return canonical_article_url(*ids) if ids else super().canonical_url()


# --- discovery: the section list pages, in the current layout (news.naver.com/section/<sid>) and the legacy one
# (news.naver.com/main/main.naver?mode=LSD&mid=shm&sid1=<sid>). Section ids: 100 정치, 101 경제, 102 사회,
# 103 생활/문화, 104 세계, 105 IT/과학. List pages link articles as n.news.naver.com/mnews/article/<oid>/<aid>,
# n.news.naver.com/article/<oid>/<aid> and ranking/hotissue views of the same articles; the latter (and legacy
# main/read.naver?oid=&aid= links) are followed as /mnews/article/<oid>/<aid>, without the query (sid, ntype,
# cid, type only say where the link was).
SECTIONS = ("100", "101", "102", "103", "104", "105")
PLAIN_ARTICLE = re.compile(r"^/article/(\d{3})/(\d{10})$")  # the other shape kept as linked


def section_pages(sections: tuple[str, ...]) -> tuple[str, ...]:
    new = tuple(f"/section/{sid}" for sid in sections)
    legacy = tuple(f"/main/main.naver?mode=LSD&mid=shm&sid1={sid}" for sid in sections)
    return new + legacy


def article_link(href: str) -> str | None:
    """The URL to fetch for an article link of any shape, or None when ``href`` is not an article."""
    ids = article_ids(href)
    if ids is None:
        return None
    found = ARTICLE_PATH.search(href)
    if found and PLAIN_ARTICLE.match(found.group(0)):
        return f"https://n.news.naver.com/article/{ids[0]}/{ids[1]}"
    return canonical_article_url(*ids)


SITE = Site(
    name=NAME,
    publisher=PORTAL,
    hosts=("news.naver.com",),
    layouts=(NaverArticlePage,),
    base_url="https://news.naver.com",
    discovery=section_pages(SECTIONS),
    article_url=re.compile(r"/(?:mnews/)?article/\d{3}/\d{10}$"),
    link=lambda url: article_link(url) or url,
)
