"""Recognise direct references to the treaty in a question: "Article 41", "art. 17",
"article 40 paragraph 21", "article 40 21", "Art. 40 § 21", "40(21)", "40 21", "40.21",
"статья 17", "artículo 17", "第十七条", "المادة 17".

References name their instrument: "Article 2 of the Budapest Convention", "Budapest art. 32",
"ETS 185 article 9" go to the Budapest Convention (a bare "article 7" stays this Convention);
"operative paragraph 5", "paragraph 12 of the resolution", "resolution 79/243 para 2", "OP 9"
name the resolution's operative paragraphs.

A reference is answered exactly rather than searched for, so it must not fire on numbers that
are not article numbers ("24 hours a day", "the 2024 convention"). A bare pair of numbers
("40 21", "40.21") is only `loose`: it counts when the treaty has that provision, and is never
guessed into one it does not have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID

_ARTICLE_WORDS = (
    r"articles?|arts?\.?|art[ií]culos?|artigos?|artikel|"
    r"стат(?:ья|ьи|ье|ью|ей|ьям)|ст\.|"
    r"المادة|مادة|المادتين"
)
_PARAGRAPH_WORDS = (
    r"paragraphs?|paras?\.?|par\.|§|p\.|p[aá]rrafos?|apartados?|alin[eé]as?|"
    r"пункт[а-я]*|п\.|части|часть|"
    r"الفقرة|فقرة"
)
_NUMBER = r"(\d{1,4})"
# After an article's number, its paragraph: "paragraph 21", ", para. 21", "§ 21"; or, as people
# type them, just the number ("article 40 21", unless a unit follows: "article 7 24 hours") or
# after a point ("art. 40.21").
_UNIT = r"\s*(?:hours?|days?|weeks?|months?|years?|h\b|%|/)"
_LATIN = re.compile(
    rf"(?<!\w)(?:{_ARTICLE_WORDS})\s*(?:n[°º.]\s*)?{_NUMBER}(?!\d)"
    rf"(?:\s*(?:,|\s)\s*(?:{_PARAGRAPH_WORDS})\s*{_NUMBER}"
    rf"|\.(\d{{1,3}})(?![\d.])|\s+(\d{{1,3}})(?![\d.,:/])(?!{_UNIT}))?"
    rf"(?:\s*\(\s*{_NUMBER}\s*\))?",
    re.IGNORECASE,
)
_PARAGRAPH_FIRST = re.compile(
    rf"(?<!\w)(?:{_PARAGRAPH_WORDS})\s*{_NUMBER}\s*(?:,|of|de|del|du|статьи|من)?\s*"
    rf"(?:the\s+|la\s+|l[’']\s*)?(?:{_ARTICLE_WORDS})\s*{_NUMBER}(?!\d)",
    re.IGNORECASE,
)
_ARTICLE_LIST = re.compile(
    rf"(?<!\w)(?:{_ARTICLE_WORDS})\s*(\d{{1,3}}(?:\s*(?:,|and|et|y|e|и|و)\s*\d{{1,3}}(?!\d))+)",
    re.IGNORECASE,
)
# A whole message that is only a provision: "40(21)", "40 § 21"; loose: "40 21", "40.21".
_BARE_CITATION = re.compile(r"^\s*(\d{1,3})\s*(?:\(\s*(\d{1,3})\s*\)|§\s*(\d{1,3}))\s*[?.!]?\s*$")
_BARE_PAIR = re.compile(r"^\s*(\d{1,3})(?:\s+|\.)(\d{1,3})\s*[?!]?\s*$")
_COMMAND_ARGUMENTS = re.compile(
    r"^(\d{1,4})(?:\s*\(\s*(\d{1,4})\s*\)|\s*§\s*(\d{1,4})|(?:\s+|\.)(\d{1,4}))?$"
)
_CHINESE_NUMBER = r"(\d+|[零〇一二三四五六七八九十百两]+)"  # \d also matches full-width digits
_CHINESE = re.compile(rf"第\s*{_CHINESE_NUMBER}\s*条(?:\s*第\s*{_CHINESE_NUMBER}\s*款)?")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9}


# The Budapest Convention, by the names people use for it.
_BUDAPEST = re.compile(
    r"\bbudapest\b|\bETS\s*(?:No\.?\s*)?185\b|\bcouncil\s+of\s+europe(?:['’]s)?\s+"
    r"(?:cybercrime\s+)?conventions?\b|\bCoE\s+(?:cybercrime\s+)?conventions?\b"
    r"|convention\s+de\s+budapest|convenio\s+de\s+budapest|будапешт|布达佩斯|بودابست",
    re.IGNORECASE,
)
BUDAPEST_NAMES = _BUDAPEST
# A Budapest name right before an article reference ("Budapest art. 32", "ETS 185 article 9",
# "Council of Europe convention, article 15") or right after it ("Article 2 of the Budapest
# Convention").
_BUDAPEST_BEFORE = re.compile(rf"(?:{_BUDAPEST.pattern})\W{{0,3}}(?:\w+\W+){{0,2}}$",
                              re.IGNORECASE)
_BUDAPEST_AFTER = re.compile(
    rf"^\W{{0,3}}(?:of|in|under|from)\s+(?:the\s+)?(?:{_BUDAPEST.pattern})", re.IGNORECASE
)
# A comparison of this Convention with another instrument.
_COMPARISON = re.compile(
    r"\b(compar\w*|differ\w*|difference|versus|vs\.?|contrast\w*|counterparts?|"
    r"equivalents?|correspond\w*|similar\w*|same|side by side|against each other|"
    r"match(?:es)?|mirrors?|modelled|modeled|based on|go(?:es)? further|stricter|broader|"
    r"narrower)\b",
    re.IGNORECASE,
)
# This Convention, named beside Budapest: a question naming both compares them.
_UN = re.compile(r"\b(?:UN|U\.N\.|United Nations)\b")
_RESOLUTION = re.compile(
    r"\b(?:the\s+|this\s+|GA\s+|UNGA\s+|General\s+Assembly\s+)?resolution\b|"
    r"A/RES/79/243|\b79/243\b|\bGeneral\s+Assembly\b|\bUNGA\b",
    re.IGNORECASE,
)
_OPERATIVE = re.compile(
    r"(?<!\w)(?:operative\s+(?:paragraphs?|paras?\.?)|(?-i:OP)\.?)\s*(\d{1,2})(?!\d)"
    r"|(?<!\w)(?:paragraphs?|paras?\.?|§)\s*(\d{1,2})\s+of\s+(?:the\s+)?"
    r"(?:(?:UN)?GA\s+|General\s+Assembly\s+)?resolution\b"
    r"|(?:resolution|A/RES/79/243|79/243)\s*(?:79/243)?\s*,?\s*(?:operative\s+)?"
    r"(?:paragraphs?|paras?\.?|(?-i:OP)|§)\s*(\d{1,2})(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    article: int
    paragraph: str | None = None
    document: str = CONVENTION_ID  # or "budapest"
    # A bare number pair ("40 21"): a reference only if the treaty has that provision.
    loose: bool = field(default=False, compare=False)


def names_budapest(question: str) -> bool:
    """Whether the question names the Budapest Convention (ETS No. 185)."""
    return bool(_BUDAPEST.search(question))


def asks_comparison(question: str) -> bool:
    """Whether the question names the Budapest Convention and asks how it compares."""
    return names_budapest(question) and bool(
        _COMPARISON.search(question) or _UN.search(question)
    )


def names_resolution(question: str) -> bool:
    """Whether the question is about the resolution itself ("the resolution", "General
    Assembly", "79/243")."""
    return bool(_RESOLUTION.search(question))


def without_budapest(question: str) -> str:
    """The question with the Budapest Convention's names taken out, for searching this
    Convention's side of a comparison."""
    return " ".join(_BUDAPEST.sub(" ", question).split())


def resolution_paragraphs(question: str) -> list[str]:
    """The operative paragraphs of the resolution the question names, in order."""
    found = [next(g for g in m.groups() if g) for m in _OPERATIVE.finditer(question)]
    return [str(int(label)) for label in dict.fromkeys(found)]


def find_references(question: str) -> list[Reference]:
    """Every article (and paragraph) the question names, in order, without repeats; each
    names its instrument. In a question that names Budapest without comparing, every article
    is Budapest's; in a comparison only those written next to a Budapest name."""
    budapest, comparing = names_budapest(question), asks_comparison(question)
    spans = [span for m in _OPERATIVE.finditer(question) for span in [m.span()]]
    references = []
    for start, end, reference in _found(question):
        if any(s <= start < e for s, e in spans):
            continue  # "paragraph 12 of the resolution" is no article
        if budapest and (not comparing or _BUDAPEST_BEFORE.search(question[:start])
                         or _BUDAPEST_AFTER.match(question[end:])):
            reference = replace(reference, document=BUDAPEST_ID)
        if reference not in references:
            references.append(reference)
    return references


def _found(question: str) -> list[tuple[int, int, Reference]]:
    """Every article reference with its span, in order of position."""
    found: list[tuple[int, int, Reference]] = []
    for match in _PARAGRAPH_FIRST.finditer(question):
        found.append((*match.span(), Reference(int(match.group(2)), str(int(match.group(1))))))
    covered = [m.span() for m in _PARAGRAPH_FIRST.finditer(question)]
    for match in _LATIN.finditer(question):
        if any(start <= match.start() < end for start, end in covered):
            continue
        paragraph = next((g for g in match.groups()[1:] if g), None)
        label = str(int(paragraph)) if paragraph else None
        found.append((*match.span(), Reference(int(match.group(1)), label)))
    for match in _CHINESE.finditer(question):
        paragraph = _chinese_number(match.group(2)) if match.group(2) else None
        found.append(
            (*match.span(), Reference(_chinese_number(match.group(1)),
                                      str(paragraph) if paragraph else None))
        )
    for match in _ARTICLE_LIST.finditer(question):  # "articles 7 and 8", "arts 7, 8 et 9"
        for offset, number in enumerate(re.findall(r"\d+", match.group(1))[1:], start=1):
            found.append((match.start() + offset, match.end(), Reference(int(number))))
    bare = _BARE_CITATION.match(question)
    if bare:
        found.append((0, bare.end(), Reference(int(bare.group(1)),
                                               str(int(bare.group(2) or bare.group(3))))))
    pair = _BARE_PAIR.match(question)
    if pair:
        found.append((0, pair.end(), Reference(int(pair.group(1)), str(int(pair.group(2))),
                                               loose=True)))
    return sorted(found, key=lambda item: item[0])


def parse_article_arguments(arguments: Sequence[str]) -> Reference | None:
    """The arguments of a command that names a provision ("7", "40 21", "40(21)")."""
    match = _COMMAND_ARGUMENTS.match(" ".join(arguments).strip())
    if not match:
        return None
    paragraph = next((g for g in match.groups()[1:] if g), None)
    return Reference(int(match.group(1)), str(int(paragraph)) if paragraph else None)


def _chinese_number(text: str) -> int:
    """Chinese article numbers are written with digits or numerals up to the hundreds."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CHINESE_DIGITS[char]
    return total + current
