"""A session's send queue: control frames first, data frames bounded.

Replies, acks and signals go on an unbounded control lane (one per request, so bounded
by the client's own pace); deliveries go on the data lane, which refuses a frame once it
holds ``limit`` (``None``: no bound, the ``unbounded-queue`` fault).
"""

from __future__ import annotations

import asyncio
from collections import deque


class Outbox:
    """Frames waiting for one session's writer."""

    def __init__(self, limit: int | None) -> None:
        """A queue whose data lane holds at most ``limit`` frames."""
        self.limit = limit
        self._control: deque[str] = deque()
        self._data: deque[str] = deque()
        self._ready = asyncio.Event()
        self.closed = False

    def control(self, frame: str) -> None:
        """Queue a reply or signal (never refused)."""
        self._control.append(frame)
        self._ready.set()

    def offer(self, frame: str) -> bool:
        """Queue a delivery; False when the data lane is full."""
        if self.limit is not None and len(self._data) >= self.limit:
            return False
        self._data.append(frame)
        self._ready.set()
        return True

    def depth(self) -> int:
        """Deliveries waiting."""
        return len(self._data)

    def close(self) -> None:
        """Wake the writer so it can stop."""
        self.closed = True
        self._ready.set()

    def cut(self) -> None:
        """Drop every waiting frame and stop: a cut session is sent nothing more.

        The memory a slow consumer pinned is released at once, not when its
        connection finally goes away.
        """
        self._control.clear()
        self._data.clear()
        self.close()

    async def next(self) -> str | None:
        """The next frame to send, control first; None once closed."""
        while not (self._control or self._data):
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        if self.closed:
            return None
        return self._control.popleft() if self._control else self._data.popleft()
