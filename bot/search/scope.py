"""Questions the text does not answer, told apart before any search: the maintained catalogue
of subjects outside the text (`treaty_text/out_of_scope.toml`: status, negotiation history,
statistics, one country's law, products, news, opinions and forecasts) and the list of other
instruments (`treaty_text/instruments.toml`: the Malabo Convention, the GDPR, ...).

Such questions share the treaty's words, so a search would find "close" provisions and quote
them as if they answered. Here they get a verdict instead: which subject, the reply saying what
the text does not record and where that is published, and the articles that govern the subject
(shown as not answering it). Patterns and names come first, so that such a verdict names the
words it rests on; then the catalogue's examples, which the build embeds: a question much
closer to the examples of a subject than to any paragraph aid (`bot.search.fusion.
outside_the_text`) is declined with that subject, and the verdict names the closest example.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.datafiles import read_toml
from bot.index.search_aids import SCOPE_FILE, ScopeExample
from bot.search.dense import similarities
from bot.search.language import script_language
from bot.settings import TREATY_TEXT_DIR

INSTRUMENTS_FILE = TREATY_TEXT_DIR / "instruments.toml"
OTHER_INSTRUMENT = "other-instrument"
NO_MATCH = "no-match"
HISTORY = "history"
NOT_LOADED = "not-loaded"  # an instrument the bot can hold, but this index was built without

# The question names this Convention (once other instruments' names are taken out of it).
_THIS_CONVENTION = re.compile(
    r"\b(this|the|un|u\.n\.|united nations|cybercrime|hanoi)( un| u\.n\.| united nations)?"
    r"( cybercrime)? (convention|treaty)\b|\bA/RES/79/243\b"
    r"|\b(la|cette) convention\b|\b(la|esta) convenci[óo]n\b|конвенци|公约|条约|الاتفاقية",
    re.IGNORECASE,
)
# A cited instrument's name that is this Convention's (or the Budapest Convention on
# Cybercrime's, which the list names): cybercrime in the six languages, Hanoi, or "《公约》".
_THIS_CONVENTION_NAME = re.compile(
    r"cyber\s*-?crim|cybercriminalit|ciberdelincuencia|ciberdelito|киберпреступн|网络犯罪"
    r"|الجرائم السيبرانية|الجريمة السيبرانية|الجريمة الإلكترونية|\bhanoi\b|\bhanoï\b|河内"
    r"|^(本|该|此|这个|这部)?(公约|条约)$|^(the\s+)?(UN|U\.N\.|United\s+Nations)\s+(Convention|Treaty)$",
    re.IGNORECASE,
)
# ... and asks how another instrument relates to it: article 60 answers that.
_RELATION = re.compile(
    r"\b(relat\w*|compar\w*|differ\w*|versus|vs|conflict\w*|compatib\w*|overlap\w*|"
    r"prevail\w*|replac\w*|supersed\w*|affect\w*|instead of)\b"
    r"|rapport|relaci[óo]n|соотнош|отлича|关系|区别|علاقة",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Subject:
    id: str
    reply: str
    related: tuple[int, ...]
    patterns: tuple[re.Pattern[str], ...]
    examples: tuple[str, ...]
    # A question naming a place (the catalogue's `places`) with one of these words is about
    # the subject: "Is Kenya a party …", "the penalty … in Kenya". Not when it also matches
    # `with_place_unless` ("If Kenya ratified today, when …" asks a rule), nor, with
    # `unless_convention_named`, when it names this Convention ("Does the convention require
    # Kenya to set a penalty?" asks what the text says).
    with_place: Names | None = None
    with_place_unless: re.Pattern[str] | None = None
    unless_convention_named: bool = False
    # Declined by similarity to its examples only when the question names a place: "is
    # illegal access a crime?" is as close to "the penalty for illegal access in France" as
    # that is to "… in Spain".
    examples_need_place: bool = False


@dataclass(frozen=True)
class Instrument:
    name: str
    names: tuple[str, ...]
    document: str | None  # the index's document id when the bot can hold it



@dataclass(frozen=True)
class Verdict:
    """Why a question is declined: the subject, the reply (English), the articles that govern
    the subject, the words the verdict rests on, and the instrument named (if any)."""

    subject: str
    reply: str
    related: tuple[int, ...] = ()
    evidence: str = ""
    instrument: str | None = None


class Scope:
    def __init__(
        self,
        subjects: Sequence[Subject],
        instruments: Sequence[Instrument],
        default_reply: str,
        places: Sequence[str] = (),
        instrument_reply: str = "",
        not_loaded_reply: str = "",
        resolution_patterns: Sequence[re.Pattern[str]] = (),
        unlisted_patterns: Sequence[re.Pattern[str]] = (),
        asks_the_text: Sequence[re.Pattern[str]] = (),
        capitalised_only: Collection[str] = (),
    ) -> None:
        self.subjects = tuple(subjects)
        self.instruments = tuple(instruments)
        self.default_reply = default_reply
        self.instrument_reply = instrument_reply
        self.not_loaded_reply = not_loaded_reply
        self._resolution_patterns = tuple(resolution_patterns)
        self._unlisted_patterns = tuple(unlisted_patterns)
        self._asks_the_text = tuple(asks_the_text)
        self._instrument_names = Names(
            [(name, instrument) for instrument in self.instruments for name in instrument.names]
        )
        self._places = Names(
            [(form, None) for place in places
             for form in place_forms(place, lower_case=place not in capitalised_only)],
            case_sensitive=True,
        )

    @classmethod
    def load(
        cls, scope_file: Path = SCOPE_FILE, instruments_file: Path = INSTRUMENTS_FILE
    ) -> Scope:
        scope = read_toml(scope_file, optional=True)
        listed = read_toml(instruments_file, optional=True)
        subjects, places, capitalised_only = [], [], []
        for raw in scope.get("subject", []):
            subjects.append(Subject(
                id=raw["id"],
                reply=raw["reply"],
                related=tuple(raw.get("related", ())),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("patterns", ())),
                examples=tuple(raw.get("examples", ())),
                with_place=Names([(word, None) for word in raw.get("with_place", [])]),
                with_place_unless=(re.compile(raw["with_place_unless"], re.IGNORECASE)
                                   if raw.get("with_place_unless") else None),
                unless_convention_named=raw.get("unless_convention_named", False),
                examples_need_place=raw.get("examples_need_place", False),
            ))
            places += raw.get("places", [])
            capitalised_only += raw.get("places_capitalised_only", [])
        instruments = [
            Instrument(raw["name"], tuple(raw["names"]), raw.get("document"))
            for raw in listed.get("instrument", [])
        ]
        default = scope.get("default", {})
        return cls(
            subjects, instruments, default.get("reply", ""), places,
            listed.get("reply", default.get("reply", "")),
            listed.get("not_loaded_reply", ""),
            [re.compile(p, re.IGNORECASE) for p in scope.get("resolution", {}).get("patterns", [])],
            [re.compile(p) for p in listed.get("unlisted", {}).get("patterns", [])],
            [re.compile(p, re.IGNORECASE)
             for p in scope.get("asks_the_text", {}).get("patterns", [])],
            set(capitalised_only),
        )

    def about_resolution(self, question: str) -> str | None:
        """The words that make a question one about what the resolution decides (the protocol
        to be negotiated, the Anti-Cybercrime Day), or None."""
        for pattern in self._resolution_patterns:
            if found := pattern.search(question):
                return found.group(0)
        return None

    def judge(
        self, question: str, held_documents: Collection[str] = (), holdings: str = ""
    ) -> Verdict | None:
        """The verdict for a question the text does not answer, or None to search it.
        `held_documents`: the index's document ids; `holdings`: what the bot holds, in words."""
        named = self.named_instrument(question, held_documents)
        if named is not None:
            instrument, words, rest = named
            if not _THIS_CONVENTION.search(rest):
                return Verdict(
                    OTHER_INSTRUMENT,
                    self.instrument_reply.format(instrument=instrument.name, holdings=holdings),
                    evidence=words,
                    instrument=instrument.name,
                )
        if unlisted := self.unlisted_instrument(question, held_documents):
            return Verdict(
                OTHER_INSTRUMENT,
                self.instrument_reply.format(instrument=unlisted, holdings=holdings),
                evidence=unlisted,
                instrument=unlisted,
            )
        for subject in self.subjects:
            for pattern in subject.patterns:
                found = pattern.search(question)
                if found:
                    return Verdict(subject.id, subject.reply, subject.related, found.group(0))
            if words := self._with_place(subject, question):
                return Verdict(subject.id, subject.reply, subject.related, words)
        return None

    def named_instrument(
        self, question: str, held_documents: Collection[str] = ()
    ) -> tuple[Instrument, str, str] | None:
        """The first instrument the bot does not hold that the question names, with the words
        that name it and the question without them; None when it names none, or asks how the
        instrument relates to this Convention."""
        found = self._instrument_names.find(question)
        named = [i for i in self.instruments
                 if i.document not in held_documents and any(i is hit for *_, hit in found)]
        if not named:
            return None
        instrument = named[0]  # the list's order decides between instruments named together
        spans = [(start, end) for start, end, hit in found if hit is instrument]
        rest = _without(question, spans)
        if _THIS_CONVENTION.search(rest) and _RELATION.search(rest):
            return None
        return instrument, question[spans[0][0]:spans[0][1]], rest

    def example_verdict(
        self, example: ScopeExample, question: str, evidence: str
    ) -> Verdict | None:
        """The verdict for a question found closest to `example` (`evidence` says how close),
        or None where examples do not decide: a question that asks what the text provides
        (`asks_the_text`: "when does it enter into force?"), or one its subject leaves to
        patterns: one country's law is not what a question naming this Convention asks ("is
        grooming a crime under the convention?"), nor one that names no place
        (`examples_need_place`)."""
        subject = next((s for s in self.subjects if s.id == example.subject), None)
        if subject is None or any(p.search(question) for p in self._asks_the_text) or (
            subject.unless_convention_named and _THIS_CONVENTION.search(question)
        ) or (subject.examples_need_place and not self._places.find(question)):
            return None
        return Verdict(subject.id, subject.reply, subject.related, evidence)

    def unlisted_instrument(
        self, question: str, held_documents: Collection[str] = ()
    ) -> str | None:
        """The name of an instrument the list does not hold but the question cites by its
        shape ("Article 18 of the Palermo Protocol", "《…》第二条"), or None: not this
        Convention, and not one the index holds."""
        for pattern in self._unlisted_patterns:
            for found in pattern.finditer(question):
                name = found.group("name").strip()
                held = any(instrument.document in held_documents
                           for *_, instrument in self._instrument_names.find(name))
                if not held and not _THIS_CONVENTION_NAME.search(name):
                    return name
        return None

    def asks_relation(self, question: str, instrument_names: re.Pattern[str]) -> bool:
        """Whether the question asks how an instrument (named by `instrument_names`) relates
        to this Convention ("how does this treaty relate to the Budapest Convention?")."""
        rest = instrument_names.sub(" ", question)
        return rest != question and bool(_THIS_CONVENTION.search(rest) and _RELATION.search(rest))

    def _with_place(self, subject: Subject, question: str) -> str | None:
        """The place and the subject's word the question names together, or None."""
        if not subject.with_place or (
            subject.unless_convention_named and _THIS_CONVENTION.search(question)
        ) or (subject.with_place_unless and subject.with_place_unless.search(question)):
            return None
        place = self._places.find(question)
        word = subject.with_place.find(question) if place else []
        if not word:
            return None
        return f"{_text(question, place[0])} … {_text(question, word[0])}"


