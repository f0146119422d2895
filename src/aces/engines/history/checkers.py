"""The checkers: delivery across replicas, tenant isolation, ordering, divergence, backpressure.

Each is a pure function of an ``Index`` (one pass over a history) and returns
``Violation`` values naming the offending message ids. Expected deliveries follow
the history alone: a session subscribed to a topic before a publish was invoked,
and still listening ``settle_ns`` after it was acknowledged, must receive it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from aces.engines.history.index import Index, Publish, Session
from aces.engines.history.model import FAIL, INVOKE, OK, Violation

SHOWN_IDS = 10  # ids spelled out in a message; the Violation keeps them all


@dataclass(frozen=True)
class Semantics:
    """What the bus promises: duplicates allowed (at-least-once) and how long delivery takes."""

    at_least_once: bool = False
    settle_ns: int = 0


@dataclass(frozen=True)
class BackpressurePolicy:
    """The backpressure promise: a memory bound and how an overload must be answered."""

    memory_bound_bytes: int
    response: str = "either"  # signal | cut | either


def id_list(ids: list[str] | tuple[str, ...] | set[str]) -> str:
    """``m-1, m-2, ... (+N more)``: sorted, at most ``SHOWN_IDS`` spelled out."""
    ordered = sorted(ids)
    shown = ", ".join(ordered[:SHOWN_IDS])
    more = len(ordered) - SHOWN_IDS
    return f"{shown} (+{more} more)" if more > 0 else shown


def _violation(rule: str, message: str, ids: list[str] | set[str], key: str) -> Violation:
    return Violation(rule, message, tuple(sorted(ids)), key)


# -- expected deliveries ------------------------------------------------------------------


def _listeners(index: Index) -> dict[tuple[str, str], list[Session]]:
    """Sessions by (tenant, topic) they subscribed to."""
    found: dict[tuple[str, str], list[Session]] = defaultdict(list)
    for session in index.sessions.values():
        for topic in session.subscribed:
            found[(session.tenant, topic)].append(session)
    return found


def _delivered(index: Index) -> dict[str, set[str]]:
    return {p: {msg for msg, _ in s.deliveries} for p, s in index.sessions.items()}


def expected_missing(index: Index, semantics: Semantics) -> Iterator[tuple[Publish, Session]]:
    """Every acknowledged publish a listening session should have received and did not."""
    listeners = _listeners(index)
    delivered = _delivered(index)
    for publish in index.publishes.values():
        if publish.outcome != OK:
            continue  # failed: must not arrive; info/pending: may or may not
        for session in listeners.get((publish.tenant, publish.topic), ()):
            if session.process == publish.process:
                continue
            if session.subscribed[publish.topic] >= publish.invoked:
                continue
            if publish.done + semantics.settle_ns > index.session_end(session):
                continue
            if publish.id not in delivered[session.process]:
                yield publish, session


# -- multi-node ---------------------------------------------------------------------------


def check_multi_node(index: Index, semantics: Semantics) -> list[Violation]:
    """Acknowledged messages published through one replica that a session on another missed."""
    missing: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for publish, session in expected_missing(index, semantics):
        if session.replica != publish.replica:
            missing[(publish.replica, session.process, publish.topic)].add(publish.id)
    out = []
    for (source, process, topic), ids in sorted(missing.items()):
        session = index.sessions[process]
        out.append(
            _violation(
                "topo.multi-node.undelivered",
                f"{len(ids)} acknowledged message(s) on {session.tenant}/{topic} published "
                f"through {source} never reached session {process} on {session.replica}: "
                f"{id_list(ids)}",
                ids,
                f"{source}>{session.replica}:{process}:{topic}",
            )
        )
    return out


def uncovered_replica_pairs(index: Index, replicas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(from, to) replica pairs the history never tested: no acked publish from one
    reached a listening session on the other. The workload, not the bus, is then at fault."""
    listeners = _listeners(index)
    covered: set[tuple[str, str]] = set()
    for publish in index.publishes.values():
        if publish.outcome != OK:
            continue
        for session in listeners.get((publish.tenant, publish.topic), ()):
            if session.subscribed[publish.topic] < publish.invoked:
                covered.add((publish.replica, session.replica))
    return [(a, b) for a in replicas for b in replicas if a != b and (a, b) not in covered]


# -- ordering -----------------------------------------------------------------------------


