"""Per-profile charts as plain SVG strings.

Measured on this 2-core machine (issue 7): Altair + vl-convert costs 20–50 ms per chart, a
string-built SVG well under 1 ms. A profile has one spine chart per indicator (~50), a trend line
per indicator, an age chart and a map, so per-profile charts are plain SVG; Altair/vl-convert
draws the region overview charts, where one chart serves the whole region (see overview.py).
Re-measured 23 Nov 2026 on the shared 2-core machine (2,000 calls each): ``spine`` 10 µs,
``trend`` 48 µs, ``bars`` with 12 bars 0.42 ms (mostly babel number formatting); one Altair bar
chart of 12 areas through vl-convert (``overview.altair_bars``) 59 ms best, 113 ms median of 20.
At ~110 plain charts a profile that is ~10 ms per profile instead of 6–12 s with vl-convert.
Every text is escaped; colours come from one colour-blind-safe palette (Okabe–Ito) and
significance is also shown by shape and text, never by colour alone.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Collection, Mapping, Sequence

from markupsafe import escape

from .formatting import number, plain

FONT = "DejaVu Sans, sans-serif"
# Every chart text is 11 units and charts print at their natural size (1 unit = 1 CSS px =
# 0.75 pt): 8.25 pt on paper in every chart of a profile. A chart is drawn at the width its
# print slot has (``PRINT_HALF`` for one of the two columns of "Het gebied"), never scaled
# down by the print stylesheet, which made map text 3-4 pt and bar text 5-11 pt.
TEXT = 11
PRINT_HALF = 330  # px: half of the A4 text width (182 mm = 688 px) less the column gap
CHAR_W = TEXT * 0.6  # an estimate of DejaVu Sans's mean character width, for boxes and columns
ROW = TEXT + 5  # one legend line
# Okabe & Ito (2008) colour-blind-safe palette.
BLUE, ORANGE, GREEN, SKY = "#0072B2", "#E69F00", "#009E73", "#56B4E9"
GREY, DARK = "#8c8c8c", "#1d2b36"
JUDGEMENT_COLOUR = {"better": BLUE, "worse": ORANGE, "similar": "#d9d9d9", "neutral": SKY,
                    "not_tested": "#ffffff", "untested": "#ffffff"}
JUDGEMENT_SYMBOL = {"better": "▲ gunstiger", "worse": "▼ ongunstiger", "similar": "● gelijk",
                    "neutral": "◆ verschilt", "not_tested": "○ niet getoetst"}


def _svg(width: int, height: int, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
            f'font-family="{FONT}">{body}</svg>')


def spine(value: float | None, lo: float | None, q1: float | None, q3: float | None,
          hi: float | None, bench: float | None, judgement: str, label: str) -> str:
    """Fingertips-style spine: region range (grey), middle half (darker), benchmark line, dot."""
    w, h = 160, 18
    if None in (lo, hi) or hi == lo or value is None:
        return ""
    assert lo is not None and hi is not None
    # A village (or a gemeente's benchmark) can lie outside the range of the wijken it is
    # compared with: the scale then stretches so the dot and the line stay on the chart.
    s_lo = min(lo, value, bench if bench is not None else lo)
    s_hi = max(hi, value, bench if bench is not None else hi)
    # The dot (radius 5, stroke 1.2) must fit whole at either end of the scale.
    pad = 7

    def x(v: float) -> float:
        return pad + (v - s_lo) / (s_hi - s_lo) * (w - 2 * pad)

    parts = [f'<rect x="{x(lo):.1f}" y="5" width="{x(hi) - x(lo):.1f}" height="8" '
             'fill="#e6e6e6"/>']
    if q1 is not None and q3 is not None:
        parts.append(f'<rect x="{x(q1):.1f}" y="5" width="{max(x(q3) - x(q1), 1):.1f}" '
                     f'height="8" fill="#bdbdbd"/>')
    if bench is not None:
        parts.append(f'<line x1="{x(bench):.1f}" x2="{x(bench):.1f}" y1="2" y2="16" '
                     f'stroke="{DARK}" stroke-width="2"/>')
    fill = JUDGEMENT_COLOUR.get(judgement, "#ffffff")
    parts.append(f'<circle cx="{x(value):.1f}" cy="9" r="5" fill="{fill}" stroke="{DARK}" '
                 'stroke-width="1.2"/>')
    return _svg(w, h, "".join(parts), label)


def trend(points: Sequence[tuple[int, float]], fmt: str, label: str) -> str:
    """A small line over the years with the first and last value written out."""
    if len(points) < 2:
        return ""
    w, h, pad = 130, 34, 6
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    vmin, vmax = min(values), max(values)
    span = (vmax - vmin) or 1.0
    y0, y1 = min(years), max(years)

    def xy(year: int, v: float) -> tuple[float, float]:
        return (pad + (year - y0) / max(y1 - y0, 1) * (w - 2 * pad),
                h - 12 - (v - vmin) / span * (h - 20))

    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(y, v) for y, v in points))
    dots = "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.2" fill="{BLUE}"/>'
                   for a, b in (xy(y, v) for y, v in points))
    text = (f'<text x="{pad}" y="{h - 1}" font-size="8" fill="{DARK}">{y0}</text>'
            f'<text x="{w - pad}" y="{h - 1}" font-size="8" text-anchor="end" '
            f'fill="{DARK}">{y1}: {escape(number(values[-1], fmt))}</text>')
    return _svg(w, h, f'<polyline points="{pts}" fill="none" stroke="{BLUE}" '
                      f'stroke-width="1.5"/>{dots}{text}', label)


def bars(rows: Sequence[tuple[str, float | None]], fmt: str, label: str,
         highlight: int | Collection[int] = 0, bar_h: int = 12, gap: int = 4) -> str:
    """Horizontal bars; rows at the ``highlight`` index (or indices) are the area (blue), the
    others its comparators (grey). Every bar carries its name and value as text, so the
    colour is never the only cue. Rows without a value are left out. The text is ``TEXT``
    units in a 480-unit wide chart, the bars thin (12 units): printed at its natural width
    (127 mm) the text is 8.25 pt as in every chart of a profile, on a slide 14+ pt, and the
    chart stays short."""
    w, left = 480, 210
    marked = {highlight} if isinstance(highlight, int) else set(highlight)
    shown = [(i, name, v) for i, (name, v) in enumerate(rows) if v is not None]
    if not shown:
        return ""
    vmax = max(v for _, _, v in shown if v is not None) or 1.0
    h = len(shown) * (bar_h + gap) + gap
    parts = []
    for k, (i, name, v) in enumerate(shown):
        assert v is not None
        y = gap + k * (bar_h + gap)
        bw = max(v / vmax * (w - left - 70), 1)
        colour = BLUE if i in marked else "#a6a6a6"
        ty = y + bar_h / 2 + 4  # the 11-unit text centred on its bar
        parts.append(f'<text x="{left - 6}" y="{ty:g}" font-size="{TEXT}" text-anchor="end" '
                     f'fill="{DARK}">{escape(_clip(name.strip(), 30))}</text>'
                     f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" '
                     f'fill="{colour}"/>'
                     f'<text x="{left + bw + 4:.1f}" y="{ty:g}" font-size="{TEXT}" '
                     f'fill="{DARK}">{escape(number(v, fmt))}</text>')
    return _svg(w, h, "".join(parts), label)


def _clip(text: str, n: int) -> str:
    """Shorten a label to ``n`` characters with an ellipsis, so it stays inside the chart."""
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def age_pyramid(groups: Sequence[tuple[str, float | None, float | None]], label: str) -> str:
    """Age structure: share per age group for the area (bars) and the gemeente (orange mark).

    Not a pyramid by sex: CBS Kerncijfers wijken en buurten publishes age groups and sex
    separately, with no age × sex cross, so a split by sex cannot be drawn from it.
    """
    shown = [(g, a, b) for g, a, b in groups if a is not None]
    if not shown:
        return ""
    w, bar_h, gap, left = PRINT_HALF, 18, 6, 80  # beside the map in "Het gebied"
    vmax = max(max(a or 0, b or 0) for _, a, b in shown) or 1.0
    h = len(shown) * (bar_h + gap) + gap + 14
    parts = []
    for i, (group, a, b) in enumerate(shown):
        assert a is not None
        y = gap + i * (bar_h + gap)
        bw = a / vmax * (w - left - 60)
        # The value label goes right of both the bar and the gemeente mark, never under it.
        tx = left + max(bw, (b or 0) / vmax * (w - left - 60)) + 5
        parts.append(f'<text x="{left - 6}" y="{y + 13}" font-size="{TEXT}" text-anchor="end" '
                     f'fill="{DARK}">{escape(group)}</text>'
                     f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="{BLUE}"/>'
                     f'<text x="{tx:.1f}" y="{y + 13}" font-size="{TEXT}" '
                     f'fill="{DARK}">{escape(plain(a, 1))}%</text>')
        if b is not None:
            bx = b / vmax * (w - left - 60)
            parts.append(f'<line x1="{left + bx:.1f}" x2="{left + bx:.1f}" y1="{y - 2}" '
                         f'y2="{y + bar_h + 2}" stroke="{ORANGE}" stroke-width="3"/>')
    parts.append(f'<text x="4" y="{h - 3}" font-size="{TEXT}" fill="{DARK}">'
                 f'balk = dit gebied, oranje streep = gemeente</text>')
    return _svg(w, h, "".join(parts), label)


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for poly in geometry["coordinates"] for ring in poly]


@functools.lru_cache(maxsize=4096)
def _geometry(geojson: str) -> dict:
    """Parsed once per shape: every wijk of a gemeente draws the same gemeente map (read-only)."""
    parsed: dict = json.loads(geojson)
    return parsed


def _centre(g: dict) -> tuple[float, float]:
    """Middle of the bounding box of the largest ring: where a shape's name goes."""
    ring = max(_rings(g), key=len)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def class_breaks(vmin: float, vmax: float, n: int = 5) -> list[tuple[float, float]]:
    """Equal-interval classes from the lowest to the highest value on the map."""
    step = (vmax - vmin) / n
    return [(vmin + k * step, vmin + (k + 1) * step) for k in range(n)]


