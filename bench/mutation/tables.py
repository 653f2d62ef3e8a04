"""Mutants of module-level rule tables: the part of a rule module mutmut never touches.

mutmut mutates inside functions only, yet much of a rule lives in data built at import time: the
lifecycle's transition table, the access policy, the case-status actions, fee and exemption rows,
OIDs, regular expressions. Each mutant here changes one thing in the right-hand side of one
module-level assignment, the way a careless edit of the table would:

- an element dropped from a set, tuple or list (a state removed from a transition's sources);
- an entry dropped from a dict, or its value replaced by another entry's (a policy cell widened);
- an enum member or class attribute swapped for a sibling used elsewhere in the module
  (``HearingState.CLOSED`` -> ``HearingState.ADJOURNED``, one EKU OID for another);
- a number bumped by one, a flag flipped, an OID's arc changed, a regular expression loosened
  (anchor dropped, a repeat count or character range changed), any other string altered.

Each mutant is the whole module's source with that one change, applied by byte offsets so the rest
of the file is untouched; the caller imports it in a fresh process (see ``__main__``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_OID = re.compile(r"\d+(?:\.\d+)+\.?")
_REGEX_HINT = re.compile(r"[\^$\[\]{}\\]|\(\?")
_SKIP_TARGETS = frozenset({"logger", "__all__"})


@dataclass(frozen=True)
class TableMutant:
    module: str
    """The module's path, e.g. ``sessions/lifecycle.py``."""
    table: str
    line: int
    change: str
    """What changed, without line numbers, so a reviewed entry survives edits elsewhere in the file."""
    source: str

    @property
    def key(self) -> str:
        return f"{self.table}{self.change}"


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    line: int
    change: str


class _Source:
    """The module's text with ast positions (UTF-8 byte columns) turned into byte offsets."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.line_starts = [0]
        for index, byte in enumerate(self.data):
            if byte == 0x0A:
                self.line_starts.append(index + 1)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.line_starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = self.line_starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")

    def apply(self, edit: _Edit) -> str:
        return (self.data[: edit.start] + edit.text.encode("utf-8") + self.data[edit.end :]).decode("utf-8")


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _attribute_siblings(tree: ast.Module) -> dict[str, list[str]]:
    """For each ``Base`` of a ``Base.ATTR`` reference in the module, every ATTR used with it."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.setdefault(node.value.id, set()).add(node.attr)
    return {base: sorted(attrs) for base, attrs in found.items()}


def _regex_variants(pattern: str) -> Iterator[tuple[str, str]]:
    if pattern.startswith("^"):
        yield pattern[1:], "start anchor dropped"
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        yield pattern[:-1], "end anchor dropped"
    for match in re.finditer(r"\{(\d+)(?:,(\d+))?\}", pattern):
        low, high = match.group(1), match.group(2)
        if high is None:
            replacement = f"{{{int(low) + 1}}}"
        else:
            replacement = f"{{{low},{int(high) + 1}}}"
        yield pattern[: match.start()] + replacement + pattern[match.end() :], f"{match.group(0)} -> {replacement}"
    for match in re.finditer(r"\[0-9\]|\\d", pattern):
        yield pattern[: match.start()] + "[0-8]" + pattern[match.end() :], f"{match.group(0)} -> [0-8]"
    for match in re.finditer(r"\)\?", pattern):
        yield pattern[: match.end() - 1] + pattern[match.end() :], "optional group made required"


def _string_variants(value: str, in_regex_call: bool) -> Iterator[tuple[str, str]]:
    if _OID.fullmatch(value):
        arcs = value.rstrip(".").split(".")
        arcs[-1] = str(int(arcs[-1]) + 1)
        yield ".".join(arcs) + ("." if value.endswith(".") else ""), "OID arc changed"
        return
    if in_regex_call or _REGEX_HINT.search(value):
        variants = list(_regex_variants(value))
        if variants:
            yield from variants
            return
    yield "XX" + value + "XX", "text changed"


