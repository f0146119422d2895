"""Without ``[paths] proto`` every tracked .proto is checked, in modules rooted at its imports.

A repository of our own writing, with no aces.toml: ``api/proto/acme/v1/`` and
``services/billing/proto/billing/v1/`` each import within their own root, and each holds
a buf lint violation. Both are linted (they were "outside the proto directories"
before), a breaking change in the second module fails ``schema.proto-breaking`` in a
PR, and an explicit ``[paths] proto`` keeps the files outside it as findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.stage2_proto.test_proto_test_data import git, write
from tests.integration.stage2_proto.test_stage2_proto import edit, line_of, run

from aces.model import Status
from aces.tools.buf import find_buf

pytestmark = pytest.mark.skipif(
    find_buf(Path(__file__).parent, "") is None, reason="buf is not installed (make buf)"
)

COMMON = "api/proto/acme/v1/common.proto"
ORDERS = "api/proto/acme/v1/orders.proto"
INVOICE = "services/billing/proto/billing/v1/invoice.proto"
STATUS = "services/billing/proto/billing/v1/status.proto"
FILES = {
    COMMON: 'syntax = "proto3";\n\npackage acme.v1;\n\n'
    "message Money {\n  int64 units = 1;\n  string currency_code = 2;\n}\n",
    ORDERS: 'syntax = "proto3";\n\npackage acme.v1;\n\nimport "acme/v1/common.proto";\n\n'
    "message order_item {\n  Money price = 1;\n}\n",
    INVOICE: 'syntax = "proto3";\n\npackage billing.v1;\n\nimport "billing/v1/status.proto";\n\n'
    "message Invoice {\n  string invoice_id = 1;\n  Status status = 2;\n  int64 total = 3;\n}\n",
    STATUS: 'syntax = "proto3";\n\npackage billing.v1;\n\n'
    "enum Status {\n  STATUS_UNSPECIFIED = 0;\n  paid = 1;\n}\n",
}


def repo(tmp_path: Path, policy: str | None = None) -> Path:
    """The two modules committed on main, a feature branch checked out."""
    root = tmp_path / "repo"
    for rel, text in FILES.items():
        write(root, rel, text)
    if policy is not None:
        write(root, "aces.toml", policy)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def test_every_proto_is_linted_in_the_module_its_imports_imply(tmp_path: Path) -> None:
    root = repo(tmp_path)
    status, reason, found = run(root, base=None)["schema.proto-lint"]
    assert status is Status.FAIL, reason
    lint = {(path, line) for rule, _, path, line in found if rule == "schema.proto-lint"}
    assert lint == {
        (ORDERS, line_of(root, ORDERS, "message order_item")),
        (STATUS, line_of(root, STATUS, "paid = 1")),
    }
    assert not [f for f in found if f[0] != "schema.proto-lint"]


def test_the_inferred_module_roots_are_named(tmp_path: Path) -> None:
    status, reason, _ = run(repo(tmp_path), base=None)["schema.proto-breaking"]
    assert status is Status.NOT_APPLICABLE
    assert "inferred" in reason and "api/proto/" in reason
    assert "services/billing/proto/" in reason


def test_a_breaking_change_in_the_second_module_fails_in_a_pr(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root, INVOICE, "  int64 total = 3;\n", "")
    git(root, "commit", "-qam", "drop total")
    outcomes = run(root)
    status, reason, found = outcomes["schema.proto-breaking"]
    assert status is Status.FAIL, reason
    assert {(rule, path) for rule, _, path, _ in found} == {("schema.proto-breaking", INVOICE)}
    reserved = outcomes["schema.reserved-tags"][2]
    assert {(rule, path) for rule, _, path, _ in reserved} >= {
        ("schema.reserved-tags.number", INVOICE)
    }


def test_a_compatible_pr_passes_the_base_comparisons(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root, INVOICE, "  int64 total = 3;\n", "  int64 total = 3;\n  string memo = 4;\n")
    git(root, "commit", "-qam", "add memo")
    outcomes = run(root)
    for check in ("schema.proto-breaking", "schema.reserved-tags", "schema.no-field-rename"):
        assert outcomes[check][0] is Status.PASS, outcomes[check]


def test_an_explicit_proto_path_keeps_files_outside_it_as_findings(tmp_path: Path) -> None:
    root = repo(tmp_path, 'policy_version = "1.0.0"\n\n[paths]\nproto = ["api/proto"]\n')
    _, _, found = run(root, base=None)["schema.proto-lint"]
    outside = {path for rule, _, path, _ in found if rule == "schema.proto-lint.outside"}
    assert outside == {INVOICE, STATUS}


def test_a_pr_is_judged_on_its_own_lines_and_the_rest_is_counted_debt(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root, INVOICE, "  int64 total = 3;\n", "  int64 total = 3;\n  string memo_Text = 4;\n")
    git(root, "commit", "-qam", "add a badly named field")
    status, reason, found = run(root)["schema.proto-lint"]
    assert status is Status.FAIL, reason
    assert {(rule, path, line) for rule, _, path, line in found} == {
        ("schema.proto-lint", INVOICE, line_of(root, INVOICE, "memo_Text")),
        ("schema.proto-lint.debt", "", None),  # order_item and paid, in files the PR left alone
    }
