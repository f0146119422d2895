"""sec.secrets on every token format and assignment spelling, planted in the example.

One token of each documented family (in a neutral place) and one random value in
each assignment spelling are committed, each in its own non-test file, together
with every look-alike; stage 7 must report each planted value with its rule, the
clause ``sec.secrets`` and its line (and, for a spelling, the value's column),
and nothing in a look-alike's file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.integration.stage7_secrets.test_stage7_secrets import findings, git, git_example

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from secrets_corpus.formats import Case, cases  # noqa: E402
from secrets_corpus.placements import BY_NAME, column  # noqa: E402

CORPUS = cases(seed=11, per_family=1, per_spelling=1)


def planted_path(index: int, case: Case) -> str:
    return f"planted/{case.group}-{index:04d}/{case.path}"


def plant(root: Path) -> None:
    for index, case in enumerate(CORPUS):
        target = root / planted_path(index, case)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "plant")


def test_each_format_and_spelling_fails_at_its_line_and_no_lookalike_does(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    plant(root)
    found = findings(root)
    assert {f.clauses for f in found} == {("sec.secrets",)}
    got = {(f.rule_id, f.location.path, f.location.line) for f in found if f.location is not None}
    expected_paths = set()
    for index, case in enumerate(CORPUS):
        path = planted_path(index, case)
        if case.group == "lookalike":
            assert not any(p == path for _, p, _ in got), (case.name, case.path)
            continue
        expected_paths.add(path)
        assert any((f"sec.secrets.{r}", path, case.line) in got for r in case.rules), case.name
    assert {p for _, p, _ in got} == expected_paths  # one place per planted file, no other
    for index, case in enumerate(CORPUS):
        if case.group == "spelling":  # the value's own column, by one rule only
            path = planted_path(index, case)
            places = [
                (f.location.line, f.location.column)
                for f in found
                if f.location is not None and f.location.path == path
            ]
            assert places == [(case.line, column(BY_NAME[case.name], case.index))], case.name
