"""Weights for published figures of custom areas and the regio: whose figure counts how much.

A published percentage or mean (an RIVM model estimate, a CBS average) cannot be summed; a
village's figure is the weighted mean of its parts' figures. The weight is the population the
figure is about, in the figure's own year:

* an indicator with ``age_group:`` (the RIVM/GGD monitor) is weighted by the number of people
  of that age group, derived from the CBS Kerncijfers age bands of the same year (the nearest
  year that has them when the estimate's year has none; of two equally near the earlier):

  ======  ==========================================================================
  65+     a_65_oo (65 jaar of ouder)
  18+     a_inw − a_00_14 − 0,3 × a_15_24 (the band 15–24 taken as evenly spread, so 3 of
          its 10 years are 15–17)
  18-64   0,7 × a_15_24 + a_25_44 + a_45_64
  ======  ==========================================================================

* any other published figure by its ``weight:`` variable (inhabitants, households, dwellings).

Parts without that population (0 inhabitants, 0 65-plussers) are left out; so are parts whose
figure the source kept secret. The figure is shown when the parts that have one hold at least
``coverage_min`` (default 90 %) of the weight, and the report says on what share it rests.
When a part with inhabitants has no age-group count at all (a buurt made after the estimate's
year), the share is measured in inhabitants instead.
"""

from __future__ import annotations

AGE_WEIGHT = {"18+": "pop_18plus", "65+": "pop_65plus", "18-64": "pop_18_64"}
# The noun a report uses for each weight ("op basis van buurten met 97% van de ...").
WEIGHT_NOUN = {"pop_18plus": "volwassenen", "pop_65plus": "65-plussers",
               "pop_18_64": "18- tot 65-jarigen", "a_inw": "inwoners", "a_hh": "huishoudens",
               "a_woning": "woningen"}
BANDS = ("a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")


def noun(weight_var: str) -> str:
    return WEIGHT_NOUN.get(weight_var, weight_var)


def population_sql() -> str:
    """Rows (area_code, year, variable, value) of the derived age-group populations.

    An area with 0 inhabitants has 0 people of every group, also where CBS left the bands
    empty for it.
    """
    pick = ", ".join(f"max(value) FILTER (WHERE variable = '{b}') AS {b}" for b in BANDS)
    bands = ", ".join(f"'{b}'" for b in BANDS)
    return f"""
    WITH b AS (
        SELECT area_code, year, {pick} FROM observation
        WHERE variable IN ({bands}) AND status = 'ok' GROUP BY ALL
    ),
    p AS (
        SELECT area_code, year,
               CASE WHEN a_inw = 0 THEN 0 ELSE a_65_oo END AS pop_65plus,
               CASE WHEN a_inw = 0 THEN 0
                    ELSE greatest(a_inw - a_00_14 - 0.3 * a_15_24, 0) END AS pop_18plus,
               CASE WHEN a_inw = 0 THEN 0
                    ELSE 0.7 * a_15_24 + a_25_44 + a_45_64 END AS pop_18_64
        FROM b
    )
    SELECT area_code, year, 'pop_65plus' AS variable, pop_65plus AS value FROM p
        WHERE pop_65plus IS NOT NULL
    UNION ALL SELECT area_code, year, 'pop_18plus', pop_18plus FROM p
        WHERE pop_18plus IS NOT NULL
    UNION ALL SELECT area_code, year, 'pop_18_64', pop_18_64 FROM p
        WHERE pop_18_64 IS NOT NULL
    """


