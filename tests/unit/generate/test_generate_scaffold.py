"""The scaffold: its files, the spec and PR templates, and the starter policy."""

from __future__ import annotations

import re

from aces.generate.policy_toml import ALLOWLIST_EXAMPLE, MAINTAINER_EXAMPLE, render_policy_toml
from aces.generate.scaffold import (
    PR_TEMPLATE_PATH,
    PR_TEMPLATE_SECTIONS,
    SPEC_TEMPLATE_PATH,
    scaffold_files,
)
from aces.policy.loader import parse_policy
from aces.policy.schema import (
    DEFAULT_PLACEHOLDERS,
    DEFAULT_SECTION_SYNONYMS,
    REQUIRED_SPEC_SECTIONS,
    Policy,
)

HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def sections(markdown: str) -> dict[str, str]:
    """Heading -> body (HTML comments removed, stripped) for every heading of a document."""
    found: dict[str, str] = {}
    matches = list(HEADING.finditer(markdown))
    for match, following in zip(matches, [*matches[1:], None], strict=False):
        end = following.start() if following else len(markdown)
        found[match.group(1)] = COMMENT.sub("", markdown[match.end() : end]).strip()
    return found


def test_scaffold_lays_down_exactly_these_files() -> None:
    assert list(scaffold_files()) == [
        ".github/pull_request_template.md",
        "aces.toml",
        "docs/templates/spec.md",
        "proto/.gitkeep",
        "specs/README.md",
        "state_machines/.gitkeep",
        "tests/integration/.gitkeep",
    ]


def test_only_the_readme_is_placed_under_specs() -> None:
    # Anything else in specs/ would itself be read as a spec.
    assert [path for path in scaffold_files() if path.startswith("specs/")] == ["specs/README.md"]


def test_spec_template_has_a_heading_for_every_required_section() -> None:
    headings = {heading.lower() for heading in sections(scaffold_files()[SPEC_TEMPLATE_PATH])}
    for section in REQUIRED_SPEC_SECTIONS:
        assert headings & set(DEFAULT_SECTION_SYNONYMS[section]), section


def test_unedited_spec_template_sections_are_placeholders() -> None:
    bodies = {h.lower(): body for h, body in sections(scaffold_files()[SPEC_TEMPLATE_PATH]).items()}
    for section in REQUIRED_SPEC_SECTIONS:
        heading = next(h for h in DEFAULT_SECTION_SYNONYMS[section] if h in bodies)
        assert bodies[heading].lower() in DEFAULT_PLACEHOLDERS, heading


def test_pr_template_has_the_doctrine_sections_in_order_and_empty() -> None:
    found = sections(scaffold_files()[PR_TEMPLATE_PATH])
    assert list(found) == list(PR_TEMPLATE_SECTIONS)
    assert set(found.values()) == {""}


def test_specs_readme_lists_every_accepted_heading_and_both_layouts() -> None:
    readme = scaffold_files()["specs/README.md"]
    assert "$" not in readme
    assert "`specs/<feature>.md`" in readme
    assert "`specs/NNN-feature/spec.md`" in readme
    assert (
        "| failure modes | `failure modes`, `edge cases`, `failure handling`, `error handling` |"
        in readme
    )
    for section in REQUIRED_SPEC_SECTIONS:
        assert f"| {section.replace('_', ' ')} | " in readme


def test_gitkeeps_are_empty() -> None:
    files = scaffold_files()
    assert [files[p] for p in files if p.endswith(".gitkeep")] == ["", "", ""]


def test_starter_policy_loads_as_the_doctrine_default() -> None:
    text = scaffold_files()["aces.toml"]
    assert parse_policy(text.encode(), "aces.toml") == Policy()
    assert 'policy_version = "1.0.0"' in text.splitlines()


def test_starter_policy_shows_every_section_of_the_schema() -> None:
    text = render_policy_toml()
    for table in ("paths", "change_classes", "spec", "spec.section_synonyms", "thresholds"):
        assert f"\n[{table}]\n" in text
    for table in ("toolchain",):
        assert f"\n[{table}]\n" in text
    assert "\n# [[maintainers]]\n" in text
    assert "\n# [[allowlist]]\n" in text
    for key in ("policy_version", "doctrine", "default_branch", "check_timeout_seconds"):
        assert re.search(rf"^{key} = ", text, re.MULTILINE), key


def test_threshold_notes_say_which_way_is_stricter() -> None:
    text = render_policy_toml()
    assert (
        "# line coverage of core libraries (test.coverage-core); a floor: raise it to be stricter\n"
        "core_coverage_percent = 85.0\n"
    ) in text
    assert (
        "# time for an automated rollback to complete (deploy.rollback); "
        "a ceiling: lower it to be stricter\nrollback_seconds = 10.0\n"
    ) in text


def test_commented_examples_load_when_uncommented() -> None:
    text = render_policy_toml()
    uncommented = re.sub(r"^# (\[\[.*\]\]|[a-z_]+ = .*)$", r"\1", text, flags=re.MULTILINE)
    policy = parse_policy(uncommented.encode(), "aces.toml")
    assert policy.maintainers == (MAINTAINER_EXAMPLE,)
    assert policy.allowlist == (ALLOWLIST_EXAMPLE,)
    assert policy.toolchain == {"buf": "1.75.0", "rust": "1.83.0"}


def test_policy_values_other_than_defaults_are_rendered() -> None:
    policy = Policy(
        default_branch="trunk", thresholds={**Policy().thresholds, "rollback_seconds": 5.0}
    )
    assert parse_policy(render_policy_toml(policy).encode(), "aces.toml") == policy
