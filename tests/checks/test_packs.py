"""Rule packs: ids, levels, composition, and a raising check reported as a finding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cdk_sagemaker_pipelines import checks
from cdk_sagemaker_pipelines.checks import BASELINE, NETWORK, Finding, Rule, RuleResult, run_rules
from cdk_sagemaker_pipelines.checks._finding import all_steps, dig, job_arguments
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    ComputeResourceRequirements,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    InferenceComponentStep,
    JobDefaults,
    ModelStep,
    NetworkConfig,
    PipelineDefinition,
    ProductionVariant,
    ServerlessConfig,
    StaticBinder,
)
from tests.checks.helpers import KEY, condition, definition, step
from tests.conftest import REPO, ROLE


def test_rule_ids_are_the_module_names():
    assert [rule.id for rule in BASELINE] == [
        "SMP-JobVolumeEncryption",
        "SMP-JobOutputEncryption",
        "SMP-NoSelfApproval",
        "SMP-NoSecretsInEnvironment",
    ]
    assert [rule.id for rule in NETWORK] == [
        "SMP-JobNetworkIsolation",
        "SMP-InterContainerEncryption",
    ]
    for rule in BASELINE + NETWORK:
        assert rule.level == "Error"
        assert rule.info.endswith(".")
        assert rule.explanation


def test_results_carry_the_step_in_their_finding_id():
    results = run_rules(BASELINE, definition(step("Train", "Training")))
    # No OutputDataConfig: nothing written, so only the volume finding.
    assert [result.finding_id for result in results] == ["SMP-JobVolumeEncryption[Train]"]
    assert all(isinstance(result, RuleResult) for result in results)


def test_a_compliant_definition_has_no_results():
    compliant = definition(
        step(
            "Train",
            "Training",
            ResourceConfig={"VolumeKmsKeyId": KEY},
            OutputDataConfig={"KmsKeyId": KEY},
            EnableNetworkIsolation=True,
        )
    )
    assert run_rules(BASELINE + NETWORK, compliant) == []


def _raises(definition: Any) -> list[Finding]:
    raise KeyError("Steps")


def test_a_check_that_raises_is_reported_as_a_finding_never_skipped():
    broken = Rule("SMP-Broken", "Error", "info.", "why", _raises)
    after = Rule("SMP-After", "Error", "info.", "why", lambda d: [Finding("S", "f", "found")])
    results = run_rules([broken, after], definition())
    assert [(result.rule.id, result.finding) for result in results] == [
        ("SMP-Broken", Finding("CheckError", "", "the check raised KeyError: 'Steps'")),
        ("SMP-After", Finding("S", "f", "found")),
    ]
    assert results[0].finding_id == "SMP-Broken[CheckError]"


def _yields_then_raises(definition: Any) -> Iterator[Finding]:
    yield Finding("A", "Arguments.Tags", "no cost-center tag")
    raise KeyError("Arguments")


def test_a_generator_check_that_raises_is_reported_as_a_finding():
    # The error came while run_rules iterated the generator, outside the check's call: it
    # escaped run_rules (and the plugin) instead of being reported.
    results = run_rules([Rule("ACME-Gen", "Error", "i.", "e", _yields_then_raises)], definition())
    assert [(result.finding_id, result.finding.info) for result in results] == [
        ("ACME-Gen[CheckError]", "the check raised KeyError: 'Arguments'")
    ]


@pytest.mark.parametrize(
    ("returned", "info"),
    [
        (
            None,
            "the check returned NoneType None (expected a list of Finding(step, field, info))",
        ),
        (
            {"Train": "no tag"},
            "the check returned dict {'Train': 'no tag'} (expected a list of Finding(step, "
            "field, info))",
        ),
        (
            [("Train", "Arguments.Tags", "no tag")],
            "the check returned tuple ('Train', 'Arguments.Tags', 'no tag') among its findings "
            "(expected Finding(step, field, info))",
        ),
        (
            [Finding("Train", None, "no tag")],  # type: ignore[arg-type]
            "the check returned Finding(step='Train', field=None, info='no tag'), whose step, "
            "field and info must be strings",
        ),
    ],
    ids=["none", "mapping", "tuples", "finding-of-non-text"],
)
def test_a_check_that_returns_no_findings_is_reported_as_a_finding(returned: Any, info: str):
    # None (a check that forgot its return) passed as "no findings" or failed run_rules
    # with a TypeError; a tuple failed later, reading .step, outside run_rules.
    rule = Rule("ACME-Wrong", "Error", "i.", "e", lambda _: returned)
    after = Rule("ACME-After", "Error", "i.", "e", lambda _: (Finding("S", "f", "found"),))
    results = run_rules([rule, after], definition())
    assert [(result.finding_id, result.finding.info) for result in results] == [
        ("ACME-Wrong[CheckError]", info),
        ("ACME-After[S]", "found"),
    ]


def test_rules_of_ones_own_walk_definitions_with_the_public_helpers():
    # What the built-in checks use, public: a company rule sees branch steps and each
    # training job definition of a tuning step of several, as they do.
    assert (checks.all_steps, checks.dig, checks.job_arguments) == (
        all_steps,
        dig,
        job_arguments,
    )

    def max_runtime(definition: Any) -> Iterator[Finding]:
        field = "TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds"
        for entry in checks.all_steps(definition):
            if entry.get("Type") == "Training":
                runtime = checks.dig(entry.get("Arguments"), field.partition(".")[2])
                if not isinstance(runtime, int) or runtime > 86400:
                    yield Finding(entry["Name"], f"Arguments.{field.partition('.')[2]}", "long")
            elif entry.get("Type") == "Tuning":
                for arguments, name in checks.job_arguments(entry):
                    runtime = checks.dig(arguments, field)
                    if not isinstance(runtime, int) or runtime > 86400:
                        yield Finding(entry["Name"], f"Arguments.{name(field)}", "long")

    short, long = {"MaxRuntimeInSeconds": 3600}, {"MaxRuntimeInSeconds": 172800}
    tune = step(
        "Tune",
        "Tuning",
        TrainingJobDefinitions=[{"StoppingCondition": short}, {"StoppingCondition": long}],
    )
    train = step("Train", "Training", StoppingCondition={"MaxRuntimeInSeconds": {"Get": "P"}})
    nested = definition(condition("C", [tune], [train]))
    results = run_rules([Rule("ACME-MaxRuntime", "Error", "i.", "e", max_runtime)], nested)
    assert [(r.finding_id, r.finding.field) for r in results] == [
        (
            "ACME-MaxRuntime[Tune]",
            "Arguments.TrainingJobDefinitions[1].StoppingCondition.MaxRuntimeInSeconds",
        ),
        ("ACME-MaxRuntime[Train]", "Arguments.StoppingCondition.MaxRuntimeInSeconds"),
    ]


def test_checks_survive_malformed_definitions():
    malformed: dict[str, Any] = {
        "Steps": [
            None,
            "x",
            {"Name": "A", "Type": "Training"},
            # Conditions without arguments, or with a branch missing or null.
            {"Name": "C1", "Type": "Condition"},
            {"Name": "C2", "Type": "Condition", "Arguments": {"IfSteps": None}},
            {"Name": "C3", "Type": "Condition", "Arguments": {"ElseSteps": None}},
        ]
    }
    results = run_rules(BASELINE + NETWORK, malformed)
    assert {result.finding.step for result in results} == {"A"}
    assert run_rules(BASELINE, {"Steps": None}) == []


def test_checks_survive_malformed_deployment_steps():
    # Shapes validation refuses: judged where they can be, never raising (a CheckError).
    malformed: dict[str, Any] = {
        "Parameters": [{"Name": None}, "x"],
        "Steps": [
            {"Name": "A", "Type": "EndpointConfig", "Arguments": None},
            {"Name": "B", "Type": "EndpointConfig", "Arguments": {"ProductionVariants": "x"}},
            {
                "Name": "C",
                "Type": "EndpointConfig",
                "Arguments": {
                    "ProductionVariants": [None, 3, {"InstanceType": 5}],
                    "AsyncInferenceConfig": {"OutputConfig": None},
                    "DataCaptureConfig": {"EnableCapture": False},
                },
            },
            {"Name": "D", "Type": "InferenceComponent", "Arguments": {"Specification": "x"}},
        ],
    }
    results = run_rules(BASELINE + NETWORK, malformed)
    assert [(result.rule.id, result.finding.step) for result in results] == [
        ("SMP-JobVolumeEncryption", "C"),  # an instance type that isn't one
        ("SMP-JobNetworkIsolation", "C"),  # no variant names a model
    ]


def test_all_steps_walks_branches_and_dig_stops_at_non_mappings():
    nested = definition(
        step("A", "Training"),
        condition("C", [step("B", "Processing")], [step("D", "Fail")]),
    )
    assert [entry["Name"] for entry in all_steps(nested)] == ["A", "C", "B", "D"]
    assert dig({"a": {"b": 1}}, "a.b") == 1
    assert dig({"a": [1]}, "a.b") is None
    assert dig(None, "a") is None


SDK_AUTOML = REPO / "tests/definition/sdk_generated/sdk-automl-and-batch-monitoring.json"


def test_the_sdks_automl_step_is_looked_inside():
    # The SDK writes no keys and no VPC unless asked for: every rule that applies finds it.
    sdk = json.loads(SDK_AUTOML.read_text())
    sdk["Steps"] = sdk["Steps"][:1]
    results = run_rules(BASELINE + NETWORK, sdk)
    assert [(result.rule.id, result.finding.field) for result in results] == [
        ("SMP-JobVolumeEncryption", "Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId"),
        ("SMP-JobOutputEncryption", "Arguments.OutputDataConfig.KmsKeyId"),
        ("SMP-JobNetworkIsolation", "Arguments.AutoMLJobConfig.SecurityConfig.VpcConfig"),
    ]


class _SecureBinder(StaticBinder):
    """A binder with a key and a VPC for every job, as the CDK Pipeline construct in a VPC."""

    def job_defaults(self, *, step_name: str) -> JobDefaults:
        return JobDefaults(
            volume_kms_key=KEY,
            output_kms_key=KEY,
            network=NetworkConfig(
                subnets=["subnet-1"],
                security_group_ids=["sg-1"],
                enable_network_isolation=True,
                enable_inter_container_traffic_encryption=True,
            ),
        )


def test_an_automl_step_with_the_binders_defaults_complies():
    automl = AutoMLStep(name="AutoML", inputs="s3://b/train.csv", target_attribute_name="y")
    binder = _SecureBinder(role_arn=ROLE, default_bucket="artifacts")
    compiled = PipelineDefinition(steps=[automl]).to_definition(binder)
    assert run_rules(BASELINE + NETWORK, compiled) == []


def test_a_pipeline_wide_finding_is_acknowledged_by_the_rules_id_alone() -> None:
    # It was "ACME-Wide[]": an id no one would guess to acknowledge.
    def no_parameter(definition: Any) -> list[Finding]:
        return [Finding("", "", "no CostCenter parameter")]

    rule = Rule("ACME-Wide", "Error", "No cost center.", "Declare it.", no_parameter)
    [result] = run_rules([rule], {"Version": "2020-12-01", "Steps": []})
    assert result.finding_id == "ACME-Wide"
    assert (
        "`SageMakerPipelineChecks::ACME-CostCenter`" in (REPO / "docs" / "extending.md").read_text()
    )


SDK_DEPLOY = REPO / "tests/definition/sdk_deploy/sdk-deploy.json"


def test_the_sdks_deployment_steps_are_looked_inside():
    # What the SageMaker SDK writes for its EndpointConfigStep, EndpointStep and
    # InferenceComponentStep: keys only where given, no network unless asked for.
    sdk = json.loads(SDK_DEPLOY.read_text())["definition"]
    results = run_rules(BASELINE + NETWORK, sdk)
    assert [(result.finding_id, result.finding.field) for result in results] == [
        # ml.m5.large without a key; the serverless and the ml.g5 (NVMe) ones take none.
        ("SMP-JobVolumeEncryption[ConfigMinimal]", "Arguments.KmsKeyId"),
        # ml.m5.large as the default of the EndpointInstanceType parameter.
        ("SMP-JobVolumeEncryption[ConfigParameters]", "Arguments.KmsKeyId"),
        ("SMP-JobVolumeEncryption[ConfigAsync]", "Arguments.KmsKeyId"),
        ("SMP-JobOutputEncryption[ConfigEveryOption]", "Arguments.DataCaptureConfig.KmsKeyId"),
        (
            "SMP-JobOutputEncryption[ConfigAsync]",
            "Arguments.AsyncInferenceConfig.OutputConfig.KmsKeyId",
        ),
        ("SMP-JobNetworkIsolation[CreateModel-CreateModel]", "Arguments.EnableNetworkIsolation"),
        # The endpoint of inference components runs them with its configuration's network.
        ("SMP-JobNetworkIsolation[ConfigForComponents]", "Arguments.EnableNetworkIsolation"),
    ]


def test_deployment_steps_with_the_binders_defaults_comply():
    # The binder's volume key on instances with EBS volumes, its output key on captured
    # data, its network on the model; an endpoint of inference components given a network.
    model = ModelStep(name="CreateModel", image="i", model_data="s3://b/model.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(destination="s3://b/capture"),
    )
    endpoint = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=config.properties.EndpointConfigName,
    )
    serverless_config = EndpointConfigStep(
        name="ServerlessConfig",
        endpoint_config_name="churn-serverless",
        model_name=model.properties.ModelName,
        serverless_config=ServerlessConfig(memory_size_in_mb=2048, max_concurrency=5),
    )
    serverless = EndpointStep(
        name="DeployServerless",
        endpoint_name="churn-serverless",
        endpoint_config_name=serverless_config.properties.EndpointConfigName,
    )
    components_config = EndpointConfigStep(
        name="ComponentsConfig",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
        network=NetworkConfig(
            subnets=["subnet-1"], security_group_ids=["sg-1"], enable_network_isolation=True
        ),
    )
    components = EndpointStep(
        name="DeployComponents",
        endpoint_name="components",
        endpoint_config_name=components_config.properties.EndpointConfigName,
    )
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name=components.properties.EndpointName,
        model_name=model.properties.ModelName,
        compute_resource_requirements=ComputeResourceRequirements(min_memory_required_in_mb=1024),
    )
    binder = _SecureBinder(role_arn=ROLE, default_bucket="artifacts")
    steps = [endpoint, serverless, component]
    compiled = PipelineDefinition(steps=steps).to_definition(binder)
    assert run_rules(BASELINE + NETWORK, compiled) == []


def test_an_endpoint_of_components_and_async_results_comply_with_the_binders_defaults():
    # No network= and no key in async_inference_config=: the binder's network places the
    # endpoint of inference components (as a Model step's model), and its output key
    # encrypts the asynchronous results (as captured data). Was: SMP-JobNetworkIsolation
    # and SMP-JobOutputEncryption findings under a binder that secures every job.
    model = ModelStep(name="CreateModel", image="i", model_data="s3://b/model.tar.gz")
    async_config = EndpointConfigStep(
        name="AsyncConfig",
        endpoint_config_name="churn-async",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        async_inference_config={"OutputConfig": {"S3OutputPath": "s3://b/async"}},
    )
    components_config = EndpointConfigStep(
        name="ComponentsConfig",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.g5.2xlarge")],
    )
    steps = [
        EndpointStep(
            name=f"Deploy{index}",
            endpoint_name=f"endpoint-{index}",
            endpoint_config_name=config.properties.EndpointConfigName,
        )
        for index, config in enumerate((async_config, components_config))
    ]
    binder = _SecureBinder(role_arn=ROLE, default_bucket="artifacts")
    compiled = PipelineDefinition(steps=steps).to_definition(binder)
    assert run_rules(BASELINE + NETWORK, compiled) == []
