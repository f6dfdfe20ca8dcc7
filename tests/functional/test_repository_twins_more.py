"""The twins of ``tests/twins_more.py`` behave as their stores do on DynamoDB, S3's
neighbour KMS included.

The same checks run twice: against the real store module on moto and against its
twin, so the service unit tests that use a twin test what production would do.
(``quality.award_views_page`` reads the awards table: its twin is a stand-in list,
not checked here.)
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from chalicelib.store import (
    kms,
    ledger,
    objections,
    programs,
    quality,
    rate_limits,
    webhooks,
)
from chalicelib.store.objections import Objection
from chalicelib.store.quality import QualityFinding, RescanJob
from chalicelib.store.webhooks import Delivery, Subscription
from tests import twins as memory
from tests import twins_more

AT = "2026-11-20T02:00:00.000000Z"


@pytest.fixture(params=["dynamodb", "memory"])
def repos(request: pytest.FixtureRequest) -> SimpleNamespace:
    """The stores: the real modules (moto) or their twins."""
    if request.param == "dynamodb":
        request.getfixturevalue("aws")

        def commit(authority_id: str, entity_id: str, at: str) -> int:
            change = ledger.Change("award", entity_id, "update", 2, {"id": entity_id})
            return int(ledger.commit(authority_id, change, at, lambda transaction: None).seq)

        return SimpleNamespace(
            objections=objections,
            quality=quality,
            webhooks=webhooks,
            rate_limits=rate_limits,
            kms=kms,
            programs=programs,
            save=ledger.save_if_unchanged,
            commit=commit,
        )
    changes = memory.InMemoryChanges()
    program_twin = memory.InMemoryPrograms()
    twins = SimpleNamespace(
        objections=twins_more.InMemoryObjections(changes),
        quality=twins_more.InMemoryQuality(program_twin),
        webhooks=twins_more.InMemoryWebhooks(),
        rate_limits=twins_more.InMemoryRateLimits(),
        kms=twins_more.InMemoryKms(),
        programs=program_twin,
    )

    def save(item: Any) -> None:
        if isinstance(item, Objection):
            twins.objections.save(item)
        else:
            twins.quality.save_job(item)

    def commit_twin(authority_id: str, entity_id: str, at: str) -> int:
        entry = changes.append(
            authority_id,
            entity="award",
            entity_id=entity_id,
            op="update",
            version=2,
            committed_at=at,
            data={"id": entity_id},
        )
        return int(entry.seq)

    twins.save, twins.commit = save, commit_twin
    return twins


def test_every_twin_implements_every_function_of_its_store():
    for module, twin in (
        (objections, twins_more.InMemoryObjections),
        (quality, twins_more.InMemoryQuality),
        (webhooks, twins_more.InMemoryWebhooks),
        (rate_limits, twins_more.InMemoryRateLimits),
        (kms, twins_more.InMemoryKms),
    ):
        assert memory.public_functions(module) <= set(dir(twin)), module.__name__


# --- objections ----------------------------------------------------------------------------


def _objection(authority_id: str = "110000", **fields: Any):
    """A ``build`` for ``file_new``: the objection a filing makes, given its number."""

    def build(number: str) -> Objection:
        values: dict[str, Any] = {
            "pk": Objection.key(2026),
            "sk": number,
            "number": number,
            "kind": "missing_award",
            "credit_code": "91110000000000001X",
            "authority_id": authority_id,
            "description": "缺少获奖信息",
            "state": "open",
            "filed_at": AT,
            "filed_on": "2026-11-20",
            "routed_on": "2026-11-20",
            "deadline": "2026-12-04",
            "deadline_official": "true",
            "token_hash": "h",
            "contact": {"name": "王"},
            "evidence": [],
            "history": [{"action": "filed", "at": AT}],
            "open_pk": objections.OPEN_PK,
        }
        return Objection(**{**values, **fields})

    return build


def test_filings_take_gapless_numbers_per_year_and_count_as_received(repos):
    store = repos.objections
    assert store.last_number(2026) == 0 and store.get("YY-2026-000001") is None
    assert store.get("not-a-number") is None
    first = store.file_new(2026, _objection())
    second = store.file_new(2026, _objection("320000"))
    assert (first.number, second.number) == ("YY-2026-000001", "YY-2026-000002")
    assert first.version == 1 and store.last_number(2026) == 2
    assert store.get("YY-2026-000002").authority_id == "320000"
    counters, days = store.all_stats()
    assert {k: int(v.received) for k, v in counters.items()} == {"110000": 1, "320000": 1}
    assert days == {}


def test_objections_are_listed_newest_number_first_with_the_yearly_counter_beside_them(repos):
    store = repos.objections
    for authority_id in ("110000", "320000", "110000", "110000"):
        store.file_new(2026, _objection(authority_id))
    rows, more = store.of_authority("110000", before=None, size=2)
    assert [r.number[-1] for r in rows] == ["4", "3"] and more
    rows, more = store.of_authority("110000", before="YY-2026-000003", size=2)
    assert [r.number[-1] for r in rows] == ["1"] and not more
    rows, more = store.of_year(2026, before=None, size=5)
    assert [r.number[-1] for r in rows] == ["4", "3", "2", "1"] and not more
    # Below a number the counter item is read too (and dropped): it takes a slot.
    rows, more = store.of_year(2026, before="YY-2026-000003", size=2)
    assert [r.number[-1] for r in rows] == ["2", "1"] and more
    rows, more = store.of_year(2026, before="YY-2026-000003", size=4)
    assert [r.number[-1] for r in rows] == ["2", "1"] and not more
    assert store.of_year(2025, before=None, size=5) == ([], False)


def test_an_answer_saves_version_checked_with_its_counters_and_leaves_the_open_index(repos):
    store = repos.objections
    store.file_new(2026, _objection())
    store.file_new(2026, _objection())
    mine, theirs = store.get("YY-2026-000001"), store.get("YY-2026-000001")
    mine.state, mine.open_pk = "answered", None
    mine.erase_pk, mine.erase_on = objections.ERASE_PK, "2029-11-20"
    days_key = objections.ObjectionStats.days_key("110000", 3)
    store.save_with_stats(
        mine, [("110000", {"answered": 1, "corrected": 0}), (days_key, {"answers": 1})]
    )
    assert mine.version == 2
    theirs.description = "stale"
    with pytest.raises(ledger.CommitConflict):
        store.save_with_stats(theirs, [("110000", {"answered": 1})])
    counters, days = store.all_stats()
    assert int(counters["110000"].answered) == 1 and not counters["110000"].corrected
    assert days == {"110000": {3: 1}}
    assert [o.number for o in store.open_objections()] == ["YY-2026-000002"]
    assert store.due_for_erasure("2029-11-19") == []
    assert [o.number for o in store.due_for_erasure("2029-11-20")] == ["YY-2026-000001"]
    erased = store.get("YY-2026-000001")
    erased.erase_pk = erased.erase_on = None
    repos.save(erased)
    assert store.due_for_erasure("2030-01-01") == []
    with pytest.raises(ledger.CommitConflict):
        repos.save(theirs)


def test_an_awards_changes_after_filing_are_read_from_the_feed(repos):
    before = repos.commit("110000", "awd_1", "2026-11-19T02:00:00.000000Z")
    after = repos.commit("110000", "awd_1", "2026-11-21T02:00:00.000000Z")
    repos.commit("110000", "awd_2", "2026-11-21T03:00:00.000000Z")
    repos.commit("320000", "awd_1", "2026-11-21T04:00:00.000000Z")
    entry = repos.objections.change_entry("110000", before)
    assert entry is not None and entry["entity_id"] == "awd_1" and entry["seq"] == before
    assert entry["op"] == "update" and entry["data"] == {"id": "awd_1"}
    assert repos.objections.change_entry("110000", 99) is None
    found = repos.objections.award_changes_after("awd_1", "110000", AT)
    assert [(e["seq"], e["committed_at"]) for e in found] == [
        (after, "2026-11-21T02:00:00.000000Z")
    ]


# --- quality -------------------------------------------------------------------------------


def _finding(rule: str, group: str, authority_id: str, n: int) -> QualityFinding:
    found_id = f"qf_{n:024d}"
    return QualityFinding(
        pk=QualityFinding.key(rule, group),
        sk=authority_id,
        id=found_id,
        rule=rule,
        group=group,
        severity="error",
        authority_id=authority_id,
        state="open",
        records=[],
        detail={},
        opened_on="2026-11-20",
        updated_on="2026-11-20",
        history=[],
        rule_key=f"{rule}#{found_id}",
        authority_key=f"{authority_id}#{found_id}",
    )


def _all_pages(store: Any, index: str, hash_key: str, rule: str | None) -> list[list[str]]:
    pages, start = [], None
    while True:
        items, start = store.findings_page(index, hash_key, rule, size=2, start=start)
        pages.append([i.id[-2:] for i in items])
        if start is None:
            return pages


def test_findings_are_paged_through_both_indexes_in_key_order(repos):
    store = repos.quality
    for n, (rule, authority) in enumerate(
        [
            ("dup", "110000"),
            ("dup", "320000"),
            ("drift", "110000"),
            ("dup", "110000"),
            ("drift", "320000"),
        ],
        start=10,
    ):
        store.save_finding(_finding(rule, f"g{n}", authority, n), open_errors=1)
    assert _all_pages(store, "authority", "110000", None) == [["12", "10"], ["13"]]
    assert _all_pages(store, "authority", "110000", "drift") == [["12"]]
    assert _all_pages(store, "rule", "dup", None) == [["10", "13"], ["11"]]
    assert _all_pages(store, "rule", "nothing", None) == [[]]
    first = store.find_finding("qf_" + "0" * 22 + "13")
    items, _ = store.findings_page(
        "rule", "dup", None, size=5, start=store.position_after(first, "rule")
    )
    assert [i.id[-2:] for i in items] == ["11"]
    assert sorted(store.findings_of_group("dup", "g10")) == ["110000"]
    assert store.find_finding("qf_missing") is None
    assert {k: int(v.open_errors) for k, v in store.counters().items()} == {
        "110000": 3,
        "320000": 2,
    }


def test_a_finding_saves_version_checked_and_moves_its_authoritys_counters(repos):
    store = repos.quality
    store.save_finding(_finding("dup", "g1", "110000", 1), open_errors=1)
    mine = store.find_finding("qf_" + "0" * 23 + "1")
    theirs = store.find_finding("qf_" + "0" * 23 + "1")
    mine.state, mine.check_pk = "corrected", quality.CHECK
    store.save_finding(mine, open_errors=-1, resolved_days=4)
    store.save_finding(store.find_finding(mine.id), resolved_days=2)
    with pytest.raises(ledger.CommitConflict):
        store.save_finding(theirs)
    counter = store.counter_of("110000")
    assert int(counter.open_errors) == 0 and store.resolved_days(counter) == [4, 2]
    assert store.counter_of("320000") is None
    assert [f.id for f in store.findings_to_check(10)] == [mine.id]


def test_the_index_keeps_an_awards_facts_and_which_keys_it_holds(repos):
    store = repos.quality
    facts = {"award_id": "awd_1", "authority_id": "110000"}
    store.write_index(
        "awd_1", facts, [("PN#a", "s1"), ("CC#x", "s1")], previous=None, elsewhere=1, version_seen=1
    )
    store.write_index(
        "awd_2",
        {**facts, "award_id": "awd_2"},
        [("PN#a", "s2")],
        previous=None,
        elsewhere=0,
        version_seen=1,
    )
    assert [s for s, _ in store.live_members("PN#a", limit=5)] == ["s1", "s2"]
    assert [s for s, _ in store.live_members("PN#a", limit=5, descending=True)] == ["s2", "s1"]
    assert [s for s, _ in store.live_members("PN#a", limit=5, after="s1")] == ["s1", "s2"]
    assert [s for s, _ in store.live_members("PN#a", limit=5, after="s1", inclusive=False)] == [
        "s2"
    ]
    previous = store.facts_of_awards(["awd_1", "awd_9"])
    assert list(previous) == ["awd_1"] and list(previous["awd_1"].keys) == ["PN#a", "CC#x"]
    store.write_index(
        "awd_1", facts, [("CC#x", "s1")], previous=previous["awd_1"], elsewhere=0, version_seen=2
    )
    assert [s for s, _ in store.live_members("PN#a", limit=5)] == ["s2"]
    assert store.live_members("CC#x", limit=5) == [("s1", facts)]
    assert int(store.facts_of_awards(["awd_1"])["awd_1"].version_seen) == 2
    assert int(store.counter_of("110000").elsewhere) == 0


def test_rescan_jobs_save_version_checked_and_programme_facts_are_read(repos):
    store = repos.quality
    assert store.get_job("job_1") is None
    job = RescanJob(sk="job_1", id="job_1", state="queued", created_at=AT, updated_at=AT)
    store.save_job(job)
    mine, theirs = store.get_job("job_1"), store.get_job("job_1")
    mine.state = "running"
    store.save_job(mine)
    with pytest.raises(ledger.CommitConflict):
        store.save_job(theirs)
    assert store.get_job("job_1").state == "running" and mine.version == 2
    content = {"name": "奖", "cycle": "annual", "approval": {"approved_on": "2019-01-02"}}
    repos.programs.add(
        programs.new(
            id="prg_1",
            authority_id="110000",
            status="approved",
            content=content,
            status_history=[],
            documents=[],
            created_at=AT,
            updated_at=AT,
            listing_key=f"{AT}#prg_1",
        )
    )
    assert store.program_facts() == {
        "prg_1": {"authority_id": "110000", "cycle": "annual", "approved_on": "2019-01-02"}
    }


# --- webhooks ------------------------------------------------------------------------------


def _subscription(n: int, owner: str = "110000") -> Subscription:
    sub_id = f"sub_{n:026d}"
    return Subscription(
        pk=webhooks.sub_pk(sub_id),
        id=sub_id,
        owner_authority_id=owner,
        url="https://hooks.example.cn/",
        state="active",
        secret="sealed",
        position={},
        created_at=AT,
        updated_at=AT,
    )


def _delivery(sub: Subscription, ordinal: int) -> Delivery:
    return Delivery(
        pk=sub.pk,
        sk=webhooks.delivery_sk(ordinal),
        ordinal=ordinal,
        event_id=f"evt_110000_{ordinal}",
        type="award.created",
        authority_id="110000",
        entity_id="awd_1",
        position="p",
        committed_at=AT,
        data={"id": "awd_1"},
        state="pending",
        created_at=AT,
    )


def test_subscriptions_are_stored_changed_and_listed_newest_first(repos):
    store = repos.webhooks
    for n, owner in ((1, "110000"), (2, "320000"), (3, "110000"), (4, "110000")):
        store.add(_subscription(n, owner))
    assert store.get("sub_none") is None
    pages, start = [], None
    while True:
        rows, start = store.page("110000", size=2, start=start)
        pages.append([s.id[-1] for s in rows])
        if start is None:
            break
    assert pages == [["4", "3"], ["1"]]
    rows, start = store.page(None, size=3, start=None)
    assert [s.id[-1] for s in rows] == ["4", "3", "2"] and start is not None
    assert [s.id[-1] for s in store.every_subscription()] == ["1", "2", "3", "4"]
    mine = store.get(f"sub_{1:026d}")
    assert store.update(mine, state="deleted", description=None, updated_at="later")
    assert mine.state == "deleted" and mine.url == "https://hooks.example.cn/"
    assert store.live_count("110000") == 2 and store.live_count("650000") == 0
    other = store.get(f"sub_{3:026d}")
    stale = store.get(f"sub_{3:026d}")
    store.update(other, description="新的")
    store.reread(stale)
    assert stale.description == "新的"


def test_a_subscriptions_queue_is_appended_once_and_read_in_order(repos):
    store = repos.webhooks
    store.add(_subscription(1))
    sub, racer = store.get(f"sub_{1:026d}"), store.get(f"sub_{1:026d}")
    assert store.append_deliveries(sub, [_delivery(sub, 1), _delivery(sub, 2)], {"110000": 2})
    assert sub.next_ordinal == 3 and sub.position == {"110000": 2}
    assert not store.append_deliveries(racer, [_delivery(racer, 1)], {"110000": 1})
    assert store.append_deliveries(racer, [], None)  # nothing to add: nothing to lose
    store.reread(racer)
    assert racer.next_ordinal == 3 and racer.position == {"110000": 2}
    assert [d.ordinal for d in store.queued(sub, size=5)] == [1, 2]
    assert [d.ordinal for d in store.queued(sub, size=1)] == [1]
    (first,) = store.queued(sub, size=1)
    store.save_attempt(first, attempts=1, last_status=500, next_attempt_at=None)
    assert first.attempts == 1 and first.next_attempt_at is None and first.entity_id == "awd_1"
    second = store.queued(sub, size=5)[1]
    second.state = "delivered"
    store.save_deliveries([second])
    store.update(sub, head=2)
    assert [(d.ordinal, d.state) for d in store.queued(sub, size=5)] == [(2, "delivered")]
    log, start = store.log_page(sub.id, size=1, start=None)
    assert [d.ordinal for d in log] == [2] and start is not None
    log, start = store.log_page(sub.id, size=5, start=start)
    assert [(d.ordinal, d.last_status) for d in log] == [(1, 500)] and start is None


def test_the_lease_the_pause_and_the_replay_mark_are_conditional(repos):
    store = repos.webhooks
    store.add(_subscription(1))
    sub = store.get(f"sub_{1:026d}")
    assert store.take_lease(sub, "2026-11-20T02:00:00Z", "2026-11-20T02:05:00Z")
    assert sub.lease_until == "2026-11-20T02:05:00Z"
    assert not store.take_lease(sub, "2026-11-20T02:01:00Z", "2026-11-20T02:06:00Z")
    assert store.take_lease(sub, "2026-11-20T02:05:01Z", "2026-11-20T02:10:00Z")
    assert store.pause_if_active(sub, state="paused", paused_reason="gone")
    assert not store.pause_if_active(sub, state="paused", paused_reason="failing")
    assert store.get(sub.id).paused_reason == "gone"
    assert store.mark_replayed(sub, "2026-11-20T02:00:00Z", "2026-11-20T01:59:00Z")
    assert not store.mark_replayed(sub, "2026-11-20T02:00:30Z", "2026-11-20T01:59:30Z")
    assert store.mark_replayed(sub, "2026-11-20T02:01:00Z", "2026-11-20T02:00:00Z")


# --- rate limits and KMS -------------------------------------------------------------------


def test_hits_are_counted_per_window_and_client(repos):
    limits = repos.rate_limits
    assert [limits.add_hit("b", "c1", 3600, 3600) for _ in range(3)] == [1, 2, 3]
    assert limits.add_hit("b", "c2", 3600, 3600) == 1
    assert limits.add_hit("b", "c1", 7200, 3600) == 1


def test_texts_are_sealed_to_their_context_and_digests_signed_with_the_aliased_key(repos):
    keys = repos.kms
    arn = keys.ensure_symmetric_key("alias/twins-webhooks", "test")
    assert keys.ensure_symmetric_key("alias/twins-webhooks", "again") == arn
    assert keys.key_arn("alias/none") is None and keys.key_arn(arn) == arn
    sealed = keys.encrypt_text("alias/twins-webhooks", "whsec_abc", {"subscription_id": "s1"})
    assert "whsec_abc" not in sealed
    assert keys.decrypt_text(sealed, {"subscription_id": "s1"}) == "whsec_abc"
    with pytest.raises(ClientError) as refused:
        keys.decrypt_text(sealed, {"subscription_id": "s2"})
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"
    signer = keys.create_signing_key("receipts")
    keys.point_alias("alias/twins-receipts", signer)
    assert keys.key_arn("alias/twins-receipts") == signer
    digest = bytes(range(32))
    signature, signed_by = keys.sign_digest("alias/twins-receipts", digest)
    assert signed_by == signer
    public = serialization.load_der_public_key(keys.public_key(signer))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
