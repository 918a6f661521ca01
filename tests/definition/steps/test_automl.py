"""AutoML steps (the SDK's AutoMLStep): validated, typed and planned like the other job steps.

An AutoML step's Arguments are a CreateAutoMLJob (V1) request without AutoMLJobName, its
properties follow DescribeAutoMLJobResponse plus the SDK's BestCandidateProperties, and its
role's needs follow "CreateAutoMLJob API: Execution Role Permissions" in the SageMaker guide.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import PipelineValidationError, check_definition
from cdk_sagemaker_pipelines.definition import validate_definition as validate
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions

GOLDEN = Path(__file__).parents[1] / "sdk_generated" / "sdk-automl-and-batch-monitoring.json"
ROLE = "arn:aws:iam::111122223333:role/sm"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def sdk_definition() -> dict[str, Any]:
    """The SDK's AutoMLStep and a ModelStep of its best candidate."""
    definition: dict[str, Any] = json.loads(GOLDEN.read_text())
    definition["Steps"] = definition["Steps"][:2]
    return definition


def automl_arguments(definition: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = definition["Steps"][0]["Arguments"]
    return arguments


def problems(definition: dict[str, Any]) -> list[tuple[str | None, str | None, str]]:
    return [(p.step, p.field, p.message) for p in validate(definition)]


# -- validation -------------------------------------------------------------------------


def test_sdk_generated_automl_step_is_valid() -> None:
    assert validate(sdk_definition()) == []


def test_every_documented_member_is_accepted() -> None:
    definition = sdk_definition()
    arguments = automl_arguments(definition)
    arguments["OutputDataConfig"]["KmsKeyId"] = KEY
    config = arguments["AutoMLJobConfig"]
    config["SecurityConfig"].update(
        {
            "VolumeKmsKeyId": KEY,
            "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-1"]},
        }
    )
    config["CandidateGenerationConfig"] = {
        "FeatureSpecificationS3Uri": "s3://my-bucket/features.json",
        "AlgorithmsConfig": [{"AutoMLAlgorithms": ["xgboost", "lightgbm"]}],
    }
    config["DataSplitConfig"] = {"ValidationFraction": 0.2}
    arguments["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3DataType"] = "ManifestFile"
    # A custom job-name prefix (PipelineDefinitionConfig(use_custom_job_prefix=True)).
    arguments["AutoMLJobName"] = "churn-automl"
    arguments["Tags"] = [{"Key": "team", "Value": "ml"}]
    definition["Steps"][0]["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P30D"}
    definition["Steps"][0]["RetryPolicies"] = [
        {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "MaxAttempts": 3}
    ]

    assert validate(definition) == []


def test_a_mode_given_as_a_parameter_is_left_to_run_time() -> None:
    definition = sdk_definition()
    definition["Parameters"] = [{"Name": "Mode", "Type": "String", "DefaultValue": "ENSEMBLING"}]
    automl_arguments(definition)["AutoMLJobConfig"]["Mode"] = {"Get": "Parameters.Mode"}

    assert validate(definition) == []


def test_fails_unknown_member_naming_the_field() -> None:
    definition = sdk_definition()
    automl_arguments(definition)["AutoMLJobConfig"]["CompletionCriteria"]["MaxCandidate"] = 3

    with pytest.raises(PipelineValidationError, match="MaxCandidate") as raised:
        check_definition(definition)
    [problem] = raised.value.problems
    assert (problem.step, problem.field) == (
        "AutoML",
        "Arguments.AutoMLJobConfig.CompletionCriteria.MaxCandidate",
    )
    assert problem.message == "unknown member 'MaxCandidate'"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean 'MaxCandidates'")


def test_fails_missing_required_member() -> None:
    definition = sdk_definition()
    del automl_arguments(definition)["RoleArn"]

    assert problems(definition) == [
        ("AutoML", "Arguments.RoleArn", "missing required member 'RoleArn'")
    ]


def test_fails_wrong_type_and_value_out_of_range() -> None:
    definition = sdk_definition()
    criteria = automl_arguments(definition)["AutoMLJobConfig"]["CompletionCriteria"]
    criteria["MaxCandidates"] = "3"
    automl_arguments(definition)["ProblemType"] = "Classification"

    found = problems(definition)
    assert (
        "AutoML",
        "Arguments.AutoMLJobConfig.CompletionCriteria.MaxCandidates",
        "expected an integer, got '3' (str)",
    ) in found
    assert (
        "AutoML",
        "Arguments.ProblemType",
        "expected one of 'BinaryClassification', 'MulticlassClassification', 'Regression', "
        "got 'Classification'",
    ) in found


