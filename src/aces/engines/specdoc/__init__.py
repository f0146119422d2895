"""Spec documents: discovery, Markdown parsing, required sections, coverage declarations,
acceptance criteria with their test bindings, test lookup and schema references.

Pure: plain inputs (paths, text, a file reader) in, plain results out; no
workspace, pipeline or CLI imports. The notations are documented in ``docs/specs.md``.
"""

from __future__ import annotations

from aces.engines.specdoc.bindings import BadRef, TestRef, parse_binding
from aces.engines.specdoc.coverage import Coverage, DeclarationProblem, read_coverage
from aces.engines.specdoc.criteria import Criterion, extract_criteria
from aces.engines.specdoc.discovery import PrLink, pr_links, spec_kind, spec_paths
from aces.engines.specdoc.document import SpecDocument, parse_spec
from aces.engines.specdoc.markdown import Heading, MarkdownDoc, Section, parse_markdown
from aces.engines.specdoc.schemarefs import proto_package, references
from aces.engines.specdoc.sections import (
    SectionState,
    SectionStatus,
    is_placeholder_line,
    normalize_heading,
    section_statuses,
    unresolved_markers,
)
from aces.engines.specdoc.testlookup import LookupResult, TestIndex

__all__ = [
    "BadRef",
    "Coverage",
    "Criterion",
    "DeclarationProblem",
    "Heading",
    "LookupResult",
    "MarkdownDoc",
    "PrLink",
    "Section",
    "SectionState",
    "SectionStatus",
    "SpecDocument",
    "TestIndex",
    "TestRef",
    "extract_criteria",
    "is_placeholder_line",
    "normalize_heading",
    "parse_binding",
    "parse_markdown",
    "parse_spec",
    "pr_links",
    "proto_package",
    "read_coverage",
    "references",
    "section_statuses",
    "spec_kind",
    "spec_paths",
    "unresolved_markers",
]
