"""RD New (EPSG:28992, Rijksdriehoekscoördinaten) -> WGS84 longitude/latitude, without PROJ.

Uses the published approximation by F.H. Schreutelkamp and G.L. Strang van Hees,
"Benaderingsformules voor de transformatie tussen RD- en WGS84-kaartcoördinaten" (2001):
two polynomial series in (x - 155000, y - 463000) * 1e-5 giving the offset in arc seconds from
the Amersfoort reference point. Its error is below about 1 m inside the Netherlands — far below
the ~1 m rounding of map coordinates (5 decimals) — and it needs no grid files, which cannot be
downloaded here (DuckDB spatial / PROJ grids are unavailable offline).
"""

from __future__ import annotations

X0, Y0 = 155000.0, 463000.0  # RD coordinates of the Onze Lieve Vrouwetoren, Amersfoort
PHI0, LAM0 = 52.15517440, 5.38720621  # the same point in WGS84 degrees

# (p, q, K_pq): latitude offset in arc seconds = sum K_pq * dx^p * dy^q
K = (
    (0, 1, 3235.65389), (2, 0, -32.58297), (0, 2, -0.24750), (2, 1, -0.84978),
    (0, 3, -0.06550), (2, 2, -0.01709), (1, 0, -0.00738), (4, 0, 0.00530),
    (2, 3, -0.00039), (4, 1, 0.00033), (1, 1, -0.00012),
)
# (p, q, L_pq): longitude offset in arc seconds = sum L_pq * dx^p * dy^q
L = (
    (1, 0, 5260.52916), (1, 1, 105.94684), (1, 2, 2.45656), (3, 0, -0.81885),
    (1, 3, 0.05594), (3, 1, -0.05607), (0, 1, 0.01199), (3, 2, -0.00256),
    (1, 4, 0.00128), (0, 2, 0.00022), (2, 0, -0.00022), (5, 0, 0.00026),
)


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Return (longitude, latitude) in degrees for RD New metres (x east, y north)."""
    dx = (x - X0) * 1e-5
    dy = (y - Y0) * 1e-5
    phi = sum(k * dx**p * dy**q for p, q, k in K)
    lam = sum(c * dx**p * dy**q for p, q, c in L)
    return LAM0 + lam / 3600.0, PHI0 + phi / 3600.0