def check_ordering(index: Index, semantics: Semantics) -> list[Violation]:
    """Reordered, duplicated, phantom, failed-yet-delivered and lost messages."""
    out = _delivery_order(index, semantics)
    lost: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for publish, session in expected_missing(index, semantics):
        lost[(session.process, publish.process, publish.topic)].add(publish.id)
    for (consumer, producer, topic), ids in sorted(lost.items()):
        session = index.sessions[consumer]
        out.append(
            _violation(
                "topo.ordering.lost",
                f"{len(ids)} acknowledged message(s) of producer {producer} on "
                f"{session.tenant}/{topic} were lost for session {consumer} on "
                f"{session.replica}: {id_list(ids)}",
                ids,
                f"lost:{consumer}:{producer}:{topic}",
            )
        )
    return out


def _delivery_order(index: Index, semantics: Semantics) -> list[Violation]:
    """Walk each session's deliveries in arrival order."""
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (rule, session, detail)
    first_text: dict[tuple[str, str, str], str] = {}
    for session in index.sessions.values():
        seen: set[str] = set()
        last: dict[tuple[str, str], Publish] = {}
        for msg_id, _ in session.deliveries:
            publish = index.publishes.get(msg_id)
            problem = _delivery_problem(publish, msg_id, seen, last, semantics)
            seen.add(msg_id)
            if problem is not None:
                key = (problem[0], session.process, problem[1])
                found[key].append(msg_id)
                first_text.setdefault(key, problem[2])
    out = []
    for (rule, process, detail), ids in sorted(found.items()):
        session = index.sessions[process]
        out.append(
            _violation(
                rule,
                f"session {process} on {session.replica}: {first_text[(rule, process, detail)]}"
                + (f" ({len(ids)} such deliveries: {id_list(ids)})" if len(ids) > 1 else ""),
                set(ids),
                f"{rule}:{process}:{detail}",
            )
        )
    return out


def _delivery_problem(
    publish: Publish | None,
    msg_id: str,
    seen: set[str],
    last: dict[tuple[str, str], Publish],
    semantics: Semantics,
) -> tuple[str, str, str] | None:
    """(rule, grouping detail, message) for a bad delivery, None when it is fine."""
    if publish is None:
        return "topo.ordering.phantom", "", f"received {msg_id}, which nobody published"
    if publish.outcome == FAIL:
        return (
            "topo.ordering.failed-delivered",
            publish.process,
            f"received {msg_id}, whose publish by {publish.process} failed",
        )
    if msg_id in seen:
        if semantics.at_least_once:
            return None
        return (
            "topo.ordering.duplicate",
            publish.process,
            f"received {msg_id} twice (delivery is at-most-once)",
        )
    stream = (publish.process, publish.topic)
    before = last.get(stream)
    if before is not None and publish.seq < before.seq:
        return (
            "topo.ordering.reorder",
            f"{publish.process}:{publish.topic}",
            f"received {msg_id} (seq {publish.seq}) after {before.id} (seq {before.seq}) "
            f"from producer {publish.process} on {publish.tenant}/{publish.topic}",
        )
    last[stream] = publish
    return None


# -- tenant isolation ---------------------------------------------------------------------


