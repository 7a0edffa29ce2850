"""Rendering configuration: the modes, each site's render profile, and the start-up check of the browser."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.keys import RENDER_META, RENDERED_TEXT_META  # noqa: F401  (re-exported for the middleware)

MODES = ("off", "request", "fallback", "always")
SETTLE_META = "newscrawl_render_settle"  # the PageMethod whose result is the innerText (None: not ready)
LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync")
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
INSTALL_HINT = 'install it with "apt-get install -y chromium" or set NEWSCRAWL_CHROMIUM_PATH to a Chromium binary'


@dataclass(frozen=True)
class RenderProfile:
    """How a site's rendered page is read: when it is ready, and which part of it is the article's text."""

    ready_selector: str | None = None  # None: domcontentloaded is enough
    text_root: str = "body"  # innerText of this element feeds the site's rendered-text parser
    text_hidden: tuple[str, ...] = ()  # hidden while innerText is read: chrome the text parser cannot tell apart


def render_mode(settings: BaseSettings, spider: Any = None) -> str:
    """The setting when given on the command line, else the spider's ``render`` attribute, else the setting."""
    attribute = getattr(spider, "render", None)
    from_command_line = (settings.getpriority("NEWSCRAWL_RENDER") or 0) >= SETTINGS_PRIORITIES["cmdline"]
    mode = settings.get("NEWSCRAWL_RENDER") if from_command_line or not attribute else attribute
    return str(mode or "off").strip().lower()


def timeout_ms(settings: BaseSettings) -> float:
    return settings.getfloat("NEWSCRAWL_RENDER_TIMEOUT", 15) * 1000


def launch_options(chromium_path: str) -> dict[str, Any]:
    return {"executable_path": chromium_path, "headless": True, "args": list(LAUNCH_ARGS)}


def profile_for(site: str | None, settings: BaseSettings | None = None) -> RenderProfile:
    """The site's declared profile (``Site.render``), with a ready selector from NEWSCRAWL_RENDER_READY_SELECTORS."""
    from newscrawl.sites import all_sites  # the registry imports RenderProfile from here

    declared = all_sites().get(site or "")
    profile = (declared.render if declared else None) or RenderProfile()
    extra = settings.getdict("NEWSCRAWL_RENDER_READY_SELECTORS") if settings is not None else {}
    if site in extra:
        profile = RenderProfile(extra[site], profile.text_root, profile.text_hidden)
    return profile


def configuration_problem(mode: str, chromium_path: str) -> str | None:
    """One sentence telling the user what to fix, or None."""
    if mode not in MODES:
        return f"NEWSCRAWL_RENDER={mode!r} is not one of {', '.join(MODES)}"
    if mode == "off":
        return None
    if not (os.path.isfile(chromium_path) and os.access(chromium_path, os.X_OK)):
        return (f"rendering is on (NEWSCRAWL_RENDER={mode}) but there is no Chromium at {chromium_path}: "
                f"{INSTALL_HINT}")
    try:
        subprocess.run([chromium_path, "--version"], capture_output=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return f"rendering is on (NEWSCRAWL_RENDER={mode}) but {chromium_path} does not start: {INSTALL_HINT}"
    return None
