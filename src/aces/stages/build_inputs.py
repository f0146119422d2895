"""Stage 4 checks that what a build needs is there: declared dependencies, existing Dockerfiles.

- ``build.declared-dependencies`` (clause ``build.pinned-images``: dependencies are
  pinned, so first declared): a Python project's runtime modules import no
  third-party module its manifests do not declare (``aces.engines.pydeps``);
- ``build.ci-dockerfiles`` (clause ``build.reproducible``): every Dockerfile a CI
  workflow builds exists (``aces.engines.cidocker``).

Details: ``docs/stage4-build.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from aces.engines.cidocker import DockerfileBuild, dockerfile_builds
from aces.engines.pydeps import declared_of, undeclared_imports
from aces.engines.pydeps.project import find_projects
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "1"
WORKFLOW_DIR = ".github/workflows/"


class InputCheck(Check):
    """Shared parts of these stage 4 checks: cached on the tree and the policy."""

    stage = 4

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state and the policy."""
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest()))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


class DeclaredDependencies(InputCheck):
    """A Python package's runtime modules import only what its manifests declare.

    The runtime modules are the package folders of each project root (beside
    ``pyproject.toml`` / ``setup.py`` / ``setup.cfg`` / ``requirements*.txt``, or
    below its ``src/``), tests left out. A top-level import that is not standard
    library, not the repository's own module and not provided by a declared
    distribution (``PyYAML`` provides ``yaml``, ``grpcio`` ``grpc``) is
    ``build.declared-dependencies.python-import`` at its first use; imports under
    ``if TYPE_CHECKING:`` or guarded by ``except ImportError`` are optional.
    """

    id = "build.declared-dependencies"
    clauses = ("build.pinned-images",)
    title = "Runtime imports are declared dependencies"
    remedy = (
        "Declare the distribution in pyproject.toml [project] dependencies (or an extra, "
        "or requirements.txt), pinned, or stop importing it."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a Python project whose declarations can be read."""
        for project in find_projects(ctx.workspace.files):
            if declared_of(project.manifests, ctx.workspace.read_text).known:
                return None
        return NotApplicable(
            "no Python package with runtime modules and readable dependency declarations "
            "(pyproject.toml [project] dependencies, setup.cfg, setup.py, requirements*.txt)"
        )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per undeclared module and project, at its first import."""
        for found in undeclared_imports(ctx.workspace.files, ctx.workspace.read_text):
            more = f" (and {found.count - 1} more imports)" if found.count > 1 else ""
            yield self.finding(
                f"{found.module} is imported at run time{more} but no dependency in "
                f"{', '.join(found.manifests)} provides it (arriving through another "
                "dependency, nothing declares or pins it)",
                Location(found.path, found.line, found.column),
                rule_id=f"{self.id}.python-import",
                key=f"{found.manifests[0]}\x1f{found.module}",
            )


class CiDockerfiles(InputCheck):
    """Every Dockerfile a CI workflow builds exists.

    Read from ``.github/workflows/*.yml``: ``docker/build-push-action`` steps
    (``file:``, else ``<context>/Dockerfile``) and ``run:`` scripts with ``docker
    build`` / ``docker buildx build`` / ``podman build`` (``-f``, else
    ``<context>/Dockerfile``, below ``working-directory``). A Dockerfile that is
    not in the repository is ``build.ci-dockerfiles.missing`` at the workflow line.
    """

    id = "build.ci-dockerfiles"
    clauses = ("build.reproducible",)
    title = "CI workflows build Dockerfiles that exist"
    remedy = "Point the workflow at the Dockerfile's real path, or add the Dockerfile."

    def builds(self, ctx: RunContext) -> list[DockerfileBuild]:
        """Every resolvable Dockerfile build of every workflow."""
        workflows = (
            f
            for f in ctx.workspace.files
            if f.startswith(WORKFLOW_DIR) and f.endswith((".yml", ".yaml"))
        )
        return [b for w in workflows for b in dockerfile_builds(w, ctx.workspace.read_text(w))]

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when no workflow builds a Dockerfile."""
        if self.builds(ctx):
            return None
        return NotApplicable(f"no workflow under {WORKFLOW_DIR} builds a Dockerfile")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """The builds whose Dockerfile is not in the repository."""
        for build in self.builds(ctx):
            if not ctx.workspace.exists(build.dockerfile):
                yield self.finding(
                    f"the workflow builds {build.dockerfile}, which does not exist",
                    Location(build.workflow, build.line),
                    rule_id=f"{self.id}.missing",
                    key=f"{build.workflow}\x1f{build.dockerfile}",
                )


CHECKS = (DeclaredDependencies(), CiDockerfiles())
