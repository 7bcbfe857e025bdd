"""Opvallende punten: short Dutch sentences about what stands out in an area.

Only significant differences are stated as differences; a published percentage without an
interval is mentioned as "niet getoetst" when the gap is large, so a reader is never told that
a model estimate is a proven difference. Neutral indicators are described, not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .formatting import number

# A gap this large (in percentage points) on an untested percentage is worth a mention.
UNTESTED_GAP = 5.0

COMPARATOR_PHRASE = {"gemeente": "de gemeente {name}", "regio": "{name}", "land": "Nederland",
                     "vergelijkbaar": "{name}"}


@dataclass(frozen=True)
class Finding:
    indicator_id: str
    theme: str
    text: str
    judgement: str  # worse_worsening / better / worse / neutral / untested
    weight: float
    # The parts the bewonersversie rewrites into plain Dutch (residents.py).
    comparator: str = ""
    direction: str = ""  # higher / lower: the area against the comparator


def sentence(area: str, label: str, comparison: str, comparator: str, comparator_name: str,
             value: float, bench: float, fmt: str, judgement: str,
             phrase: str | None = None) -> str:
    """One Dutch sentence; ``phrase`` is the indicator's own wording (YAML ``finding:``).

    With a phrase: "In Bredevoort wonen naar verhouding meer 65-plussers dan gemiddeld in de
    gemeente Aalten (31,0% tegen 24,0%)." Without: "In X ligt ‘titel’ hoger dan ...".
    A neutral indicator gets no verdict; better/worse say gunstig/ongunstig.
    """
    direction = "hoger" if comparison == "higher" else "lager"
    where = COMPARATOR_PHRASE[comparator].format(name=comparator_name)
    what = phrase if phrase else f"ligt ‘{label}’ {direction}"
    text = (f"In {area} {what} dan gemiddeld in {where} "
            f"({number(value, fmt)} tegen {number(bench, fmt)})")
    if judgement == "better":
        text += "; dat is gunstig"
    elif judgement == "worse":
        text += "; dat is ongunstig"
    elif judgement == "untested":
        text += "; niet getoetst, want de bron geeft geen marge"
    return text + "."


def rank(findings: list[Finding], limit: int = 8) -> list[Finding]:
    # "Ongunstig en verslechterd" (worsening.py) leads: unfavourable and getting worse.
    order = {"worse_worsening": -1, "worse": 0, "better": 1, "neutral": 2, "untested": 3}
    return sorted(findings, key=lambda f: (order[f.judgement], -f.weight))[:limit]
