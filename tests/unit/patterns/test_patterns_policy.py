"""The ``[patterns]`` and ``[architecture]`` policy sections: values, and only stricter."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.policy.loader import load_policy
from aces.policy.problems import PolicyFileError
from aces.policy.schema import Layer, PatternsPolicy

HEAD = 'policy_version = "1.0.0"\n'


def load(root: Path, text: str) -> object:
    (root / "aces.toml").write_text(HEAD + text, encoding="utf-8")
    return load_policy(root).policy


def problems(root: Path, text: str) -> list[str]:
    (root / "aces.toml").write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(root)
    return caught.value.lines()


def test_defaults(tmp_path: Path) -> None:
    policy = load(tmp_path, "")
    assert policy.patterns == PatternsPolicy()  # type: ignore[attr-defined]
    assert policy.architecture.layers == ()  # type: ignore[attr-defined]


def test_stricter_values_and_layers_load(tmp_path: Path) -> None:
    policy = load(
        tmp_path,
        "[patterns]\nmax_function_lines = 40\nmax_complexity = 8\nallowed_numbers = [0, 1]\n"
        'ticket_pattern = "ARQ-[0-9]+"\nstartup_markers = ["boot"]\n'
        "[[architecture.layers]]\n"
        'name = "shield"\npaths = ["crates/shield/**"]\nmay_not_depend_on = ["storage"]\n'
        'forbidden_imports = ["reqwest"]\n'
        '[[architecture.layers]]\nname = "storage"\npaths = ["crates/storage/**"]\n',
    )
    patterns = policy.patterns  # type: ignore[attr-defined]
    limits = (patterns.max_function_lines, patterns.max_complexity, patterns.max_nesting)
    assert limits == (40, 8, 4)
    assert patterns.allowed_numbers == (0, 1)
    assert patterns.ticket_pattern == "ARQ-[0-9]+"
    assert patterns.startup_markers == ("boot",)
    assert policy.architecture.layers == (  # type: ignore[attr-defined]
        Layer("shield", ("crates/shield/**",), ("storage",), ("reqwest",)),
        Layer("storage", ("crates/storage/**",)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[patterns]\nmax_function_lines = 80\n",
            "aces.toml:3: patterns.max_function_lines: 80 is looser than the doctrine's 60 "
            "(a policy may only be stricter)",
        ),
        (
            "[patterns]\nmax_nesting = 0\n",
            "aces.toml:3: patterns.max_nesting: expected a positive integer, found 0",
        ),
        (
            "[patterns]\nallowed_numbers = [0, 60]\n",
            "aces.toml:3: patterns.allowed_numbers[1]: 60 is not among the doctrine's "
            "(0, 1, -1, 2) (a policy may only be stricter)",
        ),
        (
            '[patterns]\nticket_pattern = "(unclosed"\n',
            "aces.toml:3: patterns.ticket_pattern: not a regular expression "
            "(missing ), unterminated subpattern at position 0)",
        ),
        (
            '[patterns]\nticket_pattern = ".*"\n',
            "aces.toml:3: patterns.ticket_pattern: matches the empty string, so any TODO would "
            "name a ticket",
        ),
        (
            '[patterns]\ndisabled_rules = ["rust.unwrap"]\n',
            "aces.toml:3: patterns.disabled_rules: unknown key; expected one of: "
            "'max_function_lines', 'max_complexity', 'max_nesting', 'allowed_numbers', "
            "'ticket_pattern', 'startup_markers', 'test_globs', 'startup_globs', 'debt'",
        ),
        (
            '[[architecture.layers]]\nname = "shield"\npaths = ["a/**"]\n'
            'may_not_depend_on = ["storage"]\n',
            "aces.toml:5: architecture.layers[0].may_not_depend_on[0]: 'storage' is not a "
            "declared layer",
        ),
        (
            '[[architecture.layers]]\nname = "Shield"\npaths = ["a/**"]\n',
            "aces.toml:3: architecture.layers[0].name: expected a lowercase name such as "
            "'storage', found 'Shield'",
        ),
    ],
)
def test_bad_values_name_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text) == [expected]
