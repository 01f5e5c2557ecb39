"""A fingerprint of a parsed treaty: per part (title, preamble, each article, each note, the
closing) its word count and a hash of its words. It lets the repository check a text against the
checked reference rendering without holding a word of either.

The hash is over the text with all white space removed, so it compares the characters and their
order, not how a renderer happened to space them (the reference keeps one kerning split, "in th
e offences", that the PDF reader does not make).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from bot.treaty.instruments import Resolution
from bot.treaty.model import Treaty

FINGERPRINT_VERSION = 1
_RULE = re.compile(r"^_+$")  # a footnote rule kept as a line of underscores in the reference


def part_fingerprint(text: str) -> dict[str, Any]:
    joined = re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
    return {
        "words": len(text.split()),
        "sha256": hashlib.sha256(joined.encode("utf-8")).hexdigest(),
    }


def treaty_fingerprint(treaty: Treaty) -> dict[str, Any]:
    closing = [line for line in treaty.closing if not _RULE.match(line)]
    return {
        "version": FINGERPRINT_VERSION,
        "title": part_fingerprint(treaty.title),
        "preamble": part_fingerprint("\n".join(treaty.preamble)),
        "articles": {
            str(a.number): {
                **part_fingerprint(f"{a.title}\n{a.text}"),
                "paragraphs": [p.label for p in a.paragraphs],
            }
            for a in treaty.articles
        },
        "notes": {str(n.number): part_fingerprint(f"{n.heading}\n{n.text}") for n in treaty.notes},
        "closing": part_fingerprint("\n".join(closing)),
    }


def resolution_fingerprint(resolution: Resolution) -> dict[str, Any]:
    """The same for the resolution: its title, each preambular and operative paragraph."""
    return {
        "version": FINGERPRINT_VERSION,
        "title": part_fingerprint(resolution.title),
        "preamble": [part_fingerprint(p.text) for p in resolution.preamble],
        "operative": {p.label: part_fingerprint(p.text) for p in resolution.operative},
        "closing": part_fingerprint("\n".join(resolution.closing)),
    }
