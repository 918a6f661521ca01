"""``SageMakerPipelineChecks`` as a policy validation plugin, run by ``app.synth()``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam

from cdk_sagemaker_pipelines import __version__
from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.cdk.validation import PLUGIN_NAME, SageMakerPipelineChecks
from cdk_sagemaker_pipelines.checks import Finding, Rule, all_steps, dig
from cdk_sagemaker_pipelines.definition import (
    Code,
    ContinuousParameter,
    Image,
    PipelineDefinition,
    PipelineDefinitionError,
    ProcessingStep,
    TrainingJobDefinition,
    TuningStep,
)
from constructs import IConstruct
from tests.cdk.conftest import cdk_context
from tests.cdk.helpers import ACCOUNT, REGION, literal_definition, prep_and_train

Violations = dict[str, list[dict[str, Any]]]


def _synth(
    outdir: Path,
    build: Callable[[cdk.Stack], Pipeline],
    plugin: SageMakerPipelineChecks,
    acknowledge: tuple[str, ...] = (),
) -> Violations | None:
    """Synthesize an app with one pipeline; None when it passes, else its violations."""
    app = cdk.App(outdir=str(outdir), context=cdk_context())
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = build(stack)
    for finding in acknowledge:
        Validations.of(pipeline).acknowledge(Acknowledgment(id=finding, reason="tested"))
    Validations.of(app).add_plugins(plugin)
    try:
        app.synth()
    except RuntimeError as error:
        message = str(error)
    else:
        return None
    assert message.startswith("ValidationFailed:")
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin_report,) = report["pluginReports"]
    assert plugin_report["pluginName"] == PLUGIN_NAME
    assert plugin_report["conclusion"] == "failure"
    return {
        violation["ruleName"]: violation["violatingConstructs"]
        for violation in plugin_report["violations"]
    }


def _compliant(stack: cdk.Stack) -> Pipeline:
    return Pipeline(stack, "Training", definition=prep_and_train())


def _isolated(stack: cdk.Stack) -> Pipeline:
    return Pipeline(stack, "Training", definition=prep_and_train(), enable_network_isolation=True)


def _without_volume_key(stack: cdk.Stack) -> Pipeline:
    definition = literal_definition()
    step = definition["Steps"][0]
    del step["Arguments"]["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"]
    # The definition's own role as the step role: no job-role-not-step-role warning.
    step_role = iam.Role.from_role_arn(stack, "StepRole", step["Arguments"]["RoleArn"])
    return Pipeline(stack, "Training", definition=definition, step_role=step_role)


def test_plugin_identity():
    plugin = SageMakerPipelineChecks()
    assert (plugin.name, plugin.version) == ("SageMakerPipelineChecks", __version__)
    assert plugin.rule_ids == [
        "SMP-JobVolumeEncryption",
        "SMP-JobOutputEncryption",
        "SMP-NoSelfApproval",
        "SMP-NoSecretsInEnvironment",
    ]
    assert SageMakerPipelineChecks(require_network_isolation=True).rule_ids[4:] == [
        "SMP-JobNetworkIsolation",
        "SMP-InterContainerEncryption",
    ]
    assert SageMakerPipelineChecks(require_job_runtime_limits=True).rule_ids[4:] == [
        "SMP-JobRuntimeLimit"
    ]


def _runtime_limited_and_not(stack: cdk.Stack) -> Pipeline:
    prep = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code/prep.py")
    )
    limited = replace(prep, name="Limited", max_runtime_in_seconds=3600)
    return Pipeline(stack, "Training", definition=PipelineDefinition(steps=[prep, limited]))


def test_job_runtime_limits_are_required_only_when_asked(tmp_path: Path):
    plugin = SageMakerPipelineChecks(require_job_runtime_limits=True)
    violations = _synth(tmp_path / "asked", _runtime_limited_and_not, plugin)
    assert violations is not None
    assert list(violations) == ["SMP-JobRuntimeLimit[Prep]"]
    (construct,) = violations["SMP-JobRuntimeLimit[Prep]"]
    assert construct["cloudFormationResource"]["propertyPaths"] == [
        "Properties/PipelineDefinition/PipelineDefinitionBody/Prep/"
        "Arguments.StoppingCondition.MaxRuntimeInSeconds"
    ]
    assert _synth(tmp_path / "default", _runtime_limited_and_not, SageMakerPipelineChecks()) is None


@pytest.mark.parametrize("flag", ["yes", "false", 1, None])
def test_fails_a_network_isolation_flag_that_is_not_a_bool(flag: object):
    # "false" would be truthy and switch the network rules on.
    with pytest.raises(PipelineDefinitionError) as raised:
        SageMakerPipelineChecks(require_network_isolation=flag)  # type: ignore[arg-type]
    assert str(raised.value).startswith(
        "SageMakerPipelineChecks has 1 problem:\n- prop 'require_network_isolation': expected "
        "True or False, got "
    )


@pytest.mark.parametrize("flag", ["yes", "false", 1, None])
def test_fails_a_runtime_limits_flag_that_is_not_a_bool(flag: object):
    # "false" would be truthy and switch the cost rule on.
    with pytest.raises(PipelineDefinitionError) as raised:
        SageMakerPipelineChecks(require_job_runtime_limits=flag)  # type: ignore[arg-type]
    assert str(raised.value).startswith(
        "SageMakerPipelineChecks has 1 problem:\n- prop 'require_job_runtime_limits': expected "
        "True or False, got "
    )


def test_a_compliant_pipeline_passes(tmp_path: Path):
    assert _synth(tmp_path, _compliant, SageMakerPipelineChecks()) is None


def test_a_job_without_a_volume_key_fails_synth_naming_the_step(tmp_path: Path):
    violations = _synth(tmp_path, _without_volume_key, SageMakerPipelineChecks())
    assert violations is not None
    assert list(violations) == ["SMP-JobVolumeEncryption[Prep]"]
    (construct,) = violations["SMP-JobVolumeEncryption[Prep]"]
    assert construct["constructPath"] == "Ml/Training/Resource"
    assert construct["cloudFormationResource"]["propertyPaths"] == [
        "Properties/PipelineDefinition/PipelineDefinitionBody/Prep/"
        "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId"
    ]


def test_network_rules_only_run_when_required(tmp_path: Path):
    plugin = SageMakerPipelineChecks(require_network_isolation=True)
    violations = _synth(tmp_path / "open", _compliant, plugin)
    assert violations is not None
    assert sorted(violations) == ["SMP-JobNetworkIsolation[Prep]", "SMP-JobNetworkIsolation[Train]"]
    assert _synth(tmp_path / "isolated", _isolated, plugin) is None


def _tuning_of_two_algorithms(stack: cdk.Stack) -> Pipeline:
    definitions = [
        TrainingJobDefinition(
            name=name,
            image=Image.sklearn("1.2-1"),
            code=Code.from_s3("s3://code/train.tar.gz", entry_point="train.py"),
            inputs={"train": "s3://raw-data/train/"},
            instance_type="ml.m5.large",
            metric_definitions={"acc": "acc=([0-9.]+)"},
            objective_metric_name="acc",
            hyperparameter_ranges={"C": ContinuousParameter(min_value=0.1, max_value=1.0)},
        )
        for name in ("forest", "boosting")
    ]
    tune = TuningStep(
        name="Tune", training_job_definitions=definitions, max_jobs=2, max_parallel_jobs=1
    )
    return Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[tune]),
        enable_network_isolation=True,
    )


def test_a_tuning_step_of_several_algorithms_is_checked_per_definition(tmp_path: Path):
    # Its TrainingJobDefinitions each get the construct's key and isolation. The checks
    # read only TrainingJobDefinition: synth failed on a volume key and an isolation it
    # had (and would have passed a definition without an output key).
    plugin = SageMakerPipelineChecks(require_network_isolation=True)
    assert _synth(tmp_path, _tuning_of_two_algorithms, plugin) is None


def _synth_stages(outdir: Path, plugin_on: Callable[[cdk.App, cdk.Stage], None]) -> Violations:
    """Two stages inside a stack (a CDK Pipelines app), each with a pipeline lacking a key."""
    app = cdk.App(outdir=str(outdir), context=cdk_context())
    delivery = cdk.Stack(app, "Delivery", env=cdk.Environment(account=ACCOUNT, region=REGION))
    cdk.CfnWaitConditionHandle(delivery, "CodePipeline")  # stands in for the pipeline
    stages = [cdk.Stage(delivery, name) for name in ("dev", "prod")]
    for stage in stages:
        _without_volume_key(cdk.Stack(stage, "Ml"))
    plugin_on(app, stages[0])
    with pytest.raises(RuntimeError, match=r"^ValidationFailed:"):
        app.synth()
    report = json.loads((outdir / "validation-report.json").read_text())
    return {
        violation["ruleName"]: violation["violatingConstructs"]
        for plugin_report in report["pluginReports"]
        for violation in plugin_report["violations"]
    }


def test_a_plugin_with_a_scope_checks_the_stacks_under_it_only(tmp_path: Path):
    # aws-cdk-lib skips the plugins of a Stage created inside a stack without a word:
    # registered on the app with scope=, the checks run, for that stage's stacks only.
    def on_app(app: cdk.App, stage: cdk.Stage) -> None:
        Validations.of(app).add_plugins(SageMakerPipelineChecks(scope=stage))

    violations = _synth_stages(tmp_path, on_app)
    assert [
        construct["constructPath"] for construct in violations["SMP-JobVolumeEncryption[Prep]"]
    ] == ["Delivery/dev/Ml/Training/Resource"]


@pytest.mark.parametrize("scope", ["app", "stack", "pipeline"])
def test_a_plugin_scoped_to_the_app_a_stack_or_a_construct_in_it_checks_that_stack(
    tmp_path: Path, scope: str
):
    # The scope was taken as a path prefix ("<path>/"): the app ("/"), a stack
    # ("Ml/" is not a prefix of "Ml") or the Pipeline matched no stack, so the checks
    # passed every pipeline without a word.
    app = cdk.App(outdir=str(tmp_path), context=cdk_context())
    stack = cdk.Stack(app, "Ml", env=cdk.Environment(account=ACCOUNT, region=REGION))
    pipeline = _without_volume_key(stack)
    scopes = {"app": app, "stack": stack, "pipeline": pipeline}
    Validations.of(app).add_plugins(SageMakerPipelineChecks(scope=scopes[scope]))
    with pytest.raises(RuntimeError, match=r"^ValidationFailed:"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin_report,) = report["pluginReports"]
    assert [violation["ruleName"] for violation in plugin_report["violations"]] == [
        "SMP-JobVolumeEncryption[Prep]"
    ]


def test_a_plugin_scoped_to_a_stage_inside_a_stack_leaves_that_stack_out(tmp_path: Path):
    # The enclosing (delivery) stack is not the stage's: a pipeline in it isn't checked.
    app = cdk.App(outdir=str(tmp_path), context=cdk_context())
    delivery = cdk.Stack(app, "Delivery", env=cdk.Environment(account=ACCOUNT, region=REGION))
    _without_volume_key(delivery)
    stage = cdk.Stage(delivery, "dev")
    _compliant(cdk.Stack(stage, "Ml"))
    Validations.of(app).add_plugins(SageMakerPipelineChecks(scope=stage))
    app.synth()


def test_a_plugin_added_to_a_stage_inside_a_stack_is_skipped_by_aws_cdk_lib(tmp_path: Path):
    # Why scope= exists (and the reference MlOpsStage uses it): should aws-cdk-lib start
    # running these plugins, this test fails and the workaround can go.
    app = cdk.App(outdir=str(tmp_path), context=cdk_context())
    delivery = cdk.Stack(app, "Delivery", env=cdk.Environment(account=ACCOUNT, region=REGION))
    cdk.CfnWaitConditionHandle(delivery, "CodePipeline")  # stands in for the pipeline
    stage = cdk.Stage(delivery, "dev")
    _without_volume_key(cdk.Stack(stage, "Ml"))
    Validations.of(stage).add_plugins(SageMakerPipelineChecks())
    app.synth()


def test_fails_a_scope_that_is_not_a_construct():
    with pytest.raises(PipelineDefinitionError) as raised:
        SageMakerPipelineChecks(scope="dev")  # type: ignore[arg-type]
    assert str(raised.value) == (
        "SageMakerPipelineChecks has 1 problem:\n"
        "- prop 'scope': expected a construct (a Stage), got str 'dev'"
    )


def _no_cost_center(definition: Any) -> list[Finding]:
    """A company rule: every job step tags its cost center."""
    return [
        Finding(str(step.get("Name")), "Arguments.Tags", "no cost-center tag")
        for step in all_steps(definition)
        if step.get("Type") in ("Processing", "Training")
        and not any(tag.get("Key") == "cost-center" for tag in dig(step, "Arguments.Tags") or [])
    ]


COST_CENTER = Rule(
    "ACME-CostCenter",
    "Error",
    "A job has no cost-center tag.",
    "Finance allocates SageMaker spend by the cost-center tag.",
    _no_cost_center,
)


def test_rules_of_ones_own_are_reported_and_acknowledged_as_the_built_in_ones(tmp_path: Path):
    # There was no way to add one but overwriting the plugin's rules attribute.
    plugin = SageMakerPipelineChecks(extra_rules=[COST_CENTER])
    assert plugin.rule_ids[-1] == "ACME-CostCenter"
    violations = _synth(tmp_path / "open", _compliant, plugin)
    assert violations is not None
    assert sorted(violations) == ["ACME-CostCenter[Prep]", "ACME-CostCenter[Train]"]
    (construct,) = violations["ACME-CostCenter[Train]"]
    assert construct["constructPath"] == "Ml/Training/Resource"
    assert construct["cloudFormationResource"]["propertyPaths"] == [
        "Properties/PipelineDefinition/PipelineDefinitionBody/Train/Arguments.Tags"
    ]
    violations = _synth(
        tmp_path / "acknowledged",
        _compliant,
        plugin,
        acknowledge=("SageMakerPipelineChecks::ACME-CostCenter[Prep]",),
    )
    assert violations is not None
    assert list(violations) == ["ACME-CostCenter[Train]"]


@pytest.mark.parametrize(
    ("extra_rules", "problem"),
    [
        (
            COST_CENTER,
            "prop 'extra_rules': expected a list of Rule (cdk_sagemaker_pipelines.checks.Rule), "
            "got Rule Rule(id='ACME-CostCenter', level='Error', info='A job has...",
        ),
        (
            [_no_cost_center],
            "prop 'extra_rules': [0]: expected a list of Rule (cdk_sagemaker_pipelines.checks."
            "Rule), got function <function _no_cost_center at 0x",
        ),
        (
            [replace(COST_CENTER, id="ACME CostCenter[1]")],
            "prop 'extra_rules': [0].id: 'ACME CostCenter[1]' is not a rule id: letters, "
            "digits, '.', '_' and '-', such as 'ACME-MaxRuntime' (it is part of the "
            "acknowledgment id)",
        ),
        (
            [replace(COST_CENTER, id="SMP-NoSelfApproval")],
            "prop 'extra_rules': [0].id: 'SMP-NoSelfApproval' is a built-in rule's id: their "
            "findings couldn't be told apart or acknowledged separately (give each rule an id "
            "of its own, with your own prefix)",
        ),
        (
            # The opt-in packs' ids are taken too, whether the pack is on or not.
            [replace(COST_CENTER, id="SMP-JobRuntimeLimit")],
            "prop 'extra_rules': [0].id: 'SMP-JobRuntimeLimit' is a built-in rule's id: their "
            "findings couldn't be told apart or acknowledged separately (give each rule an id "
            "of its own, with your own prefix)",
        ),
        (
            [COST_CENTER, COST_CENTER],
            "prop 'extra_rules': [1].id: 'ACME-CostCenter' is another rule's id: their findings "
            "couldn't be told apart or acknowledged separately (give each rule an id of its "
            "own, with your own prefix)",
        ),
        (
            [replace(COST_CENTER, check="ACME")],  # type: ignore[arg-type]
            "prop 'extra_rules': [0].check: expected a function of the definition returning its "
            "Findings, got str 'ACME'",
        ),
    ],
    ids=[
        "one-rule",
        "a-function",
        "id-of-brackets",
        "built-in-id",
        "opt-in-pack-id",
        "same-id",
        "check",
    ],
)
def test_fails_extra_rules_that_are_not_rules_of_their_own(extra_rules: Any, problem: str):
    with pytest.raises(PipelineDefinitionError) as raised:
        SageMakerPipelineChecks(extra_rules=extra_rules)
    assert str(raised.value).startswith(f"SageMakerPipelineChecks has 1 problem:\n- {problem}")


def test_a_finding_is_acknowledged_per_step_with_the_plugin_namespace(tmp_path: Path):
    acknowledged = _synth(
        tmp_path,
        _without_volume_key,
        SageMakerPipelineChecks(),
        acknowledge=("SageMakerPipelineChecks::SMP-JobVolumeEncryption[Prep]",),
    )
    assert acknowledged is None


PREP_FINDING = "SageMakerPipelineChecks::SMP-JobVolumeEncryption[Prep]"


def _descriptions(outdir: Path) -> dict[str, str]:
    """The description of each violation of the plugin's last report, by rule name."""
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin_report,) = report["pluginReports"]
    return {
        violation["ruleName"]: violation["description"] for violation in plugin_report["violations"]
    }


