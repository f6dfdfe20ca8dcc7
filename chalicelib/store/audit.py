"""The ``audit`` table: everything the daily audit remembers between runs.

One table, several item kinds under ``pk``/``sk`` (only the audit writes here,
once a day, so single partitions per kind are fine):

- ``AuditLease`` (``LEASE``/<China date>): who is running the audit of a day;
  taken by a conditional write so two deliveries of one schedule run it once.
- ``AuditRun`` (``RUN``/<run id>): one per run, with its summary and report keys.
- ``AuditState`` (``STATE``/``STATE``): the change-feed position per authority,
  the authorities that have a programme list, the feedback position.
- ``TimelinessStats`` (``STATS``/<authority>): the league-table counters.
- ``ProgramTracker`` (``PROGRAM``/<programme id>): cycle, status and last
  ``awarded_on`` of a programme, kept from the change feed.
- ``AuditFinding`` (``FINDING``/<finding id>) and ``AlertOutbox``
  (``ALERT``/<alert id>): while a finding is open or an alert unsent it
  carries ``open_pk``, which puts it in the sparse ``by_open`` index; the
  audit reads those instead of their whole history.
"""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import StoreModel, string_list, table_meta

AUDIT_META = table_meta("audit")

OPEN_CONDITION = "OPEN#condition"  # open findings re-judged every run
OPEN_UNALERTED = "OPEN#unalerted"  # open event findings no alert has carried yet
OPEN_EVENT = "OPEN#event"  # open event findings already alerted (not read by runs)
OPEN_ALERT = "OPEN#alert"  # alerts not yet published


def conditional_failed(exc: PutError | UpdateError) -> bool:
    """The write was refused by its condition (someone got there first), not by a fault."""
    return exc.cause_response_code == "ConditionalCheckFailedException"


class OpenIndex(GlobalSecondaryIndex):
    """Sparse: only open findings and unsent alerts have ``open_pk``."""

    class Meta:
        index_name = "by_open"
        projection = AllProjection()

    open_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AuditFinding(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="FINDING")
    sk = UnicodeAttribute(range_key=True)  # the finding id
    kind = UnicodeAttribute()
    authority_id = UnicodeAttribute(null=True)
    subject_type = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    detail = JSONAttribute()
    action = JSONAttribute()
    status = UnicodeAttribute()  # open | closed
    opened_on = UnicodeAttribute()
    opened_in = UnicodeAttribute()
    closed_on = UnicodeAttribute(null=True)
    closed_in = UnicodeAttribute(null=True)
    close_reason = UnicodeAttribute(null=True)
    alerted_in = UnicodeAttribute(null=True)
    open_pk = UnicodeAttribute(null=True)

    by_open = OpenIndex()


class AlertOutbox(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="ALERT")
    sk = UnicodeAttribute(range_key=True)  # the alert id
    date = UnicodeAttribute()
    authority_id = UnicodeAttribute(null=True)  # None: the administrators' summary
    subject = UnicodeAttribute()
    message = UnicodeAttribute()
    attributes = JSONAttribute()
    finding_ids = string_list(default=list)
    created_in = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | sent
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    open_pk = UnicodeAttribute(null=True)

    by_open = OpenIndex()


class AuditLease(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="LEASE")
    sk = UnicodeAttribute(range_key=True)  # China date
    state = UnicodeAttribute()  # running | done | failed
    holder = UnicodeAttribute()
    expires_at = NumberAttribute()
    runs = NumberAttribute()
    event_ids = string_list(default=list)
    last_run_id = UnicodeAttribute(null=True)


class AuditRun(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="RUN")
    sk = UnicodeAttribute(range_key=True)  # the run id: <date>-<nn>
    date = UnicodeAttribute()
    trigger = UnicodeAttribute()
    started_at = UnicodeAttribute()
    finished_at = UnicodeAttribute()
    summary = JSONAttribute()
    report_keys = JSONAttribute()
    positions = JSONAttribute()


class AuditState(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="STATE")
    sk = UnicodeAttribute(range_key=True, default="STATE")
    positions = JSONAttribute(default=dict)
    listed = string_list(default=list)
    feedback_after = UnicodeAttribute(null=True)
    revision = NumberAttribute(default=0)
    last_run_id = UnicodeAttribute(null=True)


class TimelinessStats(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="STATS")
    sk = UnicodeAttribute(range_key=True)  # authority id
    counts = JSONAttribute()
    # The pilot evaluation's counters (``domain/pilot_stats.PilotCounts``).
    pilot = JSONAttribute(null=True)
    as_of = UnicodeAttribute()  # the run id that last changed them


class ProgramTracker(StoreModel):
    Meta = AUDIT_META

    pk = UnicodeAttribute(hash_key=True, default="PROGRAM")
    sk = UnicodeAttribute(range_key=True)  # programme id
    authority_id = UnicodeAttribute()
    name = UnicodeAttribute()
    cycle = UnicodeAttribute()
    status = UnicodeAttribute()
    approved_on = UnicodeAttribute(null=True)
    last_awarded_on = UnicodeAttribute(null=True)
