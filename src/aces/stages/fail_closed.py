"""Stage 1: the commands the policy configures can fail (``principle.fail-closed``).

ACES fails closed: a crash, a timeout, a missing tool or output it cannot read is
ERROR and blocks. The runner does that for what ACES runs itself; this check does
it for what a repository asks ACES to run. A test runner, a build command, the
state-machine test command or a topology test written so that it always exits 0
(``sh -c "pytest || true"``, ``--exit-zero``, ``make -i``) would turn a malfunction
into a pass before ACES reads the exit code, so each is a finding at its line of
``aces.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator

from aces.engines.failopen import fail_open_reasons
from aces.errors import InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.locate import KeyPath, locate
from aces.policy.schema import Policy

DEFAULT_ONLY = (
    "no aces.toml: every command ACES runs is its own default, which fails closed "
    "(commands configured in aces.toml are checked here)"
)
NO_COMMANDS = "aces.toml configures no command (tests.runners, build, state_machines, topology)"


def configured_commands(policy: Policy) -> Iterator[tuple[KeyPath, tuple[str, ...]]]:
    """Every argv the policy configures, with the key path that holds it."""
    for index, runner in enumerate(policy.tests.runners):
        yield ("tests", "runners", index, "argv"), runner.argv
        if runner.coverage_argv:
            yield ("tests", "runners", index, "coverage_argv"), runner.coverage_argv
    if policy.state_machines.test_command:
        yield ("state_machines", "test_command"), policy.state_machines.test_command
    for index, argv in enumerate(policy.build.commands):
        yield ("build", "commands", index), argv
    for index, test in enumerate(policy.topology.tests):
        yield ("topology", "tests", index, "command"), test.command
    for index, service in enumerate(policy.topology.services):
        yield ("topology", "services", index, "command"), service.command


class FailClosedCommands(Check):
    """Every command aces.toml asks ACES to run must be able to fail.

    A command that always exits 0 hides the malfunction ACES must block on:
    ``sh -c "pytest || true"`` (also ``|| :``, ``|| exit 0``, ``|| echo``), a script
    with ``set +e`` or one that ends with ``exit 0``, ``--exit-zero``,
    ``--suppress-no-test-exit-code``, ``npm run ... --if-present``, ``make -i``,
    and ``true`` itself. Each is a finding at the command's line of aces.toml.
    """

    id = "principle.fail-closed"
    stage = 1
    clauses = ("principle.fail-closed",)
    title = "Configured commands can fail"
    remedy = (
        "Run the command so that its own exit code reaches ACES: drop `|| true`, `set +e`, "
        "`--exit-zero` and the like; a test that may legitimately fail belongs in the governed "
        "allowlist, not in a command that cannot fail."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        if ctx.loaded_policy.is_default:
            return NotApplicable(DEFAULT_ONLY)
        if next(configured_commands(ctx.policy), None) is None:
            return NotApplicable(NO_COMMANDS)
        return None

    def run(self, ctx: RunContext) -> list[Finding]:
        found: list[Finding] = []
        lines = None
        for key, argv in configured_commands(ctx.policy):
            reasons = fail_open_reasons(argv)
            if not reasons:
                continue
            if lines is None:
                lines = locate(_policy_text(ctx))
            where = Location(ctx.loaded_policy.source, lines.line_of(key))
            shown = ".".join(str(part) for part in key)
            for reason in reasons:
                message = f"`{shown}` cannot fail: {reason}"
                found.append(self.finding(message, where, key=f"{shown}:{reason}"))
        return found


def _policy_text(ctx: RunContext) -> str:
    """The text of the policy file in force (to find each command's line)."""
    source = ctx.loaded_policy.source
    try:
        return ctx.workspace.read_text(source)
    except InputError:
        return ""
