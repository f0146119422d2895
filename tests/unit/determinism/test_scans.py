"""Static determinism scans (should-flag / should-not-flag) and flake diffing."""

from __future__ import annotations

import pytest

from aces.engines.determinism import (
    Flake,
    compare_runs,
    rust_test_modules,
    scan_elixir,
    scan_python,
    scan_rust,
)
from aces.engines.testreports import Outcome

PY_FLAG = [
    pytest.param(
        "import random\n\ndef test_a():\n    assert random.randint(1, 6)\n",
        [(4, "randomness", "unseeded", "random.randint")],
        id="global-random",
    ),
    pytest.param(
        "from random import choice as pick\n\ndef test_a():\n    pick([1])\n",
        [(4, "randomness", "unseeded", "random.choice")],
        id="aliased-import",
    ),
    pytest.param(
        "import random\n\ndef test_a():\n    r = random.Random()\n",
        [(4, "randomness", "unseeded", "random.Random")],
        id="unseeded-instance",
    ),
    pytest.param(
        "import random\n\ndef test_a():\n    random.random()\n    random.seed(1)\n",
        [(4, "randomness", "unseeded", "random.random")],
        id="seed-after-use",
    ),
    pytest.param(
        "import time\n\ndef test_a():\n    time.sleep(0.1)\n    assert time.time()\n",
        [(4, "clock", "sleep", "time.sleep"), (5, "clock", "wall-clock", "time.time")],
        id="clock-and-sleep",
    ),
    pytest.param(
        "from hypothesis import given, strategies as st\n\n@given(st.integers())\n"
        "def test_a(x):\n    pass\n",
        [(3, "randomness", "property-seed", "hypothesis.given")],
        id="hypothesis-unseeded",
    ),
    pytest.param(
        "import time\n\ndef test_a():\n    start = time.monotonic()\n    run()\n"
        "    elapsed = time.monotonic() - start\n    assert elapsed < 1.0\n",
        [
            (4, "clock", "wall-clock", "time.monotonic"),
            (6, "clock", "wall-clock", "time.monotonic"),
        ],
        id="elapsed-asserted-through-variables",
    ),
    pytest.param(
        "from datetime import datetime\n\ndef test_a():\n    now = datetime.now()\n"
        "    if now.hour > 12:\n        return\n",
        [(4, "clock", "wall-clock", "datetime.datetime.now")],
        id="branch-on-method-of-clock-value",
    ),
    pytest.param(
        "import time\n\nclass T:\n    def test_a(self):\n        t = int(time.time())\n"
        "        self.assertGreater(t, 0)\n",
        [(5, "clock", "wall-clock", "time.time")],
        id="unittest-assert-call",
    ),
    pytest.param(
        "import time\n\ndef test_a():\n    deadline = time.time() + 5\n"
        "    while time.time() < deadline:\n        pass\n",
        [(4, "clock", "wall-clock", "time.time"), (5, "clock", "wall-clock", "time.time")],
        id="deadline-loop",
    ),
    pytest.param(
        "import asyncio\n\nasync def test_a(bus):\n    bus.publish(1)\n"
        "    await asyncio.sleep(0.1)\n    assert bus.seen == [1]\n",
        [(5, "clock", "sleep", "asyncio.sleep")],
        id="asyncio-sleep-then-assert",
    ),
    pytest.param(
        "import time\n\ndef test_a(bus):\n    for n in range(3):\n        bus.publish(n)\n"
        "        time.sleep(0.1)\n    assert bus.seen == [0, 1, 2]\n",
        [(6, "clock", "sleep", "time.sleep")],
        id="sleep-in-a-for-loop-that-is-no-retry",
    ),
    pytest.param(
        "from time import sleep\n\ndef test_a(worker):\n    worker.start()\n    sleep(0.5)\n"
        "    worker.assert_done()\n",
        [(5, "clock", "sleep", "time.sleep")],
        id="sleep-then-assert-call",
    ),
    pytest.param(
        "import statistics\nimport time\n\ndef test_a(store):\n    samples = []\n"
        "    for _ in range(30):\n        started = time.perf_counter()\n        store.read()\n"
        "        samples.append(time.perf_counter() - started)\n"
        "    assert statistics.mean(samples) < 0.01\n",
        [
            (7, "clock", "wall-clock", "time.perf_counter"),
            (9, "clock", "wall-clock", "time.perf_counter"),
        ],
        id="latency-samples-collected-then-averaged",
    ),
    pytest.param(
        "import time\n\ndef test_a(run):\n    took = []\n    t0 = time.monotonic()\n"
        "    run()\n    took.append(time.monotonic() - t0)\n    assert max(took) < 1\n",
        [
            (5, "clock", "wall-clock", "time.monotonic"),
            (7, "clock", "wall-clock", "time.monotonic"),
        ],
        id="durations-collected-then-max",
    ),
]

