"""The ``mail:`` section of a region config (validated by pydantic, unknown keys rejected).

The SMTP password is deliberately not a setting: only the *name* of the environment variable
that holds it is, so it never sits in a file that gets committed, copied or printed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The one e-mail rule (mail settings, recipients files, network partners): the local part may
# hold any RFC 5322 atext character, the domain needs a dot and a top-level name of letters.
ADDRESS_PATTERN = (r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
                   r"\.[A-Za-z]{2,}$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SmtpSettings(_Model):
    host: str = Field(default="localhost", min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    # starttls: plain connect then STARTTLS (port 587); tls: TLS from the start (port 465);
    # none: only for a relay on the same machine or a test server.
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password_env: str = Field(default="WIJKDATA_SMTP_PASSWORD", pattern=r"^[A-Z_][A-Z0-9_]*$")
    ca_file: str | None = None  # an organisation's own CA (PEM), relative to the project
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class MailSettings(_Model):
    sender: str = Field(pattern=ADDRESS_PATTERN)
    sender_name: str = Field(default="", max_length=120)
    reply_to: str | None = Field(default=None, pattern=ADDRESS_PATTERN)
    recipients: str = Field(min_length=1)  # CSV or YAML file, relative to the project
    template: str = Field(default="uitnodiging", pattern=r"^[a-z0-9_-]{1,40}$")
    attach: Literal["pdf", "link"] = "pdf"
    link_base: str | None = Field(default=None, pattern=r"^https://\S+$")
    max_attachment_mb: float = Field(default=8.0, gt=0, le=50)
    smtp: SmtpSettings = SmtpSettings()
    retries: int = Field(default=3, ge=0, le=10)  # extra attempts after a temporary failure
    retry_delay_seconds: float = Field(default=5.0, ge=0, le=300)  # doubled on every retry

    @field_validator("sender_name")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise ValueError("sender_name must be one line without control characters")
        return v
