"""The demo region's fictional places: two gemeenten with their wijken and buurten (and the
inhabitants each buurt is generated around), the boundary changes of issue 13, and their
boundaries as GeoJSON rectangles. ``demo.py`` writes the data files about these places.
"""

from __future__ import annotations

import json

# (gemeente code, name, [(wijk suffix, wijk name, [(buurt suffix, buurt name, inhabitants)])])
GEMEENTEN = [
    ("9901", "Vreedebeek", [
        ("00", "Centrum", [("00", "Oude Kern", 2350), ("01", "Marktkwartier", 1810),
                           ("02", "Stationsbuurt", 1420), ("03", "Molenhof", 960)]),
        ("01", "Noord", [("00", "Bloemenbuurt", 2740), ("01", "De Akkers", 3120),
                         ("02", "Vogelwijk", 1980), ("03", "Sportpark", 45)]),
        ("02", "Esveld en Holterhoek", [("00", "Esveld-Dorp", 1270), ("01", "Esveld-Buiten", 380),
                                        ("02", "Holterhoek-Kern", 910),
                                        ("03", "Holterhoek-Noord", 240)]),
        ("03", "Buitengebied", [("00", "Veldhoek", 520), ("01", "Broekland", 310),
                                ("02", "De Venne", 15)]),
    ]),
    ("9902", "Lindenoord", [
        ("00", "Lindenoord-Stad", [("00", "Lindenhof", 2210), ("01", "Het Loo", 1640)]),
        ("01", "Lindenoord-Land", [("00", "Oosterveld", 690), ("01", "Zandvoort-Oost", 430)]),
    ]),
]

# Issue 13 additions, kept apart so the random stream of the original areas never changes:
# an industrial estate without inhabitants (CBS: 0 inhabitants, '.' for the rest), and
# Oosterveld (BU99020100), split in the newest year (2023) into Oosterveld-Noord and -Zuid.
EMPTY_BUURT = ("BU99010304", "Bedrijventerrein De Hoek", "Vreedebeek")
SPLIT_BUURT = "BU99020100"
SPLIT_INTO = (("BU99020102", "Oosterveld-Noord", 0.6), ("BU99020103", "Oosterveld-Zuid", 0.4))


def _box(x0: float, y0: float, w: float, h: float) -> list[list[list[float]]]:
    pts = [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]]
    return [[[round(x, 5), round(y, 5)] for x, y in pts]]


def geojson(level: str) -> str:
    """A grid of rectangles near (6.2 E, 52.0 N): one column per wijk, one cell per buurt."""
    features = []
    x = 6.20
    for gm, gm_name, wijken in GEMEENTEN:
        for wk, wk_name, buurten in wijken:
            w = 0.03
            if level == "wijk":
                geom = _box(x, 52.0, w, 0.02 * len(buurten))
                props = {"wijkcode": f"WK{gm}{wk}", "wijknaam": f"Wijk {wk} {wk_name}",
                         "gemeentecode": f"GM{gm}", "gemeentenaam": gm_name}
                features.append({"type": "Feature", "properties": props,
                                 "geometry": {"type": "Polygon", "coordinates": geom}})
            else:
                for j, (bu, bu_name, _) in enumerate(buurten):
                    props = {"buurtcode": f"BU{gm}{wk}{bu}", "buurtnaam": bu_name,
                             "wijkcode": f"WK{gm}{wk}", "gemeentecode": f"GM{gm}"}
                    features.append({"type": "Feature", "properties": props, "geometry": {
                        "type": "Polygon", "coordinates": _box(x, 52.0 + 0.02 * j, w, 0.02)}})
            x += w + 0.005
        x += 0.02
    if level == "buurt":
        features = _issue13_shapes(features)
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=1) + "\n"


def _issue13_shapes(features: list[dict]) -> list[dict]:
    """The newest boundaries: Oosterveld split in two halves, the estate below Buitengebied."""
    out = []
    for f in features:
        props = f["properties"]
        if props["buurtcode"] == SPLIT_BUURT:
            (x0, y0), (x1, _), (_, y1) = f["geometry"]["coordinates"][0][:3]
            mid = round((y0 + y1) / 2, 5)
            for (code, name, _share), (ya, yb) in zip(SPLIT_INTO, ((mid, y1), (y0, mid)),
                                                      strict=True):
                out.append({"type": "Feature", "properties": {
                    "buurtcode": code, "buurtnaam": name, "wijkcode": props["wijkcode"],
                    "gemeentecode": props["gemeentecode"]}, "geometry": {
                    "type": "Polygon", "coordinates": _box(x0, ya, x1 - x0, yb - ya)}})
            continue
        out.append(f)
        if props["buurtcode"] == "BU99010302":
            (x0, y0), (x1, _), (_, y1) = f["geometry"]["coordinates"][0][:3]
            out.append({"type": "Feature", "properties": {
                "buurtcode": EMPTY_BUURT[0], "buurtnaam": EMPTY_BUURT[1],
                "wijkcode": props["wijkcode"], "gemeentecode": props["gemeentecode"]},
                "geometry": {"type": "Polygon",
                             "coordinates": _box(x0, y1, x1 - x0, y1 - y0)}})
    return out
