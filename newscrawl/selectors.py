"""The page objects' parsel Selector, made cheaper where the profile says parsel spends its time.

- **Parse** into plain lxml elements (lxml.html's parser makes every element proxy through a Python class lookup,
  ~1 µs each, paid again by every walk over the tree); parsed exactly as ``Selector(text=...)`` otherwise.
- **Class and id tests** in CSS queries are evaluated on the attribute axis: cssselect writes ``.ad`` as
  ``*[@class and contains(@class, 'ad') and ...]``, which libxml2 evaluates at every element of the page (~0.45 ms
  on a 1,300-element portal page, and page objects ask 20-30 such queries); ``*/@class[contains(., 'ad') and
  ...]/..`` selects the same elements in the same order at about half the cost, ``*/@id[. = 'x']/..`` at a quarter.
  (bench/ and BENCHMARKS.md have the profile; tests/test_selectors.py compares every answer with parsel's.)
"""

from __future__ import annotations

import re

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

# One step of cssselect's output testing only a class, or only an id, of any element.
_CLASS_STEP = re.compile(
    r"\*\[@class and contains\(@class, '([^']*)'\) and "
    r"contains\(concat\(' ', normalize-space\(@class\), ' '\), ' \1 '\)\]")
_ID_STEP = re.compile(r"\*\[@id = '([^']*)'\]")


def _attribute_axis(xpath: str) -> str:
    xpath = _CLASS_STEP.sub(
        lambda m: f"*/@class[contains(., '{m[1]}') and contains(concat(' ', normalize-space(.), ' '), ' {m[1]} ')]/..",
        xpath)
    return _ID_STEP.sub(lambda m: f"*/@id[. = '{m[1]}']/..", xpath)


class AttributeAxisTranslator(HTMLTranslator):
    """parsel's HTML translator, with class-only and id-only steps on the attribute axis."""

    def _translate(self, css: str, prefix: str) -> str:
        return _attribute_axis(super()._translate(css, prefix))


_TRANSLATOR = AttributeAxisTranslator()
_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)  # parsel's options, no class lookup


class PageSelector(Selector):
    """parsel's Selector over plain lxml elements, with the attribute-axis CSS translation."""

    __slots__ = ()

    @classmethod
    def from_html(cls, text: str) -> PageSelector:
        """The page's selector, parsed as parsel parses ``Selector(text=...)``."""
        body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
        root = etree.fromstring(body, parser=_PARSER)
        if root is None:
            root = etree.fromstring(b"<html/>", parser=_PARSER)
        return cls(root=root, type="html")

    def _css2xpath(self, query: str) -> str:
        return _TRANSLATOR.css_to_xpath(query)

    def drop(self) -> None:
        """parsel's drop for plain elements: the element goes, its tail text stays (as lxml.html's drop_tree)."""
        el = self.root
        parent = el.getparent() if isinstance(el, etree._Element) else None
        if parent is None:
            super().drop()  # parsel's own error for a root or a pseudo-element
            return
        if el.tail:
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
