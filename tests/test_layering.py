"""The layers hold: the domain (parsers, registry, batch, reports, merge, publish…) imports neither typer
nor rich nor the output module, so everything kube does can be done from Python without a terminal."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kube_cli"
# The command-line side: the root app, one module per command group, the output module and its parts
# (output_*), and the small adapters they use; everything else is domain.
INTERFACE = {"cli", "output", "__main__", "launch", "completion", "typer_compat", "output_cells", "output_details",
             "output_progress", "output_reports", "output_tables", "output_terminal", "output_writers"}  # fmt: skip
FORBIDDEN = ("typer", "rich", "click", "kube_cli.output", "kube_cli.cli")


def interface(name: str) -> bool:
    return name in INTERFACE or name.startswith("cmd_") or name.startswith("ui_")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "kube_cli":
                names.update(f"kube_cli.{alias.name}" for alias in node.names)
    return names


def test_domain_modules_import_no_interface() -> None:
    domain = [p for p in PACKAGE.glob("*.py") if not interface(p.stem)]
    assert len(domain) > 15  # the test looks where the code is
    offenders = {
        p.name: sorted(n for n in imported(p) if n in FORBIDDEN or n.split(".")[0] in ("typer", "rich", "click")
                       or n.startswith(("kube_cli.cmd_", "kube_cli.output_")))
        for p in domain
    }  # fmt: skip
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from rich.table import Table\n    from kube_cli import output\n")
    assert {"rich.table", "kube_cli.output"} <= imported(sample)


def runtime_imports(path: Path) -> set[str]:
    """The kube modules a file imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kube_cli"):
            names.add(node.module)
            if node.module == "kube_cli":
                names.update(f"kube_cli.{alias.name}" for alias in node.names)
    return names


def test_no_module_imports_the_module_that_imports_it() -> None:
    graph = {f"kube_cli.{p.stem}": runtime_imports(p) for p in PACKAGE.glob("*.py")}
    cycles = sorted(
        (a, b) for a, deps in graph.items() for b in deps if a < b and a in graph.get(b, set())
    )  # fmt: skip
    assert cycles == []
