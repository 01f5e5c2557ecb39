"""What a result quotes, on a small made-up article: the unit chosen, a sub-paragraph with its
paragraph's lead-in, the other matching paragraphs, the pages, the best clause, the notes, the
paragraph aids."""

from dataclasses import replace

import numpy as np
import pytest

from bot.datafiles import DataFileError
from bot.encoding.lexical import tokenize
from bot.index.chunking import Chunk, clause_spans, clauses_of
from bot.index.search_aids import ParagraphAid, load_paragraph_aids
from bot.search import fusion
from bot.search.cues import Cue, Cues
from bot.search.highlight import Clauses
from bot.search.paragraphs import DistinctiveWords, ParagraphAidMatch, QuotableUnits, closeness
from bot.treaty.citations import also_line, provision_citation
from bot.treaty.model import Article, Chapter, Note, Paragraph, Treaty, split_parts
from bot.treaty.notes import note_applies
from bot.treaty.pages import PageMapError, with_pages

LEAD = "States Parties shall cooperate to:"
ITEMS = ["(a) Exchange information;", "(b) Provide items or data;", "(c) Train personnel."]
CLOSED = ["Each State Party shall empower its authorities to:", "(a) Collect; and",
          "(b) Record;", "traffic data, in real time."]


def paragraph(label, lines, pages=()):
    parts = split_parts(lines)
    if pages:
        parts = tuple(
            replace(part, pages=page) for part, page in zip(parts, pages, strict=True)
        )
    return Paragraph(label, parts)


@pytest.fixture
def treaty() -> Treaty:
    article = Article(9, "Cooperation", "V", "International cooperation", (
        paragraph("1", [LEAD, *ITEMS], pages=[(30,), (30,), (30,), (31,)]),
        paragraph("2", CLOSED),
        paragraph("3", ["The costs shall be borne by the requested State. Others may agree."]),
    ))
    return Treaty("T", "S", "0", (), (Chapter("V", "International cooperation", (article,)),))


@pytest.fixture
def chunks(treaty: Treaty) -> list[Chunk]:
    from bot.index.chunking import chunk_treaty

    return chunk_treaty(treaty, lambda text: len(text.split()), 200)


def scores_for(chunks, wanted: dict[tuple[str | None, str | None], float]) -> np.ndarray:
    return np.array([wanted.get((c.paragraph, c.subparagraph), 0.0) for c in chunks])


def test_items_of_a_paragraph_that_fits_get_units_of_their_own(chunks) -> None:
    kinds = [(c.kind, c.paragraph, c.subparagraph) for c in chunks]
    assert ("paragraph", "1", None) in kinds
    assert [k for k in kinds if k[0] == "subparagraph"] == [
        ("subparagraph", "1", "a"), ("subparagraph", "1", "b"), ("subparagraph", "1", "c"),
        ("subparagraph", "2", "a"), ("subparagraph", "2", "b"),
    ]


def test_a_sub_paragraph_that_scores_higher_than_its_paragraph_is_quoted_with_the_lead_in(
    treaty, chunks
) -> None:
    units = QuotableUnits(chunks, treaty)
    assert units.choose(9, scores_for(chunks, {("1", None): 0.5, ("1", "b"): 0.55})) == next(
        i for i, c in enumerate(chunks) if (c.kind, c.paragraph) == ("paragraph", "1")
    )  # a near tie: the question is about the whole paragraph
    chosen = units.choose(9, scores_for(chunks, {("1", None): 0.5, ("1", "b"): 0.9}))
    quote = units.quote(chosen)
    assert (quote.paragraph.label, quote.subparagraph) == ("1", "b")
    assert quote.text == ITEMS[1]
    assert quote.lead_in == LEAD
    assert quote.paragraph.text[quote.offset:].startswith(quote.text)
    assert quote.pages == (30,)


