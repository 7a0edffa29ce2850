"""JavaScript-rendered pages: scrapy-playwright driving the system Chromium, only where rendering is asked for.

Who asks (``NEWSCRAWL_RENDER``, or a spider's ``render`` attribute; a ``-s`` on the command line wins):

- ``off`` (default): no browser is started; every request uses the plain HTTP handler.
- ``request``: the browser is ready, but only requests with ``meta["newscrawl_render"] = True`` are rendered.
- ``fallback``: article pages are fetched plainly and re-fetched through the browser when the plain HTML
  lacks the body (counted as ``newscrawl/render/fallback``).
- ``always``: every article page is rendered.

A rendered page waits for ``domcontentloaded`` and then for the site's page-ready selector; images, fonts,
media and every host but the page's own (and its site's) are aborted, since offline or behind a firewall a page
that references outside hosts never finishes loading. With ``NEWSCRAWL_RENDER_TEXT=1`` a rendered response's
``meta["newscrawl_rendered_text"]`` holds the browser's innerText of the site's text root, the input of the
site's rendered-text parser (:func:`rendered_text` does the same for one URL, outside a crawl).

Modules by role: ``config`` (modes, site profiles, start-up check), ``browser`` (what runs in
Chromium), ``handler`` (the download handler), ``addon``, ``check`` (start-up extension), ``middleware``.
"""
