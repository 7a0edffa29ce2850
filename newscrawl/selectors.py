"""The page objects' parsel Selector, made cheaper where the profile says parsel spends its time.

- **Parse** into plain lxml elements (lxml.html's parser makes every element proxy through a Python class lookup,
  ~1 µs each, paid again by every walk over the tree); parsed exactly as ``Selector(text=...)`` otherwise.
- **Class and id tests** in CSS queries are evaluated on the attribute axis: cssselect writes ``.ad`` as
  ``*[@class and contains(@class, 'ad') and ...]``, which libxml2 evaluates at every element of the page (~0.45 ms
  on a 1,300-element portal page, and page objects ask 20-30 such queries); ``*/@class[contains(., 'ad') and
  ...]/..`` selects the same elements in the same order at about half the cost, ``*/@id[. = 'x']/..`` at a quarter.
  (bench/ and BENCHMARKS.md have the profile; tests/test_selectors.py compares every answer with parsel's.)
- **Region cut** (:func:`cut_regions`): for a layout that names the containers it reads, lexbor parses the page
  and removes its chrome, and libxml2 parses only ``<head>`` and those containers (tests/test_regions.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Self

import cssselect
from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator
from parsel.selector import _get_xpath_evaluator
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

logger = logging.getLogger(__name__)

# One step of cssselect's output that tests one attribute of any element: ``*[@class and contains(@class, 'a')
# and ...]``, ``*[@id and substring(@id, ...) = '_x']``, ``*[@id = 'main']``.
_ONE_ATTRIBUTE_STEP = re.compile(r"\*\[@([\w-]+)( and | = )([^\[\]]*)\]")
_QUOTED = re.compile(r"'[^']*'")
_REFERENCE = re.compile(r"@([\w-]+)")
_REFERENCE_OR_QUOTED = re.compile(r"'[^']*'|@[\w-]+")
_WHITESPACE = re.compile(r"[ \t\n\r]+")  # normalize-space()'s, on which cssselect splits class names


def _step_on_attribute_axis(match: re.Match[str]) -> str:
    name, joint, rest = match[1], match[2], match[3]
    bare = _QUOTED.sub("''", rest)
    if bare.count("'") % 2 or any(ref != name for ref in _REFERENCE.findall(bare)) or "|" in bare:
        return match[0]  # tests another attribute too (or is not one step): left as cssselect wrote it
    test = ". = " + rest if joint == " = " else _REFERENCE_OR_QUOTED.sub(
        lambda m: "." if m[0] == "@" + name else m[0], rest)
    return f"*/@{name}[{test}]/.."


def _attribute_axis(xpath: str) -> str:
    return _ONE_ATTRIBUTE_STEP.sub(_step_on_attribute_axis, xpath)


class AttributeAxisTranslator(HTMLTranslator):
    """parsel's HTML translator, with class-only and id-only steps on the attribute axis."""

    def _translate(self, css: str, prefix: str) -> str:
        return _attribute_axis(super()._translate(css, prefix))


_TRANSLATOR = AttributeAxisTranslator()


@lru_cache(maxsize=256)
def css_xpath(css: str) -> etree.XPath:
    """``css`` as PageSelector translates it, compiled once (for a query asked of each of many elements)."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(css))


_last_encoded: tuple[str, bytes] = ("", b"")


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, encoded once per page (extraction checks the bytes, then the parser reads them)."""
    global _last_encoded
    if _last_encoded[0] is not text:
        _last_encoded = (text, text.encode("utf-8"))
    return _last_encoded[1]


def remember_utf8(text: str, body: bytes) -> None:
    """``body`` is ``text``'s exact UTF-8 (``text`` was decoded from it): ``utf8(text)`` need not encode again."""
    global _last_encoded
    _last_encoded = (text, body)


def in_markup(page: bytes, *offsets: int) -> bool:
    """Is each offset outside scripts, styles and comments (where a tag starts, a parser is reading markup)?"""
    return not any((last := page.rfind(opening, 0, at)) >= 0 and page.find(closing, last, at) < 0 for at in offsets
                   for opening, closing in ((b"<script", b"</script"), (b"<style", b"</style"), (b"<!--", b"-->")))


