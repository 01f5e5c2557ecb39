"""Follow-ups in a conversation: "paragraph 3", "and (b)?", "et le paragraphe 3 ?", "the next
one". Such a message names no article, so it means the article of the answer it replies to, or
else of the chat's last answer; searching the treaty for it gives confident nonsense.

The wording patterns are data (`followups.toml` beside this module), in the six UN languages.
The provision a bot message quotes is read back from its citation line, so that a reply to an
answer still resolves after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.datafiles import read_toml
from bot.treaty.citations import paragraph_labels
from bot.treaty.model import Article, Paragraph, Part, Treaty

PATTERNS_FILE = Path(__file__).with_name("followups.toml")
FOLLOW_UP_S = 5 * 60.0  # how long the chat's last answer stands for "paragraph 3"

Kind = Literal["paragraph", "sub", "next"]


@dataclass(frozen=True)
class FollowUp:
    kind: Kind
    paragraph: str | None = None
    sub: str | None = None


@dataclass(frozen=True)
class Provision:
    """An article, or one of its paragraphs, or a sub-paragraph of one ("40", "40(21)(b)")."""

    article: int
    paragraph: str | None = None
    sub: str | None = None


def _load() -> list[tuple[Kind, re.Pattern[str]]]:
    data = read_toml(PATTERNS_FILE)
    return [
        (kind, re.compile(rf"^(?:{pattern})\s*[?？؟.!。]*$", re.IGNORECASE))
        for patterns_by_kind in data.values()
        for kind, patterns in patterns_by_kind.items()
        for pattern in patterns
    ]


_PATTERNS = _load()
# A bot message's first citation: "Art. 40(21)(b) · …" (answers, paragraphs) or "Article 40 · …"
# (full texts).
_CITED = re.compile(
    r"^(?:Art\. (?P<short>\d{1,3})(?:\((?P<paragraph>\d{1,3})\))?(?:\((?P<sub>[a-z]{1,4})\))?"
    r"|Article (?P<full>\d{1,3})) · ",
    re.MULTILINE,
)


def parse_follow_up(message: str) -> FollowUp | None:
    """The follow-up a message is, or None for anything else (a question, a reference)."""
    text = " ".join(message.split())
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            found = match.groupdict()
            paragraph = found.get("paragraph")
            sub = found.get("sub")
            return FollowUp(
                kind, str(int(paragraph)) if paragraph else None, sub.lower() if sub else None
            )
    return None


def cited_in(message_text: str) -> Provision | None:
    """The provision a bot message quotes first, from its citation line."""
    match = _CITED.search(message_text)
    if match is None:
        return None
    if match["full"]:
        return Provision(int(match["full"]))
    return Provision(int(match["short"]), match["paragraph"], match["sub"])


def resolve(follow_up: FollowUp, context: Provision, treaty: Treaty) -> Provision | None:
    """What the follow-up asks for, given the provision it follows; None when there is no next
    one."""
    if follow_up.kind == "paragraph":
        return Provision(context.article, follow_up.paragraph, follow_up.sub)
    if follow_up.kind == "sub":
        return Provision(context.article, context.paragraph, follow_up.sub)
    article = treaty.article(context.article)
    labels = paragraph_labels(article) if article else []
    if context.paragraph in labels and labels.index(context.paragraph) + 1 < len(labels):
        return Provision(context.article, labels[labels.index(context.paragraph) + 1])
    following = treaty.article(context.article + 1)
    return Provision(following.number) if following else None


def paragraph_of(article: Article, label: str | None) -> Paragraph | None:
    """A numbered paragraph, or an unnumbered article's only paragraph (Article 2's)."""
    if label is not None:
        return article.paragraph(label)
    return article.paragraphs[0] if len(article.paragraphs) == 1 else None


def subparagraph_parts(paragraph: Paragraph, sub: str) -> tuple[list[Part], list[Part]] | None:
    """A lettered sub-paragraph's lines (with its roman items) and the lead-in before the
    paragraph's list; None when the paragraph has no such sub-paragraph."""
    parts = list(paragraph.parts)
    start = next((i for i, p in enumerate(parts) if p.level == 1 and p.label == sub), None)
    if start is None:
        return None
    end = start + 1
    while end < len(parts) and parts[end].level == 2:
        end += 1
    first_item = next(i for i, p in enumerate(parts) if p.level == 1)
    return parts[:first_item], parts[start:end]
