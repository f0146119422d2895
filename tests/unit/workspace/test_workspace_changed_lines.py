"""Which finding locations a Change touches (hold the line in PR mode)."""

from __future__ import annotations

from aces.model import Location
from aces.workspace.changed_lines import ChangedLines
from aces.workspace.types import Change, ChangedFile, Hunk

CHANGE = Change(
    base="b" * 40,
    head="h" * 40,
    whole_tree=False,
    files=(
        ChangedFile("new.py", "A", None, (Hunk(1, 3),)),
        ChangedFile("edited.py", "M", None, (Hunk(4, 2), Hunk(10, 1))),
        ChangedFile("gone.py", "D"),
    ),
)


def test_lines_inside_a_hunk_are_touched_and_others_are_not() -> None:
    lines = ChangedLines.of(CHANGE)
    assert [lines.touches(Location("edited.py", n)) for n in (3, 4, 5, 6, 10, 11)] == [
        False,
        True,
        True,
        False,
        True,
        False,
    ]


def test_added_files_and_unlocated_findings_are_touched() -> None:
    lines = ChangedLines.of(CHANGE)
    assert lines.touches(Location("new.py", 99))
    assert lines.touches(Location("edited.py"))
    assert lines.touches(None)


def test_untouched_files_are_not_in_the_change_but_are_on_a_whole_tree() -> None:
    assert not ChangedLines.of(CHANGE).touches(Location("other.py", 1))
    assert not ChangedLines.of(CHANGE).file_changed("other.py")
    whole = ChangedLines.of(Change(base=None, head=None, whole_tree=True))
    assert whole.touches(Location("other.py", 1))
    assert whole.file_changed("other.py")


def test_a_finding_spanning_a_changed_line_is_touched() -> None:
    lines = ChangedLines.of(CHANGE)
    assert lines.touches(Location("edited.py", 1, end_line=4))
    assert lines.touches(Location("edited.py", 8, end_line=12))
    assert not lines.touches(Location("edited.py", 6, end_line=9))
