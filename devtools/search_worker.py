"""The local stand-in for the change stream: poll the change feed, index each new entry.

``chalice local`` fires no DynamoDB stream (STACK-NOTES), so ``make run`` and the
e2e local stack start this worker beside the API. It calls the same
``index_change`` as the cloud's stream function, through ``catch_up``. Its
position lives in memory: on a restart it re-reads the feed from the start, and
indexing skips every version it already holds.

    python -m devtools.search_worker --interval 0.5
"""

from __future__ import annotations

import argparse
import time

from chalicelib.services.search_index import catch_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
    args = parser.parse_args()
    position: dict[str, int] = {}
    while True:
        try:
            position, more = catch_up(position)
        except Exception as error:  # the emulator restarting: report, then try again
            print(f"search worker: {type(error).__name__}: {error}", flush=True)
            more = False
        if not more:
            time.sleep(args.interval)


if __name__ == "__main__":
    raise SystemExit(main())
