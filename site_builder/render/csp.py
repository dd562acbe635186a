"""The Content-Security-Policy every page carries, so that the reader's browser enforces what the build checks.

The build refuses pages that would load anything from another site
(:mod:`third_party`); the policy makes the browser refuse it too, whatever
got into a page: only the page's own origin may serve scripts, styles, images,
fonts and media, and scripts may connect only to it (``briefing serve``'s
live reload uses its own origin's event stream). Under ``file://``, Chromium
reads ``'self'`` as any local file, so the site still works from disk; under a
GitHub Pages sub-path it is the ``github.io`` origin. No inline script or
style is needed: the theme's scripts are files, the charts' specs are JSON
data blocks (which a policy does not govern), and Vega is run with its
expression interpreter (``ast: true``, no ``eval``) and without the style
elements it would add. ``data:`` images are allowed, as in the body check.

With ``allow_raw_html: true`` the site chose to let bodies run script, so
inline scripts, event handlers and styles are allowed too; other origins
still are not. A ``<meta>`` policy cannot set ``frame-ancestors`` or
``report-uri`` (browsers ignore both there and say so in the console).
"""
from __future__ import annotations

import re
from typing import Callable

from markupsafe import Markup

from ..errors import Problem
from ..model import SiteConfig

POLICY = ("default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
          "media-src 'self'", "connect-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'",
          "object-src 'none'")
RAW_HTML_ALLOWS = {"script-src": "'unsafe-inline'", "style-src": "'unsafe-inline'"}


def content_security_policy(site: SiteConfig) -> Markup:
    """The policy for the pages of ``site``, as the ``content`` of a ``<meta http-equiv>``."""
    directives = []
    for directive in POLICY:
        name = directive.split(" ", 1)[0]
        if site.allow_raw_html and name in RAW_HTML_ALLOWS:
            directive += " " + RAW_HTML_ALLOWS[name]
        directives.append(directive)
    return Markup("; ".join(directives))  # fixed text, with no quote or markup to escape


_META = re.compile(r"""<meta\s+http-equiv=["']?content-security-policy["']?\s+content=""", re.I)


def carries_policy(page: bytes) -> bool:
    """True when an HTML page declares a Content-Security-Policy in its head, before anything it loads."""
    head = page[: page.find(b"</head>")] if b"</head>" in page else page
    meta = _META.search(head.decode("utf-8", "replace"))
    return meta is not None and not re.search(rb"<(?:link|script|style|img)\b", head[: meta.start()], re.I)


def policy_problems(files: dict[str, bytes], unchanged: Callable[[str, bytes], bool],
                    template: str | None) -> list[Problem]:
    """An error when rendered pages among ``files`` (but those ``unchanged`` since they were last checked) lack
    the policy, at ``template`` (a project's own base template) or else at the first such page.

    HTML under ``static/`` is the project's own file, copied as it is (a host's verification page, say): it
    is checked for third-party requests like every page, but it is not made from the templates.
    """
    bare = [path for path, data in files.items() if path.endswith(".html") and not path.startswith("static/")
            and not unchanged(path, data) and not carries_policy(data)]
    if not bare:
        return []
    more = f" and {len(bare) - 1} other pages" if len(bare) > 1 else ""
    return [Problem(template or bare[0], 1, f"{bare[0]}{more}: no Content-Security-Policy; put <meta http-equiv="
                    '"Content-Security-Policy" content="{{ site|content_security_policy }}"> right after <meta '
                    "charset> in the head")]
