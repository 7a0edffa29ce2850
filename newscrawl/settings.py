"""Project defaults. Override with ``-s NAME=VALUE`` or a NEWSCRAWL_* environment variable; no logic here
beyond reading those variables."""

import os

from scrapy.settings import default_settings as scrapy_defaults

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "newscrawl.commands"

# Where output goes: JSONL feeds (one file per item type) and the embedded database.
NEWSCRAWL_DATA_DIR = os.environ.get("NEWSCRAWL_DATA_DIR", "data")
NEWSCRAWL_DATABASE = os.environ.get("NEWSCRAWL_DATABASE", f"sqlite:///{NEWSCRAWL_DATA_DIR}/newscrawl.sqlite3")
NEWSCRAWL_KEEP_RAW = True  # keep every article page's bytes (zstd) in the database
NEWSCRAWL_INCREMENTAL = True  # skip article pages already stored ...
NEWSCRAWL_RECHECK_DAYS = 2.0  # ... unless published this recently: fetched again to catch revisions

FEEDS = {
    f"{NEWSCRAWL_DATA_DIR}/articles.jsonl": {
        "format": "jsonl", "encoding": "utf8", "item_classes": ["newscrawl.items.ArticleItem"],
    },
    f"{NEWSCRAWL_DATA_DIR}/tickers.jsonl": {
        "format": "jsonl", "encoding": "utf8", "item_classes": ["newscrawl.items.TickerItem"],
    },
}
FEED_EXPORTERS = {"jsonl": "newscrawl.exporters.JsonLinesExporter"}
FEED_STORE_EMPTY = True

ITEM_PIPELINES = {
    "pipelines.chrome.StripChromePipeline": 100,
    "pipelines.normalize.NormalizeTextPipeline": 200,
    "pipelines.dates.KstDatesPipeline": 300,
    "pipelines.validate.ValidatePipeline": 400,
    "pipelines.dedup.DedupPipeline": 500,
    "pipelines.pagetie.PageTiePipeline": 800,  # a page's tickers go on only after its article was scraped
    "pipelines.store.DatabasePipeline": 900,
}
# Scrapy's per-item machinery runs for each of a page's items (13 on an etoday page): see BENCHMARKS.md, crawl.
ITEM_PROCESSOR = "newscrawl.itemprocessor.ItemPipelines"  # the pipelines above, without a coroutine per call
SPIDER_MIDDLEWARES = {
    "newscrawl.spidermiddlewares.rawpages.RawPageMiddleware": 950,
    # the same start-request mark, without a layer over every callback output (newscrawl/spidermiddlewares/start.py)
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": None,
    "newscrawl.spidermiddlewares.start.StartRequestsMiddleware": 25,
    # a developer's warning about response.meta copied into new requests (our spiders build their meta)
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    # Scrapy's depth, URL-length and referer policies, applied in one pass (newscrawl/spidermiddlewares/requests.py)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "newscrawl.spidermiddlewares.requests.RequestPolicies": 800,
}
WARN_ON_GENERATOR_RETURN_VALUE = False  # a developer's check that parses each callback's source, per response
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.downloadermiddlewares.robots.PoliteRobotsTxtMiddleware": 100,
    "newscrawl.downloadermiddlewares.incremental.IncrementalMiddleware": 50,
    "newscrawl.downloadermiddlewares.origin.BaseUrlOriginMiddleware": 60,  # with -a base_url, only that origin
    # newscrawl/downloadermiddlewares/retry.py: backoff honouring Retry-After, redirect loops, size limits on decompression
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.downloadermiddlewares.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.downloadermiddlewares.retry.BoundedDecompressionMiddleware": 590,  # DOWNLOAD_MAXSIZE also bounds decompression
    "newscrawl.downloadermiddlewares.retry.RedirectLoopMiddleware": 650,  # sees 3xx before RedirectMiddleware (600)
    # a page without 'refresh' in its first bytes is not decoded to look for a meta refresh
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.downloadermiddlewares.metarefresh.QuickMetaRefreshMiddleware": 580,
}
ADDONS = {
    "newscrawl.distributed.DistributedCrawl": 0,  # a worker of a shared Redis queue when NEWSCRAWL_REDIS_URL is set
    "newscrawl.rendering.addon.RenderingAddon": 100,  # JavaScript rendering when NEWSCRAWL_RENDER is not off
    "newscrawl.contact.ContactUserAgent": 200,  # NEWSCRAWL_CONTACT into the User-Agent
}
# Scrapy's HTTP/1.1 handler with idle connections for twice the per-domain concurrency: a connection comes back
# to the pool after the slot's next request started, and was closed (newscrawl/downloadhandlers.py).
DOWNLOAD_HANDLERS = {"http": "newscrawl.downloadhandlers.PooledHTTPDownloadHandler",
                     "https": "newscrawl.downloadhandlers.PooledHTTPDownloadHandler"}
