"""Charts: facts → data rows → Vega-Lite spec (Altair) → inline SVG, JSON and CSV.

SVG rendering is the slow step, so rendered SVGs are cached on disk, keyed by a
hash of the spec and the renderer's version; an unchanged chart is never
rendered twice, across runs too. Altair and vl-convert are imported lazily so a
build whose charts are all cached never pays for them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, ErrorCollector
from .facts import FactBook, ResolvedFact
from .formatting import format_value
from .model import Chart, ChartSeries

WIDTH, HEIGHT = 600, 300
PALETTE = ["#1f5f99", "#c2410c", "#5b7f1a", "#7c3aed", "#9a3412"]
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


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
                points.extend(_series_points(chart, series, book[fact_id]))
            except BuildError as exc:
                errors.add_error(exc)
    return points


def _series_points(chart: Chart, series: ChartSeries, fact: ResolvedFact) -> list[Point]:
    where = series.origin
    if isinstance(fact.value, dict):
        return [Point(series.label, year, float(v), format_value(v, fact.fact.format, fact.unit),
                      fact.is_projection, fact.id, f"{fact.fact.label}, {year}", fact.sources)
                for year, v in sorted(fact.value.items())]
    if not fact.is_number:
        raise BuildError(where.path, where.line, f"chart {chart.id!r}: fact {fact.id!r} is not a number")
    if chart.type == "bar":
        x: int | str = fact.fact.label
    else:
        match = _YEAR.match(str(fact.fact.period or ""))
        if not match:
            raise BuildError(where.path, where.line,
                             f"chart {chart.id!r}: fact {fact.id!r} needs a year as its `period` to be placed on the x axis")
        x = int(match.group(1))
    return [Point(series.label, x, float(fact.value), fact.formatted(), fact.is_projection,
                  fact.id, fact.fact.label, fact.sources)]


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
    projected = " Dashed lines and hollow markers are forecasts or estimates." if any(p.projected for p in points) else ""
    return f"{kind}: {chart.title}. " + " ".join(parts) + projected


def chart_spec(chart: Chart, points: list[Point], description: str) -> dict:
    """The Vega-Lite spec of ``chart``, built with Altair."""
    import altair as alt  # lazy: costs about half a second, and cached charts do not need it

    rows = [{"series": p.series, "x": p.x, "y": p.y, "value": p.display, "label": p.label,
             "status": "Forecast or estimate" if p.projected else "Reported",
             "dash": "projected" if _all_projected(points, p.series) else "solid"} for p in points]
    order = [s.label for s in chart.series]
    data = alt.Data(values=rows)
    tooltip = [alt.Tooltip("label:N", title="What"), alt.Tooltip("value:N", title="Value"),
               alt.Tooltip("status:N", title="Status")]
    y = alt.Y("y:Q", title=chart.y_title or None, axis=alt.Axis(format="~s", tickCount=5))
    color = alt.Color("series:N", title=None, sort=order,
                      scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
                      legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=260))
    if chart.type == "bar":
        layer = alt.Chart(data).mark_bar(strokeWidth=2).encode(
            x=alt.X("x:N", title=chart.x_title or None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=200)),
            y=y, color=color,
            fillOpacity=alt.condition("datum.status === 'Reported'", alt.value(1.0), alt.value(0.35)),
            strokeDash=alt.condition("datum.status === 'Reported'", alt.value([1, 0]), alt.value([5, 3])),
            stroke=color, tooltip=tooltip)
    else:
        x = alt.X("x:Q", title=chart.x_title or None, scale=alt.Scale(zero=False, nice=False),
                  axis=alt.Axis(format="d", tickMinStep=1))
        dash = alt.StrokeDash("dash:N", legend=None, scale=alt.Scale(domain=["solid", "projected"], range=[[1, 0], [6, 4]]))
        mark = alt.Chart(data).mark_area(opacity=0.25, line=True) if chart.type == "area" \
            else alt.Chart(data).mark_line(strokeWidth=2.5)
        line = mark.encode(x=x, y=y, color=color, strokeDash=dash, detail="series:N")
        reported = alt.Chart(data).mark_point(filled=True, size=55, opacity=1).encode(
            x=x, y=y, color=color, tooltip=tooltip).transform_filter("datum.status === 'Reported'")
        projected = alt.Chart(data).mark_point(filled=False, size=70, strokeWidth=2, opacity=1).encode(
            x=x, y=y, color=color, tooltip=tooltip).transform_filter("datum.status !== 'Reported'")
        layers = [line, reported, projected]
        for rule in chart.rules:
            rule_data = alt.Data(values=[{"x": rule.x, "text": rule.label}])
            layers.append(alt.Chart(rule_data).mark_rule(color="#6b7280", strokeDash=[2, 2]).encode(x="x:Q"))
            layers.append(alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-4, baseline="top", color="#4b5563", fontSize=11)
                          .encode(x="x:Q", y=alt.value(0), text="text:N"))
        layer = alt.layer(*layers)
    spec = layer.properties(width=WIDTH, height=HEIGHT, description=description).configure(
        font="Helvetica, Arial, sans-serif", background="white",
    ).configure_axis(labelFontSize=12, titleFontSize=12, labelColor="#374151", titleColor="#374151", gridColor="#e5e7eb",
    ).configure_legend(labelFontSize=12, symbolStrokeWidth=2.5).configure_view(stroke=None).to_dict()
    spec.pop("$schema", None)
    return spec


def _all_projected(points: list[Point], series: str) -> bool:
    pts = [p for p in points if p.series == series]
    return bool(pts) and all(p.projected for p in pts)


def chart_csv(points: list[Point]) -> str:
    """The chart's data as CSV, one row per point, with each point's fact and sources."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["series", "x", "value", "status", "fact", "sources"])
    for p in points:
        # Whole numbers without ".0"; others at full precision (":g" would round 1234567 to 1.23457e+06).
        writer.writerow([p.series, p.x, int(p.y) if p.y.is_integer() and abs(p.y) < 1e15 else p.y,
                         "forecast or estimate" if p.projected else "reported", p.fact_id, " ".join(p.sources)])
    return out.getvalue()


