"""``RawStep`` in the ``Pipeline`` construct: its role, its grants, what stays as written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk.assertions import Template

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import (
    Code,
    ContinuousParameter,
    Image,
    PipelineDefinition,
    PipelineValidationError,
    RawStep,
    StaticBinder,
    TrainingJobDefinition,
    TuningStep,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import (
    ASSETS_BUCKET,
    PREPROCESS,
    SKLEARN_URI,
    definition_of,
    logical_id,
    s3_arn,
    statements,
    steps_by_name,
)
from tests.cdk.test_policies import attached
from tests.conftest import ROLE

NAME = "raw"
SDK_GENERATED = Path(__file__).resolve().parents[1] / "definition" / "sdk_generated"


def processing(name: str, source: Any, destination: str, **members: Any) -> RawStep:
    """A raw Processing step reading ``source`` and writing ``destination``, naming no role.

    ``source`` is a URI or a bindable (``Code``, ``S3Location``).
    """
    return RawStep(
        name=name,
        type="Processing",
        arguments={
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.large",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {"ImageUri": SKLEARN_URI},
            "ProcessingInputs": [
                {
                    "InputName": "input",
                    "S3Input": {
                        "S3Uri": source,
                        "LocalPath": "/opt/ml/processing/input",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "out",
                        "S3Output": {
                            "S3Uri": destination,
                            "LocalPath": "/opt/ml/processing/out",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            **members,
        },
    )


def model(name: str, model_data: str, **members: Any) -> RawStep:
    """A raw Model step of one container, naming no execution role unless ``members`` do."""
    return RawStep(
        name=name,
        type="Model",
        arguments={
            "PrimaryContainer": {"Image": SKLEARN_URI, "ModelDataUrl": model_data},
            **members,
        },
    )


def _warnings(pipeline: Pipeline) -> list[str]:
    return [str(entry.data) for entry in pipeline.node.metadata if entry.type == "aws:cdk:warning"]


def test_raw_job_steps_run_as_the_binder_s_roles_which_get_their_grants() -> None:
    report = processing("Report", "s3://raw-data/incoming/", "s3://report-bucket/reports")
    # Named in dedicated_step_roles: it runs as a role of its own, derived from it alone.
    prep = processing("Prep", "s3://untrusted-data/uploads/", "s3://clean-bucket/prep")
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[report, prep]),
        pipeline_name=NAME,
        dedicated_step_roles=["Prep"],
    )
    template = Template.from_stack(stack)
    steps = steps_by_name(definition_of(template))
    step_role = logical_id(pipeline.step_role)
    prep_role = logical_id(pipeline.dedicated_roles["Prep"])
    assert steps["Report"]["Arguments"]["RoleArn"] == f"${{GetAtt:{step_role}.Arn}}"
    assert steps["Prep"]["Arguments"]["RoleArn"] == f"${{GetAtt:{prep_role}.Arn}}"
    # The planner reads the compiled entries, as a definition JSON's.
    shared = attached(template, pipeline.step_role)
    assert shared["ReadDataInRawDataBucket"]["Resource"] == s3_arn("raw-data/incoming/*")
    assert shared["WriteDataInReportBucket"]["Resource"] == s3_arn("report-bucket/reports*")
    assert not any("Untrusted" in sid or "Clean" in sid for sid in shared)
    own = attached(template, pipeline.dedicated_roles["Prep"])
    assert own["ReadDataInUntrustedDataBucket"]["Resource"] == s3_arn("untrusted-data/uploads/*")
    assert own["WriteDataInCleanBucket"]["Resource"] == s3_arn("clean-bucket/prep*")
    assert not any("Raw" in sid or "Report" in sid for sid in own)
    assert not any("job-role-not-step-role" in warning for warning in _warnings(pipeline))


def test_bindables_in_raw_arguments_are_bound_and_granted_as_in_typed_steps(
    tmp_path: Path,
) -> None:
    # An image built from a Dockerfile and a local script, where a raw entry has URIs: the
    # binder stages both, and the planner, reading the compiled entry, grants the reads.
    directory = tmp_path / "scorer"
    directory.mkdir()
    (directory / "Dockerfile").write_text("FROM python:3.11-slim\n")
    built = processing(
        "Built",
        Code.from_asset(PREPROCESS),
        "s3://report-bucket/built",
        AppSpecification={"ImageUri": Image.from_asset(directory)},
    )
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=PipelineDefinition(steps=[built]))
    template = Template.from_stack(stack)
    arguments = steps_by_name(definition_of(template))["Built"]["Arguments"]
    image = pipeline.node.find_child("ImageScorer")
    assert isinstance(image, ecr_assets.DockerImageAsset)
    assert arguments["AppSpecification"]["ImageUri"].endswith(f":{image.asset_hash}}}")
    code = pipeline.node.find_child("CodePreprocessPy")
    assert isinstance(code, s3_assets.Asset)
    uri = f"s3://{ASSETS_BUCKET}/{code.s3_object_key}"
    assert arguments["ProcessingInputs"][0]["S3Input"]["S3Uri"] == uri
    found = statements(template, pipeline.step_role_policy)
    reads = json.dumps(
        [entry["Resource"] for sid, entry in found.items() if sid.startswith("Read")]
    )
    assert json.dumps(s3_arn(f"{ASSETS_BUCKET}/{code.s3_object_key}*")) in reads
    assert found["PullImages"]["Resource"] == (
        "arn:aws:ecr:us-east-1:111122223333:repository/"
        "cdk-hnb659fds-container-assets-111122223333-us-east-1"
    )


def test_a_raw_step_s_written_role_and_network_stay_as_written_and_are_warned() -> None:
    other_role = "arn:aws:iam::111122223333:role/NotebookRole"
    fixed = processing("Fixed", "s3://raw-data/a/", "s3://out/a", RoleArn=other_role)
    isolated = processing(
        "Isolated", "s3://raw-data/b/", "s3://out/b", NetworkConfig={"EnableNetworkIsolation": True}
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[fixed, isolated]),
        enable_network_isolation=True,
    )
    assert pipeline.definition["Steps"][0]["Arguments"]["RoleArn"] == other_role
    job_role, network = (
        next(warning for warning in _warnings(pipeline) if warning_id in warning)
        for warning_id in ("job-role-not-step-role", "raw-step-network")
    )
    assert job_role.startswith(f"Step(s) 'Fixed' (Arguments.RoleArn) run as {other_role!r}")
    # Isolated writes its own network settings: only Fixed runs outside the construct's.
    assert network.startswith(
        "RawStep(s) 'Fixed' (Processing) write no network settings, and the construct writes "
        "its own (vpc=, enable_network_isolation=) into the typed steps' jobs only"
    )


def _raw_automl(name: str, security: dict[str, Any]) -> RawStep:
    """The SDK's AutoML step (its job's SecurityConfig as given), a RawStep named ``name``."""
    path = SDK_GENERATED / "sdk-automl-and-batch-monitoring.json"
    [entry] = [step for step in json.loads(path.read_text())["Steps"] if step["Type"] == "AutoML"]
    entry["Arguments"]["AutoMLJobConfig"]["SecurityConfig"] = security
    return RawStep.from_json({**entry, "Name": name})


def test_a_raw_automl_job_s_network_is_its_job_config_s_vpc() -> None:
    # CreateAutoMLJob has its network in AutoMLJobConfig.SecurityConfig.VpcConfig (a
    # SecurityConfig member of its own is no member of the request), and no isolation.
    in_vpc = _raw_automl(
        "InVpc",
        {
            "EnableInterContainerTrafficEncryption": True,
            "VpcConfig": {"SecurityGroupIds": ["sg-0a1b2c3d4e5f60799"], "Subnets": ["subnet-1"]},
        },
    )
    outside = _raw_automl("Outside", {"EnableInterContainerTrafficEncryption": False})
    definition = PipelineDefinition(steps=[in_vpc, outside])
    stack = new_stack()
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0a1b2c3d4e5f60711"],
    )
    pipeline = Pipeline(stack, "InVpc", definition=definition, vpc=vpc)
    [network] = [warning for warning in _warnings(pipeline) if "raw-step-network" in warning]
    assert network.startswith("RawStep(s) 'Outside' (AutoML) write no network settings")
    assert "VpcConfig in the AutoMLJobConfig.SecurityConfig of an AutoML job" in network
    # Network isolation alone reaches no AutoML job, typed or raw: nothing to warn of.
    isolated = Pipeline(
        new_stack(), "Isolated", definition=definition, enable_network_isolation=True
    )
    assert not [warning for warning in _warnings(isolated) if "raw-step-network" in warning]


def test_fails_a_dedicated_role_for_a_raw_step_that_names_its_role() -> None:
    fixed = processing("Fixed", "s3://raw-data/a/", "s3://out/a", RoleArn=ROLE)
    fixed_model = model("FixedModel", "s3://models/a.tar.gz", ExecutionRoleArn=ROLE)
    with pytest.raises(PipelineValidationError) as caught:
        Pipeline(
            new_stack(),
            "Training",
            definition=PipelineDefinition(steps=[fixed, fixed_model]),
            dedicated_step_roles=["Fixed", "FixedModel"],
        )
    assert [problem.field for problem in caught.value.problems] == ["dedicated_step_roles"] * 2
    assert [problem.message for problem in caught.value.problems] == [
        "step 'Fixed' is a RawStep whose arguments name the role its jobs run as "
        "(Arguments.RoleArn): they run as that role, not a dedicated one",
        "step 'FixedModel' is a RawStep whose arguments name the role its jobs run as "
        "(Arguments.ExecutionRoleArn): they run as that role, not a dedicated one",
    ]


def _raw_tuning(roles: tuple[str | None, ...]) -> RawStep:
    """A raw two-algorithm Tuning step whose training job definitions name ``roles``."""
    ranges = {"eta": ContinuousParameter(min_value=0.01, max_value=0.3)}
    typed = TuningStep(
        name="Tune",
        training_job_definitions=[
            TrainingJobDefinition(
                name=name,
                image=Image.xgboost("1.7-1"),
                inputs={"train": "s3://raw-data/train/"},
                objective_metric_name="validation:auc",
                hyperparameter_ranges=ranges,
            )
            for name in ("first", "second")
        ],
        max_jobs=2,
    )
    compiled = PipelineDefinition(steps=[typed]).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    [entry] = compiled["Steps"]
    for definition, role in zip(entry["Arguments"]["TrainingJobDefinitions"], roles, strict=True):
        del definition["RoleArn"]
        if role is not None:
            definition["RoleArn"] = role
    return RawStep.from_json(entry)


def test_every_step_leaves_raw_steps_that_name_their_roles_as_written() -> None:
    other_role = "arn:aws:iam::111122223333:role/NotebookRole"
    fixed = processing("Fixed", "s3://raw-data/a/", "s3://out/a", RoleArn=other_role)
    open_ = processing("Open", "s3://raw-data/b/", "s3://out/b")
    # One training job definition names a role: the step can't have a dedicated role, and
    # its other definition runs as the step role, as a typed TuningStep's does under "*".
    tune = _raw_tuning((None, other_role))
    # A raw Model step naming no role runs as a role of its own, as a typed one does; one
    # naming its ExecutionRoleArn keeps it.
    open_model = model("OpenModel", "s3://models/open.tar.gz")
    fixed_model = model("FixedModel", "s3://models/fixed.tar.gz", ExecutionRoleArn=other_role)
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[fixed, open_, tune, open_model, fixed_model]),
        dedicated_step_roles="*",
    )
    assert list(pipeline.dedicated_roles) == ["Open", "OpenModel"]
    assert pipeline.node.try_find_child("StepRole-Tune") is None
    assert pipeline.node.try_find_child("StepRole-FixedModel") is None
    template = Template.from_stack(stack)
    steps = steps_by_name(definition_of(template))
    assert steps["Fixed"]["Arguments"]["RoleArn"] == other_role
    open_role = logical_id(pipeline.dedicated_roles["Open"])
    assert steps["Open"]["Arguments"]["RoleArn"] == f"${{GetAtt:{open_role}.Arn}}"
    first, second = steps["Tune"]["Arguments"]["TrainingJobDefinitions"]
    assert first["RoleArn"] == f"${{GetAtt:{logical_id(pipeline.step_role)}.Arn}}"
    assert second["RoleArn"] == other_role
    model_role = logical_id(pipeline.dedicated_roles["OpenModel"])
    assert steps["OpenModel"]["Arguments"]["ExecutionRoleArn"] == f"${{GetAtt:{model_role}.Arn}}"
    assert steps["FixedModel"]["Arguments"]["ExecutionRoleArn"] == other_role
    own = attached(template, pipeline.dedicated_roles["OpenModel"])
    assert own["ReadDataInModelsBucket"]["Resource"] == s3_arn("models/open.tar.gz*")
