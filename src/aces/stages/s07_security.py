"""Stage 7: Security Verification.

Secret scanning (``security_secrets``), the dependency audit
(``security_deps``), the static and live security rules — TLS, Wasm policy,
permission matrix, crypto misuse, unsafe exposure (``security_rules``) — and
the supply-chain requirements of section V (``security_supply``) and the audit
of GitHub workflows (``security_workflows``); this module only orders them.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef
from aces.stages.security_deps import DEPENDENCY_CHECKS
from aces.stages.security_rules import RULE_CHECKS
from aces.stages.security_secrets import SECRET_CHECKS
from aces.stages.security_supply import SUPPLY_CHECKS
from aces.stages.security_workflows import WORKFLOW_CHECKS

STAGE = StageDef(
    number=7,
    name="security",
    title="Security Verification",
    checks=SECRET_CHECKS + DEPENDENCY_CHECKS + RULE_CHECKS + SUPPLY_CHECKS + WORKFLOW_CHECKS,
)
