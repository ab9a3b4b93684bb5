"""The code's shape: no function or method of the package or the UI above radon's grade C (cyclomatic complexity
20), as issue #12 asked, and the layering (only the UI imports streamlit, only playground/figures/ imports plotly)."""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_rank, cc_visit
from radon.visitors import Class, Function

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 20  # grade C's upper bound


def _blocks(items: list) -> list[Function]:
    """Every function, method and closure, flattened (radon nests methods in classes and closures in functions)."""
    out: list[Function] = []
    for b in items:
        if isinstance(b, Class):
            out += _blocks(b.methods) + _blocks(b.inner_classes)
        else:
            out += [b, *_blocks(b.closures)]
    return out


def _complexities(paths: list[Path], root: Path = ROOT) -> dict[str, int]:
    """`file:line name` -> cyclomatic complexity of every block in the files."""
    return {
        f"{p.relative_to(root)}:{b.lineno} {b.fullname}": b.complexity
        for p in paths
        for b in _blocks(cc_visit(p.read_text(encoding="utf-8")))
    }


def test_no_function_of_the_package_or_the_ui_is_above_grade_c() -> None:
    paths = sorted([*ROOT.glob("playground/**/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("views/*.py")])
    cc = _complexities([*paths, ROOT / "app.py"])
    assert len(cc) > 300  # the whole code base was read
    over = {k: v for k, v in cc.items() if v > LIMIT}
    assert not over, f"above grade C (complexity > {LIMIT}): {over}"


def test_the_measure_finds_a_closure_inside_a_method_above_grade_c(tmp_path: Path) -> None:
    """The check itself: a function of 21 branches nested in a method is found and ranked D."""
    ifs = "".join(f"            if x == {i}:\n                return {i}\n" for i in range(21))
    f = tmp_path / "big.py"
    f.write_text(f"class A:\n    def m(self):\n        def big(x):\n{ifs}            return -1\n\n        return big\n")
    cc = _complexities([f], tmp_path)
    (key,) = [k for k in cc if k.endswith("big")]
    assert cc[key] == 22 and cc_rank(cc[key]) == "D" and cc[key] > LIMIT
    assert any(k.endswith("A.m") for k in cc)


# --- layering: data -> models/train -> figures -> app ------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    """The top-level package names a file imports (anywhere in it, functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    return {m.split(".")[0] for m in names}


def test_only_the_ui_imports_streamlit_and_only_figures_import_plotly() -> None:
    package = sorted(ROOT.glob("playground/**/*.py"))
    ui = sorted([*ROOT.glob("ui/**/*.py"), *ROOT.glob("views/*.py"), ROOT / "app.py"])
    assert len(package) > 20 and len(ui) > 20
    assert [p.name for p in package if "streamlit" in _imports(p)] == []
    figures = ROOT / "playground" / "figures"
    assert [p.name for p in [*package, *ui] if "plotly" in _imports(p) and figures not in p.parents] == []
    assert any("plotly" in _imports(p) for p in figures.glob("*.py"))  # the check sees plotly where it is
    assert any("streamlit" in _imports(p) for p in ui)


def _module_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the modules of playground/ and ui/ it imports (anywhere in it, a deferred import too)."""
    files = [*root.glob("playground/**/*.py"), *root.glob("ui/**/*.py")]
    name = {p: ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__") for p in files}
    graph: dict[str, set[str]] = {}
    for p, m in name.items():
        pkg = m if p.name == "__init__.py" else m.rpartition(".")[0]
        deps: set[str] = set()
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(n, ast.ImportFrom) and n.level:  # from .x import y: module .x, or .y itself
                base = ".".join(pkg.split(".")[: len(pkg.split(".")) - n.level + 1] + ([n.module] if n.module else []))
                deps |= {base} if n.module else {f"{base}.{a.name}" for a in n.names}
            elif isinstance(n, ast.ImportFrom) and n.module:
                deps.add(n.module)
            elif isinstance(n, ast.Import):
                deps |= {a.name for a in n.names}
        graph[m] = deps
    return {m: {d for d in ds if d in graph and d != m} for m, ds in graph.items()}


def test_no_import_cycle_in_the_package_or_the_ui() -> None:
    graph = _module_graph()
    assert "playground.train" in graph["playground.lessons"] and len(graph) > 40  # the graph sees the imports
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        assert m not in path, f"import cycle: {' -> '.join((*path[path.index(m) :], m))}"
        if m not in done:
            for d in sorted(graph[m]):
                visit(d, (*path, m))
            done.add(m)

    for m in sorted(graph):
        visit(m, ())