@pytest.mark.parametrize(
    ("acknowledgment", "note"),
    [
        # No namespace: aws-cdk-lib reads it as Annotation::… and it suppressed nothing,
        # without a word.
        (
            "SMP-JobVolumeEncryption[Prep]",
            "The acknowledgment 'SMP-JobVolumeEncryption[Prep]' on 'Ml/Training' didn't apply: "
            f"write '{PREP_FINDING}' (this plugin's findings are acknowledged with its namespace)",
        ),
        (
            "SageMakerPipelineChecks::SMP-JobVolumeEncryption[Perp]",  # a step name mistyped
            "The acknowledgment 'SageMakerPipelineChecks::SMP-JobVolumeEncryption[Perp]' on "
            f"'Ml/Training' didn't apply: did you mean '{PREP_FINDING}'?",
        ),
        (
            "SageMakerPipelineChecks::SMP-JobVolumeEncryptoin[Prep]",  # a rule id mistyped
            "The acknowledgment 'SageMakerPipelineChecks::SMP-JobVolumeEncryptoin[Prep]' on "
            f"'Ml/Training' didn't apply: did you mean '{PREP_FINDING}'?",
        ),
        (
            "SageMakerPipelineChecks::SMP-JobVolumeEncryption",  # the rule without the step
            "The acknowledgment 'SageMakerPipelineChecks::SMP-JobVolumeEncryption' on "
            f"'Ml/Training' didn't apply: did you mean '{PREP_FINDING}'?",
        ),
        ("SageMakerPipelineChecks::SMP-JobVolumeEncryption[Train]", None),  # another step
    ],
    ids=["no-namespace", "step-typo", "rule-typo", "no-step", "another-step"],
)
def test_other_acknowledgments_suppress_nothing_and_the_finding_says_why(
    tmp_path: Path, acknowledgment: str, note: str | None
):
    violations = _synth(tmp_path, _without_volume_key, SageMakerPipelineChecks(), (acknowledgment,))
    assert violations is not None
    assert "SMP-JobVolumeEncryption[Prep]" in violations
    description = _descriptions(tmp_path)["SMP-JobVolumeEncryption[Prep]"]
    if note is None:
        assert "acknowledgment" not in description
    else:
        assert description.endswith(f"no KMS key). {note}")


