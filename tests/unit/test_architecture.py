"""The shape of the code, checked: the import directions and boundaries DESIGN §1 promises.

Each rule is a test so that a change breaking it fails here with the file and line, rather than
in a review months later.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "casework"
SERVICES = PACKAGE / "services"
BLUEPRINTS = PACKAGE / "blueprints"
MAX_LINES = 400


def _python_files(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.rglob("*.py"))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _matches(folder: Path, pattern: str) -> list[str]:
    found = []
    regex = re.compile(pattern)
    for path in _python_files(folder):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if regex.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_services_never_answer_in_http() -> None:
    assert _matches(SERVICES, r"\babort\(|werkzeug\.exceptions|from flask import .*\babort\b") == []


def test_blueprints_run_no_sql_and_commit_nothing() -> None:
    assert _matches(BLUEPRINTS, r"db\.session|\bselect\(|\.commit\(\)|\btext\(") == []


def test_no_key_material_in_blueprints() -> None:
    assert _matches(BLUEPRINTS, r"\bcase_key\b|\bkeyring\b|casework\.crypto") == []
    templates = [
        str(path.relative_to(ROOT))
        for path in (PACKAGE / "templates").rglob("*.html")
        if re.search(r"current_user\.role", path.read_text(encoding="utf-8"))
        and "cases" in path.parts
    ]
    assert templates == [], "case templates read what the actor may do from the page, not roles"


def test_no_private_sqlalchemy_api() -> None:
    assert _matches(PACKAGE, r"_commit_all|\bNO_VALUE\b|\binstance_state\b") == []


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("services", "casework.blueprints"),
        ("models", "casework.services"),
        ("models", "casework.blueprints"),
        ("storage", "casework.services"),
        ("blueprints", "casework.crypto"),
        ("jobs", "casework.blueprints"),
    ],
)
def test_import_direction(folder: str, forbidden: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in _python_files(PACKAGE / folder)
        for line, name in _imports(path)
        if name == forbidden or name.startswith(forbidden + ".")
    ]
    assert wrong == []


def test_crypto_imports_nothing_of_casework_but_itself() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in _python_files(PACKAGE / "crypto")
        for line, name in _imports(path)
        if name.startswith("casework") and not name.startswith("casework.crypto")
    ]
    assert wrong == []


def test_every_module_fits_in_one_sitting() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for path in _python_files(PACKAGE)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


def test_services_are_feature_packages() -> None:
    modules = sorted(p.stem for p in SERVICES.glob("*.py") if p.stem != "__init__")
    assert modules == ["actors", "demo_data", "errors", "runtime", "validation"]
    for package in (p for p in SERVICES.iterdir() if p.is_dir() and p.name != "__pycache__"):
        init = package / "__init__.py"
        assert init.exists(), package
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        listed = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
        missing = sorted(name for name in listed if name not in doc)
        assert missing == [], f"{package.name}/__init__.py does not say what {missing} hold"
