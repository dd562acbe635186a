"""The project's look for charts: palette, fonts and the Vega-Lite config every spec gets (custom ones too)."""
from __future__ import annotations

from .chart_data import Point

# Colour-blind-safe, each at least 3:1 on white and on the dark page (test_chart_palette.py checks both
# and that any two stay apart for the three common colour-vision deficiencies).
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc3d8e", "#8a6d00", "#5e3c99", "#c0392b", "#1c7c8c",
           "#6b8e23", "#8c564b")
CONTEXT_GREY = "#8a8a8a"
FONT_SIZE = 12
FONT = "Liberation Sans, Helvetica, Arial, sans-serif"


def theme(points: list[Point]) -> dict:
    """The project's Vega-Lite config: fonts, sizes and colours (custom specs get it too)."""
    grey = "#374151"
    return {
        "font": FONT, "background": "white", "view": {"stroke": None},
        "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelColor": grey, "titleColor": grey,
                 "titleFontWeight": "normal", "gridColor": "#e5e7eb", "domainColor": "#6b7280", "tickColor": "#6b7280"},
        "header": {"labelFontSize": FONT_SIZE + 1, "labelColor": grey, "titleFontSize": FONT_SIZE},
        "text": {"fontSize": FONT_SIZE, "color": grey},
        "legend": {"disable": True},
        "range": {"category": list(PALETTE)},
        "locale": vega_locale(points[0].locale if points else "en-US"),
    }


def vega_locale(locale: str) -> dict:
    """Vega's number and time formats for ``locale`` (d3's, as vl-convert ships them), for the spec's config:
    the static SVG and the interactive chart in the browser then format the same way."""
    import vl_convert as vlc

    return {"number": vlc.get_format_locale(locale), "time": vlc.get_time_format_locale(locale)}


def vega_lite_schema_url() -> str:
    """The ``$schema`` of the Vega-Lite version Altair bundles (and charts are drawn with)."""
    return "https://vega.github.io/schema/vega-lite/v6.json"
