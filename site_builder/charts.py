"""Charts: facts → data rows → Vega-Lite spec (Altair) → inline SVG, JSON and CSV.

Building the spec (Altair) and rendering it (vl-convert) are the slow steps, so
each drawn chart is looked up in the ``ChartDrawings`` the build hands in, keyed by what it is
drawn from: the chart's definition and its data points (the store adds the code
and library versions). An unchanged chart is never drawn twice, across runs too, and a
build whose charts are all cached never imports Altair. Many missing charts are
drawn through a process pool first (``parallel.draw_missing_charts``).
"""
from __future__ import annotations

import csv
import functools
import importlib
import io
import json
import math
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import BuildError, ErrorCollector
from .facts import KIND_STATUS, FactBook, ResolvedFact
from .formatting import format_axis_label, format_value, with_unit_words
from .periods import PeriodError, key_label, parse_period, period_key, sorted_keys
from .model import Chart, ChartSeries

WIDTH, HEIGHT = 600, 300
POINTS_DATA = "points"
PALETTE = ["#1f5f99", "#c2410c", "#5b7f1a", "#7c3aed", "#9a3412"]


@dataclass(frozen=True)
class Point:
    """One data point of a chart, as drawn and as listed in its data table."""

    series: str
    x: int | str
    y: float
    display: str
    projected: bool
    fact_id: str
    label: str
    sources: tuple[str, ...]
    unit: str | None = None
    locale: str = "en-US"  # of ``display``, and of the axis labels drawn for the point's chart
    kind: str = "reported"  # the fact's kind: a chart styles "calculated" (ours) apart from "forecast"

    @property
    def status(self) -> str:
        """The point's kind in words, for the data table and tooltips ("Forecast", "Our calculation")."""
        return KIND_STATUS.get(self.kind, self.kind.capitalize())


@dataclass(frozen=True)
class RenderedChart:
    """A chart ready for pages: its points, spec, SVG, CSV and text description."""

    chart: Chart
    points: tuple[Point, ...]
    spec_json: str
    svg: str
    csv: str
    description: str
    sources: tuple[str, ...]


def chart_points(chart: Chart, book: FactBook, errors: ErrorCollector) -> list[Point]:
    """The data points of ``chart``, from its facts; problems are recorded in ``errors``."""
    points: list[Point] = []
    for series in chart.series:
        for fact_id in series.fact_ids():
            if fact_id not in book:
                continue  # unknown facts are reported by validation
            try:
                points.extend(_series_points(chart, series, book[fact_id], book.locale))
            except BuildError as exc:
                errors.add_error(exc)
    return points


def _series_points(chart: Chart, series: ChartSeries, fact: ResolvedFact, locale: str = "en-US") -> list[Point]:
    where = series.origin
    if isinstance(fact.value, dict):
        return [Point(series.label, _x_of(key), float(fact.value[key]),
                      with_unit_words(format_value(fact.value[key], fact.fact.format, fact.unit, locale, fact.precision),
                                      fact.unit),
                      fact.is_projection, fact.id, f"{fact.fact.label}, {key_label(key, locale)}", fact.sources,
                      fact.unit, locale, fact.kind)
                for key in sorted_keys(fact.value)]
    if not fact.is_number:
        raise BuildError(where.path, where.line, f"chart {chart.id!r}: fact {fact.id!r} is not a number")
    if chart.type == "bar":
        x: int | str = fact.fact.label
    else:
        try:
            x = _x_of(period_key(str(fact.fact.period).strip()) if fact.fact.period is not None else None)
        except PeriodError:
            raise BuildError(where.path, where.line,
                             f"chart {chart.id!r}: fact {fact.id!r} needs a year, quarter, month or day as its `period` "
                             f"(2024, 2024-Q1, 2024-03, 2024-03-05) to be placed on the x axis") from None
    return [Point(series.label, x, float(fact.value), with_unit_words(fact.formatted(None, locale), fact.unit),
                  fact.is_projection,
                  fact.id, fact.fact.label, fact.sources, fact.unit, locale, fact.kind)]


