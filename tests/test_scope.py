"""The scope check: subjects outside the text and other instruments, on small catalogues and on
the maintained files in treaty_text/."""

import re

import pytest

from bot.index.search_aids import load_scope_examples
from bot.search.scope import OTHER_INSTRUMENT, Instrument, Names, Scope, Subject, place_forms

NATIONAL_LAW = "national-law"

HOLDINGS = "the United Nations Convention against Cybercrime (A/RES/79/243)"


def small_scope() -> Scope:
    status = Subject(
        "status", "Not recorded.", (64, 65, 68),
        (re.compile(r"^\s*has\b[^?]*\bratified\b", re.IGNORECASE),), (),
        with_place=Names([("ratified", None), ("a party", None)]),
    )
    national = Subject(
        NATIONAL_LAW, "Not one country's law.", (), (), (),
        with_place=Names([("penalty", None), ("law", None)]), unless_convention_named=True,
    )
    instruments = [
        Instrument("the Malabo Convention", ("Malabo Convention", "Malabo"), None),
        Instrument("the Budapest Convention", ("Budapest Convention",), "budapest"),
        Instrument("the GDPR", ("GDPR",), None),
    ]
    return Scope(
        [status, national], instruments, "No provision matches.",
        places=["Kenya", "US"],
        instrument_reply="I hold {holdings}, not {instrument}.",
    )


def test_a_subject_pattern_declines_with_its_reply_and_related_articles() -> None:
    verdict = small_scope().judge("Has Brazil ratified it?")
    assert verdict is not None
    assert (verdict.subject, verdict.related) == ("status", (64, 65, 68))
    assert verdict.evidence == "Has Brazil ratified"


def test_questions_the_text_answers_are_left_to_the_search() -> None:
    scope = small_scope()
    assert scope.judge("After a State has ratified, when is it bound?") is None
    assert scope.judge("How does the convention relate to the Malabo Convention?") is None


def test_another_instrument_is_declined_naming_what_the_bot_holds() -> None:
    verdict = small_scope().judge("What does Article 5 of the Malabo Convention say?",
                                  holdings=HOLDINGS)
    assert verdict is not None
    assert verdict.subject == OTHER_INSTRUMENT
    assert verdict.instrument == "the Malabo Convention"
    assert verdict.reply == f"I hold {HOLDINGS}, not the Malabo Convention."


def test_an_instrument_the_index_holds_is_searched() -> None:
    scope = small_scope()
    question = "What does the Budapest Convention say about illegal access?"
    assert scope.judge(question, held_documents=()) is not None
    assert scope.judge(question, held_documents=("budapest",)) is None


def test_a_chinese_name_matches_inside_a_sentence() -> None:
    """Chinese writes no spaces, so a name is followed by the next word directly."""
    scope = Scope([], [Instrument("the Malabo Convention", ("Malabo", "马拉博公约"), None)], "")
    assert scope.judge("马拉博公约对数据保护有什么规定？").instrument == "the Malabo Convention"
    assert scope.judge("What does Malabobo say?") is None  # other scripts: whole words only


def test_abbreviations_match_only_in_capitals() -> None:
    scope = small_scope()
    assert scope.judge("what does the GDPR say about breaches?") is not None
    assert scope.judge("tell us what the penalty is for hacking") is None  # "us", not "US"
    assert scope.judge("What is the penalty for hacking in the US?").subject == NATIONAL_LAW


def test_a_country_with_a_word_of_law_is_national_law_unless_the_convention_is_named() -> None:
    scope = small_scope()
    assert scope.judge("What is the penalty for hacking in Kenya?").subject == NATIONAL_LAW
    assert scope.judge("Does the convention require Kenya to set a penalty?") is None
    assert scope.judge("Kenya") is None  # a place alone asks nothing about its law


def test_a_country_with_a_word_of_status_is_status_even_naming_the_convention() -> None:
    scope = small_scope()
    verdict = scope.judge("Is Kenya a party to the convention?")
    assert (verdict.subject, verdict.evidence) == ("status", "Kenya … a party")
    assert scope.judge("Can a state that is not a party ask for assistance?") is None


def test_names_are_found_as_whole_words_in_one_pass() -> None:
    names = Names([("Côte d'Ivoire", "ci"), ("Ivoire", "i"), ("US", "us"), ("Malabo", "m"),
                   ("马拉博公约", "zh")])
    question = "Does Côte d’Ivoire or the US follow the 马拉博公约, not Malabobo?"
    assert [(question[a:b], v) for a, b, v in names.find(question)] == [
        ("Côte d’Ivoire", "ci"), ("US", "us"), ("马拉博公约", "zh"),  # longest, whole words
    ]
    assert names.find("tell us about malabo") == [(14, 20, "m")]  # "us" is not "US"
    assert Names([("Kenya", None)], case_sensitive=True).find("kenya") == []
    assert not Names([])


