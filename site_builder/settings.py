"""The build's settings, resolved once: base URL, build date and locale.

The orchestrator resolves a ``Settings`` from ``site.yaml``, the command line,
the environment and the briefings' dates before it renders, and hands it to the
stages; nothing below works out a date or normalises the base URL again. ``base_url_problem`` is the
one rule for what a base URL may be, used by validation (``site.yaml``, a
located error) and by the command line (``--base-url``, a usage error).
Imports: the base stage only (``model``).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the no-op check reads build_day without loading the model (and pydantic)
    from .model import Briefing, SiteConfig

NO_DATE = dt.date(2000, 1, 1)  # the build date of an unstamped site without briefings
LOCAL_BASE = "/"  # the default: links relative to the server's root, no feed, sitemap or social cards
_EXAMPLE = "such as https://user.github.io/repo/"


@dataclass(frozen=True)
class Settings:
    """What every stage of one build agrees on."""

    base_url: str                # "/" or an absolute http(s) URL, always ending in "/"
    stamped: dt.date | None      # the date from SOURCE_DATE_EPOCH, when set (reproducible builds)
    today: dt.date               # the stamped date, else today in UTC: what "Revised on" notes say
    build_date: dt.date          # the stamped date, else the newest briefing's: what pages and feeds are dated
    locale: str

    @property
    def absolute(self) -> bool:
        """Whether the base URL is absolute, so that feeds, sitemaps and social cards can be written."""
        return self.base_url != LOCAL_BASE

    @property
    def base_path(self) -> str:
        """The base URL's path, from the server's root and ending in "/" ("/repo/" for https://u.github.io/repo/).

        What the links of a page served at any depth start with (GitHub Pages serves 404.html for every
        missing path)."""
        return "/" + self.base_url.split("://", 1)[-1].partition("/")[2]


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a site's base URL, or None when it can ("/" or an absolute http(s) URL)."""
    if url == LOCAL_BASE:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return f"base_url {url!r} contains a space or a control character"
    if "\\" in url:
        return f"base_url {url!r} contains a backslash; URLs use /"
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return f"base_url {url!r} is not a URL; write it {_EXAMPLE}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"base_url {url!r} must be an absolute http(s) URL {_EXAMPLE}"
    if not parts.hostname:
        return f"base_url {url!r} has no host; write it {_EXAMPLE}"
    if "@" in parts.netloc:
        return f"base_url {url!r} must not contain a user name or password"
    try:
        parts.port
    except ValueError:
        return f"base_url {url!r} has an invalid port"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return f"base_url {url!r} must not have a query (?) or fragment (#)"
    if "//" in parts.path:
        # "https://u.github.io//evil.example/" would make links such as //evil.example/... to another host
        return f"base_url {url!r} has an empty path segment (//)"
    return None


def normalised_base_url(url: str) -> str:
    """A valid base URL ending in "/", so that page paths can be appended to it."""
    return url if url.endswith("/") else url + "/"


def cname_problem(site: SiteConfig, base_url: str) -> str | None:
    """A warning when ``cname`` names another host than the base URL, or None."""
    if not site.cname or base_url == LOCAL_BASE:
        return None
    host = urlsplit(base_url).hostname or ""
    cname = site.cname.strip().lower().rstrip(".")
    if cname != host.lower():
        return (f"cname {site.cname!r} disagrees with base_url's host {host!r}: canonical links, the sitemap "
                f"and the feed name {host!r}; set base_url: https://{cname}/")
    return None


def stamped_date(environ: Mapping[str, str] = os.environ) -> dt.date | None:
    """The date from ``SOURCE_DATE_EPOCH``, or None when it is unset or not a time."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        return None


def build_day(environ: Mapping[str, str] = os.environ) -> dt.date:
    """The stamped date, else today in UTC."""
    return stamped_date(environ) or dt.datetime.now(dt.timezone.utc).date()


def site_date(stamped: dt.date | None, briefings: Iterable[Briefing]) -> dt.date:
    """The date a site is built on: ``stamped`` when set, else its newest briefing's (updated, else published).

    Not today: an unstamped build of the same content gives the same bytes on any day.
    """
    return stamped or max((b.meta.updated or b.meta.date for b in briefings), default=NO_DATE)


def resolve_settings(site: SiteConfig, base_url: str | None = None, environ: Mapping[str, str] = os.environ,
                     briefings: Iterable[Briefing] = ()) -> Settings:
    """The settings of one build: ``base_url`` (the command line's) over ``site.yaml``'s; dates from the
    environment and the loaded ``briefings``.

    Both base URLs were validated where they were written (``base_url_problem``).
    """
    base = normalised_base_url(base_url or site.base_url or LOCAL_BASE)
    stamped = stamped_date(environ)
    return Settings(base, stamped, build_day(environ), site_date(stamped, briefings), site.locale)
