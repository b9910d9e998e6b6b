"""The templates rule the README states: a template lives in the app whose views render it,
and the project's templates/ keeps only what belongs to no app."""

from pathlib import Path

from django.apps import apps
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parents[2]
# Django's auth views render registration/; the rest is the layout every app extends.
PROJECT_WIDE = {"base.html", "403.html", "404.html", "413.html", "includes", "registration"}


def test_the_project_templates_folder_holds_only_what_no_app_owns():
    found = {path.name for path in (ROOT / "templates").iterdir()}
    assert found <= PROJECT_WIDE, f"move {sorted(found - PROJECT_WIDE)} into the app rendering it"


def test_each_app_template_sits_under_its_own_app_name():
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if Path(config.path).parent != ROOT or not folder.is_dir():
            continue  # not one of ours
        for path in folder.rglob("*.html"):
            assert path.relative_to(folder).parts[0] == config.label, path
            # And the loader finds it under that name (the app is installed, APP_DIRS on).
            assert Path(get_template(str(path.relative_to(folder))).origin.name) == path