def test_an_acknowledgment_of_the_plugin_that_acknowledges_nothing_is_a_warning(tmp_path: Path):
    # Stale (the step was fixed or renamed) or made on the wrong construct: shown, and synth
    # still passes.
    stale = "SageMakerPipelineChecks::SMP-JobVolumeEncryption[Train]"
    assert (
        _synth(tmp_path, _without_volume_key, SageMakerPipelineChecks(), (PREP_FINDING, stale))
        is None
    )
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin_report,) = report["pluginReports"]
    assert plugin_report["conclusion"] == "success"
    (warning,) = plugin_report["violations"]
    assert warning["ruleName"] == "SMP-UnusedAcknowledgment"
    assert warning["severity"] == "warning"
    assert warning["description"] == (
        f"The acknowledgment '{stale}' on 'Ml/Training' acknowledges nothing: no pipeline "
        "under it has the finding 'SMP-JobVolumeEncryption[Train]'"
    )
    assert warning["violatingConstructs"][0]["constructPath"] == "Ml/Training"


def test_acknowledgments_of_rules_the_plugin_does_not_run_are_left_alone(tmp_path: Path):
    # Another SageMakerPipelineChecks (with the network pack, or rules of its own) may run them.
    others = (
        "SageMakerPipelineChecks::SMP-JobNetworkIsolation[Prep]",
        "SageMakerPipelineChecks::ACME-CostCenter[Prep]",
        "AwsSolutions-IAM5[Resource::*]",
    )
    assert (
        _synth(tmp_path, _without_volume_key, SageMakerPipelineChecks(), (PREP_FINDING, *others))
        is None
    )
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert report["pluginReports"][0]["violations"] == []


