"""Every DynamoDB table of Award Registry, one pynamodb model (or item kind) each.

Tables:
- ``keys``: API keys, stored only as HMAC-SHA-256 of the token.
- ``authorities``: the 33 authorities and each one's change-sequence counter.
- ``programs``: award programmes, with a listing index.
- ``awards``: one table, several item kinds under ``pk``/``sk`` so a record,
  its source-id guard, its credit-code and enterprise-name index items and its earlier versions
  can be read consistently and written in one transaction (SPEC §6).
- ``changes``: the change feed, gapless ``seq`` per authority.

Later features keep their tables in their own modules (``store/calendar.py``,
``store/audit.py``, ``store/submissions.py``, ``store/search.py``, ``store/stats.py``);
``store/tables.py`` lists them all.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import StoreModel, string_list, table_meta


class ApiKeyRoleIndex(GlobalSecondaryIndex):
    """Keys by role, newest ``key_id`` first: the administrators' list and lookup by id.

    One index (CloudFormation adds one GSI per table update) over attributes
    every key already has, so keys issued before it existed are in it too. A
    lookup by id is one Query per role (two); keys are a few hundred, written
    rarely (issue, revoke, at most one last-used day per key and day).
    """

    class Meta:
        index_name = "by_role"
        projection = AllProjection()

    role = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)


class ApiKey(StoreModel):
    Meta = table_meta("keys")

    key_hash = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute()
    role = UnicodeAttribute()
    authority_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)
    # Who the key is for (set by POST /v1/keys), and the China date it was last used.
    note = UnicodeAttribute(null=True)
    last_used_on = UnicodeAttribute(null=True)
    # Who issued and who revoked it (issue 19): the acting key's id, or "cli" for the
    # operator's command line; and the note given with the revocation. Absent on keys
    # issued or revoked before this was recorded.
    created_by = UnicodeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    revoke_note = UnicodeAttribute(null=True)

    by_role = ApiKeyRoleIndex()


class AuthorityRecord(StoreModel):
    Meta = table_meta("authorities")

    id = UnicodeAttribute(hash_key=True)
    division_code = UnicodeAttribute()
    name_zh = UnicodeAttribute()
    name_en = UnicodeAttribute()
    # Gapless change-feed sequence: bumped in the same transaction as the change.
    seq = NumberAttribute(default=0)


class ProgramListingIndex(GlobalSecondaryIndex):
    """All programmes by creation time.

    One partition: programmes are a few hundred nationally and change a few
    times a year each, so this key never carries award-push traffic.
    """

    class Meta:
        index_name = "by_listing"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    listing_key = UnicodeAttribute(range_key=True)


class ProgramAuthorityIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_authority"
        projection = AllProjection()

    authority_id = UnicodeAttribute(hash_key=True)
    listing_key = UnicodeAttribute(range_key=True)


class Program(StoreModel):
    Meta = table_meta("programs")

    id = UnicodeAttribute(hash_key=True)
    authority_id = UnicodeAttribute()
    status = UnicodeAttribute()
    content = JSONAttribute()
    status_history = JSONAttribute()
    documents = JSONAttribute(default=list)
    submitted_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    listing = UnicodeAttribute(default="program")
    listing_key = UnicodeAttribute()
    # The name it last had in a public state (submitted/approved/withdrawn): what the
    # public keeps seeing on its awards while it is back in draft or rejected.
    public_name = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_listing = ProgramListingIndex()
    by_authority = ProgramAuthorityIndex()


class _AwardIndex(GlobalSecondaryIndex):
    class Meta:
        projection = AllProjection()


class AwardShardIndex(_AwardIndex):
    """All awards newest first, spread over ``shards`` partitions (merged on read)."""

    class Meta(_AwardIndex.Meta):
        index_name = "by_shard"

    shard = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class AwardAuthorityIndex(_AwardIndex):
    class Meta(_AwardIndex.Meta):
        index_name = "by_authority"

    authority_id = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class AwardProgramIndex(_AwardIndex):
    class Meta(_AwardIndex.Meta):
        index_name = "by_program"

    program_id = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class AwardAuthorityYearIndex(_AwardIndex):
    """One authority's awards of one year, newest first (``authority_year = <id>#<year>``).

    A partition takes one province's pushes of one year, no more than ``by_authority``.
    """

    class Meta(_AwardIndex.Meta):
        index_name = "by_authority_year"

    authority_year = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class AwardYearIndex(_AwardIndex):
    """All awards of one year newest first, over ``shards`` partitions (``<year>#<shard>``).

    Sharded like ``by_shard``: in the backfill and every award season one year takes
    every push of the country, and no single partition key may take every write (SPEC §6).
    """

    class Meta(_AwardIndex.Meta):
        index_name = "by_year"

    year_shard = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)


class AwardProvisionalIndex(GlobalSecondaryIndex):
    """Sparse: records judged on a provisional (Mon-Fri) year, by that year.

    Loading the year's calendar finds exactly the records to recompute here.
    """

    class Meta:
        index_name = "by_provisional"
        projection = KeysOnlyProjection()

    provisional_year = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


AWARDS_META = table_meta("awards")
RECORD_SK = "RECORD"
"""Sort key of an award's current version (its partition holds the earlier ones too)."""
GUARD_SK = "GUARD"
"""Sort key of a source-id guard."""


class AwardRecord(StoreModel):
    """The current version of an award (``pk = AWARD#<id>``, ``sk = RECORD``)."""

    Meta = AWARDS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=RECORD_SK)
    id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    source_id = UnicodeAttribute()
    program_id = UnicodeAttribute()
    year = NumberAttribute()
    awarded_on = UnicodeAttribute()
    content = JSONAttribute()
    content_hash = UnicodeAttribute()
    credit_codes = string_list()
    submitted_at = UnicodeAttribute()
    deadline = UnicodeAttribute()
    deadline_official = BooleanAttribute()
    timeliness = JSONAttribute()
    awarded_on_changes = JSONAttribute(default=list)
    # The first year without an official calendar that the timeliness rests on.
    provisional_year = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    revoked_reason = UnicodeAttribute(null=True)
    revoked_document_number = UnicodeAttribute(null=True)
    revoked_at = UnicodeAttribute(null=True)
    # Administrators' redactions: [{fields, at, reason, by}] (``services/redaction.py``).
    redactions = JSONAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    shard = UnicodeAttribute()
    feed_key = UnicodeAttribute()
    # Index keys derived from the fields above on every save (``serialize``).
    authority_year = UnicodeAttribute(null=True)
    year_shard = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_shard = AwardShardIndex()
    by_authority = AwardAuthorityIndex()
    by_program = AwardProgramIndex()
    by_authority_year = AwardAuthorityYearIndex()
    by_year = AwardYearIndex()
    by_provisional = AwardProvisionalIndex()

    @staticmethod
    def key(award_id: str) -> str:
        return f"AWARD#{award_id}"

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        """Derive the index keys here, so every write path (push, correction, revocation,
        recompute, tools) stores them and a record written before they existed gets them
        on its next version."""
        self.authority_year = f"{self.authority_id}#{self.year}"
        self.year_shard = f"{self.year}#{self.shard}"
        return super().serialize(null_check=null_check)