# parsel's options without the class lookup, and without the hash of id attributes libxml2 keeps for XPath's id()
# (which CSS translations never call): the same tree, ~10% less parse time on a small page.
_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)


@lru_cache(maxsize=512)
def _union(selectors: tuple[str, ...]) -> tuple[etree.XPath | None, frozenset[str], frozenset[str], tuple[str, ...]]:
    """Chrome selectors split into one attribute-axis XPath for those that are a bare ``.class`` or ``#id`` (a
    superset: contains() on the raw attribute), the exact class tokens and ids it stands for, and the rest: one
    selector group when none of them depends on siblings or position (no pseudo-class, ``+`` or ``~``), whose
    matches removing another chrome element cannot change, so that dropping them together in document order leaves
    what dropping them one selector after another leaves."""
    classes: set[str] = set()
    ids: set[str] = set()
    rest: list[str] = []
    together = True  # may the rest be dropped as one group
    for css in selectors:
        try:
            parsed = cssselect.parse(css)
        except cssselect.SelectorError:
            rest.append(css)
            together = False
            continue
        simple = []
        for selector in parsed:
            tree = selector.parsed_tree
            bare = selector.pseudo_element is None and getattr(tree, "selector", None) is not None and \
                isinstance(tree.selector, cssselect.parser.Element) and tree.selector.element is None and \
                tree.selector.namespace is None
            if bare and isinstance(tree, cssselect.parser.Class) and "'" not in tree.class_name:
                simple.append(("class", tree.class_name))
            elif bare and isinstance(tree, cssselect.parser.Hash) and "'" not in tree.id:
                simple.append(("id", tree.id))
            else:
                break
        else:
            for kind, name in simple:
                (classes if kind == "class" else ids).add(name)
            continue
        rest.append(css)
        together = together and not any(mark in css for mark in ":+~")
    if together and len(rest) > 1:
        rest = [", ".join(rest)]
    branches = []
    if classes:
        tests = " or ".join(f"contains(., '{name}')" for name in sorted(classes))
        branches.append(f"descendant-or-self::*/@class[{tests}]/..")
    if ids:
        tests = " or ".join(f". = '{name}'" for name in sorted(ids))
        branches.append(f"descendant-or-self::*/@id[{tests}]/..")
    xpath = etree.XPath(" | ".join(branches)) if branches else None
    return xpath, frozenset(classes), frozenset(ids), tuple(rest)


_NAMESPACES = dict(Selector._default_namespaces)
_EVALUATORS: dict[str, etree.XPath] = {}  # query -> the evaluator parsel compiles for it (default namespaces)


def _evaluator(query: str) -> etree.XPath:
    evaluator = _EVALUATORS.get(query)
    if evaluator is None:
        if len(_EVALUATORS) >= 2048:
            _EVALUATORS.clear()
        evaluator = _EVALUATORS[query] = _get_xpath_evaluator(query, dict(_NAMESPACES), False)
    return evaluator


