"""cdk-nag (AwsSolutions, NIST 800-53 rev 5) and our definition checks: every finding of
the reference app is acknowledged, one finding at a time, with a reason, where it occurs.

``reference_app`` already proves synth passes: the plugins fail ``app.synth()`` on any
unacknowledged finding. These tests audit the acknowledgments themselves. The audit
builds the app once more (no synth) with ``Validations.of(...)`` intercepted: each
acknowledgment is recorded (construct path, id, reason) instead of applied, and each
plugin registration is recorded. Running those plugins on that tree yields every
finding, acknowledged or not, to match acknowledgments against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import NagPack

from cdk_sagemaker_pipelines.cdk._acknowledge import COMPLIANCE_PACKS
from cdk_sagemaker_pipelines.cdk.validation import SageMakerPipelineChecks
from tests.cdk.assembly import logical_id_paths, reference_stacks, stack_metadata
from tests.cdk.conftest import SynthesizedApp, cdk_context

ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
ANNOTATION_NAMESPACE = "Annotation"  # where aws-cdk-lib puts an id without a namespace
MIN_REASON = 20
# cdk-nag rules that report one finding per offending item ("AwsSolutions-IAM5[Action::s3:*]"):
# acknowledge each finding, never the whole rule. Any other rule whose findings carry
# such a suffix in this app counts too (see ``Audit.multi_finding_rules``).
MULTI_FINDING_RULES = frozenset({"AwsSolutions-IAM4", "AwsSolutions-IAM5"})
# How far below the acknowledging construct the finding's resource may be: the resource
# itself (…/Resource of an L2), or the auto-created child of an L2 (Role/DefaultPolicy).
MAX_ACKNOWLEDGMENT_DEPTH = 2


@dataclass(frozen=True)
class Acknowledgment:
    """An acknowledgment as the app's code made it."""

    path: str
    id: str
    reason: str

    @property
    def qualified_id(self) -> str:
        """The id as aws-cdk-lib stores it: ``Namespace::RuleId``."""
        return qualify(self.id, ANNOTATION_NAMESPACE)

    def __str__(self) -> str:
        return f"{self.id} on {self.path or '<app>'}"


@dataclass(frozen=True)
class Finding:
    """A finding of a plugin on the resource at ``path``; ``qualified_id`` is what an
    acknowledgment must say to suppress it."""

    path: str
    qualified_id: str

    def __str__(self) -> str:
        return f"{self.qualified_id} on {self.path}"


