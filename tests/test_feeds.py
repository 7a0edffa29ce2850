"""newscrawl/feeds.py: the streaming reader of feeds and sitemaps returns what each entry says, namespaces
ignored, in document order. Shapes follow the public formats: RSS 2.0 <item>, Atom <entry> with
<link href>, sitemaps.org <urlset>/<sitemapindex>, Google News sitemaps' <news:publication_date>."""

from __future__ import annotations

from newscrawl.feeds import feed_links

SITEMAPS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def test_sitemap_index_gives_child_sitemaps() -> None:
    body = (f'<?xml version="1.0"?><sitemapindex {SITEMAPS}><sitemap><loc> https://a.kr/s1.xml </loc>'
            f"<lastmod>2024-07-25</lastmod></sitemap><sitemap><loc>https://a.kr/s2.xml</loc></sitemap>"
            f"</sitemapindex>").encode()
    assert list(feed_links(body)) == [("https://a.kr/s1.xml", None, True), ("https://a.kr/s2.xml", None, True)]


def test_urlset_dates_come_from_lastmod_or_news_whichever_is_first() -> None:
    body = (f'<?xml version="1.0"?><urlset {SITEMAPS} {NEWS}>'
            f"<url><loc>https://a.kr/1</loc><news:news><news:publication_date>2024-07-25T10:00:00+09:00"
            f"</news:publication_date></news:news><lastmod>2024-07-26</lastmod></url>"
            f"<url><loc>https://a.kr/2</loc><lastmod>2024-07-24</lastmod></url>"
            f"<url><loc>https://a.kr/3</loc></url></urlset>").encode()
    assert list(feed_links(body)) == [("https://a.kr/1", "2024-07-25T10:00:00+09:00", False),
                                      ("https://a.kr/2", "2024-07-24", False), ("https://a.kr/3", None, False)]


def test_rss_and_atom_entries() -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
           b"<link>https://a.kr/</link><image><url>https://a.kr/logo.png</url></image>"
           b"<item><title>t</title><link>https://a.kr/1</link><dc:date>2024-07-25</dc:date></item>"
           b"<item><link>https://a.kr/2</link><pubDate>Thu, 25 Jul 2024 10:55:00 +0900</pubDate></item>"
           b"</channel></rss>")
    # The channel's <image><url> has no <loc>: an empty link, which the spider skips.
    assert list(feed_links(rss)) == [("", None, False), ("https://a.kr/1", "2024-07-25", False),
                                     ("https://a.kr/2", "Thu, 25 Jul 2024 10:55:00 +0900", False)]
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            b'<link rel="alternate" href="https://a.kr/3"/><updated>2024-07-25T01:00:00Z</updated></entry></feed>'
            )
    assert list(feed_links(atom)) == [("https://a.kr/3", "2024-07-25T01:00:00Z", False)]


def test_broken_xml_gives_what_can_be_recovered() -> None:
    body = f'<?xml version="1.0"?><urlset {SITEMAPS}><url><loc>https://a.kr/1</loc></url><url><loc>htt'.encode()
    assert next(iter(feed_links(body))) == ("https://a.kr/1", None, False)
    assert list(feed_links(b'<?xml version="1.0"?>')) == []


def test_a_large_sitemap_is_read_in_document_order() -> None:
    urls = "".join(f"<url><loc>https://a.kr/{i}</loc></url>" for i in range(50_000))
    body = f'<?xml version="1.0"?><urlset {SITEMAPS}>{urls}</urlset>'.encode()
    links = [link for link, _, _ in feed_links(body)]
    assert links == [f"https://a.kr/{i}" for i in range(50_000)]