class PageSelector(Selector):
    """parsel's Selector over plain lxml elements, with the attribute-axis CSS translation and a cheaper xpath()."""

    __slots__ = ()

    def xpath(self, query: str, namespaces: Mapping[str, str] | None = None, **kwargs: Any) -> SelectorList[Self]:
        """parsel's ``xpath`` (same evaluator, same result selectors), without its per-call namespace dicts and a
        ``Selector.__init__`` per result (~40% of a query's cost on a small page). Anything unusual (namespaces,
        variables, a text or non-default root) goes to parsel."""
        root = self.root
        if namespaces is not None or kwargs or self.type != "html" or not isinstance(root, etree._Element) \
                or self.namespaces != _NAMESPACES:
            return super().xpath(query, namespaces, **kwargs)
        try:
            result = _evaluator(query)(root)
        except etree.XPathError as exc:
            raise ValueError(f"XPath error: {exc} in {query}") from exc
        cls = self.__class__
        return self.selectorlist_cls([_result(cls, node, query) for node in
                                      (result if isinstance(result, list) else [result])])

    @classmethod
    def from_html(cls, text: str) -> PageSelector:
        """The page's selector, parsed as parsel parses ``Selector(text=...)``."""
        return cls.from_utf8(utf8(text))

    @classmethod
    def from_utf8(cls, body: bytes) -> PageSelector:
        """``from_html`` of the text these UTF-8 bytes encode (a layout may hand the parser part of a page)."""
        body = body.strip().replace(b"\x00", b"") or b"<html/>"
        root = etree.fromstring(body, parser=_PARSER)
        if root is None:
            root = etree.fromstring(b"<html/>", parser=_PARSER)
        return cls(root=root, type="html")

    def _css2xpath(self, query: str) -> str:
        return _TRANSLATOR.css_to_xpath(query)

    def drop_all(self, selectors: tuple[str, ...]) -> None:
        """Drop every element matching any of ``selectors`` (the page's chrome). The bare ``.class`` and ``#id``
        selectors among them take one pass over the page's attributes together instead of one pass each, and the
        others one query together where that drops the same elements (see _union)."""
        xpath, classes, ids, rest = _union(selectors)
        if xpath is not None:
            for el in xpath(self.root):
                names = el.get("class")
                if el.get("id") in ids or (names and not classes.isdisjoint(class_tokens(names))):
                    self.__class__(root=el, type="html").drop()
        for css in rest:
            self.css(css).drop()

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


def class_tokens(names: str) -> list[str]:
    """The class names of a ``class`` value as cssselect's class test splits it (normalize-space: space, tab, CR,
    LF; the other controls str.split() knows were spaces already, extract.xml_safe)."""
    return names.split() if names.isascii() else _WHITESPACE.split(names.strip(" \t\n\r"))


@dataclass
class Marked:
    """Elements of a page by id (``#id``), by class name (``.class``) and by tag, each list in document order: two
    queries on the attribute axis and one walk for the tags, for a layout that reads a dozen named elements of a
    small page, where each CSS query costs 4-15 us however little it finds (tests/test_selectors.py)."""

    ids: dict[str, list[etree._Element]]
    classes: dict[str, list[etree._Element]]
    tags: dict[str, list[etree._Element]]

    @classmethod
    def find(cls, root: etree._Element, ids: frozenset[str], classes: frozenset[str],
             tags: frozenset[str] = frozenset()) -> Marked:
        by_id: dict[str, list[etree._Element]] = {name: [] for name in ids}
        by_class: dict[str, list[etree._Element]] = {name: [] for name in classes}
        by_tag: dict[str, list[etree._Element]] = {name: [] for name in tags}
        id_query, class_query, class_names = _marked_queries(ids, classes)
        for el in id_query(root) if id_query is not None else ():
            by_id[el.get("id")].append(el)
        for el in class_query(root) if class_query is not None else ():
            names = el.get("class")
            if class_names.search(names):  # a superset, ~3x faster than splitting every value into tokens
                for name in classes.intersection(class_tokens(names)):
                    by_class[name].append(el)
        for el in root.iter(*tags) if tags else ():
            by_tag[el.tag].append(el)
        return cls(by_id, by_class, by_tag)


@lru_cache(maxsize=64)
def _marked_queries(ids: frozenset[str], classes: frozenset[str]) -> tuple[etree.XPath | None, etree.XPath | None,
                                                                          re.Pattern[str]]:
    """The query for the ids; for the classes, every element with a class (each contains() test in the query costs
    more than the same test in Python) and a search for any of the names."""
    if any("'" in name for name in ids):
        raise ValueError(f"a quote in an id: {sorted(ids)}")
    id_test = " or ".join(f". = '{name}'" for name in sorted(ids))
    return (etree.XPath(f"descendant-or-self::*/@id[{id_test}]/..") if ids else None,
            etree.XPath("descendant-or-self::*/@class/..") if classes else None,
            re.compile("|".join(re.escape(name) for name in sorted(classes))))


