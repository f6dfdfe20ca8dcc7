"""Every setting and policy date of Award Registry, read from the environment.

A later pilot may move the dates or limits of the notice, so they live here
and nowhere else; the code asks this module instead of spelling a number.
Reading is lazy (``settings()``) so tests and the CLI can set the environment
first, and a Lambda pays for it once per container.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from chalicelib.domain.timeliness import TimelinessPolicy

# A fixed secret for the local stage only, when no SERVER_SECRET_ARN is set (in-process
# tests); ``make run`` and the local stack read theirs from the emulator's Secrets Manager.
LOCAL_DEV_SECRET = "local-development-secret-not-for-the-cloud"
# Where ``make run`` listens: the local stage's public address unless PUBLIC_BASE_URL says.
LOCAL_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class ObjectionPolicy:
    """Objections (异议, issue 23): the answer deadline, privacy and abuse limits.

    ``answer_working_days``: the routed province answers within this many working
    days of filing (China time, the official calendar, as pushes). Contact details
    and evidence are erased ``erase_after_years`` after the objection closes.
    Filing is limited per source address and per credit code per China day; a
    lookup (number + token) per source address per hour, so numbers and tokens
    cannot be probed in bulk.
    """

    answer_working_days: int = 10
    erase_after_years: int = 3
    max_evidence: int = 3
    max_evidence_bytes: int = 10 * 1024 * 1024
    filings_per_address_per_day: int = 5
    filings_per_credit_code_per_day: int = 5
    lookups_per_address_per_hour: int = 120


def _objection_policy() -> ObjectionPolicy:
    return ObjectionPolicy(
        answer_working_days=max(1, _env_int("OBJECTION_ANSWER_WORKING_DAYS", 10)),
        erase_after_years=max(1, _env_int("OBJECTION_ERASE_AFTER_YEARS", 3)),
        max_evidence=max(0, _env_int("OBJECTION_MAX_EVIDENCE", 3)),
        max_evidence_bytes=_env_int("OBJECTION_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024),
        filings_per_address_per_day=max(1, _env_int("OBJECTION_FILINGS_PER_ADDRESS", 5)),
        filings_per_credit_code_per_day=max(1, _env_int("OBJECTION_FILINGS_PER_CODE", 5)),
        lookups_per_address_per_hour=max(1, _env_int("OBJECTION_LOOKUPS_PER_ADDRESS", 120)),
    )


class ConfigurationError(RuntimeError):
    """A setting a cloud stage cannot run without is missing: raised at cold start."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_date(name: str, default: str) -> date:
    return date.fromisoformat(_env(name, default))


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "true" if default else "false").lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """One immutable snapshot of the configuration."""

    stage: str
    region: str
    table_prefix: str
    bucket: str
    alerts_topic_arn: str
    # Secrets Manager name or ARN of the HMAC key of API keys and cursors (SPEC §4); the
    # value is never in the environment. Empty only on the local stage (LOCAL_DEV_SECRET).
    server_secret_arn: str
    # Policy dates and limits of the notice (SPEC §1, §3).
    program_list_due: date
    backfill_from: date
    backfill_due: date
    rule_start: date
    working_days: int
    audit_from: date
    max_body_bytes: int
    max_winners: int
    max_batch_records: int
    page_default: int
    page_max: int
    feed_size: int
    public_timeliness: bool
    public_documents: bool
    shards: int = field(default=8)
    # Deepest nesting of a JSON body (DynamoDB's own limit for a stored document is 32).
    max_json_depth: int = field(default=32)
    # Most problems one error answer lists in ``errors`` (a body of 50,000 unknown keys
    # would otherwise answer with megabytes, over Lambda's 6 MB response limit).
    max_error_details: int = field(default=50)
    # Most index items one enterprise-name search reads before it asks for a longer name.
    name_search_max: int = field(default=5000)
    # Optimistic commits (``store/ledger.until_committed``): how often a write that lost a
    # race re-reads and tries again, and the cap of the jittered back-off between tries.
    # Every change of one authority bumps its one sequence counter, so a province pushing
    # in parallel races itself: 40 tries let 20+ concurrent writers all land (e2e tests),
    # and the back-off (up to 5 ms doubling, at most 200 ms) sleeps at most ~7 s in all
    # (3.5 s on average), well inside API Gateway's 29 s. Past them: 503 ``unavailable``.
    commit_attempts: int = field(default=40)
    commit_backoff_ms: int = field(default=5)
    commit_backoff_cap_ms: int = field(default=200)
    # How long a redaction waits for the change-entry index to show every entry of the award.
    redact_index_wait_seconds: int = field(default=5)
    # How long set-up waits for an index it adds to an existing (local) table to be ACTIVE.
    index_build_wait_seconds: int = field(default=900)
    # Most stored items one public list page reads: max(factor × limit, floor). Past it
    # the page answers what it found with a cursor, so no request costs the whole table.
    read_bound_factor: int = field(default=10)
    read_bound_floor: int = field(default=200)
    # The public address of the API (e.g. https://registry.example.cn/api): the only root of
    # absolute links (QR code, feed, OpenAPI servers); never the request's Host header.
    public_base_url: str = field(default=LOCAL_BASE_URL)
    # Approval documents (SPEC §4): upload limit, links' lifetimes.
    max_document_bytes: int = 20 * 1024 * 1024
    max_documents: int = 10
    upload_url_seconds: int = 900
    # Open audit findings one GET /v1/timeliness/{id}/findings answers at most.
    findings_read_max: int = 500
    # Replies one feedback item keeps (each handling with a new reply adds one): past it, 409.
    feedback_max_replies: int = 20
    download_url_seconds: int = 300
    # Nightly export: multipart part size (S3 minimum 5 MiB) and how long a run's claim holds.
    export_part_bytes: int = 8 * 1024 * 1024
    export_claim_seconds: int = 900
    # Change-feed entries per Query page the export reads: memory holds one page (an
    # unbounded page is up to 1 MB of items, several MiB once parsed).
    export_page_items: int = 50
    # Spreadsheet imports (POST /v1/imports): upload limit, records per chunk (one
    # POST /v1/awards/batch worth), and the FIFO queue the chunks travel on.
    max_import_bytes: int = 20 * 1024 * 1024
    import_chunk_records: int = 100
    imports_queue_name: str = "award-registry-local-imports.fifo"
    imports_queue_url: str = ""
    # Imports that cannot get stuck (issue 19). Limits checked before and while a sheet is
    # read: data rows per file, unpacked XLSX bytes (the ZIP directory), cells per row, rows
    # problems one import keeps. A message is tried at most ``import_max_receives`` times (the
    # queue's maxReceiveCount in infra/resources.json; a worker that dies goes to the
    # dead-letter queue, whose handler fails the import). Time budget: reading, plus so
    # much per chunk; past it any look at the import fails it (``timed_out``). An import
    # never started expires after ``import_upload_hours`` (the daily audit's sweep, or any
    # look at it); a province has at most ``import_max_open`` imports open at once.
    import_max_rows: int = 50_000
    import_max_unpacked_bytes: int = 200 * 1024 * 1024
    import_max_cells_per_row: int = 200
    import_max_problems: int = 100_000
    import_max_receives: int = 3
    imports_dead_letter_queue_name: str = "award-registry-local-imports-dead.fifo"
    import_retry_seconds: int = 30
    import_read_budget_seconds: int = 900
    import_chunk_budget_seconds: int = 120
    import_upload_hours: int = 24
    import_max_open: int = 10
    # Signed verification receipts (issue 14): the KMS key (its alias: IAM lets the API sign
    # only through it), most awards one receipt lists, how long a Lambda trusts the key list.
    receipt_key_id: str = field(default="alias/award-registry-local-receipts")
    receipt_max_awards: int = 1000
    receipt_keys_cache_seconds: int = 300
    # Pilot statistics: verify answers are counted on this many shards of a daily counter
    # (raise it freely; never lower it, or the higher shards' counts are no longer read),
    # and GET /v1/stats/pilot spans at most this many months.
    verify_counter_shards: int = 8
    stats_max_months: int = 36
    # How long a container keeps the fetched server secret before asking again.
    server_secret_max_age: int = 3600
    # Objections (issue 23): see ObjectionPolicy.
    objections: ObjectionPolicy = field(default_factory=ObjectionPolicy)
    # Per-client rate limits (issue 19; services/rate_limits.py): receipts and printed
    # verifications sign with KMS and store a receipt, so one client gets at most
    # receipt_rate_limit of them per receipt_rate_window_seconds (the WAF rule in
    # infra/resources.json has the same numbers); past it, 429 with Retry-After.
    receipt_rate_limit: int = 100
    receipt_rate_window_seconds: int = 300
    # --- Webhook subscriptions (issue 21) ---
    # The KMS key (alias) that encrypts signing secrets at rest.
    webhook_key_id: str = "alias/award-registry-local-webhooks"
    # Deliver to 127.0.0.1 over http (make run, tests): the local stage only, never a cloud one.
    webhook_allow_loopback: bool = False
    webhook_timeout_seconds: float = 10.0
    # Subscriptions one province may hold (deleted ones not counted).
    webhook_max_per_owner: int = 10
    # Events one replay request re-sends at most, and how often a subscription may replay.
    webhook_replay_max: int = 1000
    webhook_replay_interval_seconds: int = 60
    # Change-feed entries one fan-out step reads per subscription (one transaction: < 100).
    webhook_fanout_page: int = 50
    # Dispatcher: a subscription's queue is held this long; sending stops taking new
    # deliveries after the budget; this many subscriptions are served side by side.
    webhook_lease_seconds: int = 120
    webhook_dispatch_budget_seconds: float = 40.0
    webhook_dispatch_threads: int = 8
    # Data-quality checks (issue 22): awards one rescan message indexes and judges, and the
    # most changed awards the daily audit checks itself (more, e.g. the day a backfill
    # lands: it queues a rescan instead, which the imports worker runs in chunks).
    quality_rescan_chunk: int = 100
    quality_audit_max_awards: int = 5000

    @property
    def timeliness_policy(self) -> TimelinessPolicy:
        # Measured cold-start lazy load: the deadline rules load with the first deadline.
        from chalicelib.domain.timeliness import TimelinessPolicy

        return TimelinessPolicy(
            rule_start=self.rule_start,
            backfill_deadline=self.backfill_due,
            working_days=self.working_days,
        )

    def read_bound(self, limit: int) -> int:
        """Most stored items a public list page of ``limit`` items may read."""
        return max(self.read_bound_factor * limit, self.read_bound_floor)

    def table_name(self, kind: str) -> str:
        return f"{self.table_prefix}-{kind}"

    @property
    def stack_secret_name(self) -> str:
        """The server secret's name where the local stack creates it (``make run``)."""
        return f"{self.table_prefix}-server-secret"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Read the environment once; ``settings.cache_clear()`` re-reads it (tests)."""
    stage = _env("STAGE", "local")
    prefix = _env("TABLE_PREFIX", f"award-registry-{stage}")
    region = _env("AWS_REGION", _env("AWS_DEFAULT_REGION", "cn-north-1"))
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    secret_arn = _env("SERVER_SECRET_ARN", "")
    if stage != "local" and not secret_arn:
        raise ConfigurationError(
            f"SERVER_SECRET_ARN is not set: stage {stage!r} reads its server secret from "
            "Secrets Manager (the stack sets it; see infra/resources.json)"
        )
    base_default = LOCAL_BASE_URL if stage == "local" else ""  # a cloud stage must say it
    return Settings(
        stage=stage,
        region=region,
        table_prefix=prefix,
        bucket=_env("BUCKET_NAME", f"{prefix}-data"),
        alerts_topic_arn=_env(
            "ALERTS_TOPIC_ARN", f"arn:{partition}:sns:{region}:123456789012:{prefix}-alerts"
        ),
        server_secret_arn=secret_arn,
        program_list_due=_env_date("PROGRAM_LIST_DUE", "2021-03-31"),
        backfill_from=_env_date("BACKFILL_FROM", "2018-01-01"),
        backfill_due=_env_date("BACKFILL_DUE", "2021-06-30"),
        rule_start=_env_date("RULE_START", "2021-07-01"),
        working_days=_env_int("WORKING_DAYS", 10),
        audit_from=_env_date("AUDIT_FROM", "2021-01-01"),
        max_body_bytes=_env_int("MAX_BODY_BYTES", 1024 * 1024),
        max_winners=_env_int("MAX_WINNERS", 40),
        max_batch_records=_env_int("MAX_BATCH_RECORDS", 100),
        page_default=_env_int("PAGE_DEFAULT", 20),
        page_max=_env_int("PAGE_MAX", 100),
        feed_size=_env_int("FEED_SIZE", 50),
        public_timeliness=_env_bool("PUBLIC_TIMELINESS", False),
        public_documents=_env_bool("PUBLIC_DOCUMENTS", False),
        shards=_env_int("AWARD_SHARDS", 8),
        max_json_depth=_env_int("MAX_JSON_DEPTH", 32),
        max_error_details=_env_int("MAX_ERROR_DETAILS", 50),
        name_search_max=_env_int("NAME_SEARCH_MAX", 5000),
        commit_attempts=max(1, _env_int("COMMIT_ATTEMPTS", 40)),
        commit_backoff_ms=_env_int("COMMIT_BACKOFF_MS", 5),
        commit_backoff_cap_ms=_env_int("COMMIT_BACKOFF_CAP_MS", 200),
        redact_index_wait_seconds=_env_int("REDACT_INDEX_WAIT_SECONDS", 5),
        index_build_wait_seconds=_env_int("INDEX_BUILD_WAIT_SECONDS", 900),
        read_bound_factor=_env_int("READ_BOUND_FACTOR", 10),
        read_bound_floor=_env_int("READ_BOUND_FLOOR", 200),
        public_base_url=_env("PUBLIC_BASE_URL", base_default).rstrip("/"),
        max_document_bytes=_env_int("MAX_DOCUMENT_BYTES", 20 * 1024 * 1024),
        max_documents=_env_int("MAX_DOCUMENTS_PER_PROGRAM", 10),
        upload_url_seconds=_env_int("UPLOAD_URL_SECONDS", 900),
        findings_read_max=_env_int("FINDINGS_READ_MAX", 500),
        feedback_max_replies=max(1, _env_int("FEEDBACK_MAX_REPLIES", 20)),
        download_url_seconds=_env_int("DOWNLOAD_URL_SECONDS", 300),
        export_part_bytes=max(5 * 1024 * 1024, _env_int("EXPORT_PART_BYTES", 8 * 1024 * 1024)),
        export_claim_seconds=_env_int("EXPORT_CLAIM_SECONDS", 900),
        export_page_items=max(1, _env_int("EXPORT_PAGE_ITEMS", 50)),
        max_import_bytes=_env_int("MAX_IMPORT_BYTES", 20 * 1024 * 1024),
        import_chunk_records=max(1, min(_env_int("IMPORT_CHUNK_RECORDS", 100), 100)),
        imports_queue_name=_env("IMPORTS_QUEUE_NAME", f"{prefix}-imports.fifo"),
        # Set by the stack (the queue's URL); empty: looked up by name (the local emulator).
        imports_queue_url=_env("IMPORTS_QUEUE_URL", ""),
        import_max_rows=max(1, _env_int("IMPORT_MAX_ROWS", 50_000)),
        import_max_unpacked_bytes=_env_int("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024),
        import_max_cells_per_row=max(20, _env_int("IMPORT_MAX_CELLS_PER_ROW", 200)),
        import_max_problems=max(100, _env_int("IMPORT_MAX_PROBLEMS", 100_000)),
        import_max_receives=max(1, _env_int("IMPORT_MAX_RECEIVES", 3)),
        imports_dead_letter_queue_name=_env(
            "IMPORTS_DEAD_LETTER_QUEUE_NAME", f"{prefix}-imports-dead.fifo"
        ),
        import_retry_seconds=max(0, _env_int("IMPORT_RETRY_SECONDS", 30)),
        import_read_budget_seconds=_env_int("IMPORT_READ_BUDGET_SECONDS", 900),
        import_chunk_budget_seconds=_env_int("IMPORT_CHUNK_BUDGET_SECONDS", 120),
        import_upload_hours=max(1, _env_int("IMPORT_UPLOAD_HOURS", 24)),
        import_max_open=max(1, _env_int("IMPORT_MAX_OPEN", 10)),
        receipt_key_id=_env("RECEIPT_KEY_ID", f"alias/{prefix}-receipts"),
        receipt_max_awards=_env_int("RECEIPT_MAX_AWARDS", 1000),
        receipt_keys_cache_seconds=_env_int("RECEIPT_KEYS_CACHE_SECONDS", 300),
        verify_counter_shards=max(1, _env_int("VERIFY_COUNTER_SHARDS", 8)),
        stats_max_months=max(1, _env_int("STATS_MAX_MONTHS", 36)),
        server_secret_max_age=_env_int("SERVER_SECRET_MAX_AGE", 3600),
        objections=_objection_policy(),
        receipt_rate_limit=max(1, _env_int("RECEIPT_RATE_LIMIT", 100)),
        receipt_rate_window_seconds=max(1, _env_int("RECEIPT_RATE_WINDOW_SECONDS", 300)),
        # --- Webhook subscriptions (issue 21) ---
        webhook_key_id=_env("WEBHOOK_KEY_ID", f"alias/{prefix}-webhooks"),
        webhook_allow_loopback=stage == "local" and _env_bool("WEBHOOK_ALLOW_LOOPBACK", True),
        webhook_timeout_seconds=float(_env("WEBHOOK_TIMEOUT_SECONDS", "10")),
        webhook_max_per_owner=max(1, _env_int("WEBHOOK_MAX_PER_OWNER", 10)),
        webhook_replay_max=max(1, _env_int("WEBHOOK_REPLAY_MAX", 1000)),
        webhook_replay_interval_seconds=_env_int("WEBHOOK_REPLAY_INTERVAL_SECONDS", 60),
        webhook_fanout_page=max(1, min(_env_int("WEBHOOK_FANOUT_PAGE", 50), 99)),
        webhook_lease_seconds=_env_int("WEBHOOK_LEASE_SECONDS", 120),
        webhook_dispatch_budget_seconds=float(_env("WEBHOOK_DISPATCH_BUDGET_SECONDS", "40")),
        webhook_dispatch_threads=max(1, _env_int("WEBHOOK_DISPATCH_THREADS", 8)),
        quality_rescan_chunk=max(1, min(_env_int("QUALITY_RESCAN_CHUNK", 100), 500)),
        quality_audit_max_awards=max(1, _env_int("QUALITY_AUDIT_MAX_AWARDS", 5000)),
    )


def check_public_base_url(config: Settings) -> str:
    """The configured public address, or ``ConfigurationError`` at cold start.

    Links are never built from a request's ``Host`` or ``X-Forwarded-*``
    headers (a forged header would put an attacker's address in a QR code
    or in a feed cached for everyone), so a cloud stage must be told its
    address; the local stage defaults to ``make run``'s.
    """
    url = config.public_base_url
    if not url:
        raise ConfigurationError(
            f"PUBLIC_BASE_URL is not set for stage {config.stage!r}: set it to the public "
            "address of the API (e.g. https://registry.example.cn/api; the PublicBaseUrl "
            "parameter of the packaged template)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            f"PUBLIC_BASE_URL must be an http(s) address without query or fragment, not {url!r}"
        )
    return url
