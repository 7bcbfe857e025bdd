"""Plain-SVG charts: well-formed XML, every text escaped, significance not by colour alone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from wijkdata.report import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert('x')</script> \"Q\" & Co"


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # raises on any unescaped <, & or quote
    return ["".join(t.itertext()) for t in root.iter() if t.tag in (f"{SVG}text", f"{SVG}title")]


def square(x: float, y: float) -> str:
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_bars_escape_labels_and_write_values_in_dutch() -> None:
    svg = charts.bars([(EVIL, 12.34), ("gemeente", 1234.5)], "percent_1", f"Titel {EVIL}")
    # Labels are clipped at 30 characters: 29 of the name and an ellipsis.
    assert texts(svg) == ["<script>alert('x')</script> \"…", "12,3%", "gemeente", "1.234,5%"]
    root = ET.fromstring(svg)
    assert root.get("aria-label") == f"Titel {EVIL}"
    assert root.get("role") == "img"
    assert "<script" not in svg


def test_bars_mark_every_area_row_and_skip_missing_values() -> None:
    rows = [("Roken", 20.0), ("gemeente", 18.0), ("Drinken", 8.0), ("gemeente", None)]
    svg = charts.bars(rows, "percent_1", "x", highlight=range(0, 4, 2))
    assert texts(svg) == ["Roken", "20,0%", "gemeente", "18,0%", "Drinken", "8,0%"]
    fills = [r.get("fill") for r in ET.fromstring(svg).iter(f"{SVG}rect")]
    assert fills == [charts.BLUE, "#a6a6a6", charts.BLUE]


def test_bars_without_values_draw_nothing() -> None:
    assert charts.bars([("a", None)], "percent_1", "x") == ""


def test_age_chart_escapes_and_keeps_label_clear_of_the_gemeente_mark() -> None:
    svg = charts.age_pyramid([(EVIL, 20.0, 30.0), ("65+ jaar", 26.1, 21.7)], f"Leeftijd {EVIL}")
    assert texts(svg) == [EVIL, "20,0%", "65+ jaar", "26,1%",
                          "balk = dit gebied, oranje streep = gemeente"]
    root = ET.fromstring(svg)
    # Group 1: gemeente (30) beyond the area (20): the value label starts right of the mark.
    mark = next(e for e in root.iter(f"{SVG}line"))
    label = [e for e in root.iter(f"{SVG}text")][1]
    assert float(label.get("x", 0)) > float(mark.get("x1", 0))


def test_choropleth_escapes_names_and_outlines_the_area() -> None:
    shapes = [("BU1", EVIL, square(6.0, 52.0), 10.0), ("BU2", "Noord", square(6.01, 52.0), None)]
    svg = charts.choropleth(shapes, {"BU1"}, "percent_1", "Kaart", "Roken", named={"BU2"})
    # Titles of the shapes, the name of BU2 on the map, the legend: its title, one class (a
    # single value) and the hatched "geen gegevens".
    assert texts(svg) == ["Noord: geen gegevens", f"{EVIL}: 10,0%", "Noord", "Roken", "10,0%",
                          "geen gegevens"]
    paths = [p for p in ET.fromstring(svg).iter(f"{SVG}path")]
    titled = [p for p in paths if p.find(f"{SVG}title") is not None]
    assert [p.get("fill") for p in titled] == ["url(#nodata)", "#eff3ff"]  # hatched = no data
    # The outlined area: a wide dark stroke under its own fill, drawn after every other shape,
    # so one heavy outline goes round the whole area whatever its class.
    assert [(p.get("stroke"), p.get("stroke-width"), p.get("fill")) for p in paths[-2:]] == [
        (charts.DARK, "6", "none"), ("#ffffff", "0.8", "#eff3ff")]


def test_map_legend_lists_the_class_breaks() -> None:
    shapes = [(f"WK{i}", f"Wijk {i}", square(6.0 + i / 100, 52.0), v)
              for i, v in enumerate((60.0, 65.0, 70.0))]
    svg = charts.choropleth(shapes, set(), "percent_1", "Kaart", "Goede ervaren gezondheid")
    # 5 equal classes from 60 to 70: width 2 points each.
    assert texts(svg)[3:] == ["Goede ervaren gezondheid", "60,0% – 62,0%", "62,0% – 64,0%",
                              "64,0% – 66,0%", "66,0% – 68,0%", "68,0% – 70,0%",
                              "geen gegevens"]


def test_spine_marks_value_benchmark_and_range() -> None:
    svg = charts.spine(12.0, 5.0, 9.0, 15.0, 20.0, 11.0, "worse", "Roken: positie")
    root = ET.fromstring(svg)
    dot = next(root.iter(f"{SVG}circle"))
    # x = 7 + (v - lo) / (hi - lo) * 146: value 12 -> 75.1, benchmark 11 -> 65.4.
    assert dot.get("cx") == "75.1" and dot.get("fill") == charts.ORANGE
    assert next(root.iter(f"{SVG}line")).get("x1") == "65.4"
    assert charts.spine(12.0, 5.0, None, None, 5.0, None, "worse", "x") == ""  # no range
    # A value outside the wijken's range stretches the scale: the dot stays whole on the
    # chart (its right edge 153 + 5 + 0.6 stroke within the 160 wide chart).
    root = ET.fromstring(charts.spine(25.0, 5.0, 9.0, 15.0, 20.0, 11.0, "better", "x"))
    assert next(root.iter(f"{SVG}circle")).get("cx") == "153.0"
    assert next(root.iter(f"{SVG}rect")).get("width") == "109.5"  # 5..20 of 5..25 on 146 px


def test_significance_has_a_symbol_and_a_word_for_every_judgement() -> None:
    assert charts.JUDGEMENT_SYMBOL == {"better": "▲ gunstiger", "worse": "▼ ongunstiger",
                                       "similar": "● gelijk", "neutral": "◆ verschilt",
                                       "not_tested": "○ niet getoetst"}
    symbols = [s.split()[0] for s in charts.JUDGEMENT_SYMBOL.values()]
    assert len(set(symbols)) == len(symbols)


def test_trend_writes_first_year_and_last_value() -> None:
    svg = charts.trend([(2016, 10.0), (2020, 12.5)], "percent_1", "Trend roken")
    assert texts(svg) == ["2016", "2020: 12,5%"]
    assert charts.trend([(2020, 1.0)], "percent_1", "x") == ""


def test_every_chart_text_is_11_px() -> None:
    """One text size in every chart: 11 px, 8.25 pt at the natural size charts print at."""
    shapes = [("BU1", "Noord", square(6.0, 52.0), 10.0), ("BU2", "Zuid", square(6.01, 52.0), 12.0)]
    svgs = [charts.bars([("Roken", 20.0), ("gemeente", 18.0)], "percent_1", "x"),
            charts.age_pyramid([("0-14 jaar", 20.0, 30.0)], "x"),
            charts.choropleth(shapes, {"BU1"}, "percent_1", "Kaart", "Roken",
                              points=[(6.005, 52.005, "Huisarts")], named={"BU1", "BU2"})]
    sizes = {t.get("font-size") for svg in svgs for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert sizes == {"11"}
    assert charts.TEXT == 11


def test_half_width_map_is_capped_in_height_with_a_legend_in_two_columns() -> None:
    """A square of 0.01° × 0.01° is taller than wide (longitudes shrink by cos 52°): the cap
    of 200 px sets the scale, 188 px for the square plus 2 × 6 px padding = 200 px of map.
    The legend's widest text is "geen gegevens", 13 × 6.6 = 85.8 px: a column is 24 + 85.8 +
    12 = 121.8 px, two fit in 330 - 12, so the two keys sit side by side on one line under the
    title: 2 lines of 16 px + 8 = 40 px; 240 px in all."""
    svg = charts.choropleth([("BU1", "Noord", square(6.0, 52.0), 10.0)], set(), "percent_1",
                            "Kaart", "Roken", width=charts.PRINT_HALF, max_height=200)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "330", "240", "0 0 330 240")
    keys = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#bdbdbd"]
    assert [(r.get("x"), r.get("y")) for r in keys] == [("6", "218"), ("128", "218")]
