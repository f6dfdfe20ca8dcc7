"""Award Registry: the Chalice application. Thin on purpose.

Routes live in ``chalicelib/api`` (one blueprint per resource), logic in
``chalicelib/services`` and ``chalicelib/domain``.
"""

from __future__ import annotations

import functools
from typing import Any

from chalice import ConvertToMiddleware, Cron

from chalicelib import lazy

# The one lazy seam (chalicelib/lazy.py): from here on, services, jobs and the pydantic
# modules load with the first call that reads them, not with the cold start.
lazy.defer_imports()

from aws_lambda_powertools.logging import correlation_paths

from chalicelib.api import (
    audit,
    awards,
    calendar,
    changes,
    documents,
    exports,
    feed,
    feedback,
    imports,
    keys,
    openapi,
    programs,
    public,
    receipts,
    stats,
    subscriptions,
    templates,
    timeliness,
    web,
)
from chalicelib.api.http import RegistryApp, edge_headers
from chalicelib.config import check_public_base_url, settings
from chalicelib.jobs import audit as audit_job
from chalicelib.jobs import document_check as document_check_job
from chalicelib.jobs import export as export_job
from chalicelib.jobs import import_chunk  # openpyxl & co. (~170 ms) on its first message
from chalicelib.jobs import search_index as search_index_job
from chalicelib.jobs import webhooks as webhooks_job
from chalicelib.observability import logger, metrics_middleware

# Cold start: a cloud stage without PUBLIC_BASE_URL stops here, saying so (links never
# come from a request's Host header).
check_public_base_url(settings())

app = RegistryApp(app_name="award-registry")
app.api.cors = False
app.api.binary_types.append(templates.XLSX_TYPE)

# JSON logs with the API Gateway request id as correlation id; never the event
# (it holds the body and the Authorization header).
app.register_middleware(
    ConvertToMiddleware(
        functools.partial(
            logger.inject_lambda_context,
            correlation_id_path=correlation_paths.API_GATEWAY_REST,
            log_event=False,
            clear_state=True,
        )
    ),
    "http",
)
# CORS and Cache-Control for every route, in one place (see ``edge_headers``).
app.register_middleware(edge_headers, "http")
# Every verify and verify/print answer counts for the pilot evaluation (see api/stats.py).
app.register_middleware(stats.count_verifications, "http")
# EMF metrics of every function (HTTP, scheduled, S3) flushed when it returns.
app.register_middleware(metrics_middleware(), "all")

BLUEPRINTS = (
    public.bp,
    programs.bp,
    awards.bp,
    changes.bp,
    feed.bp,
    openapi.bp,
    templates.bp,
    documents.bp,
    exports.bp,
    audit.bp,
    calendar.bp,
    feedback.bp,
    timeliness.bp,
    receipts.bp,
    imports.bp,
    keys.bp,
    stats.bp,
    subscriptions.bp,
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint, url_prefix="/v1")
# The public page (GET /) and the printable verification: HTML, at the root.
app.register_blueprint(web.bp)
# The receipt keys at their well-known address (RFC 8615), outside the version prefix.
app.register_blueprint(receipts.root_bp)

# Scheduled and event functions (thin: each calls one function in chalicelib/jobs).


@app.lambda_function(name="document_check")
def document_check(event: dict, context: object) -> dict:
    """S3 object-created on ``documents/`` (wired in ``infra/resources.json``)."""
    return document_check_job.handler(event, context)


@app.schedule(Cron(0, 18, "*", "*", "?", "*"), name="nightly_export")
def nightly_export(event: object) -> dict:
    """02:00 China time: the open-data export (see chalicelib/jobs/export.py)."""
    return export_job.handler(event)


@app.schedule(Cron(0, 17, "*", "*", "?", "*"), name="daily_audit")
def daily_audit(event: object) -> dict:
    """01:00 China time: the timeliness audit of the China date just begun."""
    return audit_job.handle(event)


# FIFO queue, MessageGroupId = the authority: SQS hands out one message of a group at a
# time, so one province's chunks run one after another (they share its change-feed
# sequence counter, and parallel chunks would only fight over it) while provinces run in
# parallel. The queue's ARN is set in infra/resources.json (the name here is only
# chalice's placeholder).
@app.on_sqs_message(queue="award-registry-imports.fifo", batch_size=1, name="import_worker")
def import_worker(event: Any) -> list[dict]:
    """Read an uploaded sheet or push one chunk of it (see chalicelib/jobs/import_chunk.py)."""
    return [
        import_chunk.handle_message(
            record.body, import_chunk.receive_count(record.to_dict()), record.receipt_handle
        )
        for record in event
    ]


# The imports queue's dead-letter queue (ARN set in infra/resources.json): a message whose
# worker died on every try lands here, and its import is failed, never left running.
@app.on_sqs_message(
    queue="award-registry-imports-dead.fifo", batch_size=1, name="import_dead_letter"
)
def import_dead_letter(event: Any) -> list[dict]:
    """Fail the import of a message the worker never finished (see import_chunk.py)."""
    return [import_chunk.handle_dead_letter(record.body) for record in event]


# Replaced in infra/resources.json by the changes table's StreamArn (Fn::GetAtt).
CHANGES_STREAM_PLACEHOLDER = (
    "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/award-registry-changes/stream/placeholder"
)


@app.on_dynamodb_record(
    stream_arn=CHANGES_STREAM_PLACEHOLDER,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name="search_index",
)
def search_index(event: object) -> dict:
    """Committed changes → the name-search index (see chalicelib/jobs/search_index.py)."""
    return search_index_job.handle_records(event)


# Webhook deliveries (issue 21): the changes stream wakes the fan-out; a schedule retries.
@app.on_dynamodb_record(
    stream_arn=CHANGES_STREAM_PLACEHOLDER,
    batch_size=100,
    starting_position="LATEST",
    name="webhook_fanout",
)
def webhook_fanout(event: object) -> dict:
    """Committed changes → signed deliveries (see chalicelib/services/webhook_delivery.py)."""
    return webhooks_job.handle(event)


@app.schedule("rate(1 minute)", name="webhook_dispatch")
def webhook_dispatch(event: object) -> dict:
    """Every minute: deliveries whose retry came due (and any missed wake-up)."""
    return webhooks_job.handle(event)
