"""The JSONL trace format: good lines become steps, bad lines name file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.smtrace import TraceProblem, TraceStep, parse_trace, read_trace_dir
from aces.errors import InputError

GOOD = '{"machine": "conn", "from": "a", "event": "go", "to": "b"}'


def test_good_lines_become_steps_and_blank_lines_are_skipped() -> None:
    text = GOOD + "\n\n" + '{"machine":"conn","from":"b","event":"x","to":"b","transition":"t3"}\n'
    parsed = parse_trace("t.jsonl", text)
    assert parsed.problems == ()
    assert parsed.steps == (
        TraceStep("t.jsonl", 1, "conn", "a", "go", "b"),
        TraceStep("t.jsonl", 3, "conn", "b", "x", "b", "t3"),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON: Expecting property name enclosed in double quotes (column 2)"),
        ("[1, 2]", "expected a JSON object"),
        ('{"machine": "conn", "from": "a", "to": "b"}', "missing field(s): event"),
        ('{"from": "a", "to": "b"}', "missing field(s): machine, event"),
        (GOOD[:-1] + ', "state": "x"}', "unknown field(s): state"),
        (
            '{"machine": "conn", "from": 1, "event": "go", "to": "b"}',
            "field 'from' must be a non-empty string",
        ),
        (
            '{"machine": "", "from": "a", "event": "go", "to": "b"}',
            "field 'machine' must be a non-empty string",
        ),
        (GOOD[:-1] + ', "transition": 3}', "field 'transition' must be a non-empty string"),
    ],
)
def test_bad_lines_are_problems_at_their_line(line: str, message: str) -> None:
    parsed = parse_trace("dir/t.jsonl", GOOD + "\n" + line + "\n")
    assert len(parsed.steps) == 1
    assert parsed.problems == (TraceProblem("dir/t.jsonl", 2, message),)
    assert str(parsed.problems[0]) == f"dir/t.jsonl:2: {message}"


def test_read_trace_dir_reads_jsonl_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text(GOOD + "\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text("oops\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored\n", encoding="utf-8")
    parsed = read_trace_dir(tmp_path, ".aces/traces")
    assert parsed.steps == (TraceStep(".aces/traces/b.jsonl", 1, "conn", "a", "go", "b"),)
    assert [str(p) for p in parsed.problems] == [
        ".aces/traces/a.jsonl:1: not JSON: Expecting value (column 1)"
    ]


def test_a_trace_file_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_bytes(b"\xff\xfe")
    with pytest.raises(InputError) as caught:
        read_trace_dir(tmp_path, "traces")
    assert caught.value.diagnostics() == (
        "traces/t.jsonl: trace file is not UTF-8 (offset 0) "
        "(traces are JSON Lines written by aces.trace_emitter)"
    )