@dataclass
class Audit:
    """The app's acknowledgments, the findings of its plugins, and its scopes."""

    acknowledgments: list[Acknowledgment] = field(default_factory=list)
    registrations: list[tuple[str, Sequence[Any]]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    containers: set[str] = field(default_factory=set)  # app, stage and stack paths

    @property
    def multi_finding_rules(self) -> set[str]:
        """Rules acknowledged per finding: the known ones and any with ``[…]`` findings."""
        found = {
            finding.qualified_id.split("::", 1)[1].partition("[")[0]
            for finding in self.findings
            if "[" in finding.qualified_id
        }
        return found | MULTI_FINDING_RULES


def qualify(rule_id: str, namespace: str) -> str:
    """``X`` -> ``Namespace::X``; an explicit ``annotation::`` namespace is normalized."""
    match = re.match(r"([^\[\]:]+)::(.+)", rule_id)
    if match is None:
        return f"{namespace}::{rule_id}"
    given, rest = match.groups()
    return f"{ANNOTATION_NAMESPACE if given.lower() == 'annotation' else given}::{rest}"


def within(path: str, scope: str) -> bool:
    """Whether ``path`` is ``scope`` or below it."""
    return scope == "" or path == scope or path.startswith(scope + "/")


def covers(acknowledgment: Acknowledgment, finding: Finding) -> bool:
    """Whether the acknowledgment suppresses the finding (same id, at or above it)."""
    return acknowledgment.qualified_id == finding.qualified_id and within(
        finding.path, acknowledgment.path
    )


class _Recorder:
    """Stands in for ``Validations.of(scope)`` during the audit build."""

    def __init__(self, audit: Audit, scope: Any) -> None:
        self._audit = audit
        self._scope = scope

    def acknowledge(self, *rules: Any) -> None:
        for rule in rules:
            self._audit.acknowledgments.append(
                Acknowledgment(self._scope.node.path, rule.id, rule.reason)
            )

    def add_plugins(self, *plugins: Any) -> None:
        self._audit.registrations.append((self._scope.node.path, plugins))


def _run_plugin(
    plugin: Any, scope: Any, scope_path: str, reference_app: SynthesizedApp
) -> list[Finding]:
    if isinstance(plugin, NagPack):
        # cdk-nag reads acknowledgments itself, by their id without a namespace.
        report = plugin.validate_scope(scope)
        namespace = ANNOTATION_NAMESPACE
    elif isinstance(plugin, SageMakerPipelineChecks):
        # Ours reads the templates; aws-cdk-lib matches its findings in its namespace.
        stacks = [key for key in reference_app.templates if within(key, scope_path)]
        context = SimpleNamespace(
            template_paths=[str(reference_app.template_paths[key]) for key in stacks],
            stack_templates=[
                SimpleNamespace(
                    stack_construct_path=key, template_path=str(reference_app.template_paths[key])
                )
                for key in stacks
            ],
        )
        report = plugin.validate(context)
        namespace = plugin.name
        paths = {}
        for key in stacks:
            for logical_id, path in logical_id_paths(reference_app, key).items():
                paths[(str(reference_app.template_paths[key]), logical_id)] = path
    else:
        raise AssertionError(f"the audit doesn't know how to run plugin {plugin!r}")
    findings: list[Finding] = []
    for violation in report.violations:
        for resource in violation.violating_resources:
            if isinstance(plugin, NagPack):
                path = str(resource.construct_path)
            else:
                path = paths[(str(resource.template_path), str(resource.resource_logical_id))]
            findings.append(Finding(path, qualify(violation.rule_name, namespace)))
    return findings


@pytest.fixture(scope="module")
def audit(reference_app: SynthesizedApp) -> Audit:
    import app as reference

    result = Audit()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cdk.Validations, "of", staticmethod(lambda scope: _Recorder(result, scope)))
        application = reference.build_app(cdk_context())
    scopes = {construct.node.path: construct for construct in application.node.find_all()}
    for scope_path, plugins in result.registrations:
        for plugin in plugins:
            result.findings += _run_plugin(plugin, scopes[scope_path], scope_path, reference_app)
    result.containers = (
        {""} | {key.split("/")[0] for key in reference_app.templates} | set(reference_app.templates)
    )
    return result


def test_the_audit_sees_the_plugins_and_findings_of_the_app(audit: Audit):
    registered = sorted(
        type(plugin).__name__ for _, plugins in audit.registrations for plugin in plugins
    )
    # The packs once for the app, our checks once per environment's stage (on the app,
    # limited to the stage: aws-cdk-lib skips a stage's own plugins inside a stack).
    assert registered == [
        "AwsSolutionsChecks",
        "NIST80053R5Checks",
        *["SageMakerPipelineChecks"] * len(reference_stacks()),
    ]
    assert audit.findings, "the packs found nothing at all: the audit is not looking"
    assert audit.acknowledgments


def test_every_stage_requires_a_run_time_limit_on_every_job(audit: Audit):
    # A job added without one fails synth (SMP-JobRuntimeLimit), in every environment.
    checks = [
        plugin
        for _, plugins in audit.registrations
        for plugin in plugins
        if isinstance(plugin, SageMakerPipelineChecks)
    ]
    assert len(checks) == len(reference_stacks())
    assert all("SMP-JobRuntimeLimit" in plugin.rule_ids for plugin in checks)


def test_every_finding_is_acknowledged(audit: Audit):
    unacknowledged = [
        str(finding)
        for finding in audit.findings
        if not any(covers(ack, finding) for ack in audit.acknowledgments)
    ]
    assert unacknowledged == []


def test_acknowledgments_give_a_reason_of_at_least_20_characters(audit: Audit):
    short = [
        f"{ack}: {ack.reason!r}"
        for ack in audit.acknowledgments
        if len(ack.reason.strip()) < MIN_REASON
    ]
    assert short == []


def test_multi_finding_rules_are_acknowledged_one_finding_at_a_time(audit: Audit):
    # "AwsSolutions-IAM5" alone would be a blanket acknowledgment of every wildcard.
    blanket = [
        str(ack)
        for ack in audit.acknowledgments
        if ack.qualified_id.split("::", 1)[1] in audit.multi_finding_rules
    ]
    assert blanket == []


