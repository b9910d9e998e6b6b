"""Every file goes through Django's storage API, so media may live in a bucket: no code
outside the settings names MEDIA_ROOT, and none asks a stored file or a storage for its
path on disk (a bucket has none). Read from the source, tests and migrations left out."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
SETTINGS = ROOT / "dashboard" / "settings.py"
# What holds a stored file or a storage, by how our code names it.
HOLDERS = re.compile(r"(file|storage)$", re.IGNORECASE)


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts and path.name != "conftest.py":
                yield path


def _names_media_root(node) -> bool:
    """`settings.MEDIA_ROOT`, a bare `MEDIA_ROOT`, or `getattr(settings, "MEDIA_ROOT")`;
    prose about it in a docstring or comment is fine."""
    return (
        (isinstance(node, ast.Attribute) and node.attr == "MEDIA_ROOT")
        or (isinstance(node, ast.Name) and node.id == "MEDIA_ROOT")
        or (isinstance(node, ast.Constant) and node.value == "MEDIA_ROOT")
    )


def test_only_the_settings_name_media_root():
    naming = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources()
        if path != SETTINGS
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if _names_media_root(node)
    ]
    assert naming == []


def test_no_stored_file_or_storage_is_asked_for_its_path():
    asked = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "path":
                holder = ast.unparse(node.value)
                if HOLDERS.search(holder):
                    asked.append(f"{path.relative_to(ROOT)}:{node.lineno} {holder}.path")
    assert asked == []


def test_the_rules_catch_what_they_are_for():
    # The shapes the two tests above look for, as the code before the bucket had them.
    old = "tmp_dir = os.path.join(settings.MEDIA_ROOT, 'tmp')\npaths = [stored.file.path]"
    nodes = list(ast.walk(ast.parse(old)))
    holders = [ast.unparse(n.value) for n in nodes if isinstance(n, ast.Attribute)]
    paths = [n for n in nodes if isinstance(n, ast.Attribute) and n.attr == "path"]
    assert any(_names_media_root(n) for n in nodes)
    assert [ast.unparse(n.value) for n in paths if HOLDERS.search(ast.unparse(n.value))] == [
        "stored.file"
    ]
    assert "os" in holders  # os.path itself is no stored file