# --- The maintained catalogue ----------------------------------------------------------------


@pytest.fixture(scope="module")
def scope() -> Scope:
    return Scope.load()


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("Has Brazil ratified it?", "status"),
        ("Quels pays ont déjà ratifié la convention ?", "status"),
        ("Le Sénégal a-t-il signé la convention ?", "status"),
        ("¿Cuántos países son ya parte de la convención?", "status"),
        ("Combien de temps ont duré les négociations ?", "history"),
        ("Pourquoi les négociations ont-elles été si longues ?", "history"),
        ("What happened during the negotiations in New York?", "history"),
        ("How many parties are there now?", "status"),
        ("How long did the negotiations take?", "history"),
        ("What does Article 5 of the Malabo Convention say?", OTHER_INSTRUMENT),
        ("How much does ransomware cost the world each year?", "statistics"),
        ("What is the penalty for hacking in Kenya?", NATIONAL_LAW),
        ("Which antivirus does the convention recommend?", "products"),
        ("La Suisse a-t-elle ratifié la convention ?", "status"),
        ("¿Cuántos países han firmado ya la convención?", "status"),
        ("中国批准这个公约了吗？", "status"),
        ("Has Peru become a party yet?", "status"),
        ("¿Chile ratificó el tratado?", "status"),
        ("Did the Bundestag vote to ratify it?", "status"),
        ("Who drafted the first version of the treaty?", "history"),
        ("Кто инициировал эту конвенцию?", "history"),
        ("¿Cuál es la pena por estafa en línea en Perú?", NATIONAL_LAW),
        ("Какой штраф за утечку данных в России?", NATIONAL_LAW),
        ("Does the convention apply to Amazon?", "products"),
        ("Who spoke at the adoption?", "news"),
        ("How can I report a phishing message?", "other"),
        ("What does the Budapest Convention's second protocol say about video conferencing?",
         OTHER_INSTRUMENT),
        ("Is Germany bound by the UN cybercrime convention now?", "status"),
        ("Is the United States planning to ratify it?", "status"),
        ("Which countries refused to sign the cybercrime convention?", "status"),
        ("Why did Russia propose a UN cybercrime treaty?", "history"),
        ("Do experts think the treaty threatens free speech?", "opinion"),
        ("¿Es este tratado bueno o malo para los derechos humanos?", "opinion"),
        ("Who will chair the first Conference of the States Parties?", "other"),
        ("What is the minimum age for social media accounts in Brazil?", NATIONAL_LAW),
        ("马拉博公约对数据保护有什么规定？", OTHER_INSTRUMENT),
        ("¿Cuántos Estados son ya parte de la convención?", "status"),
        ("有多少国家批准了该公约？", "status"),
        ("¿Cuánto duraron las negociaciones del tratado?", "history"),
        ("这项公约是谁提出的？", "history"),
        ("من اقترح هذه الاتفاقية؟", "history"),
        ("在中国黑客攻击会被判几年？", NATIONAL_LAW),
        ("ما هي عقوبة الاحتيال الإلكتروني في مصر؟", NATIONAL_LAW),
        ("Qui présidera la première Conférence des États parties ?", "other"),
        ("من سيرأس المؤتمر الأول للدول الأطراف؟", "other"),
        ("Эта конвенция действительно уменьшит киберпреступность?", "opinion"),
        ("这项公约真的能减少网络犯罪吗？", "opinion"),
        ("Which forensics software does the treaty recommend for seizing phones?", "products"),
        ("Does the convention mandate a particular encryption product?", "products"),
        ("Какое программное обеспечение рекомендует конвенция?", "products"),
        ("公约推荐使用哪种杀毒软件？", "products"),
        ("ما برنامج مكافحة الفيروسات الذي تعتمده الحكومة؟", "products"),
        ("Should we ratify it or is it mostly symbolic?", "opinion"),
        ("¿Le conviene a mi país adherirse?", "opinion"),
        ("Стоит ли Казахстану присоединяться к конвенции?", "opinion"),
        ("Is the UN treaty more effective than the Budapest Convention?", "opinion"),
        ("Who was the first person extradited under the treaty?", "news"),
        ("ransomware arrests this month", "news"),
        ("Should I call the police or a lawyer first?", "other"),
        ("¿Cómo denunciar una estafa en línea en Madrid?", "other"),
        ("Has Chile designated its central authority yet?", "status"),
        ("Ратифицировала ли Франция конвенцию?", "status"),
        ("谈判期间各国有哪些分歧？", "history"),
    ],
)
def test_the_catalogue_knows_the_kinds_of_question_the_text_does_not_answer(
    scope: Scope, question: str, subject: str
) -> None:
    verdict = scope.judge(question, ("convention",), HOLDINGS)
    assert verdict is not None and verdict.subject == subject