DUPEFILTER_CLASS = "newscrawl.dupefilter.RunDupeFilter"  # resumable runs: see newscrawl/dupefilter.py
SCHEDULER = "newscrawl.scheduler.ResumableScheduler"  # a killed run's JOBDIR queues are not read again
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawl.sinks.FeedSinks": 0,  # a feed that cannot be opened stops the crawl (newscrawl/sinks.py)
    "scrapy.extensions.throttle.AutoThrottle": None,
    "newscrawl.extensions.crawldelay.CrawlDelayAutoThrottle": 0,
    "newscrawl.extensions.crawldelay.CrawlDelay": 0,
    "newscrawl.extensions.progress.ProgressLog": 0,
    # Scrapy's CoreStats and our count of scraped items by type in one extension (one item_scraped receiver);
    # first, as CoreStats is, so that finish_time is set before other extensions read it at spider_closed.
    "scrapy.extensions.corestats.CoreStats": None,
    "newscrawl.extensions.itemcounter.ItemCounter": -1,
    "newscrawl.extensions.statsfile.StatsFile": 900,
}
# Scrapy's remote-control extension is off (REMOTE_CONTROL_ENABLED below) and also left out of the base list: Scrapy
# imports every listed component, even a disabled one, and its module imports aiohttp (~0.1 s of each start-up).
# To use it: REMOTE_CONTROL_ENABLED=1 and EXTENSIONS={"scrapy.extensions.remote_control.RemoteControl": 0}.
EXTENSIONS_BASE = {path: order for path, order in scrapy_defaults.EXTENSIONS_BASE.items()
                   if path != "scrapy.extensions.remote_control.RemoteControl"}
LOGSTATS_INTERVAL = 60.0
# Layout-drift monitors: a run whose share of article pages without a title/body/date (or unparseable)
# exceeds this, or that yields no article at all, or whose output shows chrome, exits non-zero.
NEWSCRAWL_MAX_MISSING_SHARE = 0.2
# ... or whose share of article pages read by the generic fallback (the site's layouts failed) exceeds this.
NEWSCRAWL_MAX_FALLBACK_SHARE = 0.2
# scrapy reextract (newscrawl/reextract.py): pages written per database commit (and resume checkpoint).
NEWSCRAWL_REEXTRACT_BATCH = 200
NEWSCRAWL_STATS_FILE = ""  # write the final stats of a run as JSON here
NEWSCRAWL_REPORT_FILE = os.environ.get("NEWSCRAWL_REPORT_FILE", f"{NEWSCRAWL_DATA_DIR}/run-report.json")

# Politeness and robustness defaults for unattended runs.
# newscrawl/contact.py adds NEWSCRAWL_CONTACT (a URL or e-mail of whoever runs the crawl) to this User-Agent.
USER_AGENT = "newscrawl/0.1 (news research crawler)"
NEWSCRAWL_CONTACT = os.environ.get("NEWSCRAWL_CONTACT", "")
ROBOTSTXT_OBEY = True  # newscrawl/downloadermiddlewares/robots.py: RFC 9309 (first 500 KiB; 5xx or unreachable = disallow all)
NEWSCRAWL_ROBOTSTXT_MAXSIZE = 500 * 1024
NEWSCRAWL_CRAWL_DELAY_MAX = 30.0  # seconds; a longer robots.txt Crawl-delay is capped (and counted)
AUTOTHROTTLE_ENABLED = True  # never below a host's Crawl-delay (newscrawl/extensions/crawldelay.py)
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio worker tasks for every response's output (default 100); a page yields at
# most a few dozen items, pipelines are synchronous: 16 saves ~1.5 ms of CPU per page (BENCHMARKS.md, crawl).
# Not fewer: 1 or 4 saved only ~0.2 ms more, and an exception while scheduling a request (e.g. a damaged
# JOBDIR queue) ends a worker; with a single worker the response's output then waits forever (a hung crawl).
CONCURRENT_ITEMS = 16
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
NEWSCRAWL_RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry, doubled for each further one
NEWSCRAWL_RETRY_BACKOFF_MAX = 30.0
NEWSCRAWL_RETRY_AFTER_MAX = 120.0  # a longer Retry-After is capped (and counted)
DEPTH_LIMIT = 10  # nested sitemaps / chained list pages: an endless chain stops here
HTTPCACHE_ENABLED = False  # turn on for development: -s HTTPCACHE_ENABLED=1
HTTPCACHE_DIR = "httpcache"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("NEWSCRAWL_LOG_LEVEL", "INFO")
STATS_CLASS = "newscrawl.stats.StatsCollector"  # Scrapy's, without a Python hook on every attribute read
LOG_FORMATTER = "newscrawl.logformatter.QuietLogFormatter"  # no per-item DEBUG records unless LOG_LEVEL=DEBUG

# JavaScript rendering (newscrawl/rendering/) through scrapy-playwright and the system Chromium:
# off | request (only requests with meta newscrawl_render=True) | fallback (when the plain HTML lacks the body)
# | always (every article page). A spider's `render` attribute sets its own mode; `-s NEWSCRAWL_RENDER=...` wins.
NEWSCRAWL_RENDER = os.environ.get("NEWSCRAWL_RENDER", "off")
NEWSCRAWL_CHROMIUM_PATH = os.environ.get("NEWSCRAWL_CHROMIUM_PATH", "/usr/bin/chromium")  # apt-get install chromium
NEWSCRAWL_RENDER_TIMEOUT = 15  # seconds, for navigation and for the site's page-ready selector
NEWSCRAWL_RENDER_MAX_PAGES = 4  # browser tabs open at once
NEWSCRAWL_RENDER_READY_SELECTORS: dict[str, str] = {}  # site name -> CSS selector, beside each site's render profile

# Distributed crawling (newscrawl/distributed.py): set NEWSCRAWL_REDIS_URL to make `scrapy crawl` a worker.
NEWSCRAWL_REDIS_URL = os.environ.get("NEWSCRAWL_REDIS_URL", "")
NEWSCRAWL_REDIS_IDLE_CLOSE = 10.0  # seconds a worker waits, once all workers are idle, before it exits; 0 = never
