"""A contactable User-Agent: NEWSCRAWL_CONTACT (a URL or an e-mail address) is added to the project's
User-Agent, so a portal that sees the crawler can reach whoever runs it instead of blocking it. Without a
contact the crawl runs, after one warning line. A USER_AGENT given on the command line is left alone."""

from __future__ import annotations

import logging

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

logger = logging.getLogger(__name__)
_warned = False  # once per process, also when crawlall runs several crawlers


def user_agent(base: str, contact: str) -> str:
    """``newscrawl/0.1 (news research crawler)`` -> ``newscrawl/0.1 (news research crawler; +CONTACT)``."""
    if not contact:
        return base
    if base.endswith(")"):
        return f"{base[:-1]}; +{contact})"
    return f"{base} (+{contact})"


class ContactUserAgent:
    """Add-on: sets USER_AGENT from the project's and NEWSCRAWL_CONTACT."""

    def update_settings(self, settings: BaseSettings) -> None:
        global _warned
        contact = (settings.get("NEWSCRAWL_CONTACT") or "").strip()
        if (settings.getpriority("USER_AGENT") or 0) > SETTINGS_PRIORITIES["project"]:
            return  # the user chose their own User-Agent
        settings.set("USER_AGENT", user_agent(settings.get("USER_AGENT"), contact), priority="project")
        if not contact and not _warned:
            _warned = True
            logger.warning("NEWSCRAWL_CONTACT is not set: portals see no way to reach you and may block the "
                           "crawler; set it to a URL or e-mail address (environment or -s NEWSCRAWL_CONTACT=...)")
