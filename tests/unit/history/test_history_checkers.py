"""The checkers on small histories: each passes on a good one and names the offending ids."""

from __future__ import annotations

from pathlib import Path

from tests.unit.history.builder import Builder

from aces.engines.history import (
    BackpressurePolicy,
    Semantics,
    build_index,
    check_backpressure,
    check_divergence,
    check_isolation,
    check_multi_node,
    check_ordering,
    read_history,
    tenant_pattern,
    uncovered_replica_pairs,
)

DATA = Path(__file__).parent / "data"
AT_MOST_ONCE = Semantics()


def _two_replicas() -> Builder:
    """c0 on bus-0 and c1 on bus-1 subscribed; p0 publishes via bus-0, p1 via bus-1."""
    return Builder().sub("c0", "r/c", "bus-0").sub("c1", "r/c", "bus-1")


def test_multi_node_passes_when_every_replica_delivers() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0").pub("p1", "m-2", 1, "bus-1")
    for consumer, replica in (("c0", "bus-0"), ("c1", "bus-1")):
        b.deliver(consumer, "m-1", replica).deliver(consumer, "m-2", replica)
    index = b.index()
    assert check_multi_node(index, AT_MOST_ONCE) == []
    assert uncovered_replica_pairs(index, ("bus-0", "bus-1")) == []


def test_multi_node_names_the_messages_that_never_crossed() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0").pub("p0", "m-2", 2, "bus-0")
    b.deliver("c0", "m-1", "bus-0").deliver("c0", "m-2", "bus-0")
    (violation,) = check_multi_node(b.index(), AT_MOST_ONCE)
    assert violation.rule == "topo.multi-node.undelivered"
    assert violation.ids == ("m-1", "m-2")
    assert violation.message == (
        "2 acknowledged message(s) on t1/r/c published through bus-0 never reached "
        "session c1 on bus-1: m-1, m-2"
    )


def test_uncovered_pairs_are_reported() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0")
    assert uncovered_replica_pairs(b.index(), ("bus-0", "bus-1", "bus-2")) == [
        ("bus-0", "bus-2"),
        ("bus-1", "bus-0"),
        ("bus-1", "bus-2"),
        ("bus-2", "bus-0"),
        ("bus-2", "bus-1"),
    ]


def test_ordering_recorded_files() -> None:
    good = build_index(read_history(DATA / "ordering-ok.jsonl"))
    assert check_ordering(good, AT_MOST_ONCE) == []
    bad = build_index(read_history(DATA / "ordering-reordered.jsonl"))
    (violation,) = check_ordering(bad, AT_MOST_ONCE)
    assert violation.rule == "topo.ordering.reorder"
    assert violation.ids == ("m-1",)
    assert violation.message == (
        "session c0 on bus-1: received m-1 (seq 1) after m-2 (seq 2) from producer p0 on t1/r/c"
    )


def test_duplicates_fail_at_most_once_and_pass_at_least_once() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0")
    b.deliver("c0", "m-1", "bus-0").deliver("c1", "m-1", "bus-1").deliver("c1", "m-1", "bus-1")
    (violation,) = check_ordering(b.index(), AT_MOST_ONCE)
    assert violation.rule == "topo.ordering.duplicate"
    assert violation.ids == ("m-1",)
    assert "received m-1 twice" in violation.message
    assert check_ordering(b.index(), Semantics(at_least_once=True)) == []


def test_lost_acknowledged_message_but_not_an_unknown_one() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0").pub("p0", "m-2", 2, "bus-0", outcome="info")
    b.pub("p0", "m-3", 3, "bus-0", outcome="pending").pub("p0", "m-4", 4, "bus-0", outcome="fail")
    b.deliver("c0", "m-1", "bus-0")
    (violation,) = check_ordering(b.index(), AT_MOST_ONCE)
    assert violation.rule == "topo.ordering.lost"
    assert violation.ids == ("m-1",)
    assert violation.message == (
        "1 acknowledged message(s) of producer p0 on t1/r/c were lost for session c1 on bus-1: m-1"
    )