def _x_of(key) -> int | float:
    """A period's x position: the year itself for a year, fractional years for a quarter, month or day."""
    if key is None:
        raise PeriodError("no period")
    return key if isinstance(key, int) else round(parse_period(key).position, 6)


def describe_chart(chart: Chart, points: list[Point]) -> str:
    """A plain-language summary of what the chart shows, derived from its data."""
    parts = []
    for series in chart.series:
        pts = [p for p in points if p.series == series.label]
        if not pts:
            continue
        if chart.type == "bar":
            parts.append(f"{series.label}: " + "; ".join(f"{p.x}, {p.display}" for p in pts) + ".")
            continue
        first, last = pts[0], pts[-1]
        text = f"{series.label}: {first.display} in {first.x}"
        if len(pts) > 1:
            text += f" to {last.display} in {last.x}"
            low, high = min(pts, key=lambda p: p.y), max(pts, key=lambda p: p.y)
            extremes = [f"{name} of {p.display} in {p.x}" for name, p in (("low", low), ("high", high))
                        if p not in (first, last)]
            if extremes:
                text += f" ({', '.join(extremes)})"
        parts.append(text + ".")
    kind = {"line": "Line chart", "area": "Area chart", "bar": "Bar chart"}[chart.type]
    projected = ""
    if any(p.projected for p in points):
        projected = " Dashed lines and hollow markers are forecasts or estimates"
        projected += "; dotted lines are our own calculations." if any(p.kind == "calculated" for p in points) else "."
    return f"{kind}: {chart.title}. " + " ".join(parts) + projected


def chart_spec(chart: Chart, points: list[Point], description: str) -> dict:
    """The Vega-Lite spec of ``chart``, built with Altair.

    Built for speed (about 5 ms instead of 25): the data rows are attached after
    Altair has made the spec, so it never copies them; each piece is made once
    instead of through chained ``configure_*`` copies; and the spec is not
    validated against the Vega-Lite schema on every build, since it comes from
    this code, not from the author: ``tests/test_charts.py`` validates every
    chart shape instead.
    """
    import altair as alt  # lazy: costs about half a second, and cached charts do not need it

    with alt.utils.schemapi.debug_mode(False):  # no validation of each piece as it is built
        top = {"width": WIDTH, "height": HEIGHT, "description": description, "config": _altair_config(alt)}
        spec = _altair_chart(alt, chart, points, top).to_dict(validate=False)
    spec.pop("$schema", None)
    rows = _data_rows(points)
    for part in (spec, *spec.get("layer", ())):  # at the top when all layers share it, else in each layer
        if part.get("data") == {"name": POINTS_DATA}:
            part["data"] = {"values": rows}
    spec["config"]["locale"] = vega_locale(points[0].locale if points else "en-US")
    return spec


def _data_rows(points: list[Point]) -> list[dict]:
    return [{"series": p.series, "x": p.x, "y": p.y, "value": p.display, "label": p.label,
             "status": p.status, "kind": p.kind,
             "dash": _dash_of(points, p.series)} for p in points]


def _altair_config(alt):
    # continuousWidth/Height are Altair's theme defaults, which chained configure_* calls used to add.
    return alt.Config(
        font="Helvetica, Arial, sans-serif", background="white",
        axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12, labelColor="#374151", titleColor="#374151",
                            gridColor="#e5e7eb"),
        legend=alt.LegendConfig(labelFontSize=12, symbolStrokeWidth=2.5),
        view=alt.ViewConfig(stroke=None, continuousWidth=300, continuousHeight=300))


