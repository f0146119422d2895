"""Bindings written in a spec-kit folder's ``tasks.md`` and ``plan.md``.

Spec-kit keeps a feature in ``specs/NNN-feature/``: ``spec.md`` (the spec, with
its acceptance scenarios ``US<story>-AS<n>``), ``plan.md``, ``tasks.md`` and
``contracts/``. The tests that verify a story are usually named in the tasks
(``- [ ] T010 [P] [US1] Contract test for POST /rooms in tests/contract/test_rooms.py``),
not in the spec. A line of ``tasks.md`` or ``plan.md`` (outside code blocks and
comments) binds criteria of the spec when it names

* its targets: criterion IDs (``AC-1``, ``US1-AS2``), or a story tag ``[US1]``
  (every ``US1-AS<n>`` criterion); a line with neither under a heading naming
  "User Story N" targets that story; and
* its tests: a ``Verified by:`` list in the spec notation, or, on a task (a list
  item) that speaks of a test, the test files it names (a path with a source
  extension and a ``test``/``tests``/``spec`` folder or ``test`` in the file name).

A test file named this way must exist; a test named with ``::`` must exist in
its file, as in the spec.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from aces.engines.specdoc.bindings import BINDING_LINE, BadRef, TestRef, parse_binding
from aces.engines.specdoc.criteria import Criterion
from aces.engines.specdoc.markdown import is_list_item, parse_markdown

COMPANION_NAMES = ("plan.md", "tasks.md")
_CRITERION_ID = re.compile(r"\b([A-Z][A-Z0-9]*-[A-Z]*\d+(?:\.\d+)*)\b")
_STORY_TAG = re.compile(r"\[\s*US\s*(\d+)\s*\]", re.IGNORECASE)
_STORY_HEADING = re.compile(r"\buser\s+story\s+(\d+)\b", re.IGNORECASE)
_TASK_ID = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(T\d+)\b")
_TEST_WORD = re.compile(r"\btests?\b", re.IGNORECASE)
_PATH = re.compile(
    r"(?<![\w/.\-])((?:[\w.\-]+/)*[\w.\-]+\.(?:py|rs|exs|ex|go|ts|tsx|js|jsx|java|kt|rb))"
    r"(?:::[\w:\[\]\-]+)?(?![\w/\-])"
)
_TEST_DIRS = frozenset({"test", "tests", "spec", "__tests__"})


@dataclass(frozen=True)
class CompanionBinding:
    """Tests named at ``path:line`` for the criteria ``ids`` and the stories ``stories``."""

    path: str
    line: int
    ids: tuple[str, ...]
    stories: tuple[int, ...]
    refs: tuple[TestRef, ...]
    bad_refs: tuple[BadRef, ...]
    task: str | None = None
    heading_story: int | None = None

    def targets(self, criterion: Criterion, known_ids: frozenset[str]) -> bool:
        """Whether this binding names ``criterion`` (by ID or by its story).

        The story of the enclosing "User Story N" heading counts when the line
        names no story tag and no ID the spec has.
        """
        if criterion.id is None:
            return False
        if criterion.id in self.ids:
            return True
        story = re.match(r"US(\d+)-AS\d+$", criterion.id)
        if story is None:
            return False
        stories = self.stories
        if not stories and not known_ids.intersection(self.ids) and self.heading_story:
            stories = (self.heading_story,)
        return int(story.group(1)) in stories


def companion_paths(spec_path: str) -> tuple[str, ...]:
    """The companion documents of a spec-kit ``spec.md`` (none for a single-file spec)."""
    if posixpath.basename(spec_path) != "spec.md":
        return ()
    folder = posixpath.dirname(spec_path)
    return tuple(posixpath.join(folder, name) for name in COMPANION_NAMES)


def read_companion(path: str, text: str) -> tuple[CompanionBinding, ...]:
    """Every binding line of one ``tasks.md`` / ``plan.md``."""
    doc = parse_markdown(text)
    found: list[CompanionBinding] = []
    story: int | None = None
    headings = {h.line: h for h in doc.headings}
    for number, line in enumerate(doc.visible, start=1):
        if number in headings:
            match = _STORY_HEADING.search(headings[number].text)
            story = int(match.group(1)) if match else None
            continue
        if number in doc.code or not line.strip():
            continue
        binding = _binding(path, number, line, story)
        if binding is not None:
            found.append(binding)
    return tuple(found)


def _binding(path: str, number: int, line: str, story: int | None) -> CompanionBinding | None:
    refs, bad = _tests(line)
    if not refs and not bad:
        return None
    ids = tuple(dict.fromkeys(_CRITERION_ID.findall(line)))
    stories = tuple(int(s) for s in _STORY_TAG.findall(line))
    if not ids and not stories and story is None:
        return None
    task = _TASK_ID.match(line)
    return CompanionBinding(
        path, number, ids, stories, refs, bad, task.group(1) if task else None, story
    )


def _tests(line: str) -> tuple[tuple[TestRef, ...], tuple[BadRef, ...]]:
    """The tests a line names: its ``Verified by:`` list, or the test files of a test task."""
    listed = BINDING_LINE.search(line)
    if listed:
        return parse_binding(listed.group(1).strip().strip("*_"))
    if not is_list_item(line) or not _TEST_WORD.search(_PATH.sub(" ", line)):
        return (), ()
    refs: list[TestRef] = []
    for match in _PATH.finditer(line.replace("`", " ")):
        if _is_test_path(match.group(1)):
            refs.append(_file_ref(match.group(0)))
    return tuple(refs), ()


def _is_test_path(path: str) -> bool:
    parts = path.split("/")
    return any(p in _TEST_DIRS for p in parts[:-1]) or "test" in parts[-1].lower()


def _file_ref(token: str) -> TestRef:
    """A test file (``kind="file"``), or a pytest test when ``::`` names one."""
    if ".py::" in token:
        file, _, rest = token.partition("::")
        names = tuple(n.split("[", 1)[0] for n in rest.split("::") if n)
        return TestRef("python", token, file=file.removeprefix("./"), names=names)
    return TestRef("file", token, file=token.removeprefix("./"))


def bindings_for(
    criteria: Sequence[Criterion], bindings: Sequence[CompanionBinding]
) -> dict[int, tuple[CompanionBinding, ...]]:
    """Criterion line -> the companion bindings that name it."""
    known = frozenset(c.id for c in criteria if c.id)
    return {c.line: tuple(b for b in bindings if b.targets(c, known)) for c in criteria}
