"""The direction of dependencies: no package imports a layer above it.

The layers, from the floor up, are ``core ← cabinet ← sessions ← recordings ← signaling ← web``;
``media`` stands on ``core`` alone and only the layers from ``recordings`` up may use it. Every
import counts wherever it is written — at the top of a module, inside a function, under
``TYPE_CHECKING``, or as ``importlib.import_module("...")`` with a literal name — so an upward
dependency cannot hide. The checker is run on the repository and on a small synthetic tree that
carries a deliberate upward import, to show that it does fail, and says where.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

ORDER = ("core", "cabinet", "sessions", "recordings", "signaling", "web")
"""The stack, from the floor up: each layer may import the ones before it."""
MEDIA = "media"
MEDIA_USERS = ("recordings", "signaling", "web")
"""The layers that may import ``media`` (which itself imports ``core`` only)."""


def allowed(importer: str) -> frozenset[str]:
    """The top-level packages ``importer`` may import (itself included)."""
    if importer == MEDIA:
        return frozenset({"core", MEDIA})
    below = set(ORDER[: ORDER.index(importer) + 1])
    if importer in MEDIA_USERS:
        below.add(MEDIA)
    return frozenset(below)


LAYERS = (*ORDER, MEDIA)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    line: int
    target: str  # the imported module, dotted and absolute

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, target] if target else base)


def _is_module(root: Path, name: str) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    """Every module ``path`` imports: statements at any depth, and literal ``import_module`` calls."""
    module = module_name(root, path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module if node.level == 0 else _absolute(module, is_package, node.level, node.module)
            for alias in node.names:  # ``from pkg import submodule`` imports pkg.submodule
                sub = f"{base}.{alias.name}"
                yield Import(module, node.lineno, sub if _is_module(root, sub) else base or "")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield Import(module, node.lineno, node.args[0].value)


def upward_imports(root: Path) -> list[Import]:
    """Each import in the layer packages under ``root`` of a layer its package may not see."""
    found = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for imp in imports_of(root, path):
                top = imp.target.split(".")[0]
                if top in LAYERS and top not in allowed(layer):
                    found.append(imp)
    return found


def test_no_package_imports_a_layer_above_it() -> None:
    assert all((REPO / layer / "__init__.py").exists() for layer in LAYERS)

    upward = upward_imports(REPO)

    assert upward == [], "upward imports:\n" + "\n".join(map(str, upward))


def _tree(root: Path, files: dict[str, str]) -> Path:
    for layer in LAYERS:
        (root / layer).mkdir()
        (root / layer / "__init__.py").write_text('"""a layer"""\n')
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "cabinet/cases.py": "from core.db import Base\nimport core.clock\n",
        "sessions/hearings.py": "from cabinet.cases import Base\nfrom . import rules\n",
        "sessions/rules.py": "from ..cabinet import cases\n",
        "signaling/hearing.py": "import media\nfrom sessions.hearings import Base\n",
        "media/relay.py": "from core.errors import SotkabError\nimport aiortc\n",
        "web/app.py": "import cabinet, sessions, signaling\n",
    })

    assert upward_imports(root) == []


@pytest.mark.parametrize(("name", "text", "target"), [
    ("cabinet/public.py", "from sessions.models import HearingRow\n", "sessions.models"),
    ("cabinet/public.py", "def f():\n    import sessions.models\n", "sessions.models"),
    ("cabinet/public.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from web import app\n", "web"),
    ("core/openapi.py", "import importlib\nimportlib.import_module('cabinet.identity.openapi')\n",
     "cabinet.identity.openapi"),
    ("sessions/sub/x.py", "from ...signaling import hearing\n", "signaling"),
    ("cabinet/eds/ca.py", "from media import Relay\n", "media"),
    ("media/relay.py", "from sessions.hearings import Hearing\n", "sessions.hearings"),
])
def test_an_upward_import_is_found_and_named(tmp_path: Path, name: str, text: str, target: str) -> None:
    root = _tree(tmp_path, {"core/db.py": "import sqlalchemy\n", name: text})

    upward = upward_imports(root)

    module = name.removesuffix(".py").replace("/", ".")
    assert [(i.module, i.target) for i in upward] == [(module, target)]
    assert str(upward[0]).startswith(f"{module}:")


def test_the_repository_check_fails_once_an_upward_import_is_added(tmp_path: Path) -> None:
    """The real tree, copied, with one line added to a real module: the check names it."""
    import shutil

    for layer in LAYERS:
        shutil.copytree(REPO / layer, tmp_path / layer, ignore=shutil.ignore_patterns("__pycache__"))
    assert upward_imports(tmp_path) == []
    fees = tmp_path / "cabinet" / "fees.py"
    fees.write_text(fees.read_text() + "\n\ndef _late():\n    from signaling.setup import setup\n")

    upward = upward_imports(tmp_path)

    assert [(i.module, i.target) for i in upward] == [("cabinet.fees", "signaling.setup")]


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of modules of the layer packages that import each other, directly or round a loop
    (every import counts, ``TYPE_CHECKING`` and function-level ones included)."""
    graph: dict[str, set[str]] = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            module = module_name(root, path)
            graph[module] = {i.target for i in imports_of(root, path) if i.target != module}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node] & graph.keys()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = [stack.pop()]
            while group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_two_modules_import_each_other() -> None:
    assert import_cycles(REPO) == []


def test_a_circle_hidden_under_type_checking_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "cabinet/eds/ca.py": "from cabinet.eds import pki\n",
        "cabinet/eds/pki.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cabinet.eds.ca import X\n",
    })
    (root / "cabinet" / "eds" / "__init__.py").write_text("")

    assert import_cycles(root) == [["cabinet.eds.ca", "cabinet.eds.pki"]]


def test_the_top_knows_the_layers_not_their_sub_packages() -> None:
    """``web/``'s assembly (the app factory, the CLI, the schema Alembic sees) reaches each layer through
    what the layer exposes — the package itself (``setup``, ``add_commands``), its ``setup`` module and
    its ``schema`` module — never a domain sub-module, so it holds no central list of them. The pages
    (``web/pages``) are the top layer's own domain and call the services below like any handler."""
    exposed = {f"{layer}{suffix}" for layer in LAYERS for suffix in ("", ".setup", ".schema")}
    assembly = [REPO / "web" / name for name in ("app.py", "cli.py", "schema.py", "migrate.py")]
    reaching = [imp for path in assembly if path.exists() for imp in imports_of(REPO, path)
                if imp.target.split(".")[0] in LAYERS and imp.target.split(".")[0] not in ("core", "web")
                and imp.target not in exposed]

    assert reaching == [], "\n".join(map(str, reaching))


def dynamic_imports(root: Path) -> list[str]:
    """``import_module(name)`` / ``__import__(name)`` calls whose module is not a literal: an import the
    layer check cannot read (a list of module names hidden in a string is how upward imports hide)."""
    found = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    literal = bool(node.args) and isinstance(node.args[0], ast.Constant)
                    if name in ("import_module", "__import__") and not literal:
                        found.append(f"{module_name(root, path)}:{node.lineno}")
    return found


def test_no_module_is_imported_by_a_computed_name(tmp_path: Path) -> None:
    assert dynamic_imports(REPO) == []
    root = _tree(tmp_path, {"core/openapi.py": "import importlib\nFRAGMENTS = ('cabinet.identity.openapi',)\n"
                                               "for name in FRAGMENTS:\n    importlib.import_module(name)\n"})

    assert dynamic_imports(root) == ["core.openapi:4"]
