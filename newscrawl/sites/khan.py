"""경향신문 (khan.co.kr): the legacy EUC-KR ``khan_art_view.html?artid=`` layout (news. and biz., 2016).

DOM facts: no JSON-LD and no ``article:*`` meta; headline ``h1`` in ``div.art_header`` (news.) or ``div.view_header`` (biz.); byline ``span.name``
(``정환보 기자 botox@kyunghyang.com``); dates in ``div.byline`` (``입력 : 2016.09.26 22:18:01`` /
``수정 : …``); body ``div.art_body`` with the deck ``div.art_subtit`` (ㆍ bullets), photo boxes
``div.art_photo`` (the img alt repeats the headline: not a caption) and an ad iframe; the section title of
the page header is ``div.sec_title``.
"""

from __future__ import annotations

import re

from newscrawl.chrome import strip_caption_marker
from newscrawl.dates import MODIFIED_LABELS, PUBLISHED_LABELS, labeled_date
from newscrawl.extractors.korean import with_shaped_deck
from newscrawl.items import ArticleItem
from newscrawl.pages import HtmlArticlePage
from newscrawl.sites import Site
from newscrawl.text import render_lines

NAME = "khan"
PUBLISHER = "경향신문"
# "정환보 기자 botox@…", "도쿄|윤희일 특파원", "김종목 선임기자·이혜리 기자"
_BYLINE_NAME = re.compile(r"(?:[가-힣]+\s*[|/]\s*)?([가-힣]{2,4})\s*(?:선임기자|객원기자|기자|특파원|논설위원|기획위원)")
_HEADER = "div:is(.art_header, .view_header)"  # news. / biz.
_CAPTION_CSS = ".caption, .art_photo_caption, p.caption_txt, figcaption"


class KhanLegacyArticlePage(HtmlArticlePage):
    """news.khan.co.kr / biz.khan.co.kr article pages before the 2021 redesign."""

    site = NAME
    publisher = PUBLISHER
    chrome_selectors = ("script", "style", "#photoAD", ".article_bottom_ad", ".art_copyright", ".pagecontrol",
                        "#snsGroup")
    body_css = "div.art_body"

    def article(self) -> ArticleItem:
        title = self.text(f"{_HEADER} h1")
        body = self.selector.css(self.body_css)
        self.require(title=title, body=body)
        subtitles = []
        for deck in body.css("div.art_subtit"):
            subtitles.extend(render_lines(deck.root))
        body.css("div.art_subtit").drop()
        images = self._images(body[0])
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

    def _images(self, body) -> list[dict]:
        images = []
        for box in body.css("div.art_photo"):
            caption = " ".join(line for el in box.css(_CAPTION_CSS) for line in render_lines(el.root))
            for src in box.css("img::attr(src)").getall():
                images.append({"url": self.absolute(src), "caption": strip_caption_marker(caption) or None})
        body.css("div.art_photo").drop()
        return images


SITE = Site(name=NAME, publisher=PUBLISHER, hosts=("khan.co.kr",), page=KhanLegacyArticlePage)