def test_acknowledgments_sit_on_the_construct_with_the_finding(audit: Audit):
    misplaced: list[str] = []
    for ack in audit.acknowledgments:
        if ack.path in audit.containers:
            misplaced.append(f"{ack}: on an app, stage or stack, not on the resource")
            continue
        for finding in audit.findings:
            if not covers(ack, finding):
                continue
            depth = finding.path[len(ack.path) :].count("/")
            if depth > MAX_ACKNOWLEDGMENT_DEPTH:
                misplaced.append(f"{ack}: covers {finding.path}, {depth} levels below it")
    assert misplaced == []


def test_no_acknowledgment_is_stale(audit: Audit):
    # An acknowledgment that matches no finding hides nothing today and would silently
    # hide a new finding of that id later. The constructs also acknowledge their inherent
    # findings in packs the app doesn't run (HIPAA, PCI DSS): those are judged by
    # test_constructs_acknowledge_in_compliance_packs_only_what_each_pack_finds.
    ran = {
        plugin.read_pack_name
        for _, plugins in audit.registrations
        for plugin in plugins
        if isinstance(plugin, NagPack)
    }
    not_run = set(COMPLIANCE_PACKS) - ran
    stale = [
        f"{ack}: no such finding"
        for ack in audit.acknowledgments
        if ack.id.split("-", 1)[0] not in not_run
        and not any(covers(ack, finding) for finding in audit.findings)
    ]
    assert ran >= {"AwsSolutions", "NIST.800.53.R5"}
    assert stale == []


def _team_stack_findings(record: Audit | None = None) -> list[Finding]:
    """A stack of every construct that acknowledges a compliance finding, under all packs.

    With ``record``, acknowledgments are recorded there instead of applied.
    """
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_scheduler as scheduler
    from cdk_nag import (
        AwsSolutionsChecks,
        HIPAASecurityChecks,
        NIST80053R5Checks,
        PCIDSS321Checks,
    )

    from cdk_sagemaker_pipelines.cdk import (
        ArtifactStore,
        Pipeline,
        PipelineFailureNotifications,
        PipelineMonitoring,
        PipelineSchedule,
    )
    from tests.cdk.conftest import new_stack
    from tests.cdk.helpers import prep_and_train

    with pytest.MonkeyPatch.context() as patch:
        if record is not None:
            patch.setattr(
                cdk.Validations, "of", staticmethod(lambda scope: _Recorder(record, scope))
            )
        stack = new_stack()
        vpc = ec2.Vpc.from_vpc_attributes(
            stack,
            "Vpc",
            vpc_id="vpc-0a1b2c3d4e5f60718",
            availability_zones=["us-east-1a", "us-east-1b"],
            private_subnet_ids=["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722"],
        )
        store = ArtifactStore(stack, "Store")
        pipeline = Pipeline(
            stack, "Training", definition=prep_and_train(), artifact_store=store, vpc=vpc
        )
        schedule = PipelineSchedule(
            stack,
            "Weekly",
            pipeline=pipeline,
            schedule=scheduler.ScheduleExpression.expression("cron(0 6 ? * MON *)"),
        )
        alerts = PipelineFailureNotifications(stack, "Alerts", pipeline=pipeline)
        PipelineMonitoring(
            stack,
            "Monitoring",
            pipeline=pipeline,
            alarm_topic=alerts.topic,
            notify_failed_executions=False,
            dead_letter_queues=[schedule.dead_letter_queue],
        )
    packs = [AwsSolutionsChecks(), NIST80053R5Checks(), HIPAASecurityChecks(), PCIDSS321Checks()]
    return [
        Finding(str(resource.construct_path), qualify(violation.rule_name, ANNOTATION_NAMESPACE))
        for pack in packs
        for violation in pack.validate_scope(stack).violations
        for resource in violation.violating_resources
    ]


def test_constructs_leave_compliance_packs_only_the_users_findings():
    # Each construct that creates something a pack flags on purpose (the access-log bucket's
    # SSE-S3, the job security group's self-ingress, the schedule role's inline statements,
    # an alarm told not to notify) acknowledges it in every pack with that rule: what is
    # left is the team's to decide (replicating the buckets).
    assert sorted(str(finding) for finding in _team_stack_findings()) == [
        f"Annotation::{pack}-S3BucketReplicationEnabled on Test/Store/{bucket}/Resource"
        for pack in ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
        for bucket in ("AccessLogs", "Bucket")
    ]


