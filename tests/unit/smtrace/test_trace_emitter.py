"""``aces.trace_emitter``: silent without the variable, one JSON line per call with it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import aces.trace_emitter as emitter
from aces.engines.smtrace import TraceStep, parse_trace

EXAMPLE_COPY = (
    Path(__file__).resolve().parents[3]
    / "examples"
    / "arqonbus-mini"
    / "src"
    / "arqonbus_mini"
    / "sm_trace.py"
)


def test_without_the_variable_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(emitter.TRACE_DIR_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    emitter.emit("conn", "a", "go", "b")
    assert list(tmp_path.iterdir()) == []


def test_each_call_appends_one_line_the_reader_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    traces = tmp_path / "traces"
    monkeypatch.setenv(emitter.TRACE_DIR_VARIABLE, str(traces))
    emitter.emit("conn", "a", "go", "b")
    emitter.emit("conn", "b", "stop", "c", transition="t2")
    (written,) = traces.iterdir()
    assert written.name == f"trace-{os.getpid()}.jsonl"
    text = written.read_text(encoding="utf-8")
    assert text.splitlines() == [
        '{"event": "go", "from": "a", "machine": "conn", "to": "b"}',
        '{"event": "stop", "from": "b", "machine": "conn", "to": "c", "transition": "t2"}',
    ]
    assert parse_trace("t", text).steps == (
        TraceStep("t", 1, "conn", "a", "go", "b"),
        TraceStep("t", 2, "conn", "b", "stop", "c", "t2"),
    )


def test_importable_with_the_standard_library_only(tmp_path: Path) -> None:
    source = Path(emitter.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "json", "os", "pathlib"}
    # a copy of the file alone, outside the package, works
    (tmp_path / "sm_trace.py").write_text(source, encoding="utf-8")
    code = "import sm_trace; sm_trace.emit('m', 'a', 'e', 'b')"
    env = {**os.environ, emitter.TRACE_DIR_VARIABLE: str(tmp_path / "out")}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True)
    (written,) = (tmp_path / "out").iterdir()
    assert json.loads(written.read_text(encoding="utf-8")) == {
        "machine": "m",
        "from": "a",
        "event": "e",
        "to": "b",
    }


def test_the_example_carries_an_identical_copy() -> None:
    source = Path(emitter.__file__).read_text(encoding="utf-8")
    assert EXAMPLE_COPY.read_text(encoding="utf-8") == source
