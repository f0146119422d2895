"""Which ruff configuration and Python version lint each file (pure, on an in-memory tree)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import InputError
from aces.tools import ruff
from aces.tools.ruff_config import ConfigFinder, RuffSetup, target_from_requires


def finder(tree: dict[str, str]) -> ConfigFinder:
    return ConfigFinder(tree.__contains__, tree.__getitem__)


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        (">=3.10", "py310"),
        ("~=3.11", "py311"),
        (">=3.9,<4", "py39"),
        ("==3.12.*", "py312"),
        (">=3.6", "py37"),
        ("<4", None),
        ("", None),
    ],
)
def test_requires_python_gives_the_lowest_supported_version(spec: str, target: str | None) -> None:
    assert target_from_requires(spec) == target


def test_each_file_gets_its_nearest_config_never_one_above_the_root() -> None:
    tree = {
        "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n',
        "server/pyproject.toml": '[project]\nrequires-python = ">=3.12"\n[tool.ruff]\n',
        "tools/ruff.toml": 'target-version = "py311"\n',
        "tools/.ruff.toml": "line-length = 90\n",
        "scripts/pyproject.toml": "[project]\nname = 'x'\n",
    }
    plan = finder(tree).plan(
        ["a.py", "server/app/main.py", "tools/gen.py", "scripts/run.py", "server/b.py"]
    )
    assert plan == (
        RuffSetup(None, None, ("scripts/run.py",)),  # its own pyproject says no version
        RuffSetup(None, "py310", ("a.py",)),  # no config: the default, the root's version
        RuffSetup("server/pyproject.toml", "py312", ("server/app/main.py", "server/b.py")),
        RuffSetup("tools/.ruff.toml", None, ("tools/gen.py",)),  # .ruff.toml wins in a folder
    )


def test_a_config_that_sets_its_version_is_left_to_it() -> None:
    tree = {
        "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n',
        "ruff.toml": 'target-version = "py313"\n',
    }
    assert finder(tree).plan(["a.py"]) == (RuffSetup("ruff.toml", None, ("a.py",)),)
    beside = {"pyproject.toml": tree["pyproject.toml"], "ruff.toml": "line-length = 90\n"}
    assert finder(beside).plan(["a.py"]) == (RuffSetup("ruff.toml", "py310", ("a.py",)),)


def test_a_config_that_is_not_toml_is_bad_input_naming_it() -> None:
    with pytest.raises(InputError) as caught:
        finder({"ruff.toml": "line-length = \n"}).plan(["a.py"])
    assert caught.value.path == "ruff.toml"


def test_without_a_ruff_config_the_projects_black_settings_apply() -> None:
    black = (
        "[tool.black]\nline-length = 100\nskip-string-normalization = true\n"
        "skip-magic-trailing-comma = true\n"
    )
    tree = {"pyproject.toml": '[project]\nrequires-python = ">=3.10"\n' + black}
    settings = (
        "line-length = 100",
        "format.quote-style = 'preserve'",
        "format.skip-magic-trailing-comma = true",
    )
    assert finder(tree).plan(["a.py"]) == (RuffSetup(None, "py310", ("a.py",), settings),)
    ruffed = {"pyproject.toml": tree["pyproject.toml"] + "[tool.ruff]\n"}
    assert finder(ruffed).plan(["a.py"]) == (RuffSetup("pyproject.toml", "py310", ("a.py",)),)


def test_a_black_line_length_that_is_no_number_is_not_passed_on() -> None:
    tree = {"pyproject.toml": '[tool.black]\nline-length = "wide"\n'}
    assert finder(tree).plan(["a.py"]) == (RuffSetup(None, None, ("a.py",)),)


def test_black_settings_reach_the_formatter_and_not_the_linter() -> None:
    setup = RuffSetup(None, "py310", ("a.py",), ("line-length = 100",))
    root = Path("/repo")
    assert "line-length = 100" in ruff.format_argv(Path("/bin/ruff"), setup, root)
    assert "line-length = 100" not in ruff.check_argv(Path("/bin/ruff"), setup, root)
