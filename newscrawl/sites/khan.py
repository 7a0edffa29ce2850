"""경향신문 (khan.co.kr): the legacy EUC-KR ``khan_art_view.html?artid=`` layout (news. and biz., 2016) and
today's ``www.khan.co.kr/article/<15 digits>`` layout (:class:`KhanArticlePage`, proven on a fixture only; its DOM
facts are in the class docstring).

Legacy DOM facts: no JSON-LD and no ``article:*`` meta; headline ``h1`` in ``div.art_header`` (news.) or ``div.view_header`` (biz.); byline ``span.name``
(``정환보 기자 botox@kyunghyang.com``); dates in ``div.byline`` (``입력 : 2016.09.26 22:18:01`` /
``수정 : …``); body ``div.art_body`` with the deck ``div.art_subtit`` (ㆍ bullets), photo boxes
``div.art_photo`` (the img alt repeats the headline: not a caption) and an ad iframe; the section title of
the page header is ``div.sec_title``.
"""

from __future__ import annotations

import re

from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.bylines import title_pattern
from newscrawl.extractors.images import caption_text, marked_caption, photo_boxes, take_deck
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import clean, render_lines

NAME = "khan"
PUBLISHER = "경향신문"
# "정환보 기자 botox@…", "도쿄|윤희일 특파원", "김종목 선임기자·이혜리 기자"
_BYLINE_NAME = re.compile(rf"(?:[가-힣]+\s*[|/]\s*)?([가-힣]{{2,4}})\s*{title_pattern('기획위원')}")
_HEADER = "div:is(.art_header, .view_header)"  # news. / biz.
_CAPTION_CSS = ".caption, .art_photo_caption, p.caption_txt, figcaption"


class KhanLegacyArticlePage(HtmlArticlePage):
    """news.khan.co.kr / biz.khan.co.kr article pages before the 2021 redesign."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = ("script", "style", "#photoAD", ".article_bottom_ad", ".art_copyright", ".pagecontrol",
                        "#snsGroup")
    body_css = "div.art_body"
    regions = (_HEADER, "div.sec_title")  # headline, byline and dates; the page header's section title

    def article(self) -> ArticleItem:
        title = self.text(f"{_HEADER} h1")
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        subtitles = take_deck(body, "div.art_subtit")
        images = photo_boxes(body[0], "div.art_photo", self.absolute,
                             caption=lambda box: marked_caption(caption_text(box, _CAPTION_CSS)))
        visible = self.text(f"{_HEADER} div.byline")
        subtitles, paragraphs = with_shaped_deck(subtitles, render_lines(body[0].root))
        return self.new_article(
            title=title,
            subtitles=subtitles,
            published_at=labeled_date(visible, PUBLISHED_LABELS),
            modified_at=labeled_date(visible, MODIFIED_LABELS),
            authors=_BYLINE_NAME.findall(self.text(f"{_HEADER} span.name")),
            section=self.text("div.sec_title") or None,
            paragraphs=paragraphs,
            images=images,
        )


# www.khan.co.kr/article/ DOM: the public cheerio parser of a news crawler (KhanParser, pages of 2026-01) and a
# public Python scraper reading ``p.content_text`` (``content_text text-l``) inside ``div#articleBody``.
KHAN_TITLE = "article header h1"
KHAN_BODY = "#articleBody"
KHAN_PARAGRAPH = "p.content_text"
KHAN_REPORTER = "header .bottom .editor a"
KHAN_DATES = ".date .inner p"  # the first is 입력, then 수정
KHAN_SECTION = "header .category a"
KHAN_PHOTO = ".art_photo"
KHAN_CAPTION = "figcaption, .caption"  # not documented by the sources: read when present
# Legacy pages have p.content_text too (inside div.art_body), but no #articleBody.
# No \b before "id": a pattern that starts with a literal is searched ~30x faster; the word boundary is checked after.
_WORD = re.compile(r"\w")
_KHAN_MARKER = re.compile(r"""id=["']?articleBody\b""")


class KhanArticlePage(HtmlArticlePage):
    """www.khan.co.kr/article/<id> pages of today's template (2021 redesign onwards).

    DOM facts (public parser code, pages of 2026-01): headline ``article header h1``; section links
    ``header .category a``; reporters ``header .bottom .editor a``; dates ``.date .inner p`` (the first is the
    입력 line); the text is the ``p.content_text`` paragraphs of ``#articleBody`` (ads and photo boxes sit between
    them); photos ``#articleBody .art_photo img`` (``src`` or ``data-src``). How captions are marked up is not
    recorded in those sources.
    """

    site = NAME
    publisher = PUBLISHER
    body_css = KHAN_BODY

    @classmethod
    def matches(cls, source: str) -> bool:
        return any(m.start() == 0 or not _WORD.match(source, m.start() - 1) for m in _KHAN_MARKER.finditer(source))

    def article(self) -> ArticleItem:
        title = self.text(KHAN_TITLE)
        body = self.selector.css(self.body_css)
        paragraphs = [line for p in body.css(KHAN_PARAGRAPH) for line in render_lines(p.root)]
        date_lines = [" ".join(render_lines(p.root)) for p in self.selector.css(KHAN_DATES)]
        published = labeled_date(" ".join(date_lines), PUBLISHED_LABELS) or (date_lines[0] if date_lines else None)
        self.require(title=title, body=paragraphs, published_at=published)
        reporters = [clean(a.xpath("string()").get()) for a in self.selector.css(KHAN_REPORTER)]
        sections = [clean(a) for a in self.selector.css(f"{KHAN_SECTION}::text").getall()]
        return self.new_article(
            title=title,
            published_at=published,
            modified_at=labeled_date(" ".join(date_lines), MODIFIED_LABELS),
            authors=[name for r in reporters for name in (_BYLINE_NAME.findall(r) or [r]) if name],
            section=next((s for s in sections if s), None),
            paragraphs=paragraphs,
            images=self._images(body),
        )

    def _images(self, body) -> list[dict]:
        images = []
        for box in body.css(KHAN_PHOTO):
            caption = marked_caption(caption_text(box, KHAN_CAPTION))
            for img in box.css("img"):
                src = img.attrib.get("src") or img.attrib.get("data-src")
                if src:
                    images.append({"url": self.absolute(src), "caption": caption})
        return images


# --- discovery: the all-news RSS feed (https, as public crawlers of 2025-26 list it; not checked live) and the
# 최신기사 list (news.khan.co.kr/kh_recent/); articles of both eras: news.khan.co.kr/kh_news/khan_art_view.html?artid=…,
# biz.khan.co.kr/khan_art_view.html?artid=…, and www.khan.co.kr/article/202312272031025 (as linked by khan.co.kr's
# own pages, 2023+: the URL shape of public pages, not checked live)
SITE = Site(
    name=NAME, publisher=PUBLISHER, hosts=("khan.co.kr",), layouts=(KhanArticlePage, KhanLegacyArticlePage),
    base_url="http://news.khan.co.kr",
    discovery=("https://www.khan.co.kr/rss/rssdata/total_news.xml", "/kh_recent/"),
    article_url=re.compile(r"/(?:khan_art_view\.html\?artid=\d{15}|article/\d{15}(?:/|$|\?))"),
    mobile_hosts={"m.khan.co.kr": "www.khan.co.kr"},
)
