"""The rules are a package by topic; ``from permits import rules; rules.X`` reaches them all."""

import ast
import importlib
import pkgutil
from pathlib import Path

from permits import rules

TOPICS = [info.name for info in pkgutil.iter_modules(rules.__path__)]


def test_the_package_holds_the_topics():
    assert sorted(TOPICS) == [
        "agents",
        "cancellation",
        "changes",
        "clock",
        "eligibility",
        "endorsement",
        "notice",
        "papers",
        "photo",
        "violations",
    ]


def defined_in(module) -> set[str]:
    """The public names a module defines itself (not those it imports)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return {name for name in names if not name.startswith("_")}


def test_every_public_name_of_a_topic_is_re_exported_as_itself():
    exported = []
    for topic in TOPICS:
        module = importlib.import_module(f"permits.rules.{topic}")
        assert defined_in(module) <= set(module.__all__), topic
        for name in module.__all__:
            assert getattr(rules, name) is getattr(module, name), name
        exported += module.__all__
    assert sorted(exported) == sorted(rules.__all__)
    assert len(set(exported)) == len(exported)


def test_no_topic_is_over_600_lines():
    for path in Path(rules.__file__).parent.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, path.name


def test_the_agents_age_limits_are_defined_once_in_applicants():
    """Seed 001 Art. 9: applicants checks them and cannot import permits, so they live there."""
    from applicants import constants, services

    assert (rules.MINOR_AGE_LIMIT, rules.ELDERLY_AGE) == (16, 60)
    assert rules.MINOR_AGE_LIMIT is constants.MINOR_AGE_LIMIT is services.MINOR_AGE_LIMIT
    assert rules.ELDERLY_AGE is constants.ELDERLY_AGE is services.ELDERLY_AGE
