"""Set up Django for a benchmark in a throwaway workspace (SQLite, local files)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(name: str, **env) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=f"cnt-bench-{name}-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnt.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["FILE_UPLOAD_TEMP_DIR"] = str(workdir)
    os.environ.pop("REDIS_URL", None)
    os.environ.update({key: str(value) for key, value in env.items()})
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return workdir