def test_a_paragraph_scoring_higher_than_its_items_is_quoted_whole(treaty, chunks) -> None:
    units = QuotableUnits(chunks, treaty)
    quote = units.quote(units.choose(9, scores_for(chunks, {("1", None): 0.9, ("1", "b"): 0.5})))
    assert (quote.subparagraph, quote.lead_in, quote.text) == (None, None, treaty.article(9)
                                                               .paragraph("1").text)
    assert quote.pages == (30, 31)


def test_a_list_closed_by_words_for_every_item_is_never_cut(treaty, chunks) -> None:
    units = QuotableUnits(chunks, treaty)
    quote = units.quote(units.choose(9, scores_for(chunks, {("2", None): 0.5, ("2", "a"): 0.9})))
    assert quote.subparagraph is None
    assert quote.text.endswith("traffic data, in real time.")


def test_other_matching_paragraphs_are_listed_once_without_the_quoted_one(treaty, chunks) -> None:
    units = QuotableUnits(chunks, treaty)
    dense = scores_for(chunks, {("1", None): 0.6, ("1", "b"): 0.62, ("2", None): 0.57,
                                ("3", None): 0.2})
    quoted = units.choose(9, dense)
    assert units.also(9, quoted, dense) == ("2",)
    assert also_line(("2",)) == "Also: paragraph 2"
    assert also_line(("3", "5")) == "Also: paragraphs 3, 5"
    assert also_line(("(c)", "(d)")) == "Also: (c), (d)"


def test_citations_name_the_sub_paragraph() -> None:
    assert provision_citation(47, "1", "c") == "Article 47, paragraph 1 (c)"
    assert provision_citation(2, None, "h") == "Article 2 (h)"
    assert provision_citation(40, "21") == "Article 40, paragraph 21"
    assert provision_citation(10) == "Article 10"


def test_clauses_are_sentences_and_items_and_the_best_one_is_marked(treaty) -> None:
    text = treaty.article(9).paragraph("3").text
    spans = clause_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "The costs shall be borne by the requested State.", "Others may agree."
    ]
    clauses = clauses_of(treaty)
    texts = [treaty.article(9).paragraphs[c.paragraph].text[c.start:c.end] for c in clauses]
    index = Clauses(clauses, texts)
    similarity = np.zeros(len(clauses))
    scores = index.scores(similarity, ["cost", "borne"])
    start, end = index.best(9, 2, 0, len(text), scores)
    assert text[start:end] == "The costs shall be borne by the requested State."
    one_clause = ITEMS[1]
    offset = treaty.article(9).paragraph("1").text.find(one_clause)
    assert index.best(9, 0, offset, len(one_clause), scores) is None  # nothing to single out


def test_a_cue_gives_the_paragraphs_it_points_to_a_bonus(chunks) -> None:
    import re

    cost = Cue("cost", re.compile(r"\bwho pays\b", re.I), re.compile(r"\bborne\b", re.I))
    first = Cue("subject-only", re.compile(r"^[^?]*$"), None)
    cues = Cues([cost, first], chunks)
    assert cues.matching("who pays for it?") == [cost]
    dense = np.ones(len(chunks))
    scores = fusion.unit_scores(dense, np.zeros(len(chunks)), np.zeros(len(chunks)), (),
                                cues.units([cost]))
    borne = [i for i, c in enumerate(chunks) if "borne" in c.text]
    assert scores[borne[0]] == pytest.approx(1 + fusion.CUE_BOOST)
    assert scores[next(i for i in range(len(chunks)) if i not in borne)] == pytest.approx(1)
    firsts = cues.units([first])[0]
    assert {chunks[i].paragraph for i in np.flatnonzero(firsts)} == {"1"}


def test_a_cue_names_the_subject_its_question_pattern_marks(chunks) -> None:
    import re

    about = Cue("about", re.compile(r"^what about (?P<subject>[^?]+)\??$|^(?P<subject_zh>\w+)呢",
                                    re.I), None)
    cost = Cue("cost", re.compile(r"\bwho pays\b", re.I), None)
    question = "What about extradition?"
    assert Cues.subject_named(question, Cues([about, cost], chunks).matching(question)) == (
        "extradition"
    )
    assert Cues.subject_named("引渡呢", [about]) == "引渡"
    assert Cues.subject_named("who pays for extradition?", [cost]) is None
    assert Cues.subject_named("What about extradition?", []) is None


