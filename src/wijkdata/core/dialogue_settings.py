"""Region config keys for the dialogue cycle: ``dialogue:`` and ``network:``.

Every section of a region config is validated when the file is loaded, before any stage
runs, so its schema lives in ``core`` (below every stage that reads it); ``config`` names
them as fields of :class:`~wijkdata.core.config.RegionConfig`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wijkdata.core.themes import THEMES

# The three questions of the "data – dialoog – doen" conversation, asked for every theme unless
# a region replaces them (for all themes or per theme).
DEFAULT_QUESTIONS = (
    "Herkent u dit beeld?",
    "Wat ziet u in uw praktijk?",
    "Wat vindt u belangrijk om samen op te pakken?",
)


class DialogueSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    questions: list[str] = Field(default_factory=lambda: list(DEFAULT_QUESTIONS), min_length=1)
    per_theme: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("per_theme")
    @classmethod
    def _themes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [t for t in v if t not in THEMES]
        if bad:
            raise ValueError(f"unknown theme {bad[0]!r}; themes: {', '.join(THEMES)}")
        return v

    def for_theme(self, theme: str) -> list[str]:
        return self.per_theme.get(theme) or self.questions


class NetworkSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # An entry not checked for this many days is flagged "controleren" in every output.
    max_age_days: int = Field(default=365, ge=1, le=3650)
    # Contact person, phone and e-mail are personal data (AVG): published output (profiles,
    # session kit) leaves them out unless the region switches this on.
    publish_personal_contacts: bool = False
