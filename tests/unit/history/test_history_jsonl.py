"""Reading and writing histories: round trip, and every bad file named by file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.history import HistoryError, Op, read_history, write_history

DATA = Path(__file__).parent / "data"


def test_round_trip_keeps_every_field_and_numbers_lines(tmp_path: Path) -> None:
    ops = [
        Op("p0", "invoke", "publish", {"id": "m-1", "topic": "r/c", "seq": 1}, 5, "bus-0", "t1"),
        Op("p0", "ok", "publish", {"id": "m-1", "topic": "r/c", "seq": 1}, 9, "bus-0", "t1"),
    ]
    path = write_history(tmp_path / "h.jsonl", ops)
    history = read_history(path, display="h.jsonl")
    assert [op.to_json() for op in history.ops] == [op.to_json() for op in ops]
    assert [op.line for op in history.ops] == [1, 2]
    assert history.where(history.ops[1]) == "h.jsonl:2"
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        '{"f":"publish","process":"p0","replica":"bus-0","tenant":"t1","time":5,'
        '"type":"invoke","value":{"id":"m-1","seq":1,"topic":"r/c"}}'
    )


def test_recorded_file_reads() -> None:
    history = read_history(DATA / "ordering-ok.jsonl", display="ordering-ok.jsonl")
    assert len(history.ops) == 9
    assert history.ops[0].f == "subscribe"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"process":"p","type":"ok","f":"deliver","value":{"id":"m"}}\n{"process":"p","ty',
            "h.jsonl:2: the last line ends without a newline: the file was cut",
        ),
        ('{"process":"p","type":"ok","f":"x"}\n{"process":\n', "h.jsonl:2: not a JSON object"),
        ('["p"]\n', "h.jsonl:1: expected a JSON object"),
        ('{"process":"p","type":"done","f":"x"}\n', "h.jsonl:1: type 'done' is not one of"),
        ('{"process":"p","type":"ok"}\n', "h.jsonl:1: 'f' must be a string"),
        ('{"process":"p","type":"ok","f":"x","time":"1"}\n', "h.jsonl:1: 'time' must be an int"),
        ('{"process":"p","type":"ok","f":"x","value":[1]}\n', "h.jsonl:1: 'value' must be a JSON"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HistoryError) as caught:
        read_history(path, display="h.jsonl")
    assert caught.value.diagnostics().startswith(message)


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"process":"p","type":"ok","f":"x"}\n{"process":"\xff"}\n')
    with pytest.raises(HistoryError, match=r"h\.jsonl:2: not valid UTF-8"):
        read_history(path, display="h.jsonl")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="cannot read the history"):
        read_history(tmp_path / "absent.jsonl")
