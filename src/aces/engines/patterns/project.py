"""A project's sources parsed once, with their zones: what every stage 3 analysis reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from aces.engines.patterns.cargo_targets import cargo_targets
from aces.engines.patterns.checks import CheckSettings
from aces.engines.patterns.source import SourceFile, parse_source
from aces.engines.patterns.zones import Zones, ZoneSettings, resolve_zones
from aces.policy.schema import PatternsPolicy

# File suffixes each grammar reads; templates (.heex, .eex) and stubs (.pyi) are not code
# these rules are about.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "rust": (".rs",),
    "python": (".py",),
    "elixir": (".ex", ".exs"),
}


@dataclass(frozen=True)
class ParsedProject:
    """Every source file parsed, by path, and the zones of each."""

    sources: Mapping[str, SourceFile]
    zones: Mapping[str, Zones]

    def of_language(self, language: str) -> list[SourceFile]:
        """The parsed files of one language, sorted by path."""
        return [s for p, s in sorted(self.sources.items()) if s.language == language]


def code_files(files: Iterable[str], language_of: Callable[[str], str | None]) -> dict[str, str]:
    """Path -> language for the files the grammars read (by suffix, or a shebang)."""
    chosen: dict[str, str] = {}
    for path in files:
        language = language_of(path)
        if language in SUFFIXES:
            suffixes = SUFFIXES[language]
            if path.endswith(suffixes) or "." not in path.rsplit("/", 1)[-1]:
                chosen[path] = language
    return chosen


def parse_project(
    files: Mapping[str, str],
    read: Callable[[str], bytes],
    policy: PatternsPolicy,
    manifests: Mapping[str, str] | None = None,
) -> ParsedProject:
    """Parse every file (path -> language) and resolve the zones project-wide.

    ``manifests`` (``Cargo.toml`` path -> text) say which Rust files are test targets.
    """
    sources = {path: parse_source(path, files[path], read(path)) for path in sorted(files)}
    targets = cargo_targets(manifests or {})
    return ParsedProject(sources, resolve_zones(sources, zone_settings(policy), targets))


def zone_settings(policy: PatternsPolicy) -> ZoneSettings:
    """The zone settings of the ``[patterns]`` policy."""
    return ZoneSettings(policy.test_globs, policy.startup_globs, policy.startup_markers)


def check_settings(policy: PatternsPolicy) -> CheckSettings:
    """The check settings of the ``[patterns]`` policy."""
    return CheckSettings(
        max_function_lines=policy.max_function_lines,
        allowed_numbers=frozenset(float(n) for n in policy.allowed_numbers),
        ticket_pattern=policy.ticket_pattern,
    )