PY_CLEAN = [
    pytest.param(
        "import random\n\ndef test_a():\n    random.seed(7)\n    random.randint(1, 6)\n",
        id="seeded-in-test",
    ),
    pytest.param(
        "import random\nrandom.seed(3)\n\ndef test_a():\n    random.random()\n", id="module"
    ),
    pytest.param(
        "import random\nimport pytest\n\n@pytest.fixture\ndef rng_seed():\n    random.seed(1)\n\n"
        "def test_a(rng_seed):\n    random.random()\n",
        id="requested-fixture",
    ),
    pytest.param("import random\n\ndef test_a():\n    random.Random(42).random()\n", id="instance"),
    pytest.param("def sleep(x):\n    pass\n\ndef test_a():\n    sleep(1)\n", id="local-sleep"),
    pytest.param(
        "from hypothesis import given, seed, strategies as st\n\n@seed(1)\n@given(st.integers())\n"
        "def test_a(x):\n    pass\n",
        id="hypothesis-seeded",
    ),
    pytest.param("x = 'time.time()'  # random.random()\n", id="strings-and-comments"),
    pytest.param(
        "import time\n\ndef test_a(bus):\n    event = {'ts': time.time(), 'n': 1}\n"
        "    bus.publish(event)\n    assert bus.count == 1\n",
        id="timestamp-stamped-on-data",
    ),
    pytest.param(
        "from datetime import datetime\n\ndef test_a(store):\n    now = datetime.now()\n"
        "    rec = Record(created=now)\n    store.put(rec)\n    assert store.size() == 1\n",
        id="clock-value-carried-into-data",
    ),
    pytest.param(
        "import time\n\ndef test_a(bus):\n    events = []\n"
        "    events.append({'ts': time.time(), 'n': 1})\n    assert len(events) == 1\n",
        id="timestamped-records-collected",
    ),
    pytest.param(
        "from datetime import datetime\n\ndef test_a():\n    datetime.now()\n", id="bare-read"
    ),
    pytest.param(
        "import asyncio\n\nasync def handler(msg):\n    await asyncio.sleep(0.1)\n    return msg\n",
        id="sleep-simulating-latency-without-assert",
    ),
    pytest.param(
        "import time\n\ndef test_a(job):\n    while not job.done():\n        time.sleep(0.01)\n"
        "    assert job.result == 3\n",
        id="polling-loop",
    ),
    pytest.param(
        "import asyncio\n\nasync def test_a(srv, reconnected):\n    srv.stop()\n"
        "    await asyncio.sleep(1)\n    srv.start()\n"
        "    await asyncio.wait_for(reconnected.wait(), timeout=5)\n    assert srv.up\n",
        id="real-wait-before-the-assertion",
    ),
    pytest.param(
        "import time\n\ndef test_a(job):\n    for _ in range(50):\n        if job.done():\n"
        "            break\n        time.sleep(0.01)\n    assert job.result == 3\n",
        id="bounded-retry-loop",
    ),
    pytest.param(
        "import asyncio\n\nasync def test_a(q):\n    q.put(1)\n    await asyncio.sleep(0)\n"
        "    assert q.empty()\n",
        id="yield-to-event-loop",
    ),
    pytest.param(
        "import time\n\ndef test_a():\n    assert 1\n    time.sleep(0.1)\n", id="sleep-after-assert"
    ),
]


