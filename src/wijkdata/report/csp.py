"""The Content-Security-Policy every HTML page carries (one helper, used by every template).

A profile is self-contained: styles are inline, images are inline SVG or ``data:`` URLs, and
nothing may be fetched from the network (a page opened from a share must not phone home, and
text that came from a config or a data file must never run). So everything is ``'none'``
except inline styles and ``data:`` images and fonts. A page that needs its own inline script
(the explorable overview) passes the script's text through :func:`script_hash`; only scripts
with exactly that text may then run, never one smuggled in through content.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from markupsafe import Markup

BASE_POLICY = (
    "default-src 'none'",
    "img-src data:",
    "font-src data:",
    "style-src 'unsafe-inline'",
    "connect-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)


def script_hash(script: str) -> str:
    """The CSP source for an inline script: ``'sha256-<base64>'`` of its exact text."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(script_hashes: Iterable[str] = ()) -> str:
    """The policy text; ``script_hashes`` are values from :func:`script_hash`."""
    hashes = sorted(set(script_hashes))
    for h in hashes:
        if not (h.startswith("'sha256-") and h.endswith("'")):
            raise ValueError(f"not a script hash from script_hash(): {h!r}")
    scripts = " ".join(hashes) if hashes else "'none'"
    return "; ".join((*BASE_POLICY, f"script-src {scripts}"))


def csp_meta(script_hashes: Iterable[str] = ()) -> Markup:
    """``<meta http-equiv="Content-Security-Policy">`` for the top of a page's ``<head>``."""
    text = policy(script_hashes)  # our own constants and checked hashes: no '"', '<' or '&'
    if set(text) & set('"<>&'):
        raise ValueError(f"policy text would need escaping: {text!r}")
    return Markup(f'<meta http-equiv="Content-Security-Policy" content="{text}">')  # noqa: S704
