"""The local stand-in for the imports queue's event source: poll the emulator, call the handler.

``chalice local`` fires no SQS events, so ``make run`` and the end-to-end
stack start this process beside the API. Each thread receives one message at
a time (batch size 1, as the cloud's event source mapping) and passes its body
to ``chalicelib.jobs.import_chunk.handle_message``, the function the Lambda
handler in ``app.py`` calls; the message is deleted only when that returns.
The queue is FIFO with the authority as group, and the emulator honours it: a
province's messages go out one at a time, whatever the number of threads.
The emulator applies the queue's redrive policy too (a message received
``IMPORT_MAX_RECEIVES`` times and never deleted moves to the dead-letter
queue); the worker polls that queue as well and calls ``handle_dead_letter``,
as the cloud's ``import_dead_letter`` function does.

    python -m devtools.import_worker --threads 3
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from chalicelib.jobs.import_chunk import handle_dead_letter, handle_message
from chalicelib.store import queue

log = logging.getLogger("import_worker")
# A failed message comes back after this many seconds (the cloud waits the queue's
# visibility timeout; locally nobody should wait 15 minutes).
RETRY_SECONDS = 2


def process_one(wait_seconds: int = 1) -> bool:
    """Receive at most one message and handle it; True when there was one."""
    sqs, url = queue.sqs(), queue.queue_url()
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=1,
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["ApproximateReceiveCount"],
    )
    messages: list[dict[str, Any]] = answer.get("Messages", [])
    for message in messages:
        count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            # No receipt handle: the retry delay is set below, the local one.
            handle_message(message["Body"], count, None)
        except Exception:  # a worker must survive any message; it will be delivered again
            log.exception("import message failed; it will be retried")
            sqs.change_message_visibility(
                QueueUrl=url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=RETRY_SECONDS,
            )
            continue
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bool(messages)


def process_dead_letter() -> bool:
    """Handle at most one message of the dead-letter queue; True when there was one."""
    sqs, url = queue.sqs(), queue.dead_letter_url()
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0)
    messages: list[dict[str, Any]] = answer.get("Messages", [])
    for message in messages:
        handle_dead_letter(message["Body"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bool(messages)


def drain(max_messages: int = 100_000) -> int:
    """Handle messages until neither queue has one visible (tests); how many were handled."""
    handled = 0
    while handled < max_messages and (process_one(wait_seconds=0) or process_dead_letter()):
        handled += 1
    return handled


def run(threads: int, stop: threading.Event) -> None:
    def loop() -> None:
        while not stop.is_set():
            try:
                process_one()
                process_dead_letter()
            except Exception:  # the emulator restarting, a network blip: keep polling
                log.exception("polling the imports queue failed")
                stop.wait(1)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.import_worker", description=__doc__)
    parser.add_argument("--threads", type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run(max(1, args.threads), stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
