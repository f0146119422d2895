"""A service's own image named by tag: pinned from the supply ledger once released."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from aces.errors import InputError, PolicyError
from aces.runtime import render_common, render_kubernetes
from aces.runtime.topology import image_tagged

from .test_render import DIGEST, root, topology  # noqa: F401  (root is a fixture)

RELEASED = "sha256:" + "ab" * 32


def _ledger(path: Path, tags: dict[str, str]) -> None:
    (path / "deploy").mkdir(exist_ok=True)
    (path / "deploy" / "image-ledger.json").write_text(json.dumps({"version": 1, "tags": tags}))


def _images(text: str) -> dict[str, str]:
    found = re.findall(r"name: (\S+)\n\s+image: (\S+)", text)
    return dict(found)


def test_an_unreleased_own_image_renders_as_its_tag(root: Path) -> None:  # noqa: F811
    own = dataclasses.replace(topology(), images={**topology().images, "bus": "bus:1.2.0"})
    with_ledger = render_common.with_released(own, root, "deploy/image-ledger.json")
    text = render_kubernetes.render(with_ledger, root=root)
    assert "image: bus:1.2.0\n" in text
    assert f"image: ghcr.io/x/gate@{DIGEST}\n" in text


def test_a_released_own_image_is_pinned_with_the_ledger_digest(root: Path) -> None:  # noqa: F811
    _ledger(root, {"bus:1.2.0": RELEASED, "bus:1.1.0": DIGEST})
    own = dataclasses.replace(topology(), images={**topology().images, "bus": "bus:1.2.0"})
    with_ledger = render_common.with_released(own, root, "deploy/image-ledger.json")
    text = render_kubernetes.render(with_ledger, root=root)
    assert f"image: bus:1.2.0@{RELEASED}\n" in text
    assert "bus:1.1.0" not in text


def test_a_dependency_named_by_tag_is_refused(root: Path) -> None:  # noqa: F811
    tagged = dataclasses.replace(topology(), images={**topology().images, "nats": "nats:2.10"})
    with pytest.raises(
        PolicyError, match=re.escape("topology.images.nats: 'nats:2.10' is not pinned")
    ):
        render_kubernetes.render(tagged, root=root)


def test_a_malformed_ledger_is_an_input_error(root: Path) -> None:  # noqa: F811
    _ledger(root, {"bus:1.2.0": "sha256:short"})
    with pytest.raises(InputError, match=re.escape("bus:1.2.0")):
        render_common.with_released(topology(), root, "deploy/image-ledger.json")


@pytest.mark.parametrize(
    ("reference", "tagged"),
    [
        ("arqonbus-mini:1.0.0", True),
        ("ghcr.io/arqon/bus:1.2", True),
        ("localhost:5000/bus:7", True),
        ("bus:latest", False),
        ("bus", False),
        (f"bus@{DIGEST}", False),
        ("Bus:1", False),
    ],
)
def test_which_references_count_as_a_fixed_tag(reference: str, tagged: bool) -> None:
    assert image_tagged(reference) is tagged
