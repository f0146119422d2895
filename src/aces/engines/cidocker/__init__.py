"""Dockerfiles that CI workflows build: which ones, named where.

``dockerfile_builds`` reads one GitHub Actions workflow and returns every
Dockerfile a step builds, with the line that names it:

* ``uses: docker/build-push-action@..`` (and ``docker/build-push-action`` forks
  of the same inputs): ``with.file``, else ``<with.context>/Dockerfile``
  (context defaults to the repository root);
* ``run:`` scripts with ``docker build``, ``docker buildx build``, ``docker image
  build`` or ``podman build``/``buildah bud``: ``-f`` / ``--file``, else
  ``<context>/Dockerfile``, below the step's ``working-directory``.

Values with an expression (``${{ }}``, ``$VAR``), a URL context or ``-f -``
(stdin) are not resolved and not reported. Pure: the caller checks existence.
"""

from __future__ import annotations

from aces.engines.cidocker.workflows import DockerfileBuild, dockerfile_builds

__all__ = ["DockerfileBuild", "dockerfile_builds"]