def given_sql(spec: str, groups: str, coverage_min: float) -> str:
    """All published figures in ONE statement, weighted for groups (see the module text).

    ``spec`` is a VALUES list (indicator_id, value_var, weight_var); ``groups`` the SQL rows
    (group_code, part) of the regio comparator(s). Custom areas use ``custom_area_part``
    (wijken for areas made of whole wijken, else buurten).
    """
    return f"""
    WITH spec(indicator_id, value_var, weight_var) AS (VALUES {spec}),
    vals AS (
        SELECT s.indicator_id, s.weight_var, o.area_code, o.year, o.value, o.status,
               o.lower, o.upper
        FROM spec s JOIN observation o ON o.variable = s.value_var
    ),
    weight_obs AS (
        SELECT area_code, year, variable, value FROM observation
        WHERE status = 'ok' AND variable IN (SELECT DISTINCT weight_var FROM spec)
        UNION ALL SELECT * FROM ({population_sql()})
    ),
    groups AS (
        SELECT custom_code AS group_code, part_code AS part FROM custom_area_part
        UNION ALL {groups}
    ),
    -- The years each indicator has: a group gets a row per year even for parts without one.
    years AS (SELECT DISTINCT indicator_id, weight_var, year FROM vals),
    wanted AS (
        SELECT DISTINCT weight_var, area_code, year FROM vals
        UNION SELECT DISTINCT y.weight_var, g.part, y.year FROM groups g, years y
    ),
    -- Per weight variable, not per indicator: most indicators share one weight.
    w AS (
        SELECT k.weight_var, k.area_code, k.year,
               arg_min(o.value, struct_pack(distance := abs(o.year - k.year), year := o.year))
                   AS weight
        FROM wanted k JOIN weight_obs o ON o.area_code = k.area_code
             AND o.variable = k.weight_var
        GROUP BY ALL
    ),
    inw AS (
        SELECT k.area_code, k.year,
               arg_min(o.value, struct_pack(distance := abs(o.year - k.year), year := o.year))
                   AS inw
        FROM (SELECT DISTINCT area_code, year FROM wanted) k JOIN observation o
             ON o.area_code = k.area_code AND o.variable = 'a_inw' AND o.status = 'ok'
        GROUP BY ALL
    ),
    base AS (SELECT v.*, w.weight FROM vals v
             LEFT JOIN w USING (weight_var, area_code, year)),
    member AS (
        SELECT y.indicator_id, g.group_code, g.part, y.year, b.value,
               coalesce(b.status, 'missing') AS status, w.weight, i.inw,
               coalesce(b.status, 'missing') = 'ok' AND w.weight > 0 AS valued,
               b.status IS NOT NULL AS present
        FROM groups g JOIN years y ON true
        LEFT JOIN base b ON b.indicator_id = y.indicator_id AND b.area_code = g.part
             AND b.year = y.year
        LEFT JOIN w ON w.weight_var = y.weight_var AND w.area_code = g.part AND w.year = y.year
        LEFT JOIN inw i ON i.area_code = g.part AND i.year = y.year
    ),
    agg AS (
        SELECT indicator_id, group_code AS area_code, year,
               list_sum(list(value * weight ORDER BY part) FILTER (WHERE valued))
                   / list_sum(list(weight ORDER BY part) FILTER (WHERE valued)) AS value,
               count(*) FILTER (WHERE valued) AS parts,
               -- by the age group when every part with inhabitants has its count, else by
               -- inhabitants (a part without the group's count cannot be weighed in it)
               bool_and(weight IS NOT NULL OR coalesce(inw, 0) = 0) AS by_weight,
               list_sum(list(weight ORDER BY part) FILTER (WHERE valued)) AS covered_w,
               list_sum(list(weight ORDER BY part) FILTER (WHERE weight > 0)) AS total_w,
               list_sum(list(inw ORDER BY part) FILTER (WHERE valued)) AS covered_i,
               list_sum(list(inw ORDER BY part) FILTER (WHERE inw > 0)) AS total_i,
               bool_or(status = 'suppressed_by_source') AS secret,
               bool_or(present) AS any_row
        FROM member GROUP BY ALL
    ),
    shares AS (
        SELECT *, CASE WHEN by_weight THEN coalesce(covered_w, 0) / total_w
                       ELSE coalesce(covered_i, 0) / total_i END AS coverage
        FROM agg
    )
    SELECT indicator_id, area_code, year, NULL::DOUBLE AS num, weight AS den, status,
           value AS pub_value, lower AS pub_lower, upper AS pub_upper, 1 AS parts,
           NULL::DOUBLE AS coverage, NULL::BOOLEAN AS by_weight, false AS grouped
    FROM base
    UNION ALL
    SELECT indicator_id, area_code, year, NULL, NULL,
           CASE WHEN coverage IS NULL AND parts = 0 AND secret THEN 'suppressed_by_source'
                WHEN coverage IS NULL THEN 'missing'
                WHEN coverage >= {coverage_min} - 1e-9 THEN 'ok'
                WHEN parts = 0 AND secret THEN 'suppressed_by_source'
                WHEN parts = 0 THEN 'missing'
                ELSE 'incomplete' END,
           CASE WHEN coverage >= {coverage_min} - 1e-9 THEN value END, NULL, NULL, parts,
           coverage, by_weight, true
    FROM shares WHERE any_row
    """