def choropleth(shapes: Sequence[tuple[str, str, str, float | None]], outline: set[str],
               fmt: str, label: str, legend_title: str,
               points: Sequence[tuple[float, float, str]] = (),
               links: Mapping[str, str] | None = None,
               named: Collection[str] = (), width: int = 420,
               max_height: int | None = None) -> str:
    """Map of (code, name, geojson, value); the areas in ``outline`` together get ONE heavy
    outline (their inner borders stay thin), drawn on top so the area is visible whatever
    its class. Shapes in ``named`` carry their name; the legend lists the class breaks.

    ``links`` maps an area code to a relative URL: that shape becomes a link (the overview
    map opens the profile), reachable by keyboard and named by its ``<title>``.

    Longitudes are scaled by cos(latitude) so the Netherlands is not stretched sideways.
    ``points`` are optional (lon, lat, label) markers, numbered 1, 2, ... so a printed table
    can refer to them (the network map); points outside the shapes' extent are left out.
    ``width`` is the width the map prints at (``PRINT_HALF`` beside another chart); the shapes
    are at most ``max_height`` high (default 0.8 × the width), so a tall gemeente does not
    fill the page.
    """
    geoms = [(c, n, _geometry(g), v) for c, n, g, v in shapes]
    pts = [p for _, _, g, _ in geoms for ring in _rings(g) for p in ring]
    if not pts:
        return ""
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    lat0 = math.radians((min(ys) + max(ys)) / 2)
    kx = math.cos(lat0)
    pad = 6
    sx = (max(xs) - min(xs)) * kx or 1e-9
    sy = (max(ys) - min(ys)) or 1e-9
    scale = min((width - 2 * pad) / sx, ((max_height or 0.8 * width) - 2 * pad) / sy)
    map_h = int(sy * scale + 2 * pad)
    values = [v for *_, v in geoms if v is not None]
    vmin, vmax = (min(values), max(values)) if values else (0.0, 1.0)
    ramp = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues

    def colour(v: float | None) -> str:
        if v is None:
            return "url(#nodata)"
        k = 0 if vmax == vmin else min(int((v - vmin) / (vmax - vmin) * 5), 4)
        return ramp[k]

    x0, y1 = min(xs), max(ys)  # once: inside the loop they made a national map quadratic

    def path(g: dict) -> str:
        d = []
        for ring in _rings(g):
            d.append("M" + "L".join(f"{pad + (x - x0) * kx * scale:.1f},"
                                    f"{pad + (y1 - y) * scale:.1f}" for x, y in ring) + "Z")
        return "".join(d)

    body = ['<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse">'
            '<path d="M0,6L6,0" stroke="#999" stroke-width="1"/></pattern></defs>']
    ordered = sorted(geoms, key=lambda t: t[0] in outline)
    for code, name, g, v in ordered:
        title = f"{name}: {number(v, fmt) if v is not None else 'geen gegevens'}"
        shape = (f'<path d="{path(g)}" fill="{colour(v)}" stroke="#ffffff" '
                 f'stroke-width="0.8"><title>{escape(title)}</title></path>')
        href = (links or {}).get(code)
        body.append(f'<a href="{escape(href)}" aria-label="{escape(title)}">{shape}</a>'
                    if href else shape)
    inside = [(c, g, v) for c, _, g, v in ordered if c in outline]
    if inside:
        # One outline around the whole area: a wide dark stroke under the area's own fills,
        # which cover its inner half, so only the outer border stays dark.
        body.append("".join(f'<path d="{path(g)}" fill="none" stroke="{DARK}" '
                            'stroke-width="6" stroke-linejoin="round"/>' for _, g, _ in inside))
        body.append("".join(f'<path d="{path(g)}" fill="{colour(v)}" stroke="#ffffff" '
                            'stroke-width="0.8"/>' for _, g, v in inside))
    for code, name, g, _ in geoms:
        if code not in named:
            continue
        cx, cy = _centre(g)
        tx, ty, text = pad + (cx - x0) * kx * scale, pad + (y1 - cy) * scale, _clip(name, 24)
        ring = max(_rings(g), key=len)
        shape_w = (max(p[0] for p in ring) - min(p[0] for p in ring)) * kx * scale
        w = len(text) * CHAR_W + 4
        if code not in outline and shape_w < w * 0.6:
            continue  # a name wider than its wijk would cover its neighbours' names
        # A light box behind the name keeps it readable on every class colour (a stroked
        # halo would print as an unembedded Type 3 font in the PDF).
        body.append(f'<g aria-hidden="true"><rect x="{tx - w / 2:.1f}" y="{ty - 10:.1f}" '
                    f'width="{w:.1f}" height="14" rx="2" fill="#ffffff" fill-opacity="0.75"/>'
                    f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="{TEXT}" text-anchor="middle" '
                    f'fill="{DARK}">{escape(text)}</text></g>')
    for n, (lon, lat, name) in enumerate(points, start=1):
        if not (min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys)):
            continue
        px, py = pad + (lon - min(xs)) * kx * scale, pad + (max(ys) - lat) * scale
        body.append(f'<g><circle cx="{px:.1f}" cy="{py:.1f}" r="9" fill="{ORANGE}" '
                    f'stroke="{DARK}" stroke-width="1"/><text x="{px:.1f}" y="{py + 4:.1f}" '
                    f'font-size="{TEXT}" text-anchor="middle" fill="{DARK}">{n}</text>'
                    f'<title>{escape(f"{n}. {name}")}</title></g>')
    classes = class_breaks(vmin, vmax) if vmax > vmin else [(vmin, vmax)]
    keys = [(ramp[k], f"{number(lo, fmt)} – {number(hi, fmt)}" if hi > lo else number(lo, fmt))
            for k, (lo, hi) in enumerate(classes)] + [("url(#nodata)", "geen gegevens")]
    legend, legend_h = _legend(legend_title, keys, pad, map_h, width)
    body.append(legend)
    return _svg(width, map_h + legend_h, "".join(body), label)


def _legend(title: str, keys: Sequence[tuple[str, str]], x: int, top: int,
            width: int) -> tuple[str, int]:
    """The legend under a map: its title, then a swatch and text per class, in two columns
    when they fit the map's width (a half-width map stays short); returns (svg, height)."""
    col_w = 24 + max(len(text) for _, text in keys) * CHAR_W + 12
    cols = 2 if 2 * col_w <= width - 2 * x else 1
    per_col = math.ceil(len(keys) / cols)
    parts = [f'<text x="{x}" y="{top + TEXT}" font-size="{TEXT}" fill="{DARK}">'
             f'{escape(title)}</text>']
    for k, (fill, text) in enumerate(keys):
        lx, ly = x + (k // per_col) * col_w, top + ROW * (k % per_col + 1) + 2
        parts.append(f'<rect x="{lx:.0f}" y="{ly}" width="18" height="{TEXT}" fill="{fill}" '
                     f'stroke="#bdbdbd" stroke-width="0.5"/><text x="{lx + 24:.0f}" '
                     f'y="{ly + TEXT - 1}" font-size="{TEXT}" fill="{DARK}">{escape(text)}</text>')
    return "".join(parts), ROW * (per_col + 1) + 8