def test_phantom_and_failed_publish_delivered() -> None:
    b = _two_replicas().pub("p0", "m-4", 1, "bus-0", outcome="fail")
    b.deliver("c0", "m-4", "bus-0").deliver("c0", "m-9", "bus-0")
    rules = {(v.rule, v.ids) for v in check_ordering(b.index(), AT_MOST_ONCE)}
    assert rules == {
        ("topo.ordering.failed-delivered", ("m-4",)),
        ("topo.ordering.phantom", ("m-9",)),
    }


def test_a_session_closed_before_settling_is_not_expected_to_receive() -> None:
    b = _two_replicas().pub("p0", "m-1", 1, "bus-0")
    b.op("c1", "info", "close", {"reason": "disconnected"}, "bus-1")
    b.deliver("c0", "m-1", "bus-0")
    assert check_ordering(b.index(), Semantics(settle_ns=5_000)) == []
    assert [v.ids for v in check_ordering(b.index(), AT_MOST_ONCE)] == [("m-1",)]


def test_late_subscriber_is_not_expected_to_receive_earlier_messages() -> None:
    b = Builder().sub("c0", "r/c", "bus-0").pub("p0", "m-1", 1, "bus-0").sub("c1", "r/c", "bus-1")
    b.deliver("c0", "m-1", "bus-0")
    assert check_ordering(b.index(), AT_MOST_ONCE) == []


PATTERNS = {
    "nats": "bus.{tenant}.>",
    "valkey": "bus:{tenant}:*",
    "postgres": "*.tenant_id={tenant}",
}


def _tenants() -> Builder:
    b = Builder().sub("a0", "r/c", "bus-0", "t1").sub("b0", "r/c", "bus-1", "t2")
    b.pub("pa", "m-t1-1", 1, "bus-0", tenant="t1").pub("pb", "m-t2-1", 1, "bus-1", tenant="t2")
    return b.deliver("a0", "m-t1-1", "bus-0", "t1").deliver("b0", "m-t2-1", "bus-1", "t2")


def test_isolation_passes_with_taps_inside_their_namespaces() -> None:
    b = _tenants()
    b.op("tap", "ok", "tap", {"source": "nats", "where": "bus.t1.r.c", "markers": ["m-t1-1"]}, "")
    b.op(
        "tap",
        "ok",
        "tap",
        {"source": "postgres", "where": "messages.tenant_id=t2", "markers": ["m-t2-1"]},
        "",
    )
    assert check_isolation(b.index(), PATTERNS) == []


def test_isolation_names_leaked_ids_foreign_subscribes_and_taps() -> None:
    b = _tenants().deliver("b0", "m-t1-1", "bus-1", "t2")
    b.op("b0", "invoke", "subscribe", {"topic": "t1:r/c", "foreign": True}, "bus-1", "t2")
    b.op("b0", "ok", "subscribe", {"topic": "t1:r/c", "foreign": True}, "bus-1", "t2")
    b.op("tap", "ok", "tap", {"source": "nats", "where": "global.r.c", "markers": ["m-t1-1"]}, "")
    b.op(
        "tap",
        "ok",
        "tap",
        {"source": "valkey", "where": "bus:t2:history", "markers": ["m-t1-1", "m-t2-1"]},
        "",
    )
    found = {(v.rule, v.ids, v.message) for v in check_isolation(b.index(), PATTERNS)}
    assert found == {
        (
            "topo.tenant-isolation.leak",
            ("m-t1-1",),
            "session b0 of tenant t2 on bus-1 received 1 message(s) of tenant t1: m-t1-1",
        ),
        (
            "topo.tenant-isolation.subscribe",
            (),
            "session b0 of tenant t2 on bus-1 was allowed to subscribe to t1:r/c, which belongs "
            "to another tenant",
        ),
        (
            "topo.tenant-isolation.infrastructure",
            ("m-t1-1",),
            "nats 'global.r.c' (outside every tenant namespace 'bus.{tenant}.>') holds 1 marker(s) "
            "of tenant t1: m-t1-1",
        ),
        (
            "topo.tenant-isolation.infrastructure",
            ("m-t1-1",),
            "valkey 'bus:t2:history' (the namespace of tenant t2) holds 1 marker(s) of tenant "
            "t1: m-t1-1",
        ),
    }


