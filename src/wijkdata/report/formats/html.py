"""html: the profile page per area, ``<code>.html`` (rendered for every build, since the PDF
prints it; published only with this format)."""

from __future__ import annotations

from .base import OutputFormat, Page


class Html(OutputFormat):
    name = "html"
    order = 10
    suffix = ".html"
    help = "profile page per area"

    def write_page(self, page: Page) -> list[str]:
        return [f"{page.code}{self.suffix}"]  # written by the render pass itself
