"""Run benchmarks: `python bench/run.py [name ...]` runs bench/<name>.py, or every bench.

Each benchmark runs in its own process (they set up Django differently); files starting
with `_` are helpers, not benchmarks. Exits non-zero if any benchmark failed.
"""

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(
        path.stem
        for path in BENCH_DIR.glob("*.py")
        if not path.name.startswith("_") and path.name != "run.py"
    )


def main(argv: list[str]) -> int:
    names = [Path(arg).stem for arg in argv] or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(available())}")
        return 2
    failed = []
    for name in names:
        print(f"==> bench/{name}.py", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(BENCH_DIR / f"{name}.py")])
        print(f"<== bench/{name}.py exit {code} in {time.monotonic() - started:.1f}s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
