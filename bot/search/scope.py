"""Questions the text does not answer, told apart before any search: the maintained catalogue
of subjects outside the text (`treaty_text/out_of_scope.toml`: status, negotiation history,
statistics, one country's law, products, news, opinions and forecasts) and the list of other
instruments (`treaty_text/instruments.toml`: the Malabo Convention, the GDPR, ...).

Such questions share the treaty's words, so a search would find "close" provisions and quote
them as if they answered. Here they get a verdict instead: which subject, the reply saying what
the text does not record and where that is published, and the articles that govern the subject
(shown as not answering it). Everything is pattern and name matching over the question, so
every verdict names the words it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.datafiles import read_toml
from bot.search.language import script_language
from bot.settings import TREATY_TEXT_DIR

SCOPE_FILE = TREATY_TEXT_DIR / "out_of_scope.toml"
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
    with_place: re.Pattern[str] | None = None
    with_place_unless: re.Pattern[str] | None = None
    unless_convention_named: bool = False


@dataclass(frozen=True)
class Instrument:
    name: str
    names: tuple[str, ...]
    document: str | None  # the index's document id when the bot can hold it

    @property
    def pattern(self) -> re.Pattern[str]:
        return _names_pattern(self.names)


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
    ) -> None:
        self.subjects = tuple(subjects)
        self.instruments = tuple(instruments)
        self.default_reply = default_reply
        self.instrument_reply = instrument_reply
        self.not_loaded_reply = not_loaded_reply
        self._resolution_patterns = tuple(resolution_patterns)
        self._instrument_patterns = [(i, i.pattern) for i in self.instruments]
        self._places = _names_pattern(places, case_sensitive=True) if places else None

    @classmethod
    def load(
        cls, scope_file: Path = SCOPE_FILE, instruments_file: Path = INSTRUMENTS_FILE
    ) -> Scope:
        scope = read_toml(scope_file, optional=True)
        listed = read_toml(instruments_file, optional=True)
        subjects, places = [], []
        for raw in scope.get("subject", []):
            subjects.append(Subject(
                id=raw["id"],
                reply=raw["reply"],
                related=tuple(raw.get("related", ())),
                patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("patterns", ())),
                examples=tuple(raw.get("examples", ())),
                with_place=_names_pattern(raw["with_place"]) if raw.get("with_place") else None,
                with_place_unless=(re.compile(raw["with_place_unless"], re.IGNORECASE)
                                   if raw.get("with_place_unless") else None),
                unless_convention_named=raw.get("unless_convention_named", False),
            ))
            places += raw.get("places", [])
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
        for instrument, pattern in self._instrument_patterns:
            if instrument.document in held_documents:
                continue
            found = pattern.search(question)
            if found:
                rest = pattern.sub(" ", question)
                if _THIS_CONVENTION.search(rest) and _RELATION.search(rest):
                    return None
                return instrument, found.group(0), rest
        return None

    def asks_relation(self, question: str, instrument_names: re.Pattern[str]) -> bool:
        """Whether the question asks how an instrument (named by `instrument_names`) relates
        to this Convention ("how does this treaty relate to the Budapest Convention?")."""
        rest = instrument_names.sub(" ", question)
        return rest != question and bool(_THIS_CONVENTION.search(rest) and _RELATION.search(rest))

    def _with_place(self, subject: Subject, question: str) -> str | None:
        """The place and the subject's word the question names together, or None."""
        if self._places is None or subject.with_place is None or (
            subject.unless_convention_named and _THIS_CONVENTION.search(question)
        ) or (subject.with_place_unless and subject.with_place_unless.search(question)):
            return None
        place = self._places.search(question)
        word = subject.with_place.search(question) if place else None
        return f"{place.group(0)} … {word.group(0)}" if word else None


def _names_pattern(names: Sequence[str], case_sensitive: bool = False) -> re.Pattern[str]:
    """Whole-word alternatives, longest first; abbreviations in capitals ("US", "UK", "DSA")
    only match in capitals, so that "us" or "dsa" in a sentence does not count. Chinese names
    match anywhere: Chinese writes no spaces between words ("马拉博公约对…")."""
    ordered = sorted(set(names), key=len, reverse=True)
    words = []
    for name in ordered:
        escaped = re.escape(name).replace(r"\ ", r"\s+")
        if not case_sensitive and (name.isupper() and len(name) <= 6):
            escaped = f"(?-i:{escaped})"
        whole_word = script_language(name) != "zh"
        words.append(rf"(?<!\w){escaped}(?!\w)" if whole_word else escaped)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile("|".join(words), flags)
