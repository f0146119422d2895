"""A small builder of histories for the checker tests: each call is one operation."""

from __future__ import annotations

from typing import Any

from aces.engines.history import History, Op, build_index
from aces.engines.history.index import Index


class Builder:
    """Operations with increasing times, as a workload would record them."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self.clock = 0

    def op(
        self,
        process: str,
        type_: str,
        f: str,
        value: dict[str, Any],
        replica: str,
        tenant: str = "t1",
    ) -> Builder:
        self.clock += 1000
        self.ops.append(Op(process, type_, f, value, self.clock, replica, tenant))
        return self

    def sub(self, process: str, topic: str, replica: str, tenant: str = "t1") -> Builder:
        self.op(process, "invoke", "subscribe", {"topic": topic}, replica, tenant)
        return self.op(process, "ok", "subscribe", {"topic": topic}, replica, tenant)

    def pub(
        self,
        process: str,
        msg: str,
        seq: int,
        replica: str,
        *,
        topic: str = "r/c",
        tenant: str = "t1",
        outcome: str = "ok",
    ) -> Builder:
        value = {"id": msg, "topic": topic, "seq": seq}
        self.op(process, "invoke", "publish", value, replica, tenant)
        if outcome != "pending":
            self.op(process, outcome, "publish", value, replica, tenant)
        return self

    def deliver(self, process: str, msg: str, replica: str, tenant: str = "t1") -> Builder:
        return self.op(process, "ok", "deliver", {"id": msg}, replica, tenant)

    def index(self) -> Index:
        return build_index(History(tuple(self.ops)))
