"""The shape the redesign promised: no import circles, a core that knows nothing of Flask, and a
CLI run that loads only what its sheet needs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("map_converter", "web")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path, *, load_time_only: bool) -> set[str]:
    """The modules a file imports: at load time only (module level, outside `if TYPE_CHECKING`),
    or anywhere (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    )
    nodes: list[ast.AST] = []
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if load_time_only and (
            _is_type_checking_block(node)
            or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ):
            continue
        nodes.append(node)
        pending.extend(ast.iter_child_nodes(node))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path for package in PACKAGES for path in (ROOT / package).glob("*.py")
    }


def test_no_module_imports_itself_back_at_load_time():
    sources = _sources()
    graph = {
        name: {m for m in _imports(path, load_time_only=True) if m in sources and m != name}
        for name, path in sources.items()
    }
    # Depth-first search with an explicit stack; a grey node met again is a circle.
    state: dict[str, str] = {}
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = "grey"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "black"
                stack.pop()
                path.pop()
                continue
            assert state.get(child) != "grey", f"import circle: {' -> '.join([*path, child])}"
            if child not in state:
                state[child] = "grey"
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)


def test_the_core_imports_neither_flask_nor_the_web_layer():
    for name, path in _sources().items():
        if not name.startswith("map_converter"):
            continue
        imported = _imports(path, load_time_only=False)
        web = {m for m in imported if m.split(".")[0] in ("flask", "werkzeug", "web", "flask_app")}
        assert not web, f"{name} imports {sorted(web)}"


def test_no_source_file_over_400_lines_but_the_provider_table():
    sources = [*_sources().values(), ROOT / "flask_app.py"]
    long_files = {
        path.name: count
        for path in sources
        if path.name != "providers.py"
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long_files, f"split these by what they hold: {long_files}"


def test_a_sheet_of_direct_links_does_not_load_the_network_side(tmp_path):
    """The resolver and its HTTP client are imported only for a sheet with short links (they
    were half of a 1,000-row run once); xml.sax.saxutils brought urllib.request (30 ms)."""
    source = tmp_path / "direct.csv"
    source.write_text("Name,Map link\nA,geo:1.5,2.5\nB,48.85 2.29\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "map_converter", str(source),
         "-o", str(tmp_path / "out.xlsx")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "map_converter.new_workbook" in imported  # the run did write its .xlsx
    for heavy in ("aiohttp", "map_converter.resolver", "urllib.request", "http.client"):
        assert heavy not in imported