def _altair_chart(alt, chart: Chart, points: list[Point], top: dict):
    # ``top``: the whole chart's properties, given when the outermost chart is made (each later change copies it).
    data = alt.Data(name=POINTS_DATA)  # the rows are put in after ``to_dict``: see ``chart_spec``
    order = [s.label for s in chart.series]
    tooltip = [alt.Tooltip("label:N", title="What"), alt.Tooltip("value:N", title="Value"),
               alt.Tooltip("status:N", title="Status")]
    ticks = axis_ticks([p.y for p in points])
    y = alt.Y("y:Q", title=chart.y_title or None, scale=alt.Scale(domain=[ticks[0], ticks[-1]], nice=False),
              axis=alt.Axis(values=ticks, labelExpr=_label_expression(ticks, points)))
    color = alt.Color("series:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
                      legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=260))
    if chart.type == "bar":
        reported = "datum.status === 'Reported'"
        # Channel objects, not alt.condition dicts, which Altair would parse and validate against the schema.
        return alt.Chart(data, **top).mark_bar(strokeWidth=2).encode(
            x=alt.X("x:N", title=chart.x_title or None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=200)),
            y=y, color=color,
            fillOpacity=alt.FillOpacityValue(value=0.35, condition={"test": reported, "value": 1.0}),
            strokeDash=alt.StrokeDashValue(value=[5, 3], condition={"test": reported, "value": [1, 0]}),
            stroke=color, tooltip=tooltip)
    x = alt.X("x:Q", title=chart.x_title or None, scale=alt.Scale(zero=False, nice=False),
              axis=alt.Axis(format="d", tickMinStep=1))
    dash = alt.StrokeDash("dash:N", legend=None, scale=alt.Scale(domain=["solid", "projected", "calculated"],
                                                                 range=[[1, 0], [6, 4], [2, 3]]))
    mark = alt.Chart(data).mark_area(opacity=0.25, line=True) if chart.type == "area" \
        else alt.Chart(data).mark_line(strokeWidth=2.5)
    line = mark.encode(x=x, y=y, color=color, strokeDash=dash, detail=alt.Detail("series:N"))
    reported = alt.Chart(data).mark_point(filled=True, size=55, opacity=1).encode(
        x=x, y=y, color=color, tooltip=tooltip).transform_filter("datum.status === 'Reported'")
    projected = alt.Chart(data).mark_point(filled=False, size=70, strokeWidth=2, opacity=1).encode(
        x=x, y=y, color=color, tooltip=tooltip).transform_filter("datum.status !== 'Reported'")
    layers = [line, reported, projected]
    for rule in chart.rules:
        rule_data = alt.Data(values=[{"x": rule.x, "text": rule.label}])
        layers.append(alt.Chart(rule_data).mark_rule(color="#6b7280", strokeDash=[2, 2]).encode(x=alt.X("x:Q")))
        layers.append(alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-4, baseline="top", color="#4b5563", fontSize=11)
                      .encode(x=alt.X("x:Q"), y=alt.value(0), text=alt.Text("text:N")))
    return alt.layer(*layers, **top)


def vega_locale(locale: str) -> dict:
    """Vega's number and time formats for ``locale`` (d3's, as vl-convert ships them), for the spec's config:
    the static SVG and the interactive chart in the browser then format the same way."""
    import vl_convert as vlc

    return {"number": vlc.get_format_locale(locale), "time": vlc.get_time_format_locale(locale)}


def axis_ticks(values: list[float], count: int = 5) -> list[float]:
    """About ``count`` round tick values spanning ``values`` and zero: 0, 500,000, 1,000,000, ..."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    ticks = [round(i * step, 10) for i in range(first, last + 1)]
    return [int(t) if float(t).is_integer() else t for t in ticks]


def _label_expression(ticks: list[float], points: list[Point]) -> str:
    """A Vega expression giving each tick the label Babel writes for it in the site's locale (1.5M, 46%)."""
    units = {p.unit for p in points}
    unit = units.pop() if len(units) == 1 else None
    locale = points[0].locale if points else "en-US"
    labels = [format_axis_label(t, unit, locale) for t in ticks]
    return f"{json.dumps(labels, ensure_ascii=False)}[indexof({json.dumps(ticks)}, datum.value)]"


def _dash_of(points: list[Point], series: str) -> str:
    """How a series' line is drawn: solid (reported), dashed (published projections), dotted (our calculations)."""
    pts = [p for p in points if p.series == series]
    if pts and all(p.kind == "calculated" for p in pts):
        return "calculated"
    return "projected" if pts and all(p.projected for p in pts) else "solid"


