"""The subscription lifecycle."""

from __future__ import annotations

import pytest

from arqonbus_mini.subscription import (
    MAX_BACKLOG,
    Subscription,
    SubscriptionError,
    SubscriptionState,
)

EVENTS = ("confirm", "deliver", "pause", "resume", "cancel")


def active() -> Subscription:
    sub = Subscription()
    assert sub.handle("confirm") is SubscriptionState.ACTIVE
    return sub


def test_confirmed_subscription_delivers() -> None:
    sub = active()
    assert sub.handle("deliver", "m1") is SubscriptionState.ACTIVE
    assert sub.delivered == ["m1"]


def test_deliver_before_confirm_is_rejected() -> None:
    sub = Subscription()
    with pytest.raises(SubscriptionError):
        sub.handle("deliver", "m1")
    assert sub.delivered == []


def test_paused_subscription_queues_and_resume_flushes() -> None:
    sub = active()
    assert sub.handle("pause") is SubscriptionState.PAUSED
    assert sub.handle("deliver", "m1") is SubscriptionState.PAUSED
    assert sub.delivered == []
    assert sub.handle("resume") is SubscriptionState.ACTIVE
    assert (sub.delivered, sub.backlog) == (["m1"], [])


def test_backlog_overflow_cancels_a_slow_consumer() -> None:
    sub = active()
    sub.handle("pause")
    for i in range(MAX_BACKLOG):
        sub.handle("deliver", f"m{i}")
    assert sub.handle("deliver", "one-too-many") is SubscriptionState.CANCELLED
    assert sub.backlog == []


@pytest.mark.parametrize("steps", [(), ("confirm",), ("confirm", "pause")])
def test_cancel_from_every_live_state(steps: tuple[str, ...]) -> None:
    sub = Subscription()
    for event in steps:
        sub.handle(event)
    assert sub.handle("cancel") is SubscriptionState.CANCELLED


@pytest.mark.parametrize("event", EVENTS)
def test_cancelled_is_terminal(event: str) -> None:
    sub = Subscription(state=SubscriptionState.CANCELLED)
    with pytest.raises(SubscriptionError):
        sub.handle(event)