def test_a_cue_yields_to_a_narrower_one_matched_too(chunks) -> None:
    import re

    offence = Cue("offence", re.compile(r"\bcrime\b"), None, frozenset({"option"}))
    option = Cue("option", re.compile(r"\bmay a state\b"), None)
    cues = Cues([offence, option], chunks)
    assert cues.matching("is it a crime?") == [offence]
    assert cues.matching("may a state limit the crime?") == [option]


def test_an_action_cue_raises_the_articles_that_provide_the_action(chunks) -> None:
    import re

    pays = Cue("cost", re.compile(r"\bwho pays\b"), re.compile(r"\bborne\b"),
               ranks_articles=True)
    cues = Cues([pays], chunks)
    providing = cues.articles([pays])
    assert providing == {c.article for c in chunks if "borne" in c.text}
    assert cues.articles([Cue("cost", pays.question, pays.paragraph)]) == set()
    article = min(providing)
    others = [a for a in range(1, 69) if a not in providing][:fusion.RESCORED - 1]
    fused = {**{a: 2.0 - i / 10 for i, a in enumerate(others)}, article: 1.5}
    raised = fusion.cued(fused, providing)
    assert fusion.top_articles(raised, 1) == [article]
    assert raised[article] == pytest.approx(1.5 + fusion.ARTICLE_CUE_BOOST)
    assert {a: raised[a] for a in others} == {a: fused[a] for a in others}
    far = {**{a: 2.0 for a in others}, article: 0.1}
    assert fusion.cued(far, providing, n=len(others)) == far  # not among the first: unchanged


def test_an_article_whose_aid_is_clearly_closer_than_the_first_ones_is_raised() -> None:
    fused = {16: 2.4, 34: 1.8, 14: 1.6, 44: 1.2}
    best_aid = {16: 0.69, 34: 0.89, 14: 0.75, 44: 0.60}
    raised = fusion.aid_led(fused, best_aid)
    assert raised[34] == pytest.approx(1.8 + fusion.AID_LEAD_BOOST)
    assert {a: raised[a] for a in (16, 14, 44)} == {16: 2.4, 14: 1.6, 44: 1.2}  # within margin
    assert fusion.aid_led(fused, {**best_aid, 16: 0.80}) == fused
    assert fusion.aid_led({}, best_aid) == {}


def test_a_question_naming_another_state_asks_for_the_international_counterpart() -> None:
    import re

    from bot.search.cues import Counterparts

    pairs = Counterparts(re.compile(r"\bforeign\b"), ((25, 42), (29, 45)))
    assert pairs.preferred("how long is data preserved?") == []
    asked = pairs.preferred("how long is data preserved for a foreign state?")
    assert asked == [(42, 25), (45, 29)]
    fused = {25: 2.0, 7: 1.5, 42: 1.2, 29: 1.0, 1: 0.9, 2: 0.8, 45: 0.1}
    swapped = fusion.before_counterparts(fused, asked)
    assert fusion.top_articles(swapped, 3) == [42, 7, 25]
    assert swapped[45] == fused[45] and swapped[29] == fused[29]  # 45 is not among the first


def test_a_note_goes_with_what_it_interprets() -> None:
    on_e = Note(1, "Article 2", (2,), "The definition in article 2 (e) includes ...")
    on_all = Note(2, "Article 2", (2,), "States parties need not reproduce the terms.")
    on_term = Note(4, "Articles 23 and 35, with regard to the term “investigation”", (23, 35),
                   "The term covers ...")
    assert note_applies(on_e, 2, None, "e", "(e) “Service provider” ...")
    assert not note_applies(on_e, 2, None, "h", "(h) “Serious crime” ...")
    assert note_applies(on_all, 2, None, "h", "(h) ...")
    assert note_applies(on_term, 23, "1", None, "for the purpose of specific criminal "
                                                "investigations or proceedings")
    assert not note_applies(on_term, 23, "3", None, "Each State Party may reserve the right")
    assert not note_applies(on_all, 7, "1", None, "anything")


