"""The files ``aces init`` lays down: directories the doctrine expects, policy, templates.

``scaffold_files`` is pure: it returns relative path -> content, and the CLI decides what
to write (it never replaces a file unless forced, and skips a ``.gitkeep`` for a directory
that already holds something).
"""

from __future__ import annotations

from importlib import resources
from string import Template

from aces.generate.policy_toml import render_policy_toml
from aces.policy.schema import DEFAULT_SECTION_SYNONYMS, REQUIRED_SPEC_SECTIONS

KEEP_FILE = ".gitkeep"
SPEC_TEMPLATE_PATH = "docs/templates/spec.md"
PR_TEMPLATE_PATH = ".github/pull_request_template.md"

# Directories the doctrine expects that start empty: each gets a .gitkeep.
EMPTY_DIRECTORIES: tuple[str, ...] = ("proto", "state_machines", "tests/integration")

# The headings of the pull request template, in order. The merge gate reads the PR body by
# these headings (spec link, SLO impact, rollback path, ...).
PR_TEMPLATE_SECTIONS: tuple[str, ...] = (
    "Spec link",
    "Acceptance criteria",
    "Invariants",
    "SLO impact",
    "Rollback path",
    "Security implications",
    "Observability",
)


def template_text(name: str) -> str:
    """The text of one file under ``aces/generate/templates``."""
    return resources.files("aces.generate").joinpath("templates", name).read_text("utf-8")


def is_keep_file(path: str) -> bool:
    """Whether ``path`` is a placeholder that only matters for an empty directory."""
    return path.rsplit("/", 1)[-1] == KEEP_FILE


def sections_table() -> str:
    """Markdown table rows: required section -> accepted headings, from the schema."""
    rows = []
    for section in REQUIRED_SPEC_SECTIONS:
        headings = ", ".join(f"`{heading}`" for heading in DEFAULT_SECTION_SYNONYMS[section])
        rows.append(f"| {section.replace('_', ' ')} | {headings} |")
    return "\n".join(rows)


def scaffold_files() -> dict[str, str]:
    """Relative path -> content of every file ``aces init`` creates, sorted by path."""
    files = {
        "aces.toml": render_policy_toml(),
        "specs/README.md": Template(template_text("specs-README.md")).substitute(
            sections_table=sections_table()
        ),
        SPEC_TEMPLATE_PATH: template_text("spec.md"),
        PR_TEMPLATE_PATH: template_text("pull_request_template.md"),
    }
    for directory in EMPTY_DIRECTORIES:
        files[f"{directory}/{KEEP_FILE}"] = ""
    return dict(sorted(files.items()))