def test_one_step_acknowledged_leaves_the_others(tmp_path: Path):
    violations = _synth(
        tmp_path,
        _compliant,
        SageMakerPipelineChecks(require_network_isolation=True),
        acknowledge=("SageMakerPipelineChecks::SMP-JobNetworkIsolation[Prep]",),
    )
    assert violations is not None
    assert list(violations) == ["SMP-JobNetworkIsolation[Train]"]


def test_validate_reports_one_violation_per_finding_with_every_pipeline(tmp_path: Path):
    definition = literal_definition()
    step = definition["Steps"][0]
    del step["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"]
    step["Arguments"]["Environment"] = {"DB_PASSWORD": "hunter2"}
    body = json.dumps(definition)
    template = {
        "Resources": {
            logical_id: {
                "Type": "AWS::SageMaker::Pipeline",
                "Properties": {"PipelineDefinition": {"PipelineDefinitionBody": body}},
            }
            for logical_id in ("First", "Second")
        }
    }
    path = tmp_path / "Ml.template.json"
    path.write_text(json.dumps(template))
    report = SageMakerPipelineChecks().validate(SimpleNamespace(template_paths=[str(path)]))
    assert report.success is False
    assert report.plugin_version == __version__
    found = {violation.rule_name: violation for violation in report.violations}
    assert sorted(found) == ["SMP-JobOutputEncryption[Prep]", "SMP-NoSecretsInEnvironment[Prep]"]
    secret = found["SMP-NoSecretsInEnvironment[Prep]"]
    assert secret.severity == "error"
    assert secret.description == (
        "A job environment or hyperparameter contains a literal secret. (step 'Prep', "
        "Arguments.Environment['DB_PASSWORD']: literal secret)"
    )
    assert (secret.fix or "").startswith("Pipeline definitions are readable by anyone")
    assert [
        (resource.resource_logical_id, resource.template_path, list(resource.locations))
        for resource in secret.violating_resources
    ] == [
        (
            logical_id,
            str(path),
            [
                "Properties/PipelineDefinition/PipelineDefinitionBody/Prep/"
                "Arguments.Environment['DB_PASSWORD']"
            ],
        )
        for logical_id in ("First", "Second")
    ]


