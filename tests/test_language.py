"""Questions are routed by their language: the six UN languages, anything else as English."""

import pytest

from bot.search.language import detect_language


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
