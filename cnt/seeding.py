"""Demo data, seeded app by app.

Each installed app may ship a `demo` module whose `seed(context)` writes that app's own demo
rows. They run in INSTALLED_APPS order, which is the layer order, so an app finds in the
context what the apps below it seeded. Rows are found by natural keys and created only when
missing: seeding twice adds nothing.
"""

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

DEMO_MODULE = "demo"


@dataclass
class DemoContext:
    """What one seeding run shares between the apps' demo modules."""

    tmp: Path  # scratch directory for generated files, removed after the run
    # Generate audio and video; off with --no-media, and media's demo turns it off without
    # FFmpeg. Images and documents are made either way.
    with_media: bool = True
    created: int = 0
    warnings: list[str] = field(default_factory=list)  # printed to stderr after the run
    messages: list[str] = field(default_factory=list)  # printed after the summary line
    users: dict[str, Any] = field(default_factory=dict)  # by username
    categories: dict[str, Any] = field(default_factory=dict)  # by slug
    artists: dict[str, Any] = field(default_factory=dict)  # by their user's username

    def get_or_create(self, model, defaults=None, **lookup):
        """`model.objects.get_or_create`, counting the row when it is new."""
        obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
        self.created += int(created)
        return obj, created


def demo_modules() -> list[tuple[str, ModuleType]]:
    """(app label, demo module) of every installed app that has one, in INSTALLED_APPS order
    (discovered like admin.py: an app without the module is skipped, an error inside one is
    raised)."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, DEMO_MODULE):
            found.append((config.label, import_module(f"{config.name}.{DEMO_MODULE}")))
    return found
