"""Rule packs: checks with their level, what they found and why it matters."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from . import (
    InterContainerEncryption,
    JobNetworkIsolation,
    JobOutputEncryption,
    JobRuntimeLimit,
    JobVolumeEncryption,
    NoSecretsInEnvironment,
    NoSelfApproval,
)
from ._finding import Finding

# The "step" of a finding that reports a check that failed (raised, or returned no findings).
CHECK_ERROR = "CheckError"

ID_PREFIX = "SMP"


@dataclass(frozen=True, slots=True)
class Rule:
    """A check with its id (``SMP-<ModuleName>``), level, info and explanation.

    ``check`` takes a definition (as deployed: CloudFormation references are placeholder
    strings such as ``${Ref:AWS::Region}``) and returns its findings, a list or any
    iterable. A rule of your own takes an id of your own prefix (``ACME-MaxRuntime``):
    give it to ``SageMakerPipelineChecks(extra_rules=[...])``, and its findings are
    reported and acknowledged as the built-in ones are
    (``SageMakerPipelineChecks::ACME-MaxRuntime[Train]``).

    Example::

        [rule.id for rule in BASELINE]  # ['SMP-JobVolumeEncryption', …]
        Rule("ACME-CostCenter", "Error", "A job has no cost-center tag.",
             "Finance allocates spend by it.", check_cost_center)
    """

    id: str
    level: str
    info: str
    explanation: str
    check: Callable[[Mapping[str, Any]], Iterable[Finding]]


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
        """``SMP-JobVolumeEncryption[Train]``: acknowledge one step at a time.

        A finding of the pipeline as a whole (``Finding("", …)``) is the rule's id alone.
        """
        step = self.finding.step
        return f"{self.rule.id}[{step}]" if step else self.rule.id


def _rule(module: ModuleType, level: str, info: str, explanation: str) -> Rule:
    name = module.__name__.rsplit(".", 1)[-1]
    return Rule(f"{ID_PREFIX}-{name}", level, info, explanation, module.check)


BASELINE: tuple[Rule, ...] = (
    _rule(
        JobVolumeEncryption,
        "Error",
        "A pipeline job's (or deployed endpoint's) storage volume is not encrypted with a KMS key.",
        "Training data, checkpoints and models on job volumes must be encrypted with a key "
        "you control (VolumeKmsKeyId; an endpoint configuration's KmsKeyId, for instances "
        "with EBS volumes); the Pipeline construct sets its artifact key in the jobs, and the "
        "endpoint configurations of literal instance types, of a PipelineDefinition (a "
        "definition JSON names its own).",
    ),
    _rule(
        JobOutputEncryption,
        "Error",
        "A pipeline job (or deployed endpoint) writes to S3 without a KMS key.",
        "Job outputs, and the data an endpoint captures or its asynchronous inference "
        "results, must be encrypted with a key you control (KmsKeyId), so access to the "
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
        "A pipeline job (or model, or endpoint of inference components) has open network access.",
        "In environments that require it, every job runs in a VPC (VpcConfig) or with "
        "EnableNetworkIsolation, so containers can't reach arbitrary endpoints; so does every "
        "model, and an endpoint of inference components (its configuration's network). "
        "AutoML jobs have no network isolation: they comply in a VPC only.",
    ),
    _rule(
        InterContainerEncryption,
        "Error",
        "A job in a VPC sends traffic between instances in cleartext.",
        "Distributed jobs exchange model state between instances; encrypt it "
        "(EnableInterContainerTrafficEncryption).",
    ),
)

COST: tuple[Rule, ...] = (
    _rule(
        JobRuntimeLimit,
        "Error",
        "A pipeline job has no run-time limit of its own.",
        "A job that hangs or loops runs, and bills its instances, until a limit stops it: "
        "training jobs stop after SageMaker's default of 1 day, processing and AutoML jobs "
        "after a default SageMaker doesn't document. State each job's limit "
        "(max_runtime_in_seconds; an AutoML step's total_job_runtime_in_seconds), so a "
        "review sees what a runaway run may cost.",
    ),
)


def run_rules(rules: Sequence[Rule], definition: Mapping[str, Any]) -> list[RuleResult]:
    """Run ``rules``; a check that raises is reported as a finding, never skipped.

    So is a check that returns something other than ``Finding``s (``None`` from a
    function that forgot its ``return``, tuples): a rule of your own (``extra_rules=`` of
    ``SageMakerPipelineChecks``) that can't report is a finding, not a pass. A check may
    return any iterable of findings, a generator included.
    """
    results: list[RuleResult] = []
    for rule in rules:
        try:
            returned = rule.check(definition)
            # Collected here: a generator's error is raised while it is iterated.
            findings = list(returned) if _is_collection(returned) else None
        except Exception as error:  # reported as a finding, never swallowed
            detail = "".join(traceback.format_exception_only(error)).strip()
            findings = [Finding(CHECK_ERROR, "", f"the check raised {detail}")]
        else:
            if findings is None:
                wrong = f"{_shown(returned)} (expected a list of Finding(step, field, info))"
                findings = [Finding(CHECK_ERROR, "", f"the check returned {wrong}")]
            elif (item := next((i for i in findings if not _is_finding(i)), _NONE)) is not _NONE:
                findings = [Finding(CHECK_ERROR, "", f"the check returned {_shown_item(item)}")]
        results += [RuleResult(rule, finding) for finding in findings]
    return results


_NONE = object()


def _is_finding(item: object) -> bool:
    """A ``Finding`` whose step, field and info are text (they make ids and messages)."""
    return isinstance(item, Finding) and all(
        isinstance(value, str) for value in (item.step, item.field, item.info)
    )


def _is_collection(value: object) -> bool:
    """A list, tuple, generator or other iterable of findings (not text, not a mapping)."""
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))


def _shown(value: object) -> str:
    """``NoneType None``, ``dict {…}``: a value a check returned, shortened."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 80 else text[:77] + '...'}"


def _shown_item(item: object) -> str:
    """What a check returned among its findings that is none, for the CheckError finding."""
    if isinstance(item, Finding):
        return f"{item!r}, whose step, field and info must be strings"
    return f"{_shown(item)} among its findings (expected Finding(step, field, info))"
