"""Naming mutants so a person can read them, and finding a module's own tests.

A mutmut mutant is known by a running number within its function (``x_settle__mutmut_3``) that
shifts whenever the function changes, so reports and the reviewed list of equivalent mutants name
it by what it changes instead: the function and the one line before and after, e.g.
``Lifecycle.close: return self._transition(..., pause_reason=None) => ...(..., )``.
"""

from __future__ import annotations

import ast
import difflib
import re
from functools import cache
from pathlib import Path

_SEPARATOR = "ǁ"


def module_tests(module: str, selection: list[str]) -> list[str]:
    """The test files of the selection that import ``module`` (``from x.y import`` or ``import x.y``),
    the module's own (``test_<module>*.py``) first."""
    dotted = re.escape(module.removesuffix(".py").replace("/", "."))
    importing = re.compile(rf"^\s*(?:from\s+{dotted}\s+import\b|import\s+{dotted}\b)", re.MULTILINE)
    root = Path(__file__).resolve().parents[2]
    found = [test for test in selection if importing.search((root / test).read_text("utf-8"))]
    # The module's own test files first: a mutant is run with ``-x``, so the tests most likely to
    # catch it decide sooner, and the verdict is the same whatever the order.
    own = f"test_{Path(module).stem}"
    return sorted(found, key=lambda test: not Path(test).stem.startswith(own))


@cache
def _functions(mutated_file: Path) -> dict[str, str]:
    source = mutated_file.read_text("utf-8")
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


def _readable(mangled: str) -> str:
    if mangled.startswith("x_"):
        return mangled[2:]
    _, cls, method = mangled.split(_SEPARATOR)
    return f"{cls}.{method}"


def _short(line: str, limit: int = 160) -> str:
    flat = " ".join(line.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def describe_mutmut_mutant(mutants: Path, module: str, name: str) -> str:
    """``function: old line => new line`` for the mutmut mutant ``name`` of ``module``."""
    mangled = name.rpartition(".")[2]
    function, _, _ = mangled.rpartition("__mutmut_")
    functions = _functions(mutants / module)
    original = functions.get(f"{function}__mutmut_orig")
    mutated = functions.get(mangled)
    if original is None or mutated is None:
        return f"{_readable(function)}: {mangled} (source not found)"
    mutated = mutated.replace(mangled, f"{function}__mutmut_orig", 1)
    before, after = [], []
    for line in difflib.unified_diff(original.splitlines(), mutated.splitlines(), n=0, lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            continue
        (before if line.startswith("-") else after).append(line[1:])
    return f"{_readable(function)}: {_short(' / '.join(before))} => {_short(' / '.join(after))}"
