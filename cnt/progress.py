"""One clean progress bar for long management commands, with log lines above it.

The bar is drawn on the command's stderr; while it runs, every console log handler (the
project's, Celery's, Django's) writes through `tqdm.write`, which lifts the bar, prints the
line and redraws the bar under it, so log lines never break it up. What the command itself
has to say while the bar runs goes through `Progress.note`; its summary is written after.
"""

import logging
import sys
from contextlib import contextmanager

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


def _console_loggers() -> list[logging.Logger]:
    """The root logger and every configured logger with a console handler of its own."""
    loggers = [logging.root]
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and any(
            isinstance(handler, logging.StreamHandler)
            and getattr(handler, "stream", None) in (sys.stdout, sys.stderr)
            for handler in logger.handlers
        ):
            loggers.append(logger)
    return loggers


class Progress:
    """The running bar: `advance()` after each unit of work, `note()` for a line above it."""

    def __init__(self, bar: tqdm, stream):
        self.bar = bar
        self.stream = stream

    def advance(self, count: int = 1, *, status: str | None = None) -> None:
        if status is not None:
            self.bar.set_postfix_str(status[:40], refresh=False)
        self.bar.update(count)

    def restart(self, *, total: int, desc: str) -> None:
        """The same bar for the next stage of the work (one bar on screen, never two)."""
        self.bar.set_description_str(desc, refresh=False)
        self.bar.reset(total=total)

    def note(self, message: str) -> None:
        tqdm.write(message, file=self.stream)


@contextmanager
def command_progress(command, *, total: int, desc: str, unit: str):
    """A progress bar for `command` (a BaseCommand) over `total` units of work."""
    stream = getattr(command.stderr, "_out", sys.stderr)
    with (
        tqdm(total=total, desc=desc, unit=unit, file=stream, dynamic_ncols=True) as bar,
        logging_redirect_tqdm(loggers=_console_loggers()),
    ):
        yield Progress(bar, stream)
