"""How the pictures look: the legend's colours and strokes, fonts, and text that fits a box.

Colours, fills and dashes come from the one legend (``ontology/legend.json``)
that the web page also reads. Text is measured with Liberation Sans, which has
Arial's metrics, and the slides name Arial: PowerPoint uses Arial, LibreOffice
substitutes Liberation Sans, and both break lines where this module does.
Labels are wrapped between words, shrunk, and only then shortened, at a word
boundary, with an ellipsis.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import ImageFont

from ontology import legend

FONT_FILES = (Path("/usr/share/fonts/truetype/liberation/LiberationSans-{}.ttf"),
              Path("/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"))  # DejaVu is wider: a safe stand-in
FONT_NAME = "Arial"  # what the slides ask for (Liberation Sans has its metrics)
FONT_FAMILY = "Arial, Liberation Sans, Helvetica, DejaVu Sans, sans-serif"
INK = "#1a1a1a"
MUTED = "#444444"
OUTLINE = "#333333"

_LEGEND = legend()
NODE_TYPES: dict[str, tuple[str, str]] = {  # type -> (legend name, fill colour), from ontology/legend.json
    k: (v["label"], v["fill"]) for k, v in _LEGEND["node_types"].items()}
OTHER_NODE = (_LEGEND["other_node"]["label"], _LEGEND["other_node"]["fill"])


@dataclass(frozen=True)
class EdgeStyle:
    """How one relation is stroked; ``pptx_dash`` names the nearest PowerPoint dash."""

    colour: str
    width: float
    dash: tuple[int, ...] = ()
    pptx_dash: str = "SOLID"


def _edge_style(d: dict[str, Any]) -> EdgeStyle:
    return EdgeStyle(d["colour"], float(d.get("width", 2.0)), tuple(d.get("dash", ())), d.get("pptx_dash", "SOLID"))


RELATION_STYLES: dict[str, tuple[str, EdgeStyle]] = {  # type -> (legend name, neutral style)
    k: (v["label"], _edge_style(v)) for k, v in _LEGEND["relation_types"].items()}
OTHER_RELATION = _edge_style(_LEGEND["other_relation"])
NEGATIVE = _LEGEND["polarity"]["negative"]["colour"]
POSITIVE = _LEGEND["polarity"]["positive"]["colour"]
NEGATIVE_DASH = tuple(_LEGEND["polarity"]["negative"]["dash"])
NEGATIVE_PPTX_DASH = _LEGEND["polarity"]["negative"].get("pptx_dash", "DASH")


def node_style(ntype: str | None) -> tuple[str, str, str]:
    """(legend name, fill, text colour) for a node type; unknown types get a white box."""
    name, fill = NODE_TYPES.get(ntype or "", OTHER_NODE)
    return name, fill, text_colour(fill)


def edge_style(etype: str | None, polarity: str | None) -> EdgeStyle:
    """Colour says polarity (negative red and dashed, positive green); width and dash say type."""
    base = RELATION_STYLES.get(etype or "", ("", OTHER_RELATION))[1]
    if polarity == "negative":
        return EdgeStyle(NEGATIVE, base.width, NEGATIVE_DASH, NEGATIVE_PPTX_DASH)
    if polarity == "positive":
        return EdgeStyle(POSITIVE, base.width, base.dash, base.pptx_dash)
    return base


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with the fill (WCAG luminance)."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: Any) -> str:
    """Drawable text: control characters out, any whitespace run to one space."""
    return " ".join(CONTROL.sub(" ", "" if text is None else str(text)).split())


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Liberation Sans (Arial's metrics) when installed, else DejaVu Sans, else Pillow's own font."""
    for pattern in FONT_FILES:
        name = ("Bold" if bold else "Regular") if "Liberation" in str(pattern) else ("-Bold" if bold else "")
        try:
            return ImageFont.truetype(str(pattern).format(name), size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=1 << 15)  # a picture measures the same words at the same sizes many times over
def text_width(text: str, size: int, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


def _cut_word(word: str, size: int, max_width: float, bold: bool) -> str:
    """Only for a single word wider than the whole box (a code or an id, not prose)."""
    while len(word) > 1 and text_width(word + "…", size, bold) > max_width:
        word = word[:-1]
    return word + "…"


def wrap(text: str, size: int, max_width: float, max_lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap by measured width; if cut, the last line ends with an ellipsis after a whole word."""
    words = [w if text_width(w, size, bold) <= max_width else _cut_word(w, size, max_width, bold)
             for w in clean_text(text).split(" ")]
    lines: list[str] = []
    cur = ""
    for word in words:
        trial = f"{cur} {word}" if cur else word
        if cur and text_width(trial, size, bold) > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    lines.append(cur)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1].split(" ")
    while len(last) > 1 and text_width(" ".join(last) + "…", size, bold) > max_width:
        last.pop()
    kept[-1] = " ".join(last).rstrip(",;:-–") + "…"
    return kept


def fits(text: str, size: int, max_width: float, max_lines: int, bold: bool = False) -> bool:
    """Whether the whole text wraps into ``max_lines`` with no word wider than a line."""
    words = clean_text(text).split(" ")
    return all(text_width(w, size, bold) <= max_width for w in words) and \
        len(wrap(text, size, max_width, 10_000, bold)) <= max_lines


@lru_cache(maxsize=4096)  # the layout tries several presets and node counts: measure each label once
def fit(text: str, sizes: tuple[int, ...], max_width: float, max_lines: int,
        bold: bool = False) -> tuple[int, tuple[str, ...]]:
    """The largest size at which the text wraps whole; else the smallest size, shortened at a word."""
    for size in sizes:
        if fits(text, size, max_width, max_lines, bold):
            return size, tuple(wrap(text, size, max_width, max_lines, bold))
    return sizes[-1], tuple(wrap(text, sizes[-1], max_width, max_lines, bold))


def shorten(text: str, size: int, max_width: float, bold: bool = False) -> str:
    """One line, cut after a whole word with an ellipsis when it does not fit."""
    return wrap(text, size, max_width, 1, bold)[0]
