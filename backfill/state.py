"""The small file that makes a push resumable: ``<input>.backfill-state.json``.

It holds, per API URL, the source ids the API confirmed (201 created or 200
same content) with the SHA-256 of the content confirmed. A re-run skips a
record whose id and hash are both there; one edited since is pushed again
(and the API answers 409 ``source_id_conflict`` if it already holds other
content). The file is replaced atomically after every batch, so an
interruption loses at most the batch in flight, which the API's idempotency
on ``source_id`` absorbs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FORMAT = 1


def state_path_for(input_path: str | Path) -> Path:
    path = Path(input_path)
    return path.with_name(path.name + ".backfill-state.json")


class State:
    def __init__(self, path: Path, api_url: str) -> None:
        self.path = path
        self.target = api_url.rstrip("/")
        self._data: dict[str, Any] = {"format": FORMAT, "targets": {}}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(
                    f"the state file {path} is unreadable ({exc}); move it away to start over"
                ) from None
            if not isinstance(loaded, dict) or loaded.get("format") != FORMAT:
                raise ValueError(f"the state file {path} has an unknown format")
            self._data = loaded
        target = self._data["targets"].setdefault(self.target, {"done": {}})
        self.done: dict[str, str] = target["done"]

    def is_done(self, source_id: str, content_hash: str) -> bool:
        return self.done.get(source_id) == content_hash

    def mark(self, source_id: str, content_hash: str) -> None:
        self.done[source_id] = content_hash

    def save(self) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(
            json.dumps(self._data, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8"
        )
        os.replace(temporary, self.path)