def chart_csv(points: list[Point]) -> str:
    """The chart's data as CSV, one row per point, with each point's fact and sources."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["series", "x", "value", "status", "fact", "sources"])
    for p in points:
        # Whole numbers without ".0"; others at full precision (":g" would round 1234567 to 1.23457e+06).
        writer.writerow([_csv_text(p.series), p.x if isinstance(p.x, int) else _csv_text(p.x),
                         int(p.y) if p.y.is_integer() and abs(p.y) < 1e15 else p.y,
                         p.kind, p.fact_id, " ".join(p.sources)])
    return out.getvalue()


def _csv_text(text: str) -> str:
    # Spreadsheets run a cell that starts with = + - @ as a formula; a leading apostrophe keeps it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def draw_chart(chart: Chart, points: list[Point], description: str) -> tuple[str, str]:
    """The chart's Vega-Lite spec as JSON text and its SVG, ids scoped to the chart: the slow part of a chart."""
    spec = chart_spec(chart, points, description)
    svg = scope_svg_ids(chart_renderer().vegalite_to_svg(spec), f"chart-{chart.id}")
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False), svg


CHART_FONTS = "built-in Liberation Sans"  # what vl-convert measures and draws text with
_NO_FONTS_CONF = Path(__file__).resolve().parent / "chart_fonts" / "fonts.conf"


def chart_renderer():
    """The vl-convert module, set to measure and draw text with the fonts built into it, never the system's.

    With system fonts, vl-convert opens the font file again for every string it
    measures (about 40% of an SVG's time and 30% of a PNG's), and a chart's
    layout depends on the fonts installed where it is built. Given a font
    configuration with no fonts, it uses the Liberation Sans it carries: faster,
    and the same output on every machine.
    """
    import vl_convert as vlc  # lazy: a compiled module, cheap to import

    with _FONTS_LOCK:  # briefing serve warms up in a thread (``warm_up``) while a build may draw
        _load_built_in_fonts_once(vlc)
    return vlc


def warm_up() -> None:
    """Import Altair and ready vl-convert now, so that the first chart drawn later is not a second slower."""
    importlib.import_module("altair")  # the import is the slow part: half a second
    chart_renderer()


_FONTS_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _load_built_in_fonts_once(vlc) -> None:
    # vl-convert reads the font configuration once, when it first measures text, so point it at ours for that
    # moment only: a browser started later by this process (serve --open) must still find the system's fonts.
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(_NO_FONTS_CONF)
    try:
        vlc.vegalite_to_svg({"data": {"values": [{}]}, "mark": {"type": "text", "text": "."}})
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


class ChartDrawings(Protocol):
    """Drawn charts kept by the build (``kept.SvgCache``): this stage looks a drawing up before drawing it."""

    rendered: int  # how many charts were drawn rather than found

    def key(self, chart: Chart, points: list[Point], description: str) -> str: ...
    def has(self, key: str) -> bool: ...
    def drawing(self, key: str) -> tuple[str, str] | None: ...
    def keep(self, key: str, spec_json: str, svg: str) -> None: ...


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id in an SVG so that several inline SVGs on one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})") \
                 .replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def render_chart(chart: Chart, book: FactBook, cache: ChartDrawings, errors: ErrorCollector) -> RenderedChart | None:
    """Everything a page needs to show ``chart``; None (with errors recorded) when it cannot be drawn."""
    before = len(errors.problems)
    points = chart_points(chart, book, errors)
    if len(errors.problems) > before:
        return None
    return rendered_chart(chart, points, cache, errors)


def rendered_chart(chart: Chart, points: list[Point], cache: ChartDrawings, errors: ErrorCollector) -> RenderedChart | None:
    """``render_chart`` for points already computed (``chart_points``, without problems)."""
    if not points:
        errors.add(chart.origin.path, chart.origin.line, f"chart {chart.id!r} has no data points")
        return None
    description = describe_chart(chart, points)
    key = cache.key(chart, points, description)
    drawn = cache.drawing(key)
    if drawn is None:
        drawn = draw_chart(chart, points, description)
        cache.keep(key, *drawn)
        cache.rendered += 1
    spec_json, svg = drawn
    sources = tuple(dict.fromkeys(s for p in points for s in p.sources))
    return RenderedChart(chart, tuple(points), spec_json, svg, chart_csv(points), description, sources)