@pytest.mark.parametrize(("source", "expected"), PY_FLAG)
def test_python_should_flag(source: str, expected: list[tuple[int, str, str, str]]) -> None:
    found = [(h.line, h.kind.value, h.rule, h.what) for h in scan_python("t.py", source)]
    assert found == expected


@pytest.mark.parametrize("source", PY_CLEAN)
def test_python_should_not_flag(source: str) -> None:
    assert scan_python("t.py", source) == []


def test_python_autouse_fixture_of_a_conftest_seeds() -> None:
    conftest = (
        "import random\nimport pytest\n\n@pytest.fixture(autouse=True)\n"
        "def seeded():\n    random.seed(0)\n"
    )
    source = "import random\n\ndef test_a():\n    random.random()\n"
    assert scan_python("t.py", source, [conftest]) == []


RUST = """pub fn jitter() -> u64 { rand::random() }

#[cfg(test)]
mod tests {
    // thread_rng() in a comment is fine
    #[test]
    fn t() {
        let s = "SystemTime::now()";
        let mut r = rand::thread_rng();
        let now = std::time::Instant::now();
        std::thread::sleep(d);
        assert!(now.elapsed() < d);
    }
}
"""


def test_rust_flags_only_test_code_outside_comments_and_strings() -> None:
    found = [
        (h.line, h.column, h.rule, h.what) for h in scan_rust("src/lib.rs", RUST, whole_file=False)
    ]
    assert found == [
        (9, 27, "unseeded", "thread_rng"),
        (10, 30, "wall-clock", "Instant::now"),
        (11, 9, "sleep", "std::thread::sleep"),
    ]


def test_rust_whole_test_file_and_fixed_proptest() -> None:
    text = (
        "fn a() { let t = SystemTime::now(); assert!(t > E); }\nproptest! { fn p(x in 0..1) {} }\n"
    )
    found = [(h.line, h.rule) for h in scan_rust("tests/it.rs", text, whole_file=True)]
    assert found == [(1, "wall-clock"), (2, "property-seed")]
    fixed = text + "const C: ProptestConfig = ProptestConfig { rng_seed: RngSeed::Fixed(1) };\n"
    assert [(h.line, h.rule) for h in scan_rust("tests/it.rs", fixed, whole_file=True)] == [
        (1, "wall-clock")
    ]


def test_rust_test_module_declared_in_a_parent() -> None:
    assert rust_test_modules("src/lib.rs", "#[cfg(test)]\nmod tests;\n") == [
        "src/tests.rs",
        "src/tests/mod.rs",
    ]
    assert rust_test_modules("src/codec.rs", "#[cfg(test)] mod t;") == [
        "src/codec/t.rs",
        "src/codec/t/mod.rs",
    ]


def test_elixir_unseeded_rand_and_clock() -> None:
    text = (
        'defmodule T do\n  test "x" do\n    # :rand.uniform(3) in a comment\n'
        "    n = :rand.uniform(3)\n    now = DateTime.utc_now()\n    Process.sleep(10)\n"
        "    assert n > 0 and DateTime.compare(now, now) == :eq\n  end\nend\n"
    )
    found = [(h.line, h.rule, h.what) for h in scan_elixir("test/t_test.exs", text)]
    assert found == [
        (4, "unseeded", ":rand.uniform"),
        (5, "wall-clock", "DateTime.utc_now"),
        (6, "sleep", "Process.sleep"),
    ]
    seeded = text.replace("n = :rand", ":rand.seed(:exsss, {1, 2, 3})\n    n = :rand")
    assert [h.rule for h in scan_elixir("test/t_test.exs", seeded)] == ["wall-clock", "sleep"]