class AwardVersion(StoreModel):
    """An earlier version of an award, kept when it is corrected or revoked."""

    Meta = AWARDS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    snapshot = JSONAttribute()
    superseded_at = UnicodeAttribute()

    @staticmethod
    def sort_key(version: int) -> str:
        return f"V#{version:06d}"


class SourceGuard(StoreModel):
    """Makes ``source_id`` unique per authority and carries the retry hash."""

    Meta = AWARDS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=GUARD_SK)
    award_id = UnicodeAttribute()
    content_hash = UnicodeAttribute()

    @staticmethod
    def key(authority_id: str, source_id: str) -> str:
        return f"SRC#{authority_id}#{source_id}"


class CreditCodeEntry(StoreModel):
    """Index item in the base table, so verify reads it with strong consistency."""

    Meta = AWARDS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    award_id = UnicodeAttribute()
    authority_id = UnicodeAttribute()
    # The record's programme when the item was written, so verify reads the records and
    # their programmes' statuses in one BatchGetItem (``store/batch_reads.py``). Absent
    # on older items; stale after a correction moves the award: readers check.
    program_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(credit_code: str) -> str:
        return f"CC#{credit_code}"


class EnterpriseNameEntry(StoreModel):
    """Index item for the public enterprise-name prefix search (``domain/names.py``).

    ``pk = NAME#<first 2 folded characters>``, ``sk = <folded name>#<feed_key>``:
    a search is one Query with ``begins_with(sk, <folded query>)``. Written with
    the record, never deleted: a renamed winner's old item stays and readers
    check the record's current winners.
    """

    Meta = AWARDS_META

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    award_id = UnicodeAttribute()
    feed_key = UnicodeAttribute()
    # The record's year, so a search with ``year`` reads only that year's records
    # (rewritten when a correction changes the year; absent on items written before).
    year = NumberAttribute(null=True)

    @staticmethod
    def key(partition: str) -> str:
        return f"NAME#{partition}"


class ChangeEntityIndex(GlobalSecondaryIndex):
    """Every change entry of one award or programme, by ``seq`` (keys only).

    A redaction finds the entries to erase here. Eventually consistent: the
    redaction checks it found one entry per version before it trusts it.
    """

    class Meta:
        index_name = "by_entity"
        projection = KeysOnlyProjection()

    entity_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)


class ChangeEntry(StoreModel):
    Meta = table_meta("changes")

    authority_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    entity = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    op = UnicodeAttribute()
    version = NumberAttribute()
    committed_at = UnicodeAttribute()
    data = JSONAttribute()

    by_entity = ChangeEntityIndex()