class SvgCache:
    """Rendered SVGs on disk, keyed by spec hash and renderer version."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.rendered = 0  # how many charts this run had to render (for build reports and tests)

    def svg_for(self, spec: dict) -> str:
        """The SVG of ``spec``, from the cache when possible."""
        import vl_convert as vlc  # lazy: only needed on a cache miss, but its version is the key

        text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
        key = hashlib.sha256(f"{vlc.__version__}\n{text}".encode()).hexdigest()[:32]
        path = self.folder / f"{key}.svg" if self.folder else None
        if path and path.exists():
            return path.read_text(encoding="utf-8")
        svg = vlc.vegalite_to_svg(spec)
        self.rendered += 1
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(svg, encoding="utf-8")
            tmp.replace(path)
        return svg


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id in an SVG so that several inline SVGs on one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})") \
                 .replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def render_chart(chart: Chart, book: FactBook, cache: SvgCache, errors: ErrorCollector) -> RenderedChart | None:
    """Everything a page needs to show ``chart``; None (with errors recorded) when it cannot be drawn."""
    before = len(errors.problems)
    points = chart_points(chart, book, errors)
    if len(errors.problems) > before:
        return None
    if not points:
        errors.add(chart.origin.path, chart.origin.line, f"chart {chart.id!r} has no data points")
        return None
    description = describe_chart(chart, points)
    spec = chart_spec(chart, points, description)
    svg = scope_svg_ids(cache.svg_for(spec), f"chart-{chart.id}")
    sources = tuple(dict.fromkeys(s for p in points for s in p.sources))
    return RenderedChart(chart, tuple(points), json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False),
                         svg, chart_csv(points), description, sources)
