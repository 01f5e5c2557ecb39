"""The package's layers (bot/__init__.py): each module imports only from its own layer or the
layers below it, and no modules import each other in a cycle. Read from the source with `ast`,
so imports inside functions and behind TYPE_CHECKING count too."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bot"
LAYERS = (
    ("bot.errors", "bot.settings", "bot.datafiles"),
    ("bot.treaty",),
    ("bot.source",),
    ("bot.encoding",),
    ("bot.index",),
    ("bot.search",),
    ("bot.cli", "bot.telegram", "bot"),
)
# Within the interfaces, `make run` (bot.cli.run) starts the bot; the bot never runs the CLI.
FORBIDDEN = {("bot.telegram", "bot.cli")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> tuple[int, str]:
    """The layer's number and the package that puts the module in it."""
    for number, prefixes in enumerate(LAYERS):
        for prefix in sorted(prefixes, key=len, reverse=True):
            if module == prefix or (prefix != "bot" and module.startswith(prefix + ".")):
                return number, prefix
    return len(LAYERS) - 1, "bot"


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "bot" or name.startswith("bot.")}


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def graph() -> dict[str, set[str]]:
    """Each module's imports of other project modules (a `from x import name` of a submodule
    counts as importing the submodule)."""
    return {
        module: {name for name in imported_modules(path) if name in MODULES} - {module}
        for module, path in MODULES.items()
    }


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_come_from_the_same_layer_or_below(module: str) -> None:
    own, own_package = layer_of(module)
    upward = []
    for target in sorted(graph()[module]):
        layer, package = layer_of(target)
        if layer > own or (own_package, package) in FORBIDDEN:
            upward.append(target)
    assert upward == [], f"{module} (layer {own_package}) imports from above: {upward}"


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if target == "bot":  # the package itself: every submodule's parent, imports lazily
                continue
            if state.get(target) == "open":
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("def f():\n    from bot.search.retriever import Retriever\n")
    assert imported_modules(source) == {"bot.search.retriever", "bot.search.retriever.Retriever"}
    assert layer_of("bot.search.retriever") > layer_of("bot.treaty.model")
    assert layer_of("bot.telegram.app")[1] == "bot.telegram"
