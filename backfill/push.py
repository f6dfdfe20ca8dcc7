"""Push checked records in batches, record what the API confirmed, resume after a stop.

Batches hold at most 100 records and stay under 1 MB encoded (the API's
limits, SPEC §4). Each record's answer in the batch is judged on its own:
201 created, 200 unchanged (already there with the same content), 429/5xx
retried in a later batch, any other 4xx rejected with the API's reason
mapped back to its sheet row. The state file is saved after every batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from backfill.client import ApiClient, PushError, TransientError, encode
from backfill.problems import Problem
from backfill.progress import Progress
from backfill.records import Checked
from backfill.state import State

MAX_RECORDS = 100
MAX_BYTES = 1_000_000  # the API refuses bodies over 1 MiB; keep clear of it
_ENVELOPE = len(b'{"records":[]}')


@dataclass
class Outcome:
    created: int = 0
    unchanged: int = 0
    skipped: int = 0  # confirmed by an earlier run (state file)
    rejected: list[Problem] = field(default_factory=list)
    pending: int = 0  # not confirmed in this run: re-run to resume
    batches: int = 0
    stopped: str | None = None  # why the run ended early, if it did


@dataclass
class _Item:
    checked: Checked
    body: bytes
    tries: int = 0


def body_of(items: Iterable[_Item]) -> bytes:
    return b'{"records":[' + b",".join(item.body for item in items) + b"]}"


def _take_batch(queue: deque[_Item], max_records: int, max_bytes: int) -> list[_Item]:
    batch: list[_Item] = []
    size = _ENVELOPE
    while queue and len(batch) < max_records:
        extra = len(queue[0].body) + (1 if batch else 0)
        if batch and size + extra > max_bytes:
            break
        batch.append(queue.popleft())
        size += extra
    return batch


def push_records(
    records: list[Checked],
    client: ApiClient,
    state: State,
    progress: Progress,
    *,
    max_records: int = MAX_RECORDS,
    max_bytes: int = MAX_BYTES,
    max_batches: int | None = None,
    concurrency: int = 1,
) -> Outcome:
    """Push every record not yet confirmed; return the counts and the rejections.

    Up to ``concurrency`` batches are in flight at once; their answers are
    applied, and the state saved, in this thread only.
    """
    outcome = Outcome()
    queue: deque[_Item] = deque()
    for checked in records:
        if state.is_done(checked.draft.source_id, checked.content_hash):
            outcome.skipped += 1
            continue
        item = _Item(checked, encode(checked.record))
        if len(item.body) + _ENVELOPE > max_bytes:
            outcome.rejected.append(
                checked.draft.problem_at(
                    None, "too_large", f"the record is {len(item.body)} bytes; the limit is 1 MB"
                )
            )
            progress.advance(len(checked.draft.rows))
            continue
        queue.append(item)
    pool = ThreadPoolExecutor(max_workers=max(concurrency, 1), thread_name_prefix="push")
    in_flight: dict[Future, list[_Item]] = {}
    launched = 0
    try:
        while queue or in_flight:
            while queue and len(in_flight) < concurrency and outcome.stopped is None:
                if max_batches is not None and launched >= max_batches:
                    outcome.stopped = f"stopped after {max_batches} batches (--max-batches)"
                    break
                batch = _take_batch(queue, max_records, max_bytes)
                in_flight[pool.submit(client.post_batch, body_of(batch))] = batch
                launched += 1
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                batch = in_flight.pop(future)
                try:
                    results = future.result()
                except PushError as error:
                    queue.extendleft(reversed(batch))
                    if error.status == 413 and len(batch) > 1:  # a lower limit than ours: halve
                        max_bytes = max(len(body_of(batch)) // 2, 1)
                    else:
                        outcome.stopped = outcome.stopped or str(error)
                    continue
                except TransientError as error:
                    queue.extendleft(reversed(batch))
                    outcome.stopped = outcome.stopped or str(error)
                    continue
                outcome.batches += 1
                retry = _apply(batch, results, state, outcome)
                state.save()
                again = {id(item) for item in retry}
                progress.advance(
                    sum(len(i.checked.draft.rows) for i in batch if id(i) not in again)
                )
                if not retry:
                    continue
                queue.extendleft(reversed(retry))
                worst = max(item.tries for item in retry)
                if worst >= client.attempts:
                    outcome.stopped = "records kept getting 429/5xx answers; re-run later"
                    continue
                wait_for = client.delay(worst)
                progress.set_note(f"retrying {len(retry)} in {wait_for:.1f}s")
                client.sleep(wait_for)
                progress.set_note("")
    finally:
        # On Ctrl-C, answers in flight are dropped: unconfirmed, they are sent again next run.
        pool.shutdown(wait=False, cancel_futures=True)
        outcome.pending = len(queue) + sum(len(batch) for batch in in_flight.values())
    return outcome


def _apply(
    batch: list[_Item],
    results: list[dict],
    state: State,
    outcome: Outcome,
) -> list[_Item]:
    """Record each answer; return the items to send again (429/5xx)."""
    by_index = {r.get("index"): r for r in results if isinstance(r, dict)}
    retry: list[_Item] = []
    for index, item in enumerate(batch):
        draft = item.checked.draft
        result = by_index.get(index)
        status = result.get("status") if result else None
        if status in (200, 201):
            state.mark(draft.source_id, item.checked.content_hash)
            if status == 201:
                outcome.created += 1
            else:
                outcome.unchanged += 1
        elif result is None or not isinstance(status, int) or status == 429 or status >= 500:
            item.tries += 1
            retry.append(item)
        else:
            outcome.rejected.extend(
                draft.problems_of(result, default_code=f"http_{status}", note=f"HTTP {status}: ")
            )
    return retry
