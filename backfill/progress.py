"""A plain progress bar on stderr: rows done, rate, ETA. No dependency.

On a terminal it redraws one line; in a log (stderr not a TTY) it prints a
line every few seconds instead, so CI output and redirected runs stay readable.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    def __init__(
        self,
        total_rows: int,
        *,
        done_rows: int = 0,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(total_rows, 0)
        self.done = done_rows
        self._start_done = done_rows
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if not self.tty else 0.1
        self._clock = clock
        self._started = clock()
        self._last = float("-inf")
        self.note = ""
        self._lock = threading.Lock()  # retry notes come from the sending threads

    def advance(self, rows: int) -> None:
        self.done += rows
        self.render()

    def set_note(self, note: str) -> None:
        self.note = note
        self.render(force=True)

    def text(self) -> str:
        elapsed = self._clock() - self._started
        sent = self.done - self._start_done
        rate = sent / elapsed if elapsed > 0 else 0.0
        share = self.done / self.total if self.total else 1.0
        width = 24
        filled = int(width * share)
        bar = "#" * filled + "-" * (width - filled)
        eta = _clock((self.total - self.done) / rate) if rate > 0 else "--:--"
        line = f"[{bar}] {self.done}/{self.total} rows 行 {share:4.0%} {rate:,.0f} rows/s ETA {eta}"
        return f"{line} {self.note}" if self.note else line

    def render(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._render(force)

    def _render(self, force: bool) -> None:
        now = self._clock()
        if not force and now - self._last < self.interval and self.done < self.total:
            return
        self._last = now
        if self.tty:
            self.stream.write("\r\x1b[K" + self.text())
        else:
            self.stream.write(self.text() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        self.note = ""
        self.render(force=True)
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()