def within(el: etree._Element, container: etree._Element) -> bool:
    """``el`` is ``container`` or inside it (lxml keeps one proxy per live node: identity is the node's)."""
    return el is container or any(parent is container for parent in el.iterancestors())


def descendants(containers: list[etree._Element], tag: str) -> list[etree._Element]:
    """The ``tag`` elements strictly inside any of ``containers`` (given in document order), each once, in
    document order: CSS ``A tag`` where ``containers`` are A's matches."""
    found: list[etree._Element] = []
    seen: set[etree._Element] = set()
    for container in containers:  # a container inside an earlier one adds nothing; disjoint ones follow in order
        for el in container.iter(tag):
            if el is not container and el not in seen:
                seen.add(el)
                found.append(el)
    return found


def _result(cls: type[PageSelector], node: Any, query: str) -> PageSelector:
    """``cls(root=node, _expr=query, type="html")`` with the default namespaces, as parsel's xpath() makes it."""
    selector = object.__new__(cls)
    selector.root = node
    selector.type = "html"
    selector.namespaces = dict(_NAMESPACES)
    selector._expr = query
    selector._huge_tree = True
    selector._text = None
    return selector


_TAG = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True)
class RegionCut:
    """The parts of a page a layout reads, as a small HTML document, and the page's JSON-LD texts."""

    html: str
    json_ld: list[str]


def cut_regions(html: str, chrome: tuple[str, ...], required: str, regions: tuple[str, ...],
                page: bytes | None = None) -> RegionCut | None:
    """The page's ``<head>`` and the elements of ``<body>`` matching ``required`` or ``regions`` (in document order,
    chrome removed), parsed and selected by lexbor, whose parser and CSS engine are ~2.5x and ~20x faster than
    libxml2's parser and XPath on portal pages; libxml2 then parses only this cut for parsel. None when nothing
    matches ``required`` or lexbor refuses a selector: the caller parses the whole page, so a changed layout fails
    as it always did. ``page``: the UTF-8 bytes to parse instead of ``html``'s (a layout's window of the page)."""
    # The bytes xml_safe encoded: lexbor would encode the str again.
    tree = LexborHTMLParser(utf8(html) if page is None else page)
    try:
        return _cut(tree, chrome, required, regions)
    except (ValueError, SelectolaxError) as error:
        _refused(chrome, required, regions, str(error))
        return None


@lru_cache(maxsize=64)
def _refused(chrome: tuple[str, ...], required: str, regions: tuple[str, ...], error: str) -> None:
    """Say once per layout that its pages are parsed whole (correct, but without the cut's speed)."""
    logger.warning("lexbor refuses a selector of %s / %s / chrome %s (%s): those pages are parsed whole",
                   required, regions, chrome, error)


def _cut(tree: LexborHTMLParser, chrome: tuple[str, ...], required: str, regions: tuple[str, ...]) -> RegionCut | None:
    if tree.body is None or tree.body.css_first(required) is None:
        return None
    json_ld = [node.text(deep=True) for node in tree.css('script[type="application/ld+json"]')]
    tags = {css for css in chrome if _TAG.fullmatch(css)}  # "script", "style": only inside the cut matters
    contextual = [css for css in chrome if css not in tags]
    if contextual:
        for node in tree.css(", ".join(contextual)):
            node.decompose()
    chosen = tree.body.css(", ".join((required, *regions)))
    ids = {node.mem_id for node in chosen}
    tops = []
    for node in chosen:  # document order; an element inside another chosen one comes with it
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None and node.tag not in tags:
            tops.append(node)
    if not tops:
        return None
    head = tree.head
    if tags:
        for top in (*tops, *([head] if head is not None else [])):
            for node in top.css(", ".join(sorted(tags))):
                node.decompose()
    head_html = head.html if head is not None else "<head></head>"
    return RegionCut(f"<html>{head_html}<body>{''.join(top.html for top in tops)}</body></html>", json_ld)
