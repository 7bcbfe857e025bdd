"""Opvallende punten: short Dutch sentences about what stands out in an area.

Only significant differences are stated as differences; a published percentage without an
interval is mentioned as "niet getoetst" when the gap is large, so a reader is never told that
a model estimate is a proven difference. Neutral indicators are described, not judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from .formatting import versus

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
    model_estimate: bool = False  # an RIVM/GGD small-area estimate (no interval to test)


def sentence(area: str, label: str, comparison: str, comparator: str, comparator_name: str,
             value: float, bench: float, fmt: str, judgement: str,
             phrase: str | None = None, unit: str = "") -> str:
    """One Dutch sentence; ``phrase`` is the indicator's own wording (YAML ``finding:``).

    With a phrase: "In Bredevoort wonen naar verhouding meer 65-plussers dan gemiddeld in de
    gemeente Aalten (31,0% tegen 24,0%)." Without: "In X ligt ‘titel’ hoger dan ...".
    ``unit`` (the indicator's) follows the second figure: "(63,6 tegen 24,3 per 1.000 inwoners)".
    A neutral indicator gets no verdict; better/worse say gunstig/ongunstig.
    """
    direction = "hoger" if comparison == "higher" else "lager"
    where = COMPARATOR_PHRASE[comparator].format(name=comparator_name)
    # Without a phrase of its own the indicator's name is part of the sentence, in lower case
    # and without quotes (a name starting with an abbreviation such as WOZ keeps its capitals).
    name = label if label[:2].isupper() else label[:1].lower() + label[1:]
    what = phrase if phrase else f"ligt de waarde voor {name} {direction}"
    text = (f"In {area} {what} dan gemiddeld in {where} "
            f"({versus(value, bench, fmt, unit)})")
    if judgement == "better":
        text += "; dat is gunstig"
    elif judgement == "worse":
        text += "; dat is ongunstig"
    elif judgement == "untested":
        text += "; niet getoetst, want de bron geeft geen marge"
    return text + "."


HEALTH_CARE = ("gezondheid", "zorg")
MAX_DEMOGRAPHIC = 2


def category(f: Finding) -> int:
    """Where a finding goes on page 1; lower comes first.

    0 significant unfavourable health and care differences; 1 significant social-economic
    differences; 2 other significant health and care differences; 3 large untested gaps of
    model estimates; 4 the living environment and other untested gaps; 5 demographic
    descriptors (at most two).
    """
    significant = f.judgement in ("worse", "better", "neutral")
    if f.theme == "demografie":
        return 5
    if f.theme in HEALTH_CARE and f.judgement == "worse":
        return 0
    if f.theme == "sociaal_economisch" and significant:
        return 1
    if f.theme in HEALTH_CARE and significant:
        return 2
    if f.judgement == "untested" and f.model_estimate:
        return 3
    return 4


def rank(findings: list[Finding], limit: int = 8) -> list[Finding]:
    """"Ongunstig en verslechterd" leads (worsening.py); then health and care, demographic
    descriptors last and at most two; ``limit`` in all.

    Within a category unfavourable before favourable, then the larger relative gap."""
    ordered = sorted(findings, key=lambda f: (f.judgement != "worse_worsening", category(f),
                                              f.judgement not in ("worse", "worse_worsening"),
                                              -f.weight))
    out: list[Finding] = []
    demographic = 0
    for f in ordered:
        if category(f) == 5 and f.judgement != "worse_worsening":
            if demographic == MAX_DEMOGRAPHIC:
                continue
            demographic += 1
        out.append(f)
    return out[:limit]
