"""The local stand-in for the webhook functions: fan out the change feed, send deliveries.

``chalice local`` fires no DynamoDB stream and runs no schedule (STACK-NOTES), so
``make run`` and the e2e local stack start this worker beside the API. Each poll is
one ``run_once`` — the same step the cloud's ``webhook_fanout`` (stream) and
``webhook_dispatch`` (every minute) run. Its state is in the tables (each
subscription's feed position and queue), so a restart loses nothing.

    python -m devtools.webhook_worker --interval 0.2
"""

from __future__ import annotations

import argparse
import time

from chalicelib.services.webhook_delivery import run_once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    args = parser.parse_args()
    while True:
        try:
            counts = run_once(budget_seconds=5)
        except Exception as error:  # the emulator restarting: report, then try again
            print(f"webhook worker: {type(error).__name__}: {error}", flush=True)
            counts = {"queued": 0, "sent": 0}
        if not counts["queued"] and not counts["sent"]:
            time.sleep(args.interval)


if __name__ == "__main__":
    raise SystemExit(main())