ELIXIR_TIME_FLAG = [
    pytest.param(
        'test "x" do\n  started = System.monotonic_time()\n  run()\n'
        "  assert System.monotonic_time() - started < 100\nend\n",
        [(2, "wall-clock"), (4, "wall-clock")],
        id="elapsed-time-asserted",
    ),
    pytest.param(
        'test "x" do\n  sent = publish()\n'
        "  assert DateTime.diff(DateTime.utc_now(), sent) < 5\nend\n",
        [(3, "wall-clock")],
        id="time-arithmetic-asserted",
    ),
    pytest.param(
        'test "x" do\n  day = Date.utc_today() |> Date.add(-1)\n'
        "  if day.day == 1, do: skip()\nend\n",
        [(2, "wall-clock")],
        id="bound-read-decides-a-branch",
    ),
    pytest.param(
        'test "x" do\n  send(pid, :stop)\n  Process.sleep(200)\n'
        "  refute Process.alive?(pid)\nend\n",
        [(3, "sleep")],
        id="sleep-before-refute",
    ),
    pytest.param(
        'test "x" do\n  expect(Db, :connect, fn _ -> :timer.sleep(3000) end)\n'
        "  assert {:error, :timeout} = connect()\nend\n",
        [(2, "sleep")],
        id="slow-stub-before-assert",
    ),
]

ELIXIR_TIME_PASS = [
    pytest.param(
        'test "x" do\n  token = sign(%{exp: System.system_time(:second) + 60})\n'
        "  assert {:ok, _} = verify(token)\nend\n",
        id="read-only-stamps-a-token",
    ),
    pytest.param(
        'test "x" do\n  insert(%{"inserted_at" => NaiveDateTime.utc_now()})\n'
        "  assert count() == 1\nend\n",
        id="read-only-stamps-a-row",
    ),
    pytest.param(
        'test "x" do\n  pid = spawn_link(fn -> Process.sleep(:infinity) end)\n'
        "  assert Process.alive?(pid)\nend\n",
        id="parked-process",
    ),
    pytest.param(
        "setup do\n  on_exit(fn -> Process.sleep(10) end)\n  :ok\nend\n",
        id="sleep-with-no-assertion-after",
    ),
    pytest.param(
        "defp wait_until(f, n) do\n  if f.() do\n    :ok\n  else\n    Process.sleep(10)\n"
        "    wait_until(f, n - 1)\n  end\n  assert n > 0\nend\n",
        id="polling-retry-loop",
    ),
    pytest.param(
        'test "x" do\n  pid = spawn(fn -> Process.sleep(5000) end)\n'
        "  assert join(pid) == :ok\nend\n",
        id="stand-in-process-lifetime",
    ),
    pytest.param(
        "defp await(f, deadline) do\n  if System.monotonic_time() > deadline do\n"
        '    flunk("timed out")\n  else\n    if f.(), do: :ok, else: await(f, deadline)\n'
        "  end\nend\n",
        id="polling-deadline",
    ),
    pytest.param(
        'test "x" do\n  exp = System.system_time(:second) + 1000\n  log = run(exp)\n'
        '  assert log =~ "exp=#{exp}"\nend\n',
        id="read-echoed-in-an-expected-string",
    ),
    pytest.param(
        'test "x" do\n  now = DateTime.utc_now()\n  since = DateTime.add(now, -31, :second)\n'
        "  assert %{status: :stale} = Health.judge(%{}, now, since)\nend\n",
        id="read-injected-into-the-code-under-test",
    ),
    pytest.param(
        'test "x" do\n  now = DateTime.utc_now()\n  changes = cast(%{at: now})\n'
        "  assert %{at: ^now} = changes\nend\n",
        id="read-pinned-in-an-expected-match",
    ),
]


@pytest.mark.parametrize(("body", "expected"), ELIXIR_TIME_FLAG)
def test_elixir_clock_reads_and_sleeps_that_decide_a_test(
    body: str, expected: list[tuple[int, str]]
) -> None:
    text = "defmodule T do\n" + body + "end\n"
    found = [(h.line - 1, h.rule) for h in scan_elixir("test/t_test.exs", text)]
    assert found == expected


