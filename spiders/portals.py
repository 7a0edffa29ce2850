"""One spider per declared portal (``newscrawl/sites/<name>.py``), generated from its declaration, except
where ``spiders/<name>.py`` defines a spider with behaviour of its own. ``scrapy list`` shows them all."""

from importlib.util import find_spec

from newscrawl.sites import all_sites
from newscrawl.spider import spider_for

globals().update({
    spider.__name__: spider
    for spider in (spider_for(site, __name__) for site in all_sites().values()
                   if site.discovery and find_spec(f"{__package__}.{site.name}") is None)
})