@pytest.mark.parametrize(
    "question",
    [
        "When will the convention enter into force?",
        "how many ratifications before the convention enters into force",
        "Where and until when can States sign the convention?",
        "Who is the depositary of the convention?",
        "How does this treaty relate to the Budapest Convention and other agreements?",
        "Do states share statistics on cybercrime with each other?",
        "ddos attack that took a bank's website offline",
        "Can disputes be settled by negotiation?",
        "How is an amendment adopted if there is no consensus?",
        "Must the convention's measures be consistent with the Convention on the Rights of the"
        " Child?",
        "Can a State still sign after the signing ceremony?",
        "Must States exchange news of technological developments?",
        "How many instruments of ratification are needed before it enters into force?",
        "When will the Conference of the States Parties first meet?",
        "Can the European Union become a party to the convention?",
        "If Kenya ratified today, when would the convention enter into force for it?",
        "How does ratification work for a country like Brazil?",
        "Is Germany bound by a protocol it did not ratify?",
        "Does the convention protect journalists' freedom of expression?",
        "My nude photos were leaked. Is the state supposed to help me recover?",
        "¿Cómo funcionará la cooperación internacional?",
        "公约需要多少个国家批准才能生效？",
        "Qui convoque la Conférence des États parties ?",
        "这项公约规定如何减少网络犯罪？",
        "¿Cuántos Estados deben ratificar para que entre en vigor?",
        "A state ratifies after the treaty is already in force: from what date is it bound?",
        "Становится ли поправка обязательной для тех, кто её не ратифицировал?",
        "Через сколько дней поправка вступает в силу для государства, которое её ратифицировало?",
        "两个缔约国对公约的解释有争议，能否提交国际法院？",
        "Which tools does the convention give investigators to preserve data?",
        "Если страна ратифицировала конвенцию, связана ли она протоколами?",
        "Si un país ratificó la convención, ¿queda obligado por sus protocolos?",
        "Quand se réunissent pour la première fois les États qui ont ratifié la convention ?",
        "Un État qui a ratifié après l'entrée en vigueur est lié à partir de quand ?",
        "Deux pays ne s'entendent pas sur l'interprétation et les négociations n'ont rien donné :"
        " que prévoit la convention ?",
        "If two States Parties are in a dispute and the negotiations fail, can it go to"
        " arbitration?",
        "¿Cuántos países tienen que ser parte antes de que entre en vigor un protocolo?",
        "¿Cuántos Estados partes tiene que haber para que se apruebe una enmienda?",
        "إذا فشلت المفاوضات بين دولتين في حل نزاع حول تفسير الاتفاقية، ما الخطوة التالية؟",
    ],
)
def test_the_catalogue_leaves_what_the_text_answers_to_the_search(
    scope: Scope, question: str
) -> None:
    assert scope.judge(question, ("convention",), HOLDINGS) is None


@pytest.mark.parametrize(
    ("question", "instrument"),
    [
        ("What does section 4 of the Ruritanian Cyber Security Act say?",
         "Ruritanian Cyber Security Act"),
        ("Under Article 9 of the Andean Model Code on Evidence, who keeps the logs?",
         "Andean Model Code on Evidence"),
        ("Que dit l'article 3 de la loi sur la confiance numérique ?",
         "loi sur la confiance numérique"),
        ("¿Qué dice el artículo 7 de la Ley de Delitos Informáticos de Ruritania?",
         "Ley de Delitos Informáticos de Ruritania"),
        ("Что говорит статья 12 Федерального закона о связи?", "Федерального закона о связи"),
        ("《数据出境安全评估办法》第四条是怎么规定的？", "数据出境安全评估办法"),
        ("ماذا تنص المادة 4 من قانون المعاملات الإلكترونية؟", "قانون المعاملات الإلكترونية"),
    ],
)
def test_an_instrument_cited_by_its_shape_is_declined_in_its_own_words(
    scope: Scope, question: str, instrument: str
) -> None:
    """Not in the list, but cited as another instrument's article: never looked up here."""
    verdict = scope.judge(question, ("convention",), HOLDINGS)
    assert verdict is not None and verdict.subject == OTHER_INSTRUMENT
    assert verdict.instrument == instrument and instrument in verdict.reply


@pytest.mark.parametrize(
    "question",
    [
        "What does Article 17 of the Convention say?",
        "Article 10 of the United Nations Convention against Cybercrime",
        "What does Article 10 of the United Nations Convention say?",
        "What does Article 32 of the Budapest Convention say?",  # held: searched
        "Que dit l'article 40 de la convention, paragraphe 21 ?",
        "¿Qué dice el artículo 17 de la Convención?",
        "Что говорит статья 25 Конвенции?",
        "《联合国打击网络犯罪公约》第5条规定了什么？",
        "《公约》第十七条",
        "ماذا تقول المادة 17 من الاتفاقية؟",
    ],
)
def test_this_convention_cited_by_its_shape_is_searched(scope: Scope, question: str) -> None:
    assert scope.judge(question, ("convention", "budapest"), HOLDINGS) is None