@pytest.mark.parametrize(
    "field",
    [
        "InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        "OutputDataConfig.S3OutputPath",
        "AutoMLJobConfig.CandidateGenerationConfig.FeatureSpecificationS3Uri",
    ],
)
def test_fails_s3_location_that_is_no_uri(field: str) -> None:
    definition = sdk_definition()
    arguments = automl_arguments(definition)
    arguments["AutoMLJobConfig"]["CandidateGenerationConfig"] = {
        "FeatureSpecificationS3Uri": "s3://my-bucket/features.json"
    }
    *parents, last = field.replace("[0]", ".0").split(".")
    holder: Any = arguments
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    holder[last] = "my-bucket/data"

    [problem] = validate(definition)
    assert (problem.step, problem.field) == ("AutoML", f"Arguments.{field}")
    assert (
        problem.message == "'my-bucket/data' does not match the pattern (https|s3)://([^/]+)/?(.*)"
    )
    expected = "expected an S3 URI such as 's3://my-bucket/prefix'"
    if "Output" not in field:  # what the job reads may be a local file, shipped as an asset
        expected += (
            "; a local file is not uploaded for you: "
            "give S3Location.from_asset(path) to ship it with the pipeline"
        )
    assert problem.hint == expected


def test_fails_job_name_prefix_longer_than_the_service_takes() -> None:
    definition = sdk_definition()
    automl_arguments(definition)["AutoMLJobName"] = "a" * 33

    assert problems(definition) == [
        (
            "AutoML",
            "Arguments.AutoMLJobName",
            f"'{'a' * 33}' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){{0,31}}",
        )
    ]


@pytest.mark.parametrize(
    ("mode", "field", "shown"),
    [
        ("HYPERPARAMETER_TUNING", "Arguments.AutoMLJobConfig.Mode", "Mode 'HYPERPARAMETER_TUNING'"),
        ("AUTO", "Arguments.AutoMLJobConfig.Mode", "Mode 'AUTO'"),
        (None, "Arguments.AutoMLJobConfig.Mode", "no Mode"),
    ],
)
def test_fails_mode_other_than_ensembling(mode: str | None, field: str, shown: str) -> None:
    # "Currently, the AutoML step supports only ensembling training mode" (SageMaker guide);
    # the SDK's AutoMLStep raises AutoMLStepInvalidModeError for any other.
    definition = sdk_definition()
    config = automl_arguments(definition)["AutoMLJobConfig"]
    if mode is None:
        del config["Mode"]
    else:
        config["Mode"] = mode

    with pytest.raises(PipelineValidationError) as raised:
        check_definition(definition)
    [problem] = raised.value.problems
    assert (problem.step, problem.field) == ("AutoML", field)
    assert problem.message == f"an AutoML step runs in ENSEMBLING mode only, got {shown}"
    assert problem.hint is not None
    assert 'Mode to "ENSEMBLING"' in problem.hint


def test_fails_without_job_config_naming_it() -> None:
    definition = sdk_definition()
    del automl_arguments(definition)["AutoMLJobConfig"]

    assert problems(definition) == [
        (
            "AutoML",
            "Arguments.AutoMLJobConfig",
            "an AutoML step runs in ENSEMBLING mode only, got no Mode",
        )
    ]


@pytest.mark.parametrize(
    ("config", "shown"),
    [
        ({"Get": "Execution.PipelineExecutionId"}, "an expression"),
        ("ENSEMBLING", "'ENSEMBLING' (str)"),
    ],
    ids=["expression", "string"],
)
def test_a_job_config_of_the_wrong_shape_is_one_problem(config: Any, shown: str) -> None:
    # The shape check reports it; the Mode rule has no Mode to read and stays quiet.
    definition = sdk_definition()
    automl_arguments(definition)["AutoMLJobConfig"] = config

    assert problems(definition) == [
        ("AutoML", "Arguments.AutoMLJobConfig", f"expected an object, got {shown}")
    ]


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("ModelDeployConfig", {"AutoGenerateEndpointName": True}),
        ("GenerateCandidateDefinitionsOnly", True),
    ],
)
def test_fails_members_the_sdk_drops(member: str, value: Any) -> None:
    definition = sdk_definition()
    automl_arguments(definition)[member] = value

    [(step, where, message)] = problems(definition)
    assert (step, where) == ("AutoML", f"Arguments.{member}")
    assert message.startswith(f"an AutoML step takes no {member}: ")