def test_the_page_map_is_laid_onto_every_line(treaty) -> None:
    article = treaty.article(9)
    lines = ["Article 9", "Cooperation", f"1. {LEAD}", *ITEMS, f"2. {CLOSED[0]}", *CLOSED[1:],
             "3. " + article.paragraph("3").text]
    text = "\n\n".join(lines)
    pages = [(29,), (29,), (29,), (29,), (30,), (30,), (30,), (30,), (30, 31), (31,), (31,)]
    mapped = with_pages(treaty, text, pages).article(9)
    assert mapped.paragraph("1").pages == (29, 30)
    assert mapped.paragraph("2").pages == (30, 31)
    assert [p.text for p in mapped.paragraphs] == [p.text for p in article.paragraphs]
    assert with_pages(treaty, text, ()) is treaty  # a text source: no pages
    with pytest.raises(PageMapError):
        with_pages(treaty, text, pages[:-1])


@pytest.mark.parametrize(
    ("question", "cue", "matches"),
    [
        ("Can a state opt out of the arbitration clause?", "reserve-right", True),
        ("Un État peut-il émettre une réserve ?", "reserve-right", True),
        ("What must a request to preserve data abroad specify?", "reservation", False),
        ("Must the provider keep the order secret?", "confidentiality", True),
        ("What does the secretariat do for the Conference?", "confidentiality", False),
        ("When does the convention enter into force?", "time", True),
        ("When a provider is told to preserve data, may it tell the customer?", "time", False),
        ("Can a state add a condition that security measures were broken?", "option", True),
        ("¿Puede un Estado exigir que haya intención dolosa?", "option", True),
        ("Может ли государство ограничить эту меру?", "option", True),
        ("Is our cloud company allowed to tell the customer?", "option", False),
        ("Can someone be extradited for hacking?", "option", False),
        ("What must a request to preserve data abroad specify?", "contents", True),
        ("Que doit contenir une demande d'entraide ?", "contents", True),
        ("What is the purpose of the convention?", "contents", False),
        ("Are we allowed to tell the customer about the preservation order?",
         "confidentiality", True),
        ("Must a state inform the Secretary-General of its central authority?",
         "confidentiality", False),
        ("Will the provider tell me about the order?", "confidentiality", True),
        ("Tell me about the preservation of data", "confidentiality", False),
        ("Tell me about the preservation of data", "subject-introduced", True),
        ("¿Qué dice la convención sobre la extradición?", "subject-introduced", True),
        ("公约关于引渡有什么规定？", "subject-introduced", True),
        ("What about the time limit, can it be extended?", "subject-introduced", False),
        ("Is a state allowed to demand proof of intent to harm?", "option", True),
        ("Does tampering with data have to cause serious harm before it is punished?",
         "element", True),
        ("Does tampering with data have to cause serious harm before it is punished?",
         "offence", False),
        ("Is hacking a crime under the convention?", "offence", True),
        ("Is hacking a crime under the convention?", "element", False),
        ("I do penetration testing for banks with their permission: could I be charged?",
         "permitted", True),
        ("¿Es delito el hacking ético con permiso del dueño?", "permitted", True),
        ("Is it a crime to sell hacking tools?", "permitted", False),
        ("Someone shared my intimate photos online. Can I get them taken down?", "removal", True),
        ("¿Obliga el tratado a que se retiren las fotos?", "removal", True),
        ("Is deleting someone else's data a crime?", "removal", False),
        ("Is a failed attempt to break into a network punishable?", "attempt", True),
        ("Is it a crime to try to guess a password?", "attempt", False),
        ("He never got past the password. Since he failed, can he be punished?", "attempt", True),
        ("Is selling logins an offence if the seller never attempts to use them?", "attempt",
         False),
        ("He wrote the scam letters for his friend. Could he be charged too?", "accomplice", True),
        ("Is aiding and abetting a hack punishable?", "accomplice", True),
        ("Can NGOs participate in the Conference?", "accomplice", False),
        ("Can we tell another country about the wallets if it never asked?", "unasked", True),
        ("是否应删除数据？", "removal", False),
        ("Can a state send information on proceeds without prior request?", "unasked", True),
        ("My ex posted videos of me without asking me. Is that a crime?", "unasked", False),
        ("Our law calls it fraud, theirs calls it theft: is dual criminality met?", "naming",
         True),
        ("Do victims get psychological support?", "recovery", True),
        ("How are stolen assets recovered from abroad?", "recovery", False),
        ("Can a scam victim get compensation?", "compensation", True),
        ("Who pays the costs of a request?", "compensation", False),
        ("Does a state have to explain why it refused assistance?", "reasons", True),
        ("L'État requis doit-il motiver son refus ?", "reasons", True),
        ("What are the grounds for refusing assistance?", "reasons", False),
        ("How many years after entry into force can amendments be proposed?", "years", True),
        ("How many years after entry into force can amendments be proposed?", "time", False),
        ("公约生效后要过几年才能提出修正案？", "years", True),
        ("Within how many days must the data be preserved?", "days", True),
        ("How long does preservation last?", "time", True),
        ("If the suspect has died, can the money be confiscated without a conviction?",
         "without-conviction", True),
        ("Can money be confiscated after a conviction?", "without-conviction", False),
        ("If a state pulls out of the convention, is it bound by its protocols?",
         "denunciation", True),
        ("Can a state withdraw its reservation?", "denunciation", False),
        ("Can a state reserve the right to limit real-time collection?", "reserve-right", True),
        ("Can a state reserve the right to limit real-time collection?", "reservation", False),
        ("Combien de temps les données conservées doivent-elles être préservées ?",
         "reserve-right", False),
        ("Is there an exception for journalists?", "reserve-right", False),
        ("Is there an exception for journalists?", "reservation", True),
        ("asistencia judicial recíproca: motivos para denegar una solicitud", "reasons", False),
        ("¿Se admite una reserva para no quedar sometido al arbitraje?", "reserve-right", True),
    ],
)
def test_the_maintained_cues_match_what_the_question_asks(
    chunks, question: str, cue: str, matches: bool
) -> None:
    """A cue's words inside another word ("preserve", "secretariat") are not the cue, nor is
    a "when" that opens a condition rather than asking for a time; a State's option is asked
    about the State, not about anyone who "can" do something."""
    cues = Cues.load(chunks)
    assert (cue in [c.id for c in cues.matching(question)]) is matches