def test_constructs_acknowledge_in_compliance_packs_only_what_each_pack_finds():
    # Built again with the acknowledgments recorded, not applied: every one of a compliance
    # pack hides a finding (none is stale), in each pack with the rule.
    record = Audit()
    findings = _team_stack_findings(record)
    acknowledged = [
        ack for ack in record.acknowledgments if ack.id.split("-", 1)[0] in COMPLIANCE_PACKS
    ]
    assert sorted(ack.id for ack in acknowledged) == sorted(
        f"{pack}-{rule}"
        for rule, packs in (
            ("S3DefaultEncryptionKMS", COMPLIANCE_PACKS),
            ("EC2RestrictedCommonPorts", COMPLIANCE_PACKS),
            ("IAMNoInlinePolicy", COMPLIANCE_PACKS),
            ("CloudWatchAlarmAction", ("NIST.800.53.R5", "HIPAA.Security")),
        )
        for pack in packs
    )
    stale = [str(ack) for ack in acknowledged if not any(covers(ack, f) for f in findings)]
    assert stale == []


def test_acknowledgments_are_recorded_in_the_assembly(audit: Audit, reference_app: SynthesizedApp):
    # The audit build makes the same acknowledgments as the real synth, and every one of
    # them is visible in the cloud assembly (one on a stage or the app would not be).
    recorded: set[tuple[str, str, str]] = set()
    for stack in reference_app.templates:
        for path, entries in stack_metadata(reference_app, stack).items():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED_RULES:
                    for rule_id, reason in entry["data"].items():
                        recorded.add((path.lstrip("/"), qualify(rule_id, "?"), reason))
    audited = {(ack.path, ack.qualified_id, ack.reason) for ack in audit.acknowledgments}
    assert sorted(audited - recorded) == []
    assert sorted(recorded - audited) == []


def test_synth_leaves_no_unacknowledged_finding_but_prods_subscriber(reference_app: SynthesizedApp):
    # Errors fail synth; warnings (of any plugin, CDK's own annotations included) would
    # only be printed. Acknowledged findings aren't violations: cdk-nag leaves them out of
    # the report, and aws-cdk-lib lists a plugin's own under its suppressedViolations.
    report = json.loads((reference_app.directory / "validation-report.json").read_text())
    violations = [
        (
            plugin["pluginName"],
            violation.get("ruleName"),
            violation.get("severity"),
            [construct["constructPath"] for construct in violation["violatingConstructs"]],
        )
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ]
    # But one, on purpose: prod (retain_data) names no alarm_email, and is told at every
    # synth that its failures would reach no one until it does.
    assert violations == [
        (
            "Construct Annotations",
            "Annotation::cdk-sagemaker-pipelines:no-subscribers",
            "warning",
            ["prod/MlOps/Failures"],
        )
    ]
    # What docs/extending.md says is where: the app's acknowledgments (all of cdk-nag's
    # rules; test_acknowledgments_are_recorded_in_the_assembly reads them in the stacks'
    # metadata) appear nowhere in the report, suppressed or not.
    assert [
        (plugin["pluginName"], plugin.get("suppressedViolations"))
        for plugin in report["pluginReports"]
    ] == [("Construct Annotations", None)]


def test_audit_helpers_match_acknowledgments_the_way_cdk_does():
    bucket = Acknowledgment("dev/MlOps/Data", "AwsSolutions-S1", "x" * 20)
    finding = Finding("dev/MlOps/Data/Resource", "Annotation::AwsSolutions-S1")
    other = Finding("dev/MlOps/DataLogs/Resource", "Annotation::AwsSolutions-S1")
    ours = Acknowledgment(
        "dev/MlOps/Training", "SageMakerPipelineChecks::SMP-JobNetworkIsolation[Train]", "y" * 20
    )

    assert covers(bucket, finding)
    assert not covers(bucket, other)  # a sibling whose name starts the same
    assert qualify("annotation::AwsSolutions-S1", "X") == "Annotation::AwsSolutions-S1"
    assert qualify("AwsSolutions-IAM5[Resource::*]", "Annotation") == (
        "Annotation::AwsSolutions-IAM5[Resource::*]"
    )
    assert ours.qualified_id == "SageMakerPipelineChecks::SMP-JobNetworkIsolation[Train]"
    # Without its namespace, an acknowledgment of our plugin's finding suppresses nothing.
    bare = Acknowledgment("dev/MlOps/Training", "SMP-JobNetworkIsolation[Train]", "z" * 20)
    assert not covers(bare, Finding("dev/MlOps/Training/Resource", ours.qualified_id))
