"""A progress bar on stderr for long reads: shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from types import TracebackType

WIDTH = 30
PAUSE = 0.2  # seconds between redraws


class Progress:
    """Bytes read out of a file's size, drawn as ``label  42% [#####     ]`` on stderr."""

    def __init__(self, label: str, total: int, show: bool | None) -> None:
        self.label, self.total = label, max(total, 1)
        self.show = sys.stderr.isatty() if show is None else bool(show)
        self.done, self.drawn = 0, 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.show:
            if kind is None:
                self.update(self.total, force=True)
            sys.stderr.write("\n")
            sys.stderr.flush()

    def restart(self) -> None:
        """Start again from 0 (a second pass over the file)."""
        self.done = 0
        self.update(0, force=True)

    def update(self, done: int, *, force: bool = False) -> None:
        """Record `done` bytes read and redraw, at most every :data:`PAUSE` seconds."""
        self.done = done
        now = time.monotonic()
        if not self.show or (not force and now - self.drawn < PAUSE):
            return
        self.drawn = now
        share = min(1.0, self.done / self.total)
        filled = int(share * WIDTH)
        sys.stderr.write(f"\r{self.label}  {share:4.0%} [{'#' * filled}{' ' * (WIDTH - filled)}]")
        sys.stderr.flush()
