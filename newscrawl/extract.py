"""One entry point from page bytes or text to items, used by spiders and by ``scrapy extract``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newscrawl.pages import Extracted, ExtractionError, PageObject
from newscrawl.selectors import remember_utf8, utf8
from newscrawl.sites import Site, get_site, site_for_url

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
_ALIASES = {"euc-kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "x-windows-949": "cp949",
            "utf8": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}


GENERIC = "generic"  # the site that reads any page (newscrawl/sites/generic.py)
# A page whose undecodable bytes are at most this share of its non-ASCII bytes is decoded with U+FFFD in their
# place (one stray byte in an EUC-KR page); beyond it the bytes are not text in any candidate encoding. Random
# binary decoded as CP949 has about a third of its high bytes undecodable, so "most of the page" would be too late.
MAX_DAMAGED_SHARE = 0.02
_ASCII = bytes(range(128))


class UndecodableError(ValueError):
    pass


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # undecodable bytes (or byte pairs) now U+FFFD; 0 when every byte decoded


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    return _ALIASES.get(name, name)


def decode_page(body: bytes, header_charset: str | None = None) -> Decoded:
    """Decode page bytes.

    Valid UTF-8 wins (Korean legacy bytes are practically never valid UTF-8, and saved pages often
    keep a stale euc-kr meta); then the HTTP header, the ``<meta charset>``, and CP949 (a superset
    of EUC-KR). When none decodes every byte, the candidate with the fewest undecodable bytes is used with
    replacement characters if they are few (MAX_DAMAGED_SHARE); otherwise UndecodableError.
    """
    meta = _META_CHARSET.search(body[:4096])
    candidates = ["utf-8", _codec(header_charset), _codec(meta.group(1).decode("ascii", "ignore")) if meta
                  else None, "cp949"]
    codecs = list(dict.fromkeys(c for c in candidates if c))
    for codec in codecs:
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            if codec == "utf-8" and (text := _utf8_cut_short(body)) is not None:
                return Decoded(text, codec)  # looks_truncated() then names the real problem
            continue
        if codec == "utf-8":
            remember_utf8(text, body)  # the parser reads these bytes: no second encoding of a large page
        return Decoded(text, codec)
    best: Decoded | None = None
    for codec in codecs:
        try:
            text = body.decode(codec, "replace")
        except LookupError:
            continue
        damaged = text.count("\ufffd")
        if best is None or damaged < best.replaced:
            best = Decoded(text, codec, damaged)
    if best is None or best.replaced > MAX_DAMAGED_SHARE * len(body.translate(None, _ASCII)):
        raise UndecodableError("bytes are neither UTF-8 nor the declared charset nor CP949")
    return best


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """(text, encoding) of page bytes, as decode_page."""
    decoded = decode_page(body, header_charset)
    return decoded.text, decoded.encoding


def _utf8_cut_short(body: bytes) -> str | None:
    """The text of UTF-8 bytes cut off inside their last character (a dropped connection), else None."""
    for cut in (1, 2, 3):
        if len(body) > cut and body[-cut] >= 0xC0:  # the lead byte of the unfinished character
            try:
                return body[:-cut].decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def resolve_site(url: str, site: str | Site | None = None) -> Site:
    if isinstance(site, Site):
        return site
    return get_site(site) if site else site_for_url(url)


_SOFT_404 = re.compile(r"페이지를 찾을 수 없|존재하지 않는 (기사|페이지)|삭제된 기사|삭제되었거나|요청하신 페이지|"
                       r"page not found|404 not found", re.IGNORECASE)


# Characters lxml refuses in text; they only ever appear in damaged pages.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML_BYTES = tuple(bytes([byte]) for byte in (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20)))


def xml_safe(html: str) -> str:
    """``html`` with the characters lxml refuses replaced by spaces. Checked on the UTF-8 bytes the parser reads
    anyway (27 one-byte searches, each a memchr, are ~2x faster than one byte deletion and ~10x a regex search over
    the str; UTF-8 multi-byte sequences never hold bytes below 0x80); U+FFFE/U+FFFF are looked for in the str,
    where a one-character search is fastest."""
    body = utf8(html)
    if not any(map(body.__contains__, _NOT_XML_BYTES)) and "\ufffe" not in html and "\uffff" not in html:
        return html
    return _NOT_XML.sub(" ", html)


def looks_truncated(html: str) -> bool:
    """A page cut off in transfer ends without ``</body>`` and ``</html>`` (real pages keep at least one)."""
    tail = html[-4096:]  # almost every page answers here, most in lower case (no lowercased copy needed)
    if "</body>" in tail or "</html>" in tail:
        return False
    tail = tail.lower()
    if "</body>" in tail or "</html>" in tail:
        return False
    lower = html[-200_000:].lower()
    return "</body>" not in lower and "</html>" not in lower


def extract_page(page: PageObject) -> Extracted:
    """``page.extract()``, its article stamped with the page object that made it."""
    extracted = page.extract()
    if extracted.article is not None and not extracted.article.extracted_by:
        extracted.article.extracted_by = page.extracted_by
    return extracted


def extract_html(url: str, html: str, site: str | Site | None = None, *, fallback: bool = True) -> Extracted:
    """Items of one article page; ExtractionError with reason truncated, soft_404, malformed or the parser's.

    When the site's page objects cannot read a page (no layout matches, or fields are missing) and it is not a
    soft 404, the generic extractor reads it (``fallback``): the article says so in ``extracted_by`` and
    ``Extracted.fallback_from`` keeps the site's error; the pipelines still validate it."""
    if looks_truncated(html):
        raise ExtractionError("truncated", "the page ends without </body> or </html>")
    resolved = resolve_site(url, site)
    html = xml_safe(html)
    try:
        return extract_page(resolved.page(url, html))
    except ExtractionError as error:
        if _SOFT_404.search(html[:100_000]):
            raise ExtractionError("soft_404", f"a 'not found' page served as 200 ({error})") from error
        if not fallback or resolved.name == GENERIC:
            raise
        return generic_fallback(url, html, resolved, error)
    except Exception as error:  # a page damaged past what the parser expects: counted and kept, never a crash
        raise ExtractionError("malformed", f"{type(error).__name__}: {error}") from error


def generic_fallback(url: str, html: str, site: Site, error: ExtractionError) -> Extracted:
    """The generic extractor's reading of a page the site's layouts failed on; the site's error when it
    finds no article either."""
    try:
        page = get_site(GENERIC).page(url, html)
        extracted = extract_page(page)
    except Exception:  # the generic extractor failing too: the site's own error names the problem
        raise error from None
    article = extracted.article
    if article is None:
        raise error
    article.site, article.publisher = site.name, site.publisher or article.publisher
    article.extracted_by = f"{page.extracted_by} fallback from {site.name}"
    return Extracted(article, [], extracted.impossible_dates, fallback_from=error)


def extract_rendered_text(url: str, text: str, site: str | Site | None = None) -> Extracted:
    """Items of one page's rendered text: the site's text layout, else the generic segmenter under the
    site's name and publisher (any declared site and any unknown host; see ``Site.text_page``)."""
    return extract_page(resolve_site(url, site).text_page(url, text))
