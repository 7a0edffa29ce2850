"""Photo boxes of an article body: each box's image URL(s) with the box's caption, then the box is taken out
of the body so that its caption is not read as a paragraph. Selectors and readers are parameters; every
site's page object (and the generic extractor) calls this one loop."""

from __future__ import annotations

from collections.abc import Callable

from parsel import Selector

from newscrawl.chrome import strip_caption_marker
from newscrawl.text import clean, render_lines


def caption_text(box: Selector, css: str | None = None, *, first: bool = False) -> str:
    """Rendered text of the caption elements ``css`` in ``box`` (of the whole box when ``css`` is None),
    lines joined by a space; ``first``: only the first element."""
    elements = box.css(css) if css else [box]
    if first:
        elements = elements[:1]
    return " ".join(line for element in elements for line in render_lines(element.root))


def marked_caption(text: str) -> str | None:
    """A caption without its ▲/△ marker (None when empty)."""
    return strip_caption_marker(text) or None


def plain_caption(text: str) -> str | None:
    return clean(text) or None


def photo_boxes(body: Selector, box_css: str, url: Callable[[str], str | None], *,
                caption: Callable[[Selector], str | None], src_css: str | tuple[str, ...] = "img::attr(src)",
                every_image: bool = True, keep_missing: bool = False, drop: bool = True) -> list[dict]:
    """``{"url", "caption"}`` for the image(s) of every ``box_css`` box in ``body``: every ``src_css`` match of
    a box, or only its first (``every_image=False``; a box without one is skipped unless ``keep_missing``).
    A tuple ``src_css`` is tried in order (``src``, else ``data-org-src``). The boxes are then dropped."""
    images = []
    for box in body.css(box_css):
        choices = src_css if isinstance(src_css, tuple) else (src_css,)
        if every_image:
            sources = [src for css in choices for src in box.css(css).getall()]
        else:
            sources = [next((src for css in choices if (src := box.css(css).get())), None)]
        sources = [src for src in sources if src or keep_missing]
        if sources:
            text = caption(box)
            images.extend({"url": url(src) if src else None, "caption": text} for src in sources)
    if drop:
        body.css(box_css).drop()
    return images


def take_deck(scope: Selector, css: str) -> list[str]:
    """Lines of the deck (부제) elements ``css`` in ``scope``, which are then dropped from it."""
    decks = scope.css(css)
    lines = [line for deck in decks for line in render_lines(deck.root)]
    decks.drop()
    return lines