@pytest.mark.parametrize(
    ("text", "leaves_a_choice"),
    [
        ("Each State Party may, at the time of signature, declare that it does not consider "
         "itself bound", True),
        ("States Parties may take other measures concerning matters related to this article",
         True),
        # a right in a dispute, and the Conference's power, are not a State's choice of how
        # to implement the Convention (the option cue raised 63 (2) over 63 (3))
        ("If, six months after the date of the request for arbitration, ... any one of those "
         "States Parties may refer the dispute to the International Court of Justice", False),
        ("the Conference of the States Parties may establish and admit observers", False),
    ],
)
def test_the_option_cue_marks_the_paragraphs_that_leave_a_state_party_a_choice(
    chunks, text: str, leaves_a_choice: bool
) -> None:
    option = next(c for c in Cues.load(chunks).cues if c.id == "option")
    assert (option.paragraph.search(text) is not None) is leaves_a_choice


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        ("Who is the depositary of the UN Convention against Cybercrime?",
         "Who is the depositary of the Convention?"),
        ("Under United Nations Convention against Cybercrime, is grooming an offence?",
         "Under the Convention, is grooming an offence?"),
        ("Can a state leave this UN cybercrime treaty?", "Can a state leave this treaty?"),
        ("Qui est le dépositaire de la Convention des Nations Unies contre la cybercriminalité ?",
         "Qui est le dépositaire de la Convention ?"),
        ("¿La Convención de las Naciones Unidas contra la Ciberdelincuencia protege la "
         "privacidad?", "¿La Convención protege la privacidad?"),
        ("Кто является депозитарием Конвенции ООН против киберпреступности?",
         "Кто является депозитарием Конвенции?"),
        ("《联合国打击网络犯罪公约》何时生效？", "《公约》何时生效？"),
        ("من هو الوديع لاتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية؟",
         "من هو الوديع للاتفاقية؟"),
        # the Budapest Convention's names, and a treaty that is not this one, are left alone
        ("Is the Convention on Cybercrime open to non-European states?",
         "Is the Convention on Cybercrime open to non-European states?"),
        ("¿Qué dice el Convenio sobre la Ciberdelincuencia?",
         "¿Qué dice el Convenio sobre la Ciberdelincuencia?"),
        ("Does a regional cybercrime treaty prevail?",
         "Does a regional cybercrime treaty prevail?"),
    ],
)
def test_the_convention_named_in_full_is_read_as_its_head_word(
    chunks, question: str, read_as: str
) -> None:
    assert Cues.load(chunks).shortened(question) == read_as