def tenant_pattern(pattern: str) -> re.Pattern[str]:
    """A namespace pattern as a regex: ``{tenant}`` captures, ``*`` and ``>`` match the rest.

    ``arqonbus.{tenant}.>`` matches ``arqonbus.t1.room.chat`` with tenant ``t1``.
    """
    parts = re.split(r"(\{tenant\}|\*|>)", pattern)
    regex = "".join(
        "(?P<tenant>[A-Za-z0-9_-]+)"
        if part == "{tenant}"
        else ".*"
        if part == "*"
        else ".+"
        if part == ">"
        else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


def check_isolation(index: Index, patterns: Mapping[str, str]) -> list[Violation]:
    """Cross-tenant deliveries, accepted foreign subscriptions, markers outside their namespace.

    ``patterns`` maps a tap source (``nats``, ``valkey``, ``postgres``) to its
    namespace pattern; a tap of a source without a pattern is refused (KeyError).
    """
    out = _cross_deliveries(index)
    for op in index.foreign_subscribes:
        if op.type == OK:
            topic = str(op.value.get("topic", ""))
            out.append(
                Violation(
                    "topo.tenant-isolation.subscribe",
                    f"session {op.process} of tenant {op.tenant} on {op.replica} was allowed to "
                    f"subscribe to {topic}, which belongs to another tenant",
                    (),
                    f"subscribe:{op.tenant}:{topic}",
                )
            )
    out.extend(_tap_violations(index, patterns))
    return out


def _cross_deliveries(index: Index) -> list[Violation]:
    leaks: dict[tuple[str, str], set[str]] = defaultdict(set)
    for session in index.sessions.values():
        for msg_id, _ in session.deliveries:
            publish = index.publishes.get(msg_id)
            if publish is not None and publish.tenant != session.tenant:
                leaks[(session.process, publish.tenant)].add(msg_id)
    out = []
    for (process, owner), ids in sorted(leaks.items()):
        session = index.sessions[process]
        out.append(
            _violation(
                "topo.tenant-isolation.leak",
                f"session {process} of tenant {session.tenant} on {session.replica} received "
                f"{len(ids)} message(s) of tenant {owner}: {id_list(ids)}",
                ids,
                f"leak:{session.tenant}<{owner}:{process}",
            )
        )
    return out


def _tap_violations(index: Index, patterns: Mapping[str, str]) -> list[Violation]:
    owners = {s.process: s.tenant for s in index.sessions.values()}
    owners.update({p.marker or p.id: p.tenant for p in index.publishes.values()})
    compiled = {source: tenant_pattern(p) for source, p in patterns.items()}
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for op in index.taps:
        if op.type != OK:
            continue
        source, where = str(op.value.get("source", "")), str(op.value.get("where", ""))
        regex = compiled[source]
        match = regex.fullmatch(where)
        space = match.group("tenant") if match else None
        for marker in op.value.get("markers", ()):
            owner = owners.get(str(marker))
            if owner is None or owner == space:
                continue
            found[(source, where, owner)].add(str(marker))
    out = []
    for (source, where, owner), ids in sorted(found.items()):
        space_text = _namespace_text(compiled[source], where, patterns[source])
        out.append(
            _violation(
                "topo.tenant-isolation.infrastructure",
                f"{source} {where!r} ({space_text}) holds {len(ids)} marker(s) of tenant "
                f"{owner}: {id_list(ids)}",
                ids,
                f"tap:{source}:{where}:{owner}",
            )
        )
    return out


def _namespace_text(regex: re.Pattern[str], where: str, pattern: str) -> str:
    match = regex.fullmatch(where)
    if match is None:
        return f"outside every tenant namespace {pattern!r}"
    return f"the namespace of tenant {match.group('tenant')}"


# -- divergence ---------------------------------------------------------------------------


def check_divergence(index: Index, semantics: Semantics) -> list[Violation]:
    """Sessions on different replicas that saw different messages; state queries that differ."""
    return _delivery_divergence(index, semantics) + _state_divergence(index)


def _delivery_divergence(index: Index, semantics: Semantics) -> list[Violation]:
    topics: dict[tuple[str, str], list[Publish]] = defaultdict(list)
    for publish in index.publishes.values():
        topics[(publish.tenant, publish.topic)].append(publish)
    listeners = _listeners(index)
    out = []
    for (tenant, topic), publishes in sorted(topics.items()):
        first = min(p.invoked for p in publishes)
        last = max(max(p.done, p.invoked) for p in publishes) + semantics.settle_ns
        ids = {p.id for p in publishes}
        seen: dict[str, set[str]] = defaultdict(set)
        for session in listeners.get((tenant, topic), ()):
            whole = session.subscribed[topic] < first and index.session_end(session) >= last
            if whole:
                seen[session.replica] |= {m for m, _ in session.deliveries if m in ids}
        out.extend(_compare_replicas(tenant, topic, seen))
    return out


def _compare_replicas(tenant: str, topic: str, seen: dict[str, set[str]]) -> list[Violation]:
    if len(seen) < 2:
        return []
    union = set().union(*seen.values())
    out = []
    for replica in sorted(seen):
        missing = union - seen[replica]
        if missing:
            others = ", ".join(r for r in sorted(seen) if r != replica)
            out.append(
                _violation(
                    "topo.divergence.deliveries",
                    f"{len(missing)} message(s) of {tenant}/{topic} reached sessions on "
                    f"{others} but none on {replica}: {id_list(missing)}",
                    missing,
                    f"deliveries:{tenant}/{topic}:{replica}",
                )
            )
    return out


def _state_divergence(index: Index) -> list[Violation]:
    answers: dict[tuple[str, str, str], dict[str, object]] = defaultdict(dict)
    for op in index.queries:
        if op.type == OK:
            name = str(op.value.get("query", ""))
            answers[(name, op.tenant, str(op.value.get("topic", "")))][op.replica] = op.value.get(
                "result"
            )
    out = []
    for (name, tenant, topic), by_replica in sorted(answers.items()):
        reference = min(by_replica)
        for replica in sorted(by_replica):
            if replica != reference:
                violation = _answer_difference(
                    name, f"{tenant}/{topic}", reference, replica, by_replica
                )
                if violation is not None:
                    out.append(violation)
    return out


def _answer_difference(
    name: str, subject: str, reference: str, replica: str, answers: dict[str, object]
) -> Violation | None:
    want, got = answers[reference], answers[replica]
    if _canonical(want) == _canonical(got):
        return None
    key = f"state:{name}:{subject}:{replica}"
    if isinstance(want, list) and isinstance(got, list):
        lacks = {str(v) for v in want} - {str(v) for v in got}
        extra = {str(v) for v in got} - {str(v) for v in want}
        if lacks or extra:
            parts = [
                f"lacks {id_list(lacks)}" if lacks else "",
                f"adds {id_list(extra)}" if extra else "",
            ]
            detail = "; ".join(p for p in parts if p)
        else:
            detail = "the same items in another order"
        return _violation(
            "topo.divergence.state",
            f"{replica} answers {name}({subject}) unlike {reference}: {detail}",
            lacks | extra,
            key,
        )
    return Violation(
        "topo.divergence.state",
        f"{replica} answers {name}({subject}) with {_canonical(got)} but {reference} with "
        f"{_canonical(want)}",
        (),
        key,
    )


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# -- backpressure -------------------------------------------------------------------------


def check_backpressure(index: Index, policy: BackpressurePolicy) -> list[Violation]:
    """Memory over the bound, an overload nobody was told about, traffic dead afterwards."""
    out = _memory(index, policy)
    signals = sorted(
        str(op.value.get("id", "")) for op in index.publish_failures if _is_backpressure(op)
    ) + [op.process for op in index.signals if op.value.get("kind") == "backpressure"]
    cut = sorted(s.process for s in index.sessions.values() if s.cut)
    answered = {"signal": bool(signals), "cut": bool(cut), "either": bool(signals or cut)}
    if not answered[policy.response]:
        expected = {
            "signal": "a backpressure signal to the publisher",
            "cut": "the slow consumer cut",
            "either": "a backpressure signal to the publisher or the slow consumer cut",
        }[policy.response]
        out.append(
            Violation(
                "topo.backpressure.unanswered",
                f"the flood got neither {expected}: no backpressure signal or refusal "
                f"({len(signals)}) and no session was cut ({len(cut)})",
                (),
                f"unanswered:{policy.response}",
            )
        )
    out.extend(_recovery(index))
    return out


def _is_backpressure(op: object) -> bool:
    value = getattr(op, "value", {})
    return isinstance(value, dict) and value.get("error") == "backpressure"


def _memory(index: Index, policy: BackpressurePolicy) -> list[Violation]:
    peaks: dict[str, int] = {}
    for op in index.samples:
        if op.type != OK:
            continue
        amount = op.value.get("amount")
        if op.value.get("metric") == "rss_bytes" and isinstance(amount, int):
            peaks[op.replica] = max(peaks.get(op.replica, 0), amount)
    return [
        Violation(
            "topo.backpressure.memory",
            f"{replica} reached {peak} bytes of resident memory under the flood; the bound is "
            f"{policy.memory_bound_bytes} bytes",
            (),
            f"memory:{replica}",
        )
        for replica, peak in sorted(peaks.items())
        if peak > policy.memory_bound_bytes
    ]


def _recovery(index: Index) -> list[Violation]:
    invoked = {str(op.value.get("id", "")) for op in index.probes if op.type == INVOKE}
    passed = {str(op.value.get("id", "")) for op in index.probes if op.type == OK}
    failed = sorted((invoked - passed) or ({"(none)"} if not invoked else set()))
    if not failed:
        return []
    what = "no normal traffic was tried" if not invoked else f"failed: {id_list(failed)}"
    return [
        Violation(
            "topo.backpressure.recovery",
            f"normal traffic right after the flood did not work ({what})",
            () if not invoked else tuple(failed),
            "recovery",
        )
    ]
