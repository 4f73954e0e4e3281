"""The layers hold: the core depends on no werkzeug, lxml, SOAP or test tools, no module
imports from a layer above its own, the package has no import circle, and importing the
package and the plugin stays cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "ips_fake"
FORBIDDEN_IN_CORE = (
    "werkzeug",
    "lxml",
    "xmlschema",
    "zeep",
    "hypothesis",
    "pytest",
    "ips_fake.soap",
)
FORBIDDEN_CALLS = ("datetime.now", "time.time", "uuid4", "random.")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_nothing_from_upper_layers(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_CORE)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_reads_no_wall_clock_or_randomness(path: Path) -> None:
    text = path.read_text("utf-8")
    found = [call for call in FORBIDDEN_CALLS if call in text]
    assert not found, f"{path.name} uses {found}"


# -- the import graph within ips_fake -------------------------------------------------------------

#: The layers, lowest first: a module may import from its own layer and the ones below it, never
#: from a higher one. A new module must be given a layer here (the test says so).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("ips_fake.core",)),
    (
        "support",
        (
            "ips_fake.extras",
            "ips_fake.clocks",
            "ips_fake.scrubbing",
            "ips_fake.shipped",
            "ips_fake.jsonvalues",
            "ips_fake.data",
            "ips_fake.schema",
        ),
    ),
    ("protocol", ("ips_fake.soap",)),
    ("app", ("ips_fake.admin", "ips_fake.dashboard", "ips_fake.wsgi")),
    (
        "facade",
        ("ips_fake", "ips_fake.fake", "ips_fake.server", "ips_fake.transport", "ips_fake.control"),
    ),
    (
        "tools",
        (
            "ips_fake.recording",
            "ips_fake.proxy",
            "ips_fake.stub",
            "ips_fake.verify",
            "ips_fake.contracts",
            "ips_fake.strategies",
        ),
    ),
    ("plugin", ("ips_fake.testing", "ips_fake.pytest_plugin")),
    ("command line", ("ips_fake.cli", "ips_fake.__main__")),
)

#: Circles known and left for later, each listed by name: remove a line once its circle is gone.
KNOWN_CIRCLES: frozenset[frozenset[str]] = frozenset()


def module_name(path: Path) -> str:
    """``ips_fake/core/model.py`` → ``ips_fake.core.model``; a package is its ``__init__``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str) -> str | None:
    """The module ``name`` loads: itself, or its nearest package that is a module here."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def internal_imports(module: str, source: str, is_package: bool = False) -> set[str]:
    """The ips_fake modules ``source`` (the text of ``module``) imports anywhere: at the top,
    inside functions and under ``if TYPE_CHECKING:``, absolute and relative."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from package import submodule`` loads the submodule
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target == "ips_fake" or target.startswith("ips_fake."):
                known = _known(target)
                if known is not None and known != module:
                    found.add(known)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every ips_fake module with the ips_fake modules it imports."""
    return {
        name: internal_imports(name, path.read_text("utf-8"), path.name == "__init__.py")
        for name, path in MODULES.items()
    }


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the layer holding ``module`` (the longest prefix wins)."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    if best is None:
        raise LookupError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")
    return best[1]


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """``a (layer) -> b (higher layer)`` for every import that reaches up."""
    return sorted(
        f"{module} ({LAYERS[layer_of(module)][0]}) -> {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_from_a_higher_layer() -> None:
    assert upward_imports(import_graph()) == []


def test_the_package_has_no_import_circle() -> None:
    found = [sorted(group) for group in circles(import_graph()) if group not in KNOWN_CIRCLES]
    assert found == []


def test_known_circles_still_exist() -> None:
    """A known circle that is gone must leave KNOWN_CIRCLES, so it cannot come back unseen."""
    assert set(circles(import_graph())) >= KNOWN_CIRCLES


def _with_core_model_importing(line: str) -> dict[str, set[str]]:
    graph = import_graph()
    source = MODULES["ips_fake.core.model"].read_text("utf-8") + "\n" + line + "\n"
    graph["ips_fake.core.model"] = internal_imports("ips_fake.core.model", source)
    return graph


@pytest.mark.parametrize(
    "line",
    [
        "from ips_fake.fake import IpsFake",
        "if TYPE_CHECKING:\n    from ips_fake.wsgi import IpsFakeApp",
        "def later() -> None:\n    from ..admin import AdminApi",
        "import ips_fake.testing",
    ],
)
def test_the_checks_catch_the_core_reaching_up(line: str) -> None:
    assert any(
        entry.startswith("ips_fake.core.model (core) -> ")
        for entry in upward_imports(_with_core_model_importing(line))
    )


def test_the_checks_catch_a_new_circle() -> None:
    graph = _with_core_model_importing("from .outcomes import OutcomeRule")
    assert frozenset({"ips_fake.core.model", "ips_fake.core.outcomes"}) in circles(graph)


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, ips_fake; "
        "heavy = [m for m in ('lxml', 'werkzeug', 'xmlschema', 'hypothesis', 'zeep') "
        "if m in sys.modules]; print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
