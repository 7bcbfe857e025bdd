"""The five themes every indicator, profile section and dialogue question belongs to.

Core vocabulary rather than part of the indicator definitions, because the region config
(``dialogue.per_theme``) is validated against it before any indicator is loaded.
"""

from __future__ import annotations

from typing import Literal

Theme = Literal["demografie", "sociaal_economisch", "zorg", "gezondheid", "leefomgeving"]
THEMES: dict[str, str] = {
    "demografie": "Bevolking en huishoudens",
    "sociaal_economisch": "Inkomen en bestaanszekerheid",
    "zorg": "Zorg en ondersteuning",
    "gezondheid": "Gezondheid en leefstijl",
    "leefomgeving": "Wonen en leefomgeving",
}
