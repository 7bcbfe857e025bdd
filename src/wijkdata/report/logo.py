"""The organisation's logo, embedded so that it can never run anything.

A logo comes from whoever edits the config, and SVG is a document format: inline, it could carry
``<script>``, event handlers (``<svg/onload=...>``), ``<animate onbegin>``, ``javascript:``
links or a ``<style>`` that hides the report. Rather than sanitising markup (a losing game), the
logo is embedded as an *image*: ``<img src="data:image/svg+xml;base64,...">``. Browsers never
run script, load external resources or apply styles to the page from an SVG loaded as an image,
and the page's Content-Security-Policy (csp.py) forbids scripts and network requests besides.
"""

from __future__ import annotations

import base64
from pathlib import Path

from wijkdata.core.errors import ConfigError

MAX_BYTES = 1_000_000
MIME = {".svg": "image/svg+xml", ".png": "image/png"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def embed(path: Path, config: Path) -> str:
    """An ``<img>`` tag with the logo as a data URL; ConfigError for a file that is no logo."""
    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise ConfigError(f"{config}: organisation.logo must be an .svg or .png file, "
                          f"got '{path.name}'")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: the logo is {size:,} bytes; the limit is "
                              f"{MAX_BYTES:,} bytes (1 MB)",
                              hint="use a smaller image; a logo is shown 36 pixels high")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the logo ({exc.strerror})") from None
    if mime == "image/png" and not data.startswith(PNG_MAGIC):
        raise ConfigError(f"{path}: not a PNG image")
    if mime == "image/svg+xml" and b"<svg" not in data[:4096].lower():
        raise ConfigError(f"{path}: not an SVG image (no <svg element at the start)")
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="logo" src="data:{mime};base64,{encoded}" alt="" height="36">'
