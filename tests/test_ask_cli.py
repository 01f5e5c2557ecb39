"""`treaty-ask` as a user runs it: a subprocess against the session's real index."""

import json
import os
import subprocess
import sys

import pytest

RESULT_KEYS = {
    "document", "article", "title", "chapter", "paragraph", "score", "text",
    "subparagraph", "citation", "lead_in", "highlight", "also", "pages", "link", "notes",
    "also_refers_to", "referred_by", "budapest_counterparts", "compared_with", "difference_note",
}
ANSWER_KEYS = {"question", "abstained", "results", "related"}
CLI_KEYS = ANSWER_KEYS | {"instruments"}  # --json also names the instruments loaded


@pytest.fixture(scope="module")
def run_ask(index_settings):
    env = {**os.environ, "INDEX_DIR": str(index_settings.index_dir), "HF_HUB_OFFLINE": "1"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli.ask", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=120,
        )

    return run


def test_json_contract(run_ask) -> None:
    done = run_ask("--json", "--k", "2", "Is hacking into a computer system a crime?")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == CLI_KEYS
    assert answer["abstained"] is False
    assert len(answer["results"]) == 2
    assert all(set(result) == RESULT_KEYS for result in answer["results"])
    first = answer["results"][0]
    assert (first["article"], first["paragraph"], first["document"]) == (7, "1", "convention")
    assert first["citation"] == "Article 7, paragraph 1"
    assert first["pages"] == [7]
    assert first["link"].endswith("&t=pdf#page=7")
    assert answer["related"] == []


def test_json_of_a_sub_paragraph_and_its_highlight(run_ask) -> None:
    done = run_ask("--json", "--k", "1", "what does service provider mean?")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert (result["article"], result["paragraph"], result["subparagraph"]) == (2, None, "e")
    assert result["citation"] == "Article 2 (e)"
    assert result["lead_in"] == "For the purposes of this Convention:"
    start, end = result["highlight"]
    assert 0 <= start < end <= len(result["text"])
    assert result["notes"] == [1, 2]  # note 1 interprets article 2 (e) itself


def test_json_of_a_question_the_text_does_not_answer(run_ask) -> None:
    done = run_ask("--json", "Has Brazil ratified it?")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) == CLI_KEYS | {"note", "reason"}
    assert (answer["abstained"], answer["results"], answer["reason"]) == (True, [], "status")
    assert "Secretary-General" in answer["note"]
    assert [r["article"] for r in answer["related"]] == [64, 65, 68]
    assert all(set(result) == RESULT_KEYS for result in answer["related"])


def test_batch_answers_every_line_in_order(run_ask, tmp_path) -> None:
    questions = ["article 40 paragraph 21", "What is the best pizza topping?", "", "art 25"]
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")
    for source, stdin in ((str(batch), None), ("-", batch.read_text())):
        done = run_ask("--batch", source, "--json", stdin=stdin)
        assert done.returncode == 0, done.stderr
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [line["question"] for line in lines] == [q for q in questions if q]
        assert lines[0]["results"][0]["article"] == 40
        assert lines[0]["results"][0]["paragraph"] == "21"
        assert lines[1]["abstained"] is True
        assert lines[2]["results"][0]["article"] == 25


def test_a_broad_question_names_its_chapter_in_our_words(run_ask) -> None:
    done = run_ask("What counts as a crime under this convention?")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert ("Note (ours, not treaty text): Your question is about a whole chapter: Chapter II "
            "(Criminalization), articles 7\N{EN DASH}21.") in text
    data = json.loads(run_ask("--json", "What counts as a crime under this convention?").stdout)
    assert data["chapter"] == "II" and data["results"]


def test_readable_answer_cites_and_quotes(run_ask, retriever) -> None:
    done = run_ask("is revenge porn a crime?")
    assert done.returncode == 0, done.stderr
    assert "Article 16 · Non-consensual dissemination of intimate images" in done.stdout
    assert "A/RES/79/243" in done.stdout