def test_tenant_pattern() -> None:
    match = tenant_pattern("arqonbus.{tenant}.>").fullmatch("arqonbus.acme-1.room.chat")
    assert match is not None and match.group("tenant") == "acme-1"
    assert tenant_pattern("arqonbus.{tenant}.>").fullmatch("other.acme.x") is None


def test_divergence_names_what_one_replica_missed() -> None:
    b = Builder().sub("c0", "r/c", "bus-0").sub("c1", "r/c", "bus-1").sub("c2", "r/c", "bus-2")
    b.pub("p0", "m-1", 1, "bus-0").pub("p0", "m-2", 2, "bus-0")
    for consumer, replica in (("c0", "bus-0"), ("c1", "bus-1")):
        b.deliver(consumer, "m-1", replica).deliver(consumer, "m-2", replica)
    b.deliver("c2", "m-1", "bus-2")
    (violation,) = check_divergence(b.index(), AT_MOST_ONCE)
    assert violation.rule == "topo.divergence.deliveries"
    assert violation.ids == ("m-2",)
    assert violation.message == (
        "1 message(s) of t1/r/c reached sessions on bus-0, bus-1 but none on bus-2: m-2"
    )


def test_divergence_compares_state_queries() -> None:
    b = Builder()
    for replica, result in (
        ("bus-0", ["m-1", "m-2"]),
        ("bus-1", ["m-1", "m-2"]),
        ("bus-2", ["m-1", "m-3"]),
    ):
        b.op("q", "ok", "query", {"query": "history", "topic": "r/c", "result": result}, replica)
    b.op("q", "ok", "query", {"query": "channels", "topic": "r", "result": ["c"]}, "bus-0")
    b.op("q", "ok", "query", {"query": "channels", "topic": "r", "result": ["c"]}, "bus-1")
    (violation,) = check_divergence(b.index(), AT_MOST_ONCE)
    assert violation.rule == "topo.divergence.state"
    assert violation.ids == ("m-2", "m-3")
    assert violation.message == "bus-2 answers history(t1/r/c) unlike bus-0: lacks m-2; adds m-3"


def _flood(rss: int, *, signal: bool, probe: str) -> Builder:
    b = Builder().op("m", "ok", "sample", {"metric": "rss_bytes", "amount": rss}, "bus-0")
    value = {"id": "f-1", "topic": "r/c", "seq": 1}
    b.op("f", "invoke", "publish", value, "bus-0")
    b.op("f", "fail" if signal else "ok", "publish", {**value, "error": "backpressure"}, "bus-0")
    b.op("n", "invoke", "probe", {"id": "n-1"}, "bus-0")
    return b.op("n", probe, "probe", {"id": "n-1"}, "bus-0")


def test_backpressure_passes_with_a_signal_and_bounded_memory() -> None:
    policy = BackpressurePolicy(memory_bound_bytes=1000)
    assert check_backpressure(_flood(999, signal=True, probe="ok").index(), policy) == []


def test_backpressure_violations() -> None:
    policy = BackpressurePolicy(memory_bound_bytes=1000, response="signal")
    found = {
        (v.rule, v.message)
        for v in check_backpressure(_flood(5000, signal=False, probe="fail").index(), policy)
    }
    assert found == {
        (
            "topo.backpressure.memory",
            "bus-0 reached 5000 bytes of resident memory under the flood; the bound is 1000 bytes",
        ),
        (
            "topo.backpressure.unanswered",
            "the flood got neither a backpressure signal to the publisher: no backpressure signal "
            "or refusal (0) and no session was cut (0)",
        ),
        (
            "topo.backpressure.recovery",
            "normal traffic right after the flood did not work (failed: n-1)",
        ),
    }


def test_a_cut_consumer_answers_the_flood_when_the_policy_allows_it() -> None:
    b = _flood(10, signal=False, probe="ok").op("slow", "info", "close", {"reason": "cut"}, "bus-0")
    assert check_backpressure(b.index(), BackpressurePolicy(1000, "cut")) == []
    assert check_backpressure(b.index(), BackpressurePolicy(1000, "either")) == []