@dataclass(frozen=True)
class Closest:
    """A question's closest scope example in one space."""

    cosine: float
    example: ScopeExample


class ScopeExamples:
    """The catalogue's examples as the index embedded them, per space."""

    def __init__(self, examples: Sequence[ScopeExample], vectors: Mapping[str, Any]) -> None:
        """`vectors`: per space, the FAISS index of the examples (None where not embedded)."""
        self._examples = list(examples)
        self._vectors = {space: index for space, index in vectors.items()
                         if index is not None and self._examples}

    def closest(self, space: str, vector: np.ndarray) -> Closest | None:
        if space not in self._vectors:
            return None
        cosines = similarities(self._vectors[space], vector)
        best = int(np.argmax(cosines))
        return Closest(float(cosines[best]), self._examples[best])


class Names:
    """Many names found at once, as whole words, in one pass over a question's words (a regular
    expression with one alternative per name tries each of 2,000 places at every character).
    Abbreviations in capitals ("US", "UK", "DSA") match only in capitals, so that "us" or "dsa"
    in a sentence does not count; Chinese names match anywhere, since Chinese writes no spaces
    between words ("马拉博公约对…"). Punctuation between words does not count ("Côte d'Ivoire"
    is "Côte d’Ivoire")."""

    def __init__(self, named: Sequence[tuple[str, Any]], case_sensitive: bool = False) -> None:
        """`named`: (name, what it names) pairs."""
        self._case_sensitive = case_sensitive
        self._words: dict[tuple[str, ...], Any] = {}
        self._chinese: list[tuple[str, Any]] = []
        for name, value in named:
            if script_language(name) == "zh":
                self._chinese.append((name, value))
                continue
            exact = case_sensitive or (name.isupper() and len(name) <= 6)
            key = tuple(word if exact else word.casefold() for word in _WORD.findall(name))
            self._words.setdefault((exact, *key), value)
        self._longest = max((len(key) - 1 for key in self._words), default=0)

    def __bool__(self) -> bool:
        return bool(self._words or self._chinese)

    def find(self, text: str) -> list[tuple[int, int, Any]]:
        """(start, end, what it names) of each name in `text`, left to right, the longest
        where names overlap."""
        words = list(_WORD.finditer(text))
        found = []
        index = 0
        while index < len(words):
            for length in range(min(self._longest, len(words) - index), 0, -1):
                run = words[index:index + length]
                exact = tuple(w.group(0) for w in run)
                value = self._words.get((True, *exact), _MISSING)
                if value is _MISSING and not self._case_sensitive:
                    value = self._words.get((False, *(w.casefold() for w in exact)), _MISSING)
                if value is not _MISSING:
                    found.append((run[0].start(), run[-1].end(), value))
                    index += length - 1
                    break
            index += 1
        for name, value in self._chinese:
            start = text.find(name)
            while start >= 0:
                found.append((start, start + len(name), value))
                start = text.find(name, start + len(name))
        found.sort(key=lambda hit: (hit[0], -hit[1]))
        kept: list[tuple[int, int, Any]] = []
        for hit in found:
            if not kept or hit[0] >= kept[-1][1]:
                kept.append(hit)
        return kept


