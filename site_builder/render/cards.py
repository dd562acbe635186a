"""Social cards: a briefing's hero chart as a 1200x630 PNG, with its title, subtitle and key beside it.

The card is laid out here, as SVG, around the SVG the page already shows on a
phone (the chart's narrow artboard, drawn for 310 px: its text stays legible
at a link preview's size), and vl-convert only rasterizes it. Drawing the card
through Vega-Lite again cost a second layout of the chart (about 15 ms of the
40 ms a card took). Text is wrapped with the advance widths of the Liberation
Sans that vl-convert draws with (``chart_fonts/liberation-sans-widths.json``),
so a long title or key entry wraps inside the card instead of running off it.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..compute.chart_describe import KeyEntry
from ..compute.chart_theme import FONT
from ..compute.charts import RenderedChart, chart_renderer

CARD_WIDTH, CARD_HEIGHT = 1200, 630
CARD_SCALE = 2  # laid out at 600x315 and scaled, so lines and text are as thick as on the page, only sharper
WIDTHS_FILE = Path(__file__).resolve().parent.parent / "chart_fonts" / "liberation-sans-widths.json"

_W, _H = CARD_WIDTH // CARD_SCALE, CARD_HEIGHT // CARD_SCALE
_PAD = 20
_COLUMN = 250                       # the text column's width, left of the chart
_CHART_X, _CHART_TOP, _CHART_RIGHT = _PAD + _COLUMN + 12, 12, 14
_TITLE = (22, "bold", 26, 4, "#111827")      # font size, weight, line height, most lines, colour
_SUBTITLE = (13, "normal", 17, 4, "#4b5563")
_KEY = (12, "normal", 15, 2, "#374151")
_SWATCH = 32                        # a key entry's swatch (28 px) and the gap after it
_ASCENT = 0.905                     # Liberation Sans's ascent, in ems: from a line's top to its baseline
_ELLIPSIS = "\u2026"


def draw_card(rendered: RenderedChart) -> bytes:
    """The social card of a chart, as PNG; raises ValueError if vl-convert cannot draw it."""
    return chart_renderer().svg_to_png(card_svg(rendered), scale=CARD_SCALE)


def card_svg(rendered: RenderedChart) -> str:
    """The card as SVG text, 600x315: the title, subtitle and key in a column on the left, the chart's narrow
    artboard on the right (a chart drawn without one: below the title, across the card)."""
    chart = rendered.chart
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}">',
             f'<rect width="{_W}" height="{_H}" fill="white"/>']
    beside = bool(rendered.narrow_svg)
    column = _COLUMN if beside else _W - 2 * _PAD
    y = _text_block(parts, chart.title, _TITLE, column, _PAD)
    if chart.subtitle:
        y = _text_block(parts, chart.subtitle, _SUBTITLE, column, y + 4)
    if beside:
        _key_block(parts, rendered.key, y + 12)
        parts.append(_placed(rendered.narrow_svg, _CHART_X, _CHART_TOP, _W - _CHART_X - _CHART_RIGHT,
                             _H - 2 * _CHART_TOP))
    else:
        parts.append(_placed(rendered.svg, _PAD, y + 8, _W - 2 * _PAD, _H - y - 8 - _PAD // 2))
    parts.append("</svg>")
    return "".join(parts)


def wrapped(text: str, size: float, weight: str, width: float, most: int) -> list[str]:
    """``text`` in lines no wider than ``width`` px at ``size`` px, broken between words (inside a word only
    when it is wider than a line); at most ``most`` lines, the last cut with an ellipsis when text is left."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for piece in _fitting_pieces(word, size, weight, width):
            candidate = f"{line} {piece}" if line else piece
            if line and text_width(candidate, size, weight) > width:
                lines.append(line)
                candidate = piece
            line = candidate
        if len(lines) > most:
            break  # the rest is cut anyway: a very long text costs no more than a long one
    if line and len(lines) <= most:
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = _with_ellipsis(lines[-1], size, weight, width)
    return lines


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """How wide ``text`` is drawn at ``size`` px in vl-convert's Liberation Sans (a character the table lacks
    counts as an em: wider than any it has, so that text never overflows)."""
    table = _widths()[weight]
    return size * sum(table.get(c, 1000) for c in text) / 1000


def _fitting_pieces(word: str, size: float, weight: str, width: float) -> Iterator[str]:
    piece = ""
    for c in word:
        if piece and text_width(piece + c, size, weight) > width:
            yield piece
            piece = ""
        piece += c
    yield piece


def _with_ellipsis(line: str, size: float, weight: str, width: float) -> str:
    while line and text_width(line + _ELLIPSIS, size, weight) > width:
        line = line[:-1]
    return line.rstrip() + _ELLIPSIS


def _text_block(parts: list[str], text: str, style: tuple, width: float, top: float) -> float:
    size, weight, leading, most, colour = style
    lines = wrapped(text, size, weight, width, most)
    for i, line in enumerate(lines):
        parts.append(_text(_PAD, top + i * leading + _ASCENT * size, line, size, weight, colour))
    return top + len(lines) * leading


def _key_block(parts: list[str], key: tuple[KeyEntry, ...], top: float) -> None:
    size, weight, leading, most, colour = _KEY
    gap = 5
    for n, entry in enumerate(key):
        lines = wrapped(entry.label, size, weight, _COLUMN - _SWATCH, most)
        room_for_more = 0 if n == len(key) - 1 else gap + leading  # a line for "and N more" below, if needed
        if top + len(lines) * leading + room_for_more > _H - _CHART_TOP:  # the chart's margin below, too
            parts.append(_text(_PAD, top + _ASCENT * size, f"and {len(key) - n} more", size, weight, "#6b7280"))
            return
        parts.append(f'<g transform="translate({_PAD},{top + (_ASCENT * size - 10):g})">{entry.swatch}</g>')
        for i, line in enumerate(lines):
            parts.append(_text(_PAD + _SWATCH, top + i * leading + _ASCENT * size, line, size, weight, colour))
        top += len(lines) * leading + gap


def _text(x: float, y: float, text: str, size: float, weight: str, colour: str) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (f'<text x="{x:g}" y="{y:.1f}" font-family={quoteattr(FONT)} font-size="{size}"{bold} '
            f'fill="{colour}">{escape(text)}</text>')


_SIZE = re.compile(r'\s(width|height)="([0-9.]+)"')


def _placed(svg: str, x: float, y: float, width: float, height: float) -> str:
    """``svg`` (vl-convert's, with its size on its root element) scaled to fit the box, centred in it.

    A group, not a nested ``svg`` element: resvg clips a nested one through a mask, which doubled the card's
    drawing time.
    """
    head, _, rest = svg.partition(">")
    size = dict(_SIZE.findall(head))
    if "width" not in size or "height" not in size or "</svg>" not in rest:
        raise ValueError("the chart's drawing does not give its size")
    own_width, own_height = float(size["width"]), float(size["height"])
    scale = min(width / own_width, height / own_height, 1.0)
    left, top = x + (width - own_width * scale) / 2, y + (height - own_height * scale) / 2
    inner = rest[:rest.rindex("</svg>")]
    return f'<g transform="translate({left:.1f},{top:.1f}) scale({scale:.4f})">{inner}</g>'


@functools.cache
def _widths() -> dict[str, dict[str, int]]:
    return json.loads(WIDTHS_FILE.read_text(encoding="utf-8"))
