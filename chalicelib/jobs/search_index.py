"""DynamoDB stream of the ``changes`` table → the name-search index.

Declared in ``app.py`` with ``@app.on_dynamodb_record``; ``chalice package``
writes the literal placeholder ARN given there, and the merge template
(``infra/resources.json``) replaces it with the ``changes`` table's StreamArn.
New entries only (``INSERT``): a change entry is written once per committed
change; a redaction's later edit of an entry is not a new version. A failure
raises, so Lambda retries the batch: indexing is idempotent
(``services/search_index.py``). Locally ``devtools/search_worker.py`` polls the
change feed and calls the same ``index_change``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.services.search_index import index_image


def handle_records(records: Iterable[Any]) -> dict[str, int]:
    """Index the award of every inserted change entry; counts for logs and tests."""
    indexed = skipped = 0
    for record in records:
        if record.event_name != "INSERT" or not record.new_image:
            skipped += 1
            continue
        if index_image(record.new_image):
            indexed += 1
        else:
            skipped += 1
    return {"indexed": indexed, "skipped": skipped}
