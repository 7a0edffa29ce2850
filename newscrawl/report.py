"""The run report: per site what was fetched, kept, dropped and why, plus layout-drift flags.
Printed as a short summary, written as JSON, and turned into the exit code of a scheduled run."""

from __future__ import annotations

from typing import Any

from newscrawl import keys
from newscrawl.keys import group as _group


def robots_report(stats: dict[str, Any]) -> dict[str, Any]:
    """What robots.txt refused (newscrawl/downloadermiddlewares/robots.py), per kind and host, and hosts whose
    robots.txt was unavailable (so everything there was refused)."""
    return {
        "refused_article_urls": stats.get(f"{keys.ROBOTS}forbidden/article", 0),
        "refused_discovery_urls": stats.get(f"{keys.ROBOTS}forbidden/discovery", 0),
        "refused_by_host": _group(stats, f"{keys.ROBOTS}forbidden_host/"),
        "user_agent": stats.get(f"{keys.ROBOTS}user_agent"),
        "unavailable": _group(stats, f"{keys.ROBOTS}unavailable/"),
        "crawl_delay": _group(stats, f"{keys.ROBOTS}crawl_delay/"),
    }


def site_report(spider: str, stats: dict[str, Any], max_missing_share: float,
                max_fallback_share: float = 0.2) -> dict[str, Any]:
    dropped = keys.below(stats, keys.DROPPED)
    parse_errors = _group(stats, keys.PARSE_ERROR)
    scraped = _group(stats, keys.SCRAPED)
    # Article responses handed to a page object; older stats files only have the raw-page count.
    article_pages = stats.get(keys.ARTICLE_PAGES, 0) or stats.get(keys.RAW_PAGES_SAVED, 0) or (
        scraped.get("article", 0) + sum(parse_errors.values()) + sum(
            v for k, v in dropped.items() if k.startswith("article/")))
    incomplete = sum(parse_errors.values()) + sum(v for k, v in dropped.items() if k.startswith("article/"))
    leaks = _group(stats, keys.LEAKS)
    robots = robots_report(stats)
    flags = []
    fetched = stats.get("response_received_count", 0)
    no_yield = scraped.get("article", 0) == 0 and stats.get(keys.SKIPPED_SEEN, 0) == 0
    if not fetched:
        errors = _group(stats, "downloader/exception_type_count/")
        detail = ", ".join(f"{name.rsplit('.', 1)[-1]} x{count}" for name, count in errors.items()) or "no response"
        flags.append(f"no page could be fetched ({detail}): check the network connection or -a base_url")
    if robots["unavailable"]:
        flags.append("robots_unavailable: robots.txt could not be read, so nothing was fetched from "
                     + ", ".join(f"{host} ({reason})" for host, reason in robots["unavailable"].items()))
    refused = robots["refused_article_urls"] + robots["refused_discovery_urls"]
    if fetched and no_yield and refused and not article_pages and not robots["unavailable"]:
        flags.append(f"robots_disallowed: robots.txt of {', '.join(robots['refused_by_host'])} refused "
                     f"{robots['refused_article_urls']} article and {robots['refused_discovery_urls']} discovery "
                     f"URLs for User-Agent {robots['user_agent']!r}; ask the publisher for permission")
    elif fetched and no_yield and not robots["unavailable"]:
        flags.append("yield dropped to zero: no article came out")
    if article_pages and incomplete / article_pages > max_missing_share:
        missing = sorted({k.split("missing_", 1)[1] for k in dropped if "missing_" in k} |
                         {k for k in parse_errors})
        flags.append(f"{incomplete} of {article_pages} article pages incomplete or unparseable "
                     f"(over {max_missing_share:.0%}): {', '.join(missing)}")
    fallbacks = sum(_group(stats, keys.FALLBACK).values())
    if article_pages and fallbacks / article_pages > max_fallback_share:
        flags.append(f"layout_drift: {fallbacks} of {article_pages} article pages were read by the generic "
                     f"extractor, not the site's page objects (over {max_fallback_share:.0%}); the articles are "
                     f"kept: fix the site's layout (and bump its version)")
    if leaks:
        flags.append(f"chrome leaked into article text: {', '.join(leaks)}")
    if stats.get(keys.SINK_FAILED):  # newscrawl/sinks.py: the crawl stopped, resume once fixed
        flags.append(f"a sink failed, the crawl stopped: {stats[keys.SINK_FAILED]}")
    elif stats.get("finish_reason") not in (None, "finished"):
        flags.append(f"finish reason {stats.get('finish_reason')}")
    return {
        "site": spider,
        "pages_fetched": stats.get("response_received_count", 0),
        "article_pages": article_pages,
        "items": scraped,
        "articles": {k: stats.get(keys.article_outcome(k), 0) for k in keys.ARTICLE_OUTCOMES},
        "fetch_failed": _group(stats, keys.ARTICLE_FETCH_FAILED),  # article pages, by reason
        "discovery_failed": _group(stats, keys.discovery("failed")),  # feeds, sitemaps, lists, by reason
        "skipped_seen": stats.get(keys.SKIPPED_SEEN, 0),
        "fallbacks": fallbacks,  # article pages read by the generic extractor after the site's layouts failed
        "storage_retries": stats.get(keys.STORAGE_RETRIES, 0),  # database writes repeated after a drop
        "render_fallback": stats.get(keys.render("fallback"), 0),  # article pages rendered: HTML lacked the body
        "robots": robots,
        "dropped": dropped,
        "parse_errors": parse_errors,
        "download_errors": _group(stats, "downloader/exception_type_count/"),
        "http_status": _group(stats, "downloader/response_status_count/"),
        "log_errors": stats.get("log_count/ERROR", 0),
        "duration_s": stats.get("elapsed_time_seconds"),
        "finish_reason": stats.get("finish_reason"),
        "flags": flags,
    }


def summary_line(report: dict[str, Any]) -> str:
    items = ", ".join(f"{v} {k}s" for k, v in report["items"].items()) or "no items"
    articles = report["articles"]
    line = (f"{report['site']}: {report['pages_fetched']} pages, {items} "
            f"({articles['new']} new, {articles['updated']} updated, {articles['unchanged']} unchanged, "
            f"{report['skipped_seen']} already stored), {sum(report['dropped'].values())} dropped, "
            f"{sum(report['parse_errors'].values())} unparseable")
    if report.get("fallbacks"):
        line += f", {report['fallbacks']} read by the generic fallback"
    robots = report["robots"]
    if robots["refused_article_urls"] or robots["refused_discovery_urls"]:
        line += (f", robots.txt refused {robots['refused_article_urls']} article and "
                 f"{robots['refused_discovery_urls']} discovery URLs")
    return line + "".join(f"\n  FLAG {flag}" for flag in report["flags"])
