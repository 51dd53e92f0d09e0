"""Dependencies point one way (README "Layout"): core <- applicants <- permits <- kiosk <- review,
and notifications <- core only. Imports inside functions count too, so a deferred import cannot hide
a cycle. ``config`` (settings, URLs, Celery) sits above every app and no app imports it. Inside
an app, ``selectors`` (reads) never import ``services`` (writes): services call selectors, not the
other way round."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "notifications", "applicants", "permits", "kiosk", "review", "wechat")
ALLOWED = {
    "core": set(),
    "notifications": {"core"},
    "applicants": {"core", "notifications"},
    "permits": {"core", "notifications", "applicants"},
    "kiosk": {"core", "notifications", "applicants", "permits"},
    "review": {"core", "notifications", "applicants", "permits", "kiosk"},
    # the WeChat channel (issue 26): a way in (the account) and out (notices) beside SMS
    "wechat": {"core", "notifications", "applicants"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in (*APPS, "config"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module ``name`` imports, at any depth of the file, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def test_no_app_imports_upward_or_config(graph):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if (app := module.split(".")[0]) in APPS
        and (other := target.split(".")[0]) != app
        and other not in ALLOWED[app]
    )
    assert wrong == []


def is_selector(module: str) -> bool:
    """A module of an app's ``selectors`` package, or its ``selectors`` module."""
    parts = module.split(".")
    return parts[0] in APPS and "selectors" in parts[1:]


def is_service(module: str) -> bool:
    """A module of any app's ``services`` package, or its ``services`` module."""
    parts = module.split(".")
    return parts[0] in APPS and "services" in parts[1:]


def selectors_importing_services(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if is_selector(module)
        for target in targets
        if is_service(target)
    )


def test_no_selector_imports_a_service(graph):
    """Reads live in ``selectors`` and never reach for ``services``: a read a selector needs is
    itself a selector; anything that writes is called by a service or a view instead."""
    assert selectors_importing_services(graph) == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        result.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return result


def test_no_import_cycles(graph):
    """A package importing its own submodules (``__init__`` re-exports) is not a cycle."""
    edges = {
        module: {t for t in targets if not module.startswith(f"{t}.")}
        for module, targets in graph.items()
    }
    assert strongly_connected(edges) == []


def test_the_checker_sees_a_deferred_upward_import(tmp_path):
    """The checker itself: an import inside a function is found and resolved."""
    path = tmp_path / "sample.py"
    path.write_text("def f():\n    from ..review import admin\n")
    assert "review.admin" in imports_of("applicants.sample", path, {"review", "review.admin"})
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_the_checker_sees_a_selector_importing_a_service(tmp_path):
    """The selector check itself: a deferred import of another app's service from a selectors
    package module, and an import of the app's own services module from its selectors module."""
    path = tmp_path / "sample.py"
    path.write_text("def f():\n    from applicants.services import agents\n")
    known = {"applicants.services", "applicants.services.agents", "kiosk.services", "kiosk"}
    graph = {
        "permits.selectors.sample": imports_of("permits.selectors.sample", path, known),
        "kiosk.selectors": {"kiosk.services"},
        "kiosk.views": {"kiosk.services"},  # a view may call services
        "permits.services.sample": {"permits.selectors.sample"},  # and services call selectors
    }
    assert selectors_importing_services(graph) == [
        "kiosk.selectors imports kiosk.services",
        "permits.selectors.sample imports applicants.services",
        "permits.selectors.sample imports applicants.services.agents",
    ]