class _Mutator:
    def __init__(self, source: _Source, tree: ast.Module) -> None:
        self.source = source
        self.siblings = _attribute_siblings(tree)
        self.table = ""
        self.edits: list[tuple[str, _Edit]] = []

    def add(self, node: ast.AST, text: str, change: str) -> None:
        start, end = self.source.span(node)
        self.edits.append((self.table, _Edit(start, end, text, node.lineno, change)))  # type: ignore[attr-defined]

    def visit(self, node: ast.expr, where: str, *, in_set: bool = False, in_regex_call: bool = False,
              removable: bool = True) -> None:
        if isinstance(node, ast.Constant):
            self._constant(node, where, in_regex_call)
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id.lstrip("_")[:1].isupper() and not in_set:
                self._swap_attribute(node, where)
        elif isinstance(node, ast.Set | ast.List | ast.Tuple):
            self._sequence(node, where, removable=removable)
        elif isinstance(node, ast.Dict):
            self._dict(node, where)
        elif isinstance(node, ast.Call):
            regex = isinstance(node.func, ast.Attribute) and node.func.attr in {"compile", "fullmatch", "match"}
            for arg in node.args:
                self.visit(arg, where, in_regex_call=regex)
            for keyword in node.keywords:
                self.visit(keyword.value, where if keyword.arg is None else f"{where}{keyword.arg}=")
        elif isinstance(node, ast.UnaryOp | ast.BinOp | ast.BoolOp | ast.Compare):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.visit(child, where)
        elif isinstance(node, ast.DictComp | ast.SetComp | ast.ListComp | ast.GeneratorExp):
            return  # derived tables: mutating the table they are built from covers them

    def _constant(self, node: ast.Constant, where: str, in_regex_call: bool) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, repr(not value), f"{where}{value!r} -> {not value!r}")
        elif isinstance(value, int | float):
            self.add(node, repr(value + 1), f"{where}{value!r} -> {value + 1!r}")
        elif isinstance(value, str):
            for new, what in _string_variants(value, in_regex_call):
                self.add(node, repr(new), f"{where}{_short(repr(value))}: {what}")

    def _swap_attribute(self, node: ast.Attribute, where: str) -> None:
        base = node.value.id  # type: ignore[attr-defined]
        attrs = self.siblings.get(base, [])
        if len(attrs) < 2:
            return
        other = attrs[(attrs.index(node.attr) + 1) % len(attrs)]
        self.add(node, f"{base}.{other}", f"{where}{base}.{node.attr} -> {base}.{other}")

    def _sequence(self, node: ast.Set | ast.List | ast.Tuple, where: str, *, removable: bool) -> None:
        elements = node.elts
        # A record such as ``(sources, target)`` mixes kinds: dropping a field only breaks unpacking.
        removable = removable and len({type(e) for e in elements}) == 1
        if isinstance(node, ast.Set) and where != ": ":
            self._add_siblings(node, where)
        for index, element in enumerate(elements):
            self.visit(element, where, in_set=isinstance(node, ast.Set))
            if not removable:
                continue
            rest = [self.source.text(e) for i, e in enumerate(elements) if i != index]
            if isinstance(node, ast.Set):
                text = "{" + ", ".join(rest) + "}" if rest else "set()"
            elif isinstance(node, ast.List):
                text = "[" + ", ".join(rest) + "]"
            else:
                text = "(" + ", ".join(rest) + ("," if len(rest) == 1 else "") + ")"
            self.add(node, text, f"{where}drop {_short(self.source.text(element))}")

    def _add_siblings(self, node: ast.Set, where: str) -> None:
        """A set of enum members inside a table row (a transition's sources): each absent member added."""
        bases = {e.value.id for e in node.elts if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name)}
        if len(bases) != 1 or not all(isinstance(e, ast.Attribute) for e in node.elts):
            return
        base = bases.pop()
        present = {e.attr for e in node.elts if isinstance(e, ast.Attribute)}
        texts = [self.source.text(e) for e in node.elts]
        for attr in self.siblings.get(base, []):
            if attr not in present:
                self.add(node, "{" + ", ".join([*texts, f"{base}.{attr}"]) + "}", f"{where}add {base}.{attr}")

    def _dict(self, node: ast.Dict, where: str) -> None:
        entries = [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
        texts = [(self.source.text(k), self.source.text(v)) for k, v in entries]
        for index, (_key, value) in enumerate(entries):
            key_text, value_text = texts[index]
            inner = f"{where.rstrip(': ')}[{_short(key_text, 40)}]: "
            self.visit(value, inner)
            rest = [f"{k}: {v}" for i, (k, v) in enumerate(texts) if i != index]
            self.add(node, "{" + ", ".join(rest) + "}", f"{where}drop entry {_short(key_text)}")
            for step in range(1, len(texts)):
                other = texts[(index + step) % len(texts)][1]
                if other != value_text:
                    self.add(value, other, f"{inner}{_short(value_text, 40)} -> {_short(other, 40)}")
                    break


def table_mutants(path: Path, module: str) -> list[TableMutant]:
    """Every table mutant of one module, in source order, without duplicates."""
    text = path.read_text("utf-8")
    tree = ast.parse(text)
    source = _Source(text)
    mutator = _Mutator(source, tree)
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if set(names) & _SKIP_TARGETS:
            continue
        mutator.table = names[0] if names else source.text(targets[0])
        # ``A, B = X.ONE, X.TWO`` unpacks: dropping an element only breaks the import.
        mutator.visit(value, ": ", removable=not any(isinstance(t, ast.Tuple) for t in targets))
    mutants: list[TableMutant] = []
    seen: set[str] = set()
    for table, edit in mutator.edits:
        mutated = source.apply(edit)
        if mutated == text or mutated in seen:
            continue
        try:
            ast.parse(mutated)
        except SyntaxError:
            continue
        seen.add(mutated)
        mutants.append(TableMutant(module, table, edit.line, edit.change, mutated))
    return mutants