# --- Paragraph aids ------------------------------------------------------------------------


def test_paragraph_aid_keys_name_a_paragraph_an_item_or_an_unnumbered_item(tmp_path) -> None:
    path = tmp_path / "paragraph_aids.toml"
    path.write_text('[9]\n"3" = ["who pays", "cost of it"]\n"1(b)" = ["hand over data"]\n'
                    '[2]\n"(h)" = ["how serious"]\n[10]\n"article" = ["DDoS"]\n',
                    encoding="utf-8")
    assert [(a.article, a.paragraph, a.subparagraph, a.text, a.key)
            for a in load_paragraph_aids(path)] == [
        (9, "3", None, "who pays", "3"), (9, "3", None, "cost of it", "3"),
        (9, "1", "b", "hand over data", "1(b)"), (2, None, "h", "how serious", "(h)"),
        (10, None, None, "DDoS", "article"),
    ]


@pytest.mark.parametrize("table", ['[9]\n"1b" = ["x"]\n', '[9]\n"3" = "not a list"\n',
                                   '[nine]\n"3" = ["x"]\n'])
def test_a_malformed_paragraph_aid_names_the_file_and_the_way_to_write_it(
    tmp_path, table: str
) -> None:
    path = tmp_path / "paragraph_aids.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"paragraph_aids\.toml.*write \[40\]"):
        load_paragraph_aids(path)


def test_an_aid_describes_its_paragraph_and_its_item_not_the_siblings() -> None:
    item = ParagraphAid(9, "1", "b", "hand over data")
    assert item.describes(9, "1", "b") and item.describes(9, "1", None)
    assert not item.describes(9, "1", "a")
    assert not item.describes(9, "2", None) and not item.describes(8, "1", "b")
    whole = ParagraphAid(9, "1", None, "cooperate")
    assert whole.describes(9, "1", "c")
    unnumbered = ParagraphAid(2, None, "h", "how serious")
    assert unnumbered.describes(2, None, "h") and not unnumbered.describes(2, None, "g")
    article = ParagraphAid(13, None, None, "online fraud")  # printed as one paragraph
    assert article.describes(13, None, None) and article.describes(13, None, "c")


