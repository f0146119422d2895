"""A spec document: its Markdown structure, coverage declaration and criteria, in one value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aces.engines.specdoc.coverage import (
    Coverage,
    DeclarationProblem,
    declaration_lines,
    read_coverage,
)
from aces.engines.specdoc.criteria import Criterion, extract_criteria
from aces.engines.specdoc.markdown import Heading, MarkdownDoc, parse_markdown
from aces.engines.specdoc.schemarefs import references
from aces.engines.specdoc.sections import match_sections

ACCEPTANCE = "acceptance_criteria"


@dataclass(frozen=True)
class SpecDocument:
    """A parsed spec: ``path`` is its repository path."""

    path: str
    doc: MarkdownDoc
    coverage: Coverage
    problems: tuple[DeclarationProblem, ...]

    @property
    def title_line(self) -> int:
        """Where document-level findings point: the first heading, else line 1."""
        return self.doc.title_line

    def covers(self, path: str, package: str | None) -> bool:
        """True when the declaration covers ``path`` or its proto ``package``."""
        if self.coverage.covers_path(path):
            return True
        return package is not None and self.coverage.covers_package(package)

    def references(self, path: str, package: str | None) -> bool:
        """True when the spec text (declaration left out) names the schema file."""
        skip = declaration_lines(self.doc)
        text = "\n".join(
            line for number, line in enumerate(self.doc.visible, start=1) if number not in skip
        )
        return references(text, path, package)

    def criteria(self, synonyms: Mapping[str, Sequence[str]]) -> tuple[Criterion, ...] | None:
        """The acceptance criteria; None when no acceptance section is recognised."""
        matches = match_sections(self.doc, synonyms)
        acceptance = matches.get(ACCEPTANCE, ())
        if not acceptance:
            return None
        excluded = _nested_others(self.doc, acceptance, matches)
        return extract_criteria(self.doc, acceptance, excluded)


def parse_spec(path: str, text: str) -> SpecDocument:
    """Parse the spec at ``path`` from its ``text``."""
    doc = parse_markdown(text)
    coverage, problems = read_coverage(doc)
    return SpecDocument(path=path, doc=doc, coverage=coverage, problems=problems)


def _nested_others(
    doc: MarkdownDoc, acceptance: Sequence[Heading], matches: Mapping[str, Sequence[Heading]]
) -> tuple[Heading, ...]:
    """Headings of other required sections nested inside an acceptance section."""
    others = [h for name, hs in matches.items() if name != ACCEPTANCE for h in hs]
    nested: list[Heading] = []
    for heading in others:
        if any(doc.section_of(a).contains(heading.line) for a in acceptance):
            nested.append(heading)
    return tuple(nested)
