"""The registry of CI providers: name -> pure ``render(stages, options) -> str``.

Adding a provider is one module with a ``render`` function and one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from aces.errors import InputError
from aces.generate import ci_buildkite, ci_github, ci_gitlab
from aces.generate.ci_common import CiOptions
from aces.pipeline.registry import StageDef

Renderer = Callable[[tuple[StageDef, ...], CiOptions], str]

PROVIDERS: dict[str, Renderer] = {
    "buildkite": ci_buildkite.render,
    "github": ci_github.render,
    "gitlab": ci_gitlab.render,
}

# Where each provider expects the file, for the docs and the CLI's hint.
DEFAULT_PATHS: dict[str, str] = {
    "buildkite": ".buildkite/pipeline.yml",
    "github": ".github/workflows/aces.yml",
    "gitlab": ".gitlab-ci.yml",
}


def render_ci(provider: str, stages: tuple[StageDef, ...], options: CiOptions) -> str:
    """The pipeline of ``provider`` for these stages; an unknown provider is an input error."""
    renderer = PROVIDERS.get(provider)
    if renderer is None:
        names = ", ".join(sorted(PROVIDERS))
        raise InputError(f"unknown CI provider {provider!r}", hint=f"use one of {names}")
    if not stages:
        raise InputError("no stages to generate a pipeline for")
    return renderer(stages, options)