def test_every_subject_has_examples_in_the_six_languages_that_do_not_name_the_convention(
    scope: Scope,
) -> None:
    """The examples are matched by similarity (bot.search.fusion.outside_the_text); one that
    named this Convention in full would come close to every question that does."""
    by_subject: dict[str, list[str]] = {}
    for example in load_scope_examples():
        by_subject.setdefault(example.subject, []).append(example.text)
    assert set(by_subject) == {subject.id for subject in scope.subjects}
    full_name = re.compile(
        r"(United Nations|UN) Convention against Cybercrime|UN cybercrime (convention|treaty)"
        r"|Nations Unies contre la cybercriminalité|Naciones Unidas contra la Ciberdelincuencia"
        r"|ООН против киберпреступности|联合国打击网络犯罪公约"
        r"|الأمم المتحدة لمكافحة الجريمة السيبرانية",
        re.IGNORECASE,
    )
    scripts = {"ru": re.compile("[а-яё]", re.I), "zh": re.compile("[\u4e00-\u9fff]"),
               "ar": re.compile("[\u0600-\u06ff]")}
    for subject, examples in by_subject.items():
        assert len(examples) >= 30, subject
        assert not [e for e in examples if full_name.search(e)], subject
        for language, script in scripts.items():
            assert any(script.search(e) for e in examples), (subject, language)


def test_every_subject_has_a_reply_and_existing_related_articles(scope: Scope) -> None:
    assert scope.default_reply and "{instrument}" in scope.instrument_reply
    for subject in scope.subjects:
        assert subject.reply and subject.patterns, subject.id
        assert all(1 <= article <= 68 for article in subject.related)
    assert [s.related for s in scope.subjects if s.id == "status"] == [(64, 65, 68)]


@pytest.mark.parametrize(
    ("question", "decides"),
    [
        ("Does the General Assembly urge States to sign the convention quickly?", True),
        ("What did the resolution ask the Secretary-General to do?", True),
        ("Which earlier resolution set up the committee?", True),
        ("Is there a day against cybercrime? (the anti-cybercrime day)", True),
        ("Which countries voted against it in the General Assembly?", False),
        ("How long did the negotiations take?", False),
    ],
)
def test_what_the_resolution_decides_is_told_from_the_negotiating_history(
    scope: Scope, question: str, decides: bool
) -> None:
    """A question on what the General Assembly decided is searched in the resolution; one on how
    the text was negotiated or voted is not (the resolution does not record it)."""
    assert (scope.about_resolution(question) is not None) is decides


@pytest.mark.parametrize(
    ("place", "form"),
    [
        ("Канада", "Канадой"), ("Германия", "Германию"), ("Китай", "Китае"), ("Алжир", "Алжиром"),
        ("Беларусь", "Беларусью"), ("مصر", "بمصر"), ("السعودية", "والسعودية"),
        ("السعودية", "للسعودية"),
    ],
)
def test_a_place_is_found_in_the_forms_questions_write(place: str, form: str) -> None:
    assert form in place_forms(place)
    assert Names([(f, None) for f in place_forms(place)], case_sensitive=True).find(f"x {form} y")


def test_abbreviations_and_other_scripts_keep_their_one_form() -> None:
    assert place_forms("США", lower_case=True) == ["США"]
    assert place_forms("Kenya") == ["Kenya"]
    assert place_forms("Kenya", lower_case=True) == ["Kenya", "kenya"]


def test_a_place_in_lower_case_counts_unless_it_is_an_everyday_word(scope: Scope) -> None:
    assert scope.judge("is doxxing illegal in india") is not None
    assert scope.judge("how to cook turkey legally in the oven") is None
    assert scope.judge("is the french text of the convention legally binding") is None


@pytest.mark.parametrize(
    "question",
    [
        "公约什么时候生效？",
        # who may sign or join: article 64 (both were declined as status, by their examples)
        "Who can sign the convention?",
        "Which states can sign the convention?",
        "Does every country have to keep a contact point open around the clock?",
        "Can attacks on hospitals be punished more harshly?",
        "¿Puede firmar una organización regional? ¿Con qué condición?",
        "Предусматривает ли конвенция направление офицеров связи?",
        "هل تُلزم الاتفاقية الدول بتجريم الاحتيال؟",
    ],
)
def test_examples_never_decline_a_question_that_asks_what_the_text_provides(
    scope: Scope, question: str
) -> None:
    status = next(e for e in load_scope_examples() if e.subject == "status")
    assert scope.example_verdict(status, question, "close") is None
    assert scope.example_verdict(status, "Is Peru on board now?", "close") is not None
