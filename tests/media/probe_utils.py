"""ffprobe helpers for checking pipeline outputs in tests."""

import json
import subprocess
from pathlib import Path


def ffprobe(path: Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def playlist_entries(path: Path) -> list[tuple[float, str]]:
    entries, duration = [], None
    for line in Path(path).read_text().splitlines():
        if line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",")[0])
        elif line and not line.startswith("#"):
            entries.append((duration, line))
    return entries


def master_variants(path: Path) -> list[tuple[dict, str]]:
    """[(attributes, uri)] from a master playlist."""
    lines = Path(path).read_text().splitlines()
    assert lines[0] == "#EXTM3U"
    variants = []
    for index, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            raw = line.split(":", 1)[1]
            attributes, key, value, quoted = {}, "", "", False
            token = ""
            for char in raw + ",":
                if char == '"':
                    quoted = not quoted
                elif char == "," and not quoted:
                    key, _, value = token.partition("=")
                    attributes[key] = value
                    token = ""
                    continue
                token += char if char != '"' else ""
            variants.append((attributes, lines[index + 1]))
    return variants
