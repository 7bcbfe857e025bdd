"""Dutch hyphenation of rendered pages: soft hyphens (U+00AD) in long words, from pyphen's
``nl_NL`` dictionary (the LibreOffice/Hunspell patterns).

Narrow table columns and A4 pages must break words like "Arbeidsongeschiktheidsuitkeringen";
without break points the browser either overflows or, with ``overflow-wrap``, cuts anywhere
("…uitk|eringen") without a hyphen. Headless Chromium on Linux has no hyphenation dictionary
for ``hyphens: auto``, so the break points are put in the text at render time: the browser
then shows a hyphen only where it actually breaks (``hyphens: manual``, the default).

Only text in narrow places of ``<body>`` is touched (see ``_NARROW``): never attributes,
``<script>``, ``<style>``, ``<svg>`` (SVG text does not wrap) or ``<title>``; entity
references are left whole. Elements of class ``naam`` (names of organisations, streets and
places) are left whole too: a reader searches a PDF for "Vreedebeek", and a PDF viewer does
not find a word whose text layer holds soft hyphens.
"""

from __future__ import annotations

import functools
import re

import pyphen

SOFT = "\u00ad"
MIN_LENGTH = 9  # shorter words fit a 375 px table column (status texts like "onvolledig" do not)
# A run of letters (Dutch diacritics included) not part of an entity such as &amp;shy;.
_WORD = re.compile(r"(?<![&#\w])[^\W\d_]{" + str(MIN_LENGTH) + ",}")
_TAG = re.compile(r"(<[^>]*>)")
_SKIP = {"script", "style", "svg", "title", "textarea", "pre", "code"}
# Narrow places, where a long word can be wider than its box: table cells and captions, and
# elements of class "kort" (the key-figure tiles) or "hyphenate" (anything else narrow).
# Running text is left alone: a 33-letter word fits a 375 px line, and every soft hyphen also
# lands in the PDF's text layer (pdftotext shows it), so they go only where they are needed.
_NARROW = {"th", "td", "caption"}
_ZONE_CLASS = re.compile(r"""\sclass=["'](?:[^"']*\s)?(?:kort|hyphenate)[\s"']""")
_WHOLE_CLASS = re.compile(r"""\sclass=["'](?:[^"']*\s)?naam[\s"']""")


@functools.lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="nl_NL", left=2, right=3)


@functools.lru_cache(maxsize=65536)
def word(text: str) -> str:
    """One word with soft hyphens at its break points (cached: pages repeat their words)."""
    return str(_dictionary().inserted(text, hyphen=SOFT))


def text(plain: str) -> str:
    """Soft hyphens in every long word of a plain (already escaped) text."""
    return _WORD.sub(lambda m: word(m.group(0)), plain)


# Only tags that can open or close a narrow or whole element change what is hyphenated: those
# named in _SKIP or _NARROW, and the names of the page's elements of class kort, hyphenate or
# naam (any other tag never reaches the stacks below). Splitting the page at those tags alone
# halves the walk (a village profile: 2,072 of its 5,034 tags; the rest are spans, rows and
# the ~110 inline SVG charts' shapes): 15.7 -> 11.9 ms a profile, best of 5 runs. Text between
# them may still hold other tags; it is split again only where it has a word to hyphenate.
_CLASS_WORD = re.compile(r"""\sclass=["'](?:[^"']*\s)?(?:kort|hyphenate|naam)[\s"']""")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")


@functools.lru_cache(maxsize=16)
def _splitter(names: frozenset[str]) -> re.Pattern[str]:
    """The tags named ``names`` (any case), opening or closing, as a capturing split pattern."""
    alternatives = "|".join(sorted(map(re.escape, names)))
    return re.compile(r"(</?(?:" + alternatives + r")(?![a-zA-Z0-9])[^>]*>)", re.I)


def _tag_name(page: str, at: int) -> str:
    """The name of the tag that holds position ``at`` (an attribute), in lower case."""
    m = _TAG_NAME.match(page, page.rfind("<", 0, at))
    return m.group(2).lower() if m else ""


def html(page: str) -> str:
    """Soft hyphens in the narrow places of a page (see the module docstring)."""
    start = page.find("<body")
    if start < 0:
        start = 0
    body = page[start:]
    names = frozenset(_SKIP | _NARROW | {_tag_name(body, m.start())
                                         for m in _CLASS_WORD.finditer(body)})
    parts = _splitter(names).split(body)
    skip: list[list] = []  # [tag name, nesting depth] of the open elements left whole
    zone: list[list] = []  # [tag name, nesting depth] of the open narrow elements
    for i in range(1, len(parts), 2):  # the tags; parts[i + 1] is the text after each
        tag = parts[i]
        if tag.endswith("/>"):
            continue
        closing = tag[1] == "/"
        # The pattern matched a name from ``names``: it ends at a space, '/' or '>'.
        name = _TAG_NAME.match(tag).group(2).lower()  # type: ignore[union-attr]
        classed = not closing and "class=" in tag
        whole = name in _SKIP or (classed and bool(_WHOLE_CLASS.search(tag)))
        if not _nest(skip, name, closing) and whole and not closing:
            skip.append([name, 1])
        if not _nest(zone, name, closing) and not closing and (
                name in _NARROW or (classed and bool(_ZONE_CLASS.search(tag)))):
            zone.append([name, 1])
        after = parts[i + 1]
        if zone and not skip and after and _WORD.search(after):
            pieces = _TAG.split(after)  # text and the other tags, which stay as they are
            pieces[::2] = [text(t) for t in pieces[::2]]
            parts[i + 1] = "".join(pieces)
    return page[:start] + "".join(parts)


def _nest(stack: list[list], name: str, closing: bool) -> bool:
    """Count a tag into the innermost open element of the same name; False if it is not one."""
    if not stack or stack[-1][0] != name:
        return False
    stack[-1][1] += -1 if closing else 1
    if stack[-1][1] == 0:
        stack.pop()
    return True