@pytest.mark.parametrize("body", ELIXIR_TIME_PASS)
def test_elixir_clock_reads_that_stamp_data_and_sleeps_that_wait_for_nothing(body: str) -> None:
    text = "defmodule T do\n" + body + "end\n"
    assert scan_elixir("test/t_test.exs", text) == []


def test_compare_runs_reports_changed_and_missing_tests() -> None:
    ref = {"a": Outcome.PASSED, "b": Outcome.FAILED, "c": Outcome.PASSED, "d": Outcome.SKIPPED}
    var = {"a": Outcome.FAILED, "b": Outcome.ERROR, "e": Outcome.FAILED}
    assert compare_runs(ref, var) == [
        Flake("a", "passed", "failed"),
        Flake("c", "passed", "not run"),
        Flake("e", "not run", "failed"),
    ]


RUST_CLOCK_FLAG = [
    pytest.param(
        "#[test]\nfn t() {\n    let start = Instant::now();\n    work();\n"
        "    let took = start.elapsed();\n    assert!(took < LIMIT);\n}\n",
        [(3, "wall-clock", "Instant::now")],
        id="elapsed-through-lets",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    if SystemTime::now() > deadline {\n        return;\n    }\n}\n",
        [(3, "wall-clock", "SystemTime::now")],
        id="branch-condition",
    ),
    pytest.param(
        "#[tokio::test]\nasync fn t() {\n    tx.send(1).await;\n"
        "    tokio::time::sleep(Duration::from_millis(50)).await;\n"
        "    assert_eq!(rx.len(), 1);\n}\n",
        [(4, "sleep", "tokio::time::sleep")],
        id="tokio-sleep-then-assert",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    spawn_worker();\n    std::thread::sleep(D);\n"
        "    assert!(done());\n}\n",
        [(4, "sleep", "std::thread::sleep")],
        id="thread-sleep-then-assert",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    for i in 0..3 {\n        tx.send(i);\n"
        "        std::thread::sleep(D);\n    }\n    assert_eq!(rx.len(), 3);\n}\n",
        [(5, "sleep", "std::thread::sleep")],
        id="sleep-in-a-for-loop-that-is-no-retry",
    ),
]

RUST_CLOCK_CLEAN = [
    pytest.param(
        "#[test]\nfn t() {\n    let e = Event { ts: SystemTime::now(), n: 1 };\n"
        "    bus.publish(e);\n    assert_eq!(bus.count(), 1);\n}\n",
        id="timestamp-in-struct-literal",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    let m = Msg::new(Utc::now());\n    assert!(m.valid());\n}\n",
        id="timestamp-passed-to-constructor",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    while !done() {\n        std::thread::sleep(D);\n    }\n"
        "    assert!(ok());\n}\n",
        id="polling-loop",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    for _ in 0..50 {\n        if done() {\n            break;\n"
        "        }\n        std::thread::sleep(D);\n    }\n    assert!(ok());\n}\n",
        id="bounded-retry-loop",
    ),
    pytest.param(
        "#[test]\nfn t() {\n    assert!(ok());\n    std::thread::sleep(D);\n}\n",
        id="sleep-after-assert",
    ),
    pytest.param(
        "#[test]\nfn a() {\n    std::thread::sleep(D);\n}\n"
        "#[test]\nfn b() {\n    assert!(ok());\n}\n",
        id="assert-in-another-test",
    ),
]


@pytest.mark.parametrize(("source", "expected"), RUST_CLOCK_FLAG)
def test_rust_clock_should_flag(source: str, expected: list[tuple[int, str, str]]) -> None:
    found = [(h.line, h.rule, h.what) for h in scan_rust("src/lib.rs", source, whole_file=False)]
    assert found == expected


@pytest.mark.parametrize("source", RUST_CLOCK_CLEAN)
def test_rust_clock_should_not_flag(source: str) -> None:
    assert scan_rust("src/lib.rs", source, whole_file=False) == []
