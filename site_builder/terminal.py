"""What the command line may write to a terminal: escape codes only where they work, text the encoding can carry.

The site itself is always UTF-8; this is about the messages. A terminal gets
escape codes (the progress line's "erase line") only when it is a terminal,
``TERM`` is not ``dumb`` and ``NO_COLOR`` is not set (https://no-color.org:
any non-empty value). An output encoding that cannot carry a character
(``PYTHONIOENCODING=ascii``, ``LANG=C`` on an old Python, a latin-1 console)
gets an ASCII stand-in for it ("->" for "→", "..." for "…") instead of a
UnicodeEncodeError.
"""
from __future__ import annotations

import codecs
import os
import unicodedata
from collections.abc import Mapping
from typing import TextIO

ERRORS = "briefing-ascii"  # the codec error handler registered below
FALLBACKS = {
    "→": "->", "←": "<-", "↔": "<->", "…": "...", "✓": "ok", "✔": "ok", "✗": "x", "✘": "x",
    "—": "--", "–": "-", "−": "-", "·": "-", "•": "*", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
    "«": '"', "»": '"', "×": "x", "≈": "~", "≤": "<=", "≥": ">=", "±": "+/-", "°": " deg",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "€": "EUR", "£": "GBP", "¥": "JPY",
}


def ascii_fallback(text: str) -> str:
    """``text`` with every non-ASCII character replaced by its stand-in: a known one, the letter without its
    accent (é -> e), else "?"."""
    return "".join(char if char.isascii() else _stand_in(char) for char in text)


def _stand_in(char: str) -> str:
    if char in FALLBACKS:
        return FALLBACKS[char]
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return plain or "?"


def _replace_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return ascii_fallback(error.object[error.start:error.end]), error.end


codecs.register_error(ERRORS, _replace_unencodable)


def use_ascii_fallbacks(*streams: TextIO) -> None:
    """Let each stream write characters its encoding lacks as ASCII stand-ins (a no-op for UTF-8 streams)."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure) and not _can_encode(stream, "→…✓“”—·"):
            reconfigure(errors=ERRORS)


def _can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(callable(isatty) and isatty())
    except ValueError:  # closed
        return False


def escapes_allowed(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether escape codes may be written to ``stream``: a terminal, not ``TERM=dumb``, no ``NO_COLOR``."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM", "") == "dumb":
        return False
    return is_terminal(stream)