def test_article_lookup_prints_verbatim_text(run_ask, retriever) -> None:
    done = run_ask("--article", "40", "--paragraph", "21", "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["paragraphs"] == [
        {"label": "21", "text": retriever.treaty.article(40).paragraph("21").text}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--article", "99"), "articles 1–68"),
        (("--article", "40", "--paragraph", "99"), "no paragraph 99"),
        (("--paragraph", "2"), "--paragraph needs --article"),
        (("--k", "0", "x"), "--k must be at least 1"),
        (("--compare", "7", "what?"), "--compare takes an article number alone"),
    ],
)
def test_bad_arguments_get_one_clear_message(run_ask, args, message) -> None:
    done = run_ask(*args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_index_says_how_to_build_it(tmp_path) -> None:
    env = {**os.environ, "INDEX_DIR": str(tmp_path / "nothing")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.ask", "hello"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert done.returncode == 1
    assert "treaty-build-index" in done.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(index_settings) -> None:
    """`treaty-ask --json … | head` where the reader is gone before the answer is written (rich
    handles this for the readable answer; the JSON line is printed without it)."""
    env = {**os.environ, "INDEX_DIR": str(index_settings.index_dir), "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.ask", "--json", "Is hacking a crime?"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    child.stdout.close()  # before the index has loaded: the first write meets a closed pipe
    _, errors = child.communicate(timeout=120)
    assert child.returncode == 1
    assert b"Traceback" not in errors


def test_interactive_prompt_answers_until_an_empty_line(run_ask) -> None:
    done = run_ask(stdin="art. 17\n\n")
    assert done.returncode == 0, done.stderr
    assert "Article 17 · Laundering of proceeds of crime" in done.stdout


def test_help_does_not_import_the_heavy_stack() -> None:
    code = (
        "import sys\n"
        "from bot.cli import ask\n"
        "try:\n    ask.parse_args(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'numpy', 'faiss', 'telegram') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_python_surface_gives_what_the_cli_prints(run_ask, index_settings) -> None:
    """`from bot import load_retriever` is the maintainers' scripting surface (README)."""
    from bot import load_retriever

    question = "Who pays the costs of executing a request for legal assistance?"
    answer = load_retriever(index_settings).ask(question, k=3)
    done = run_ask("--json", "--k", "3", question)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed.pop("instruments") == load_retriever(index_settings).instruments
    assert answer.to_json() == printed
    assert set(answer.to_json()) == ANSWER_KEYS


def test_json_names_the_instruments_loaded_with_their_sha256(run_ask, retriever) -> None:
    done = run_ask("--json", "art 25")
    assert done.returncode == 0, done.stderr
    instruments = {i["id"]: i for i in json.loads(done.stdout)["instruments"]}
    convention = instruments["convention"]
    assert convention["sha256"] == retriever.treaty.source_sha256
    assert convention["symbol"] == "A/RES/79/243"
    assert set(instruments) == retriever.documents - {"interpretative-notes"}
    if "resolution" in instruments:  # read from the official PDF: the same file
        assert instruments["resolution"]["sha256"] == convention["sha256"]


def test_compare_prints_the_counterpart_and_our_note_labelled_as_ours(
    run_ask, budapest_retriever
) -> None:
    done = run_ask("--compare", "7")
    assert done.returncode == 0, done.stderr
    assert "Article 7 · Illegal access" in done.stdout
    assert "Budapest Convention · Article 2 · Illegal access" in done.stdout
    note = budapest_retriever.concordance.entry(7).note
    assert "Note (ours, not treaty text):" in done.stdout
    assert note.split()[0] in done.stdout
    assert "https://rm.coe.int/1680081561" in done.stdout
    shown = json.loads(run_ask("--json", "--compare", "7").stdout)
    assert [(r["document"], r["article"]) for r in shown["results"]] == [
        ("convention", 7), ("budapest", 2)
    ]
    assert shown["results"][1]["difference_note"] == {"text": note, "ours": True}
    assert shown["results"][1]["compared_with"] == 7


def test_compare_an_article_without_counterpart_says_so_in_our_words(
    run_ask, budapest_retriever
) -> None:
    shown = json.loads(run_ask("--json", "--compare", "1").stdout)
    assert [(r["document"], r["article"]) for r in shown["results"]] == [("convention", 1)]
    assert shown["note"].startswith("No counterpart:")
