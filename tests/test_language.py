"""Questions are routed by their language: the six UN languages, anything else as English."""

from pathlib import Path

import pytest

from bot.search import language
from bot.search.language import LanguageIdentifierUnavailable, detect_language

LABELLED = Path(__file__).resolve().parent / "data" / "languages.tsv"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Is hacking into a computer a crime?", "en"),
        ("Est-ce que le piratage informatique est un délit ?", "fr"),
        ("¿Quién paga los gastos de una solicitud de asistencia judicial?", "es"),
        ("Является ли взлом компьютера преступлением?", "ru"),
        ("非法访问计算机系统是犯罪吗？", "zh"),
        ("هل الدخول غير المشروع إلى نظام حاسوبي جريمة؟", "ar"),
        ("Ist Hacking strafbar?", "en"),  # not a UN language: treated as English
        ("40(21)", "en"),
        ("", "en"),
    ],
)
def test_detect_language(question: str, language: str) -> None:
    assert detect_language(question) == language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Extradition", "en"),  # the same word in French: English, unless the text says more
        ("statute of limitations", "en"),
        ("denunciation", "en"),
        ("È reato accedere abusivamente a un sistema informatico?", "en"),
        ("O tratado exige a conservação de dados?", "en"),
        ("protection des témoins", "fr"),
        ("Est-ce que le piratage\ninformatique est un délit ?", "fr"),  # a line break
        ("congelación de cuentas bancarias", "es"),
    ],
)
def test_short_and_foreign_texts(question: str, language: str) -> None:
    assert detect_language(question) == language


def test_english_stays_english_and_french_and_spanish_are_recognised() -> None:
    rows = [line.split("\t") for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    found = {(text, expected): detect_language(text) for expected, text in rows}
    sent_away = [text for (text, expected), got in found.items() if expected == "en" != got]
    assert sent_away == []
    other = [(expected, got) for (_, expected), got in found.items() if expected != "en"]
    assert len(other) == 80
    assert sum(expected == got for expected, got in other) >= 0.9 * len(other)


def test_a_missing_identifier_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "IDENTIFIER_PACKAGE", "no_such_package_here")
    with pytest.raises(LanguageIdentifierUnavailable, match="pip install -e"):
        language.identifier_model_path()