_WORD = re.compile(r"\w+")
_MISSING = object()

# Russian case endings a one-word place name takes ("Канада": "Канаду", "Канадой", "Канаде"),
# by the ending of the name as listed; the list holds some forms, questions use all of them.
_RUSSIAN_ENDINGS = (
    ("ия", ("ии", "ию", "ией")),
    ("ь", ("и", "ью")),
    ("й", ("я", "ю", "ем", "е")),
    ("я", ("и", "е", "ю", "ей")),
    ("а", ("ы", "и", "е", "у", "ой", "ей")),
)
_RUSSIAN_NAME = re.compile(r"[А-ЯЁ][а-яё]{3,}")
_RUSSIAN_CONSONANT = re.compile(r"[бвгджзклмнпрстфхцчшщ]$")
# Arabic writes "and", "in/by", "for" and "so" as letters joined to the next word ("بمصر", "in
# Egypt"; "والسعودية"); "for" before "ال" drops the alif ("للسعودية").
_ARABIC_PREFIXES = ("و", "ب", "ل", "ف", "ك", "وب", "ول", "فب")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def place_forms(name: str, lower_case: bool = False) -> list[str]:
    """The name and the forms of it that questions write: Russian case endings, Arabic joined
    prefixes, and (with `lower_case`) each of them in lower case."""
    forms = [name]
    if _RUSSIAN_NAME.fullmatch(name):
        for ending, endings in _RUSSIAN_ENDINGS:
            if name.endswith(ending):
                stem = name[: -len(ending)]
                forms += [stem + other for other in endings]
                break
        else:
            if _RUSSIAN_CONSONANT.search(name):
                forms += [name + ending for ending in ("а", "у", "ом", "е")]
    elif _ARABIC.match(name):
        forms += [prefix + name for prefix in _ARABIC_PREFIXES]
        if name.startswith("ال"):
            forms += ["لل" + name[2:], "ولل" + name[2:]]
    if lower_case:
        forms += [lower for form in forms if (lower := form.lower()) != form and not form.isupper()]
    return forms


def _text(question: str, hit: tuple[int, int, Any]) -> str:
    return question[hit[0]:hit[1]]


def _without(question: str, spans: Sequence[tuple[int, int]]) -> str:
    """The question with each span replaced by a space."""
    parts, last = [], 0
    for start, end in spans:
        parts += [question[last:start], " "]
        last = end
    return "".join([*parts, question[last:]])