def test_a_violation_in_several_fields_of_a_step_names_each_field(tmp_path: Path):
    # One violation per rule and step: its description named the first field only, while
    # its locations listed both secrets.
    definition = literal_definition()
    definition["Steps"][0]["Arguments"]["Environment"] = {
        "DB_PASSWORD": "hunter2",
        "API_TOKEN": "abc123",
    }
    template = {
        "Resources": {
            "First": {
                "Type": "AWS::SageMaker::Pipeline",
                "Properties": {
                    "PipelineDefinition": {"PipelineDefinitionBody": json.dumps(definition)}
                },
            }
        }
    }
    path = tmp_path / "Ml.template.json"
    path.write_text(json.dumps(template))
    report = SageMakerPipelineChecks().validate(SimpleNamespace(template_paths=[str(path)]))
    [secret] = [
        violation
        for violation in report.violations
        if violation.rule_name == "SMP-NoSecretsInEnvironment[Prep]"
    ]
    assert secret.description == (
        "A job environment or hyperparameter contains a literal secret. (step 'Prep', "
        "Arguments.Environment['DB_PASSWORD']: literal secret; "
        "Arguments.Environment['API_TOKEN']: literal secret)"
    )
    assert len(secret.violating_resources) == 2


def test_validate_passes_templates_without_pipelines(tmp_path: Path):
    path = tmp_path / "Other.template.json"
    path.write_text(json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    report = SageMakerPipelineChecks().validate(SimpleNamespace(template_paths=[str(path)]))
    assert (report.success, list(report.violations)) == (True, [])


def test_synth_app_returns_the_assembly_when_there_is_no_finding(tmp_path):
    from cdk_sagemaker_pipelines.cdk import FAIL_SYNTH_ON_VALIDATION_ERRORS, synth_app

    app = cdk.App(outdir=str(tmp_path), post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
    cdk.Stack(app, "Empty")
    cdk.Validations.of(app).add_plugins(SageMakerPipelineChecks())

    assembly = synth_app(app)

    assert [stack.stack_name for stack in assembly.stacks] == ["Empty"]


def test_synth_app_builds_a_given_function_and_ends_its_errors_in_one_line(tmp_path):
    # Without the function, a prop or definition error of a construct surfaces as a
    # traceback through jsii's frames; the app's own line is what it would be read for.
    from cdk_sagemaker_pipelines.cdk import FAIL_SYNTH_ON_VALIDATION_ERRORS, synth_app

    def build_app() -> cdk.App:
        app = cdk.App(outdir=str(tmp_path), post_cli_context=FAIL_SYNTH_ON_VALIDATION_ERRORS)
        stack = cdk.Stack(app, "Test")
        Pipeline(stack, "Training", definition=prep_and_train(), max_parallel_execution_steps="4")  # type: ignore[arg-type]
        return app

    with pytest.raises(SystemExit) as raised:
        synth_app(build_app)

    assert re.fullmatch(
        r"synth failed at \S*test_validation_plugin\.py:\d+: Pipeline Test/Training has 1 "
        r"problem:\n- prop 'max_parallel_execution_steps': expects an int, got '4'",
        str(raised.value.code),
    )


def test_synth_app_ends_an_aws_cdk_lib_construct_error_in_one_line(tmp_path):
    # aws-cdk-lib's own errors come through jsii with Node's frames and a construct tree:
    # the message, the construct's path and the app's line are what is kept.
    from aws_cdk import aws_s3 as s3

    from cdk_sagemaker_pipelines.cdk import synth_app

    def build_app() -> cdk.App:
        app = cdk.App(outdir=str(tmp_path))
        stage = cdk.Stage(app, "dev")
        s3.Bucket(cdk.Stack(stage, "Data"), "Raw", bucket_name="Raw_Data")
        return app

    with pytest.raises(SystemExit) as raised:
        synth_app(build_app)

    message = str(raised.value.code)
    assert re.match(
        r"synth failed at \S*test_validation_plugin\.py:\d+: Invalid S3 bucket name "
        r"\(value: Raw_Data\) \(construct dev/Data/Raw\)\n  Bucket name must only contain ",
        message,
    ), message
    assert "jsii" not in message
    assert "«" not in message


def test_synth_app_ends_this_librarys_errors_raised_in_a_callback_in_one_line(tmp_path):
    # A rule target's bind runs when aws-cdk-lib calls it from JavaScript: its error came
    # back as a jsii RuntimeError buried under Node's frames.
    from aws_cdk import aws_events as events
    from aws_cdk import aws_sqs as sqs

    from cdk_sagemaker_pipelines.cdk import SageMakerPipelineTarget, synth_app

    def build_app() -> cdk.App:
        app = cdk.App(outdir=str(tmp_path))
        stack = cdk.Stack(app, "Test", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
        pipeline = Pipeline(stack, "Training", definition=prep_and_train())
        queue = sqs.Queue.from_queue_arn(stack, "Dlq", f"arn:aws:sqs:eu-west-1:{ACCOUNT}:dlq")
        target = SageMakerPipelineTarget(pipeline, dead_letter_queue=queue)
        events.Rule(
            stack, "Daily", schedule=events.Schedule.rate(cdk.Duration.days(1)), targets=[target]
        )
        return app

    with pytest.raises(SystemExit) as raised:
        synth_app(build_app)

    assert re.fullmatch(
        r"synth failed at \S*test_validation_plugin\.py:\d+: SageMakerPipelineTarget of rule "
        r"Test/Daily has 1 problem:\n- prop 'dead_letter_queue': imported Queue Test/Dlq is in "
        r"region eu-west-1, .*",
        str(raised.value.code),
    ), raised.value.code


def test_synth_app_keeps_the_traceback_of_app_code_called_back_from_javascript(tmp_path):
    # An aspect (or a lazy value) runs the app's own code from JavaScript during synth: its
    # error comes back as a jsii RuntimeError without aws-cdk-lib's code or construct, and
    # its traceback is what the reader needs.
    from cdk_sagemaker_pipelines.cdk import synth_app

    def build_app() -> cdk.App:
        app = cdk.App(outdir=str(tmp_path))
        stack = cdk.Stack(app, "Data")

        @jsii.implements(cdk.IAspect)
        class Broken:
            def visit(self, node: IConstruct) -> None:
                raise ValueError("the app's own aspect")

        cdk.Aspects.of(stack).add(Broken())
        return app

    with pytest.raises(RuntimeError, match="the app's own aspect"):
        synth_app(build_app)


def test_synth_app_lets_an_apps_own_runtime_error_through(tmp_path):
    from cdk_sagemaker_pipelines.cdk import synth_app

    def build_app() -> cdk.App:
        raise RuntimeError("the app's own bug")

    with pytest.raises(RuntimeError, match="the app's own bug"):
        synth_app(build_app)


def test_synth_app_returns_the_assembly_of_the_app_a_function_builds(tmp_path):
    from cdk_sagemaker_pipelines.cdk import synth_app

    def build_app() -> cdk.App:
        app = cdk.App(outdir=str(tmp_path))
        cdk.Stack(app, "Empty")
        return app

    assert [stack.stack_name for stack in synth_app(build_app).stacks] == ["Empty"]


def test_synth_app_ends_a_constructs_synth_time_validation_in_one_line(tmp_path):
    # The Pipeline judges its roles' trust at synth (trust may be added after it is built).
    from aws_cdk import aws_iam as iam

    from cdk_sagemaker_pipelines.cdk import synth_app

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    Pipeline(stack, "Training", definition=prep_and_train(), role=role)

    with pytest.raises(SystemExit) as raised:
        synth_app(app)

    assert str(raised.value.code).startswith(
        "synth failed: Validation failed with the following errors:\n"
        "  [Test/Training] prop 'role': role Test/Role trusts lambda.amazonaws.com, not "
        "sagemaker.amazonaws.com"
    )


def _raises(definition: Any) -> list[Finding]:
    raise KeyError("Steps")


def _pipeline_wide(definition: Any) -> list[Finding]:
    return [Finding("", "", "the pipeline has no cost-center parameter")]


def test_descriptions_of_a_failed_check_and_a_pipeline_wide_finding_read_plainly(tmp_path: Path):
    # They read "(step 'CheckError', : the check raised …)" and "(step '', : …)"; a
    # pipeline-wide finding was "ACME-Wide[]", it is the rule's id.
    plugin = SageMakerPipelineChecks(
        extra_rules=[
            Rule("ACME-Broken", "Error", "The broken rule.", "Fix the rule.", _raises),
            Rule("ACME-Wide", "Error", "No cost center.", "Add the parameter.", _pipeline_wide),
        ]
    )
    assert _synth(tmp_path, _compliant, plugin) is not None
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin_report,) = report["pluginReports"]
    descriptions = {
        violation["ruleName"]: violation["description"] for violation in plugin_report["violations"]
    }
    assert descriptions == {
        "ACME-Broken[CheckError]": "The broken rule. (the check failed, the check raised "
        "KeyError: 'Steps')",
        "ACME-Wide": "No cost center. (the pipeline, the pipeline has no cost-center parameter)",
    }


def test_synth_app_ends_aws_cdk_libs_stack_errors_at_synth_in_one_line(tmp_path):
    # More than 500 resources: aws-cdk-lib's message names the stack and the count, and came
    # with twenty lines of jsii and Node frames.
    from cdk_sagemaker_pipelines.cdk import synth_app

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Big")
    for index in range(501):
        cdk.CfnWaitConditionHandle(stack, f"Handle{index}")

    with pytest.raises(SystemExit) as raised:
        synth_app(app)

    assert str(raised.value.code) == (
        "synth failed: TooManyResourcesInStack: Number of resources in stack 'Big': 501 is "
        "greater than allowed maximum of 500: AWS::CloudFormation::WaitConditionHandle (501)"
    )