def test_a_unit_is_as_close_as_its_best_aid_over_the_closest_aid_of_all(treaty, chunks) -> None:
    import faiss

    aids = [ParagraphAid(9, "3", None, "who pays"), ParagraphAid(9, "1", "b", "hand over"),
            ParagraphAid(9, "1", "b", "give data")]
    vectors = faiss.IndexFlatIP(2)
    vectors.add(np.array([[0.5, 0.0], [0.3, 0.4], [0.0, 1.0]], dtype=np.float32))
    match = ParagraphAidMatch(aids, chunks, {"dense": vectors, "multilingual": None})
    cosines = match.cosines("dense", np.array([1.0, 0.0]))
    assert cosines[next(i for i, c in enumerate(chunks) if c.paragraph == "2")] == -np.inf
    near = closeness(cosines)
    at = {(c.kind, c.paragraph, c.subparagraph): near[i] for i, c in enumerate(chunks)}
    assert at[("paragraph", "3", None)] == pytest.approx(1.0)
    assert at[("subparagraph", "1", "b")] == pytest.approx(0.6)  # its better aid, 0.3 / 0.5
    assert at[("paragraph", "1", None)] == pytest.approx(0.6)  # the paragraph holds the item
    assert at[("subparagraph", "1", "a")] == at[("paragraph", "2", None)] == 0
    assert match.cosines("multilingual", np.array([1.0, 0.0])) is None
    units = QuotableUnits(chunks, treaty)
    tie = np.ones(len(chunks))
    scores = fusion.unit_scores(tie, np.zeros(len(chunks)), np.zeros(len(chunks)),
                                aided=[near])
    quoted = units.quote(units.choose(9, scores))
    assert quoted.paragraph.label == "3"  # the dense tie is broken by the closest aid


def test_within_an_article_the_aid_that_differs_from_the_others_in_the_questions_way_wins(
    chunks,
) -> None:
    import faiss

    # Every aid shares the article's subject (the first axis); paragraph 3's aid is mostly
    # subject, so the plain cosine prefers it. The question leans, beyond the subject, towards
    # what only paragraph 2's aid says (the third axis).
    aids = [ParagraphAid(9, "1", None, "who asks"), ParagraphAid(9, "2", None, "how fast"),
            ParagraphAid(9, "3", None, "in general")]
    vectors = faiss.IndexFlatIP(4)
    vectors.add(np.array([[0.8, 0.6, 0, 0], [0.8, 0, 0.6, 0], [0.96, 0, 0, 0.28]],
                         dtype=np.float32))
    match = ParagraphAidMatch(aids, chunks, {"dense": vectors, "multilingual": None})
    question = np.array([0.9, 0.0, 0.2, 0.0])
    unit = {c.paragraph: i for i, c in enumerate(chunks) if c.kind == "paragraph"}
    plain = match.cosines("dense", question)
    assert plain[unit["3"]] > plain[unit["2"]] > plain[unit["1"]]
    within = match.within_article("dense", question)
    assert within[unit["2"]] == pytest.approx(1.0)  # the article's best, whatever the others
    assert 0 < within[unit["3"]] < 1
    assert within[unit["1"]] == 0  # farther from the question than the article's mean
    assert match.within_article("multilingual", question) is None


def test_a_question_meets_the_aids_in_its_own_language_only_in_the_multilingual_space(
    chunks,
) -> None:
    import faiss

    aids = [ParagraphAid(9, "3", None, "who pays"), ParagraphAid(9, "1", None, "qui paie", "fr"),
            ParagraphAid(9, "2", None, "quién paga", "es")]
    rows = np.array([[0.6, 0.0], [1.0, 0.0], [0.9, 0.0]], dtype=np.float32)
    spaces = {"dense": faiss.IndexFlatIP(2), "multilingual": faiss.IndexFlatIP(2)}
    for index in spaces.values():
        index.add(rows)
    match = ParagraphAidMatch(aids, chunks, spaces)
    unit = {c.paragraph: i for i, c in enumerate(chunks) if c.kind == "paragraph"}
    question = np.array([1.0, 0.0])
    french = match.cosines("multilingual", question, "fr")
    assert french[unit["1"]] == pytest.approx(1.0) and french[unit["3"]] == pytest.approx(0.6)
    assert french[unit["2"]] == -np.inf  # the Spanish aid is not the French question's
    english = match.cosines("dense", question, "fr")  # the English model: English aids only
    assert english[unit["1"]] == -np.inf and english[unit["3"]] == pytest.approx(0.6)
    german = match.cosines("multilingual", question, "de")  # no aids of its own: English
    assert german[unit["1"]] == -np.inf and german[unit["3"]] == pytest.approx(0.6)