def test_fails_augmented_manifest_of_v2_jobs() -> None:
    definition = sdk_definition()
    source = automl_arguments(definition)["InputDataConfig"][0]["DataSource"]["S3DataSource"]
    source["S3DataType"] = "AugmentedManifestFile"

    assert problems(definition) == [
        (
            "AutoML",
            "Arguments.InputDataConfig[0].DataSource.S3DataSource.S3DataType",
            "AugmentedManifestFile is for AutoML V2 jobs only; an AutoML step runs "
            "CreateAutoMLJob (V1)",
        )
    ]


def test_fails_v2_request_members() -> None:
    # The SDK's AutoMLStep takes Session.auto_ml (V1) arguments only, never
    # create_auto_ml_v2's: a V2 request is refused member by member.
    definition = sdk_definition()
    arguments = automl_arguments(definition)
    arguments["AutoMLJobInputDataConfig"] = arguments.pop("InputDataConfig")

    found = {(where, message) for _, where, message in problems(definition)}
    assert ("Arguments.InputDataConfig", "missing required member 'InputDataConfig'") in found
    assert any(
        where == "Arguments.AutoMLJobInputDataConfig" and message.startswith("unknown member")
        for where, message in found
    )


# -- properties -------------------------------------------------------------------------


def test_best_candidate_and_sdk_report_properties_resolve() -> None:
    definition = sdk_definition()
    environment = definition["Steps"][1]["Arguments"]["PrimaryContainer"]["Environment"]
    environment["REPORT"] = {
        "Get": "Steps.AutoML.BestCandidateProperties.ModelInsightsJsonReportPath"
    }
    environment["EXPLAIN"] = {
        "Get": "Steps.AutoML.BestCandidateProperties.ExplainabilityJsonReportPath"
    }
    environment["OBJECTIVE"] = {
        "Std:Join": {
            "On": "",
            "Values": [{"Get": "Steps.AutoML.BestCandidate.FinalAutoMLJobObjectiveMetric.Value"}],
        }
    }

    assert validate(definition) == []


@pytest.mark.parametrize(
    ("path", "message", "hint"),
    [
        (
            "BestCandidate.InferenceContainer[0].ModelDataUrl",
            "BestCandidate has no property 'InferenceContainer'",
            "did you mean 'InferenceContainers' or 'InferenceContainerDefinitions'?",
        ),
        (
            "BestCandidat.CandidateName",
            "the step has no property 'BestCandidat'",
            "did you mean 'BestCandidate' or 'BestCandidateProperties'?",
        ),
        (
            "BestCandidateProperties.ModelInsightsReportPath",
            "BestCandidateProperties has no property 'ModelInsightsReportPath'",
            "did you mean 'ModelInsightsJsonReportPath'?",
        ),
    ],
)
def test_fails_misspelled_property_path_with_suggestions(
    path: str, message: str, hint: str
) -> None:
    definition = sdk_definition()
    definition["Steps"][1]["Arguments"]["PrimaryContainer"]["ModelDataUrl"] = {
        "Get": f"Steps.AutoML.{path}"
    }

    [problem] = validate(definition)
    assert (problem.step, problem.field) == (
        "BestModel-CreateModel",
        "Arguments.PrimaryContainer.ModelDataUrl",
    )
    assert problem.message == f"'Steps.AutoML.{path}': {message}"
    assert problem.hint == hint


# -- permissions ------------------------------------------------------------------------


