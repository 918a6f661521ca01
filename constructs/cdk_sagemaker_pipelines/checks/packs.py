"""Rule packs: checks with their level, what they found and why it matters."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from . import (
    InterContainerEncryption,
    JobNetworkIsolation,
    JobOutputEncryption,
    JobVolumeEncryption,
    NoSecretsInEnvironment,
    NoSelfApproval,
)
from ._finding import Finding

ID_PREFIX = "SMP"


@dataclass(frozen=True, slots=True)
class Rule:
    """A check with its id (``SMP-<ModuleName>``), level, info and explanation.

    Example::

        [rule.id for rule in BASELINE]  # ['SMP-JobVolumeEncryption', …]
    """

    id: str
    level: str
    info: str
    explanation: str
    check: Callable[[Mapping[str, Any]], list[Finding]]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A finding of a rule (``finding_id`` is the step name, for per-step acknowledgment).

    Example::

        for result in run_rules(BASELINE, definition):
            print(result.rule.id, result.finding.step, result.finding.info)
    """

    rule: Rule
    finding: Finding

    @property
    def finding_id(self) -> str:
        """``SMP-JobVolumeEncryption[Train]``: acknowledge one step at a time."""
        return f"{self.rule.id}[{self.finding.step}]"


def _rule(module: ModuleType, level: str, info: str, explanation: str) -> Rule:
    name = module.__name__.rsplit(".", 1)[-1]
    return Rule(f"{ID_PREFIX}-{name}", level, info, explanation, module.check)


BASELINE: tuple[Rule, ...] = (
    _rule(
        JobVolumeEncryption,
        "Error",
        "A pipeline job's storage volume is not encrypted with a KMS key.",
        "Training data, checkpoints and models on job volumes must be encrypted with a key "
        "you control (VolumeKmsKeyId); the Pipeline construct sets its artifact key in the jobs "
        "of a PipelineDefinition (a definition JSON names its own).",
    ),
    _rule(
        JobOutputEncryption,
        "Error",
        "A pipeline job writes to S3 without a KMS key.",
        "Job outputs must be encrypted with a key you control (KmsKeyId), so access to the "
        "data is governed by the key policy too.",
    ),
    _rule(
        NoSelfApproval,
        "Error",
        "A RegisterModel step registers model versions as approved.",
        "Approval is a human (or release-process) decision; a pipeline that approves its own "
        "models bypasses review. Register PendingManualApproval and approve elsewhere.",
    ),
    _rule(
        NoSecretsInEnvironment,
        "Error",
        "A job environment or hyperparameter contains a literal secret.",
        "Pipeline definitions are readable by anyone who can describe the pipeline, and a "
        "parameter's value by anyone who can list an execution's parameters; keep secrets in "
        "Secrets Manager and read them at run time.",
    ),
)
NETWORK: tuple[Rule, ...] = (
    _rule(
        JobNetworkIsolation,
        "Error",
        "A pipeline job has open network access.",
        "In environments that require it, every job runs in a VPC (VpcConfig) or with "
        "EnableNetworkIsolation, so containers can't reach arbitrary endpoints. AutoML jobs "
        "have no network isolation: they comply in a VPC only.",
    ),
    _rule(
        InterContainerEncryption,
        "Error",
        "A job in a VPC sends traffic between instances in cleartext.",
        "Distributed jobs exchange model state between instances; encrypt it "
        "(EnableInterContainerTrafficEncryption).",
    ),
)


def run_rules(rules: Sequence[Rule], definition: Mapping[str, Any]) -> list[RuleResult]:
    """Run ``rules``; a check that raises is reported as a finding, never skipped."""
    results: list[RuleResult] = []
    for rule in rules:
        try:
            findings = rule.check(definition)
        except Exception as error:  # reported as a finding, never swallowed
            detail = "".join(traceback.format_exception_only(error)).strip()
            findings = [Finding("CheckError", "", f"the check raised {detail}")]
        results += [RuleResult(rule, finding) for finding in findings]
    return results
