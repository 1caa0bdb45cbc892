"""The package's layout holds: subpackages import only the steps before them, and nothing cycles.

Every subpackage's docstring ends with a line ``May import: …`` naming the subpackages it may use;
this test reads that line, so the rule is written once, where a newcomer reads it.
"""

from __future__ import annotations

import ast
import re

import pytest

from conftest import IMPORT_GRAPH as GRAPH
from conftest import MODULES, PACKAGE

TOP_LEVEL = ("cli", "pipeline")
"""Modules outside the subpackages that tie the steps together; they may import every step."""
MAY_IMPORT = re.compile(r"^May import:\s*(?P<names>.+?)\.?\s*$", re.MULTILINE)


def step(module: str) -> str | None:
    """The subpackage a module belongs to (``core``, ``data`` …), None for the package's top level."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] not in TOP_LEVEL) else None


def allowed_steps(subpackage: str) -> set[str]:
    docstring = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text(encoding="utf-8")))
    match = MAY_IMPORT.search(docstring or "")
    assert match, f"sozialplanung.{subpackage}: its docstring must end with 'May import: …'"
    names = match["names"].strip()
    return set() if names.startswith("nothing") else {name.strip() for name in names.split(",")}


SUBPACKAGES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def test_the_package_has_the_pipeline_steps_as_subpackages():
    assert SUBPACKAGES == ["core", "data", "editions", "execution", "report", "site", "statistics"]
    flat = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert flat == sorted(TOP_LEVEL), "modules belong in the subpackage of their step"


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_a_step_imports_only_the_steps_its_docstring_allows(subpackage):
    allowed = allowed_steps(subpackage) | {subpackage}
    assert allowed <= set(SUBPACKAGES), f"{subpackage}: 'May import' names an unknown step"
    offences = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if step(module) == subpackage
        for target in sorted(targets)
        if target != "sozialplanung" and step(target) not in allowed
    ]
    assert not offences, "\n".join(offences)


def test_the_declared_order_between_steps_has_no_cycle():
    order = {name: allowed_steps(name) for name in SUBPACKAGES}
    assert _cycles(order) == []


def test_no_module_imports_itself_through_others():
    assert _cycles(GRAPH) == [], "import cycles between modules"


def test_publishing_engines_know_only_the_site_model():
    engines = [name for name in MODULES if name.startswith("sozialplanung.site.engines.")]
    assert engines, "the site has its engines in sozialplanung.site.engines"
    for engine in engines:
        others = {e for e in engines if e != engine} | {"sozialplanung.site.publish"}
        assert not GRAPH[engine] & others, f"{engine} imports another engine or the publisher"


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (or a self-loop), each sorted
    (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_command_does_not_load_the_slow_iri_parser_and_jsonschema_still_checks_formats():
    """Every ``sozialbericht`` process imports nbformat and so jsonschema; the package keeps
    jsonschema from loading ``rfc3987_syntax`` (seconds per process), and nothing else changes."""
    import subprocess
    import sys

    probe = (
        "import sys, sozialplanung.cli, jsonschema\n"
        "assert sys.modules.get('rfc3987_syntax') is None, 'rfc3987_syntax was imported'\n"
        "checker = jsonschema.FormatChecker()\n"
        "assert 'iri' not in checker.checkers and 'date' in checker.checkers\n"
        "assert not checker.conforms('2024-13-45', 'date') and checker.conforms('2024-12-31', 'date')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
