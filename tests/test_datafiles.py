"""Reading the maintained TOML files: the same values as the standard library's parser (the
reference), and mistakes reported with the file's name and place."""

import tomllib
from pathlib import Path

import pytest

from bot.datafiles import DataFileError, read_toml

PROJECT = Path(__file__).resolve().parents[1]
MAINTAINED = sorted([*PROJECT.glob("treaty_text/*.toml"), *PROJECT.glob("bot/**/*.toml")])


def test_every_maintained_file_is_covered() -> None:
    names = {path.name for path in MAINTAINED}
    assert {"glossary.toml", "out_of_scope.toml", "followups.toml", "fr.toml"} <= names


@pytest.mark.parametrize("path", MAINTAINED, ids=lambda path: path.name)
def test_same_values_as_tomllib(path: Path) -> None:
    assert read_toml(path) == tomllib.loads(path.read_text(encoding="utf-8"))


def test_types_and_nesting(tmp_path: Path) -> None:
    path = tmp_path / "aids.toml"
    path.write_text('title = "Aids"\n[[article]]\nnumber = 7\nfr = ["accès illégal"]\n'
                    '[[article]]\nnumber = 8\nfr = []\n', encoding="utf-8")
    assert read_toml(path) == {"title": "Aids", "article": [
        {"number": 7, "fr": ["accès illégal"]}, {"number": 8, "fr": []}]}


def test_an_optional_file_may_be_absent(tmp_path: Path) -> None:
    assert read_toml(tmp_path / "absent.toml", optional=True) == {}


def test_a_required_file_that_is_absent_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"absent\.toml is missing"):
        read_toml(tmp_path / "absent.toml")


def test_a_mistake_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text('[[entry]]\nterms = ["botnet"\narticles = [7]\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"glossary\.toml is not valid TOML \(.*line 3"):
        read_toml(path)