def test_an_aid_that_names_no_paragraph_stops_the_build(chunks, tmp_path) -> None:
    from bot.index.build import IndexBuildError, _checked_paragraph_aids

    path = tmp_path / "paragraph_aids.toml"
    path.write_text('[9]\n"3" = ["who pays"]\n"1(b)" = ["hand over"]\n', encoding="utf-8")
    french = tmp_path / "paragraph_aids.fr.toml"
    french.write_text('[9]\n"3" = ["qui paie"]\n', encoding="utf-8")
    aids = _checked_paragraph_aids(chunks, {"en": path, "fr": french})
    assert [(a.key, a.lang) for a in aids] == [("3", "en"), ("1(b)", "en"), ("3", "fr")]
    french.write_text('[9]\n"3" = ["qui paie"]\n"7" = ["rien"]\n', encoding="utf-8")
    names_none = r'paragraph_aids\.fr\.toml: \[9\] "7" names no paragraph of Article 9'
    with pytest.raises(IndexBuildError, match=names_none):
        _checked_paragraph_aids(chunks, {"en": path, "fr": french})


def test_the_words_only_one_paragraph_holds_decide_between_its_siblings() -> None:
    def unit(number: int, article: int, label: str, text: str) -> Chunk:
        return Chunk(number, "paragraph", article, label, None, text, "")

    chunks = [
        Chunk(0, "heading", 44, None, None, "Access to stored data", ""),
        unit(1, 44, "1", "A request to access stored data held in another State"),
        unit(2, 44, "2", "The requested State shall respond to the request for stored data"),
        unit(3, 44, "3", "The request shall be answered on an expedited basis"),
        unit(4, 45, None, "Stored data of a single paragraph"),
    ]
    words = DistinctiveWords(chunks, [ParagraphAid(44, "2", None, "reply by email")])
    scores = words.scores(tokenize("how fast is a request for stored data answered expedited"))
    assert scores[3] == pytest.approx(1.0)  # "expedited" and "answered": only paragraph 3
    assert scores[1] < scores[3] and scores[2] < scores[3]  # "request", "stored": everywhere
    assert scores[0] == scores[4] == 0  # a heading, an article of one unit
    assert words.scores(tokenize("can the reply come by email"))[2] == pytest.approx(1.0)
    assert not words.scores(tokenize("weather in Paris")).any()


def test_in_another_language_the_distinctive_words_are_those_of_its_aids() -> None:
    chunks = [
        Chunk(0, "paragraph", 44, "1", None, "A request to access stored data", ""),
        Chunk(1, "paragraph", 44, "2", None, "The request shall be answered on an expedited basis",
              ""),
    ]
    aids = [
        ParagraphAid(44, "1", None, "demande d'accès aux données stockées", "fr"),
        ParagraphAid(44, "2", None, "réponse rapide à la demande de données", "fr"),
        ParagraphAid(44, "1", None, "stored data of a request"),
    ]
    french = DistinctiveWords(chunks, aids, "fr")
    scores = french.scores(french.tokens("La demande reçoit-elle une réponse rapide ?"))
    assert scores[1] == pytest.approx(1.0)
    assert scores[0] < 0.2  # its only word, "demande", is in both
    assert not french.scores(french.tokens("expedited request")).any()  # no French words
    assert DistinctiveWords(chunks, aids).scores(tokenize("expedited"))[1] == pytest.approx(1.0)
