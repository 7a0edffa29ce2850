"""robots.txt ``Crawl-delay`` honoured per host: when a host's robots.txt is parsed, its download slot (and any
slot later made for it) waits that long between requests, capped at NEWSCRAWL_CRAWL_DELAY_MAX (the cap is
counted: ``newscrawl/robots/crawl_delay_capped``). Other hosts' slots are untouched. AutoThrottle, replaced by
CrawlDelayAutoThrottle, never lowers a slot below its host's Crawl-delay."""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.robotstxt import RobotParser

from newscrawl.downloadermiddlewares.robots import ROBOTS, robots_user_agent

logger = logging.getLogger(__name__)

# crawler -> download slot key -> the Crawl-delay its host asked for (after the cap)
_FLOORS: WeakKeyDictionary[Crawler, dict[str, float]] = WeakKeyDictionary()


def crawl_delay_floor(crawler: Crawler, slot_key: str | None) -> float:
    return _FLOORS.get(crawler, {}).get(slot_key or "", 0.0)


class CrawlDelay:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("NEWSCRAWL_CRAWL_DELAY_MAX")
        _FLOORS[crawler] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls(crawler)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        asked = robotparser.crawl_delay(robots_user_agent(self.crawler))
        if not asked or asked <= 0:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        stats = self.crawler.stats
        delay = min(asked, self.cap)
        if asked > self.cap:
            stats.inc_value(f"{ROBOTS}/crawl_delay_capped")
            logger.warning("robots.txt of %s asks for a Crawl-delay of %g s; waiting the %g s cap "
                           "(NEWSCRAWL_CRAWL_DELAY_MAX)", key, asked, self.cap)
        else:
            logger.info("robots.txt of %s: Crawl-delay %g s", key, delay)
        stats.set_value(f"{ROBOTS}/crawl_delay/{key}", delay)
        _FLOORS[self.crawler][key] = delay
        # No jitter: a random variation of the delay would go below what the host asked for.
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0


class CrawlDelayAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, floored at each host's Crawl-delay."""

    def _response_downloaded(self, response: Response, request: Request, spider: object) -> None:
        super()._response_downloaded(response, request, spider)
        key = request.meta.get("download_slot")
        floor = crawl_delay_floor(self.crawler, key)
        slot = self.crawler.engine.downloader.slots.get(key) if floor else None
        if slot is not None and slot.delay < floor:
            slot.delay = floor
