"""The progress bar on stderr (tqdm): rows done, rate, ETA, and a note while retrying.

On a terminal tqdm redraws one line; in a log (stderr not a TTY) it redraws at
most every few seconds, so CI output and redirected runs stay short.
"""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


class Progress:
    """Rows of the sheet confirmed by the API; ``done_rows`` were confirmed by an earlier run."""

    def __init__(
        self,
        total_rows: int,
        *,
        done_rows: int = 0,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float = 5.0,
    ) -> None:
        stream = stream or sys.stderr
        tty = bool(getattr(stream, "isatty", lambda: False)())
        self._bar = tqdm(
            total=max(total_rows, 0),
            initial=done_rows,
            file=stream,
            disable=not enabled,
            desc="行 rows",
            unit=" rows",
            mininterval=0.1 if tty else interval,
            dynamic_ncols=tty,
            ascii=not tty,
        )

    def advance(self, rows: int) -> None:
        self._bar.update(rows)

    def set_note(self, note: str) -> None:
        """Shown after the bar (e.g. a retry's wait); called from the sending threads too."""
        self._bar.set_postfix_str(note, refresh=True)

    def close(self) -> None:
        self._bar.set_postfix_str("", refresh=False)
        self._bar.close()