def test_plan_of_the_sdk_step() -> None:
    plan = plan_permissions(sdk_definition())

    assert plan.unplanned_steps == []
    assert plan.job_actions["AutoML"] == (
        "automl-job",
        (
            "sagemaker:CreateAutoMLJob",
            "sagemaker:DescribeAutoMLJob",
            "sagemaker:StopAutoMLJob",
            "sagemaker:ListCandidatesForAutoMLJob",
            "sagemaker:CreateAutoMLJobV2",
            "sagemaker:DescribeAutoMLJobV2",
        ),
    )
    # AutoMLJobName takes 32 characters: no pipelines- prefix is assumed (UNPREFIXED_JOB_TYPES).
    assert plan.job_name_prefixes["AutoML"] == [""]
    assert plan.open_job_name_prefixes == []
    assert plan.passed_roles == [ROLE]
    assert plan.automl_roles == [ROLE]
    assert S3Access("my-bucket", "train.csv") in plan.reads
    # Autopilot's jobs read back what it writes under the output path (the AutoML step's
    # own read: the model step reads there too).
    alone = sdk_definition()
    alone["Steps"] = alone["Steps"][:1]
    assert S3Access("my-bucket", "automl") in plan_permissions(alone).writes
    assert S3Access("my-bucket", "automl") in plan_permissions(alone).reads
    # The best candidate's model data lies under the AutoML job's output path.
    assert plan.unattributed == []


@pytest.mark.parametrize(
    "path",
    [
        "BestCandidate.InferenceContainers[0].ModelDataUrl",
        "BestCandidateProperties.ExplainabilityJsonReportPath",
        "AutoMLJobArtifacts.CandidateDefinitionNotebookLocation",
    ],
)
def test_plan_locates_what_the_job_wrote_under_its_output_path(path: str) -> None:
    definition = sdk_definition()
    container = definition["Steps"][1]["Arguments"]["PrimaryContainer"]
    container["ModelDataUrl"] = {"Get": f"Steps.AutoML.{path}"}

    plan = plan_permissions(definition)

    assert plan.unattributed == []
    assert S3Access("my-bucket", "automl") in plan.reads


def test_plan_lists_a_location_read_from_another_automl_property() -> None:
    definition = sdk_definition()
    container = definition["Steps"][1]["Arguments"]["PrimaryContainer"]
    container["ModelDataUrl"] = {"Get": "Steps.AutoML.AutoMLJobArn"}

    [item] = plan_permissions(definition).unattributed
    assert (item.step, item.field) == (
        "BestModel-CreateModel",
        "Arguments.PrimaryContainer.ModelDataUrl",
    )


def test_plan_of_keys_vpc_feature_specification_and_custom_prefix() -> None:
    definition = sdk_definition()
    arguments = automl_arguments(definition)
    arguments["AutoMLJobName"] = "churn"
    output_key = KEY.replace("1234abcd", "5678efab")
    arguments["OutputDataConfig"]["KmsKeyId"] = output_key
    config = arguments["AutoMLJobConfig"]
    config["SecurityConfig"]["VolumeKmsKeyId"] = KEY
    config["SecurityConfig"]["VpcConfig"] = {
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
        "Subnets": ["subnet-1"],
    }
    config["CandidateGenerationConfig"] = {"FeatureSpecificationS3Uri": "s3://specs/f.json"}

    plan = plan_permissions(definition)

    assert plan.job_name_prefixes["AutoML"] == ["churn-"]
    assert plan.kms_keys == [output_key, KEY]
    assert plan.automl_volume_keys == [KEY]
    assert plan.uses_vpc
    assert plan.vpc_subnets == ["subnet-1"]
    assert plan.vpc_security_groups == ["sg-0123456789abcdef0"]
    assert S3Access("specs", "f.json") in plan.reads


def test_plan_reports_a_role_known_only_at_run_time() -> None:
    definition = sdk_definition()
    definition["Parameters"] = [{"Name": "Role", "Type": "String", "DefaultValue": ROLE}]
    automl_arguments(definition)["RoleArn"] = {"Get": "Parameters.Role"}

    plan = plan_permissions(definition)

    assert ("AutoML", "Arguments.RoleArn", "role") in plan.run_time_resources
    assert plan.automl_roles == []


def test_plan_of_an_input_built_from_a_free_parameter_is_unattributed() -> None:
    definition = copy.deepcopy(sdk_definition())
    definition["Parameters"] = [{"Name": "Data", "Type": "String"}]
    source = automl_arguments(definition)["InputDataConfig"][0]["DataSource"]["S3DataSource"]
    source["S3Uri"] = {"Get": "Parameters.Data"}

    plan = plan_permissions(definition)

    [item] = plan.unattributed
    assert (item.step, item.field, item.access) == (
        "AutoML",
        "Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        "read",
    )
