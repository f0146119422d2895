"""The NATS tap fails closed: a tap that lost its connection is an error, never a clean scan."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from aces.runtime.checks_spec import ChecksSpec
from aces.runtime.provider_local import Environment
from aces.runtime.taps import InfrastructureTaps
from aces.runtime.workloads import WorkloadError

from .conftest import needs_servers, small


@needs_servers
def test_a_tap_whose_server_died_is_an_error_not_a_clean_scan(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with Environment(small(), root=tmp_path, temp_parent=tmp_path) as env:
        nats = env.processes()[0][2]

        async def scenario() -> None:
            taps = InfrastructureTaps(env, ChecksSpec())
            await taps.start()
            os.killpg(nats.pgid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            await taps.collect(frozenset({"marker"}))

        with pytest.raises(WorkloadError, match="the NATS tap lost its connection: "):
            asyncio.run(scenario())
    assert "Traceback" not in capfd.readouterr().err
