"""TuningStep renders a CreateHyperParameterTuningJob request."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CategoricalParameter,
    Code,
    ContinuousParameter,
    FileSystemInput,
    HyperbandStrategyConfig,
    Image,
    IntegerParameter,
    Join,
    LambdaStep,
    ModelData,
    ModelStep,
    NetworkConfig,
    Parameter,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    S3Location,
    SageMakerJobStepRetryPolicy,
    StaticBinder,
    StepOutput,
    TrainingInput,
    TrainingJobDefinition,
    TuningJobCompletionCriteria,
    TuningStep,
    UnknownArgumentError,
    WarmStartConfig,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition._tuning_rules import (
    hyperband_max_resource_missing,
    single_definition_member,
)
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.conftest import ROLE
from tests.definition.steps.conftest import (
    IMAGE,
    OTHER_ROLE,
    OUTPUT_KEY,
    VOLUME_KEY,
    default_output,
    replace_members,
)

XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:prep"


def joined(parameter: str) -> dict[str, object]:
    return {"Std:Join": {"On": "", "Values": [{"Get": f"Parameters.{parameter}"}]}}


def test_minimal_step_renders_defaults(ctx: RenderContext) -> None:
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )

    assert step.to_request(ctx) == {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "Strategy": "Bayesian",
                "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
                "TrainingJobEarlyStoppingType": "Off",
                "HyperParameterTuningJobObjective": {
                    "Type": "Maximize",
                    "MetricName": "validation:rmse",
                },
                "ParameterRanges": {
                    # Range bounds are strings in the API.
                    "ContinuousParameterRanges": [
                        {
                            "Name": "eta",
                            "MinValue": "0.01",
                            "MaxValue": "0.3",
                            "ScalingType": "Auto",
                        }
                    ],
                    "CategoricalParameterRanges": [],
                    "IntegerParameterRanges": [],
                },
            },
            "TrainingJobDefinition": {
                "RoleArn": ROLE,
                "OutputDataConfig": {"S3OutputPath": default_output("Tune", "model")},
                "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
                "HyperParameterTuningResourceConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 30,
                },
                "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": IMAGE},
            },
        },
    }
    assert ctx.problems == []


def every_option(script: Path) -> tuple[TuningStep, LambdaStep, list[Parameter]]:
    prep = LambdaStep(
        name="Prep", function_arn=LAMBDA_ARN, outputs=[StepOutput(output_name="train_uri")]
    )
    max_jobs = ParameterInteger(name="MaxJobs", default_value=8)
    max_depth = ParameterInteger(name="MaxDepth", default_value=10)
    min_eta = ParameterFloat(name="MinEta", default_value=0.01)
    booster = ParameterString(name="Booster", default_value="gbtree")
    step = TuningStep(
        name="Tune",
        display_name="Tune XGBoost",
        description="Searches eta, depth and booster",
        depends_on=[prep, "Other"],
        image=Image.xgboost("1.7-1"),
        code=Code.from_asset(script),
        inputs={"train": prep.properties.OutputParameters["train_uri"]},
        output_path=S3Location.from_bucket("models", "tuning"),
        instance_type="ml.m5.xlarge",
        instance_count=2,
        volume_size_in_gb=40,
        volume_kms_key=VOLUME_KEY,
        output_kms_key=OUTPUT_KEY,
        environment={"SEED": 42},
        metric_definitions={"validation:rmse": "rmse=([0-9.]+)"},
        input_mode="Pipe",
        max_runtime_in_seconds=3600,
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_network_isolation=True,
        ),
        role=OTHER_ROLE,
        objective_metric_name="validation:rmse",
        objective_type="Minimize",
        hyperparameter_ranges={
            "eta": ContinuousParameter(
                min_value=min_eta, max_value=0.3, scaling_type="Logarithmic"
            ),
            "max_depth": IntegerParameter(min_value=2, max_value=max_depth),
            "booster": CategoricalParameter(values=["gblinear", booster, 3]),
        },
        static_hyperparameters={"num_round": 100, "objective": "reg:squarederror"},
        strategy="Random",
        max_jobs=max_jobs,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=[SageMakerJobStepRetryPolicy(max_attempts=3)],
        extra_arguments={
            "HyperParameterTuningJobConfig": {"ResourceLimits": {"MaxRuntimeInSeconds": 36000}},
            "TrainingJobDefinition": {"StoppingCondition": {"MaxRuntimeInSeconds": 1800}},
        },
    )
    return step, prep, [max_jobs, max_depth, min_eta, booster]


def test_grid_search_runs_the_whole_grid_unless_max_jobs_limits_it(ctx: RenderContext) -> None:
    # Was MaxNumberOfTrainingJobs 1 for every strategy: one job of the grid. The SDK's
    # HyperparameterTuner leaves it unset for Grid (the grid decides) and 1 otherwise.
    ranges = {"booster": CategoricalParameter(values=["gbtree", "dart"])}

    def limits(**options: object) -> object:
        step = TuningStep(
            name="Tune",
            image=IMAGE,
            objective_metric_name="validation:auc",
            hyperparameter_ranges=ranges,
            **options,  # type: ignore[arg-type]
        )
        return step.to_request(ctx)["Arguments"]["HyperParameterTuningJobConfig"]["ResourceLimits"]

    assert limits(strategy="Grid") == {"MaxParallelTrainingJobs": 1}
    assert limits(strategy="Grid", max_jobs=2) == {
        "MaxNumberOfTrainingJobs": 2,
        "MaxParallelTrainingJobs": 1,
    }
    assert limits(strategy="Random") == {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1}


def test_every_option(ctx: RenderContext, script: Path) -> None:
    step, prep, parameters = every_option(script)

    assert step.to_request(ctx) == {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "HyperParameterTuningJobConfig": {
                "Strategy": "Random",
                "ResourceLimits": {
                    "MaxNumberOfTrainingJobs": {"Get": "Parameters.MaxJobs"},
                    "MaxParallelTrainingJobs": 2,
                    "MaxRuntimeInSeconds": 36000,
                },
                "TrainingJobEarlyStoppingType": "Auto",
                "HyperParameterTuningJobObjective": {
                    "Type": "Minimize",
                    "MetricName": "validation:rmse",
                },
                "ParameterRanges": {
                    "ContinuousParameterRanges": [
                        {
                            "Name": "eta",
                            "MinValue": joined("MinEta"),
                            "MaxValue": "0.3",
                            "ScalingType": "Logarithmic",
                        }
                    ],
                    "CategoricalParameterRanges": [
                        {
                            "Name": "booster",
                            "Values": ["gblinear", {"Get": "Parameters.Booster"}, "3"],
                        }
                    ],
                    "IntegerParameterRanges": [
                        {
                            "Name": "max_depth",
                            "MinValue": "2",
                            "MaxValue": joined("MaxDepth"),
                            "ScalingType": "Auto",
                        }
                    ],
                },
            },
            "TrainingJobDefinition": {
                "StaticHyperParameters": {
                    "num_round": "100",
                    "objective": "reg:squarederror",
                    "sagemaker_program": "prep.py",
                    "sagemaker_submit_directory": "/opt/ml/input/data/code/prep.py.tar.gz",
                },
                "RoleArn": OTHER_ROLE,
                "OutputDataConfig": {"S3OutputPath": "s3://models/tuning", "KmsKeyId": OUTPUT_KEY},
                "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
                "HyperParameterTuningResourceConfig": {
                    "InstanceCount": 2,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 40,
                    "VolumeKmsKeyId": VOLUME_KEY,
                },
                "AlgorithmSpecification": {
                    "TrainingInputMode": "Pipe",
                    "TrainingImage": XGBOOST,
                    "MetricDefinitions": [{"Name": "validation:rmse", "Regex": "rmse=([0-9.]+)"}],
                },
                "InputDataConfig": [
                    {
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": {"Get": "Steps.Prep.OutputParameters['train_uri']"},
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                        "ChannelName": "train",
                    },
                    {
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": "s3://b/code/prep.py.tar.gz",
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                        # The job streams in Pipe mode; its code archive must be a file.
                        "InputMode": "File",
                        "ChannelName": "code",
                    },
                ],
                "Environment": {"SEED": "42"},
                "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]},
                "EnableNetworkIsolation": True,
            },
        },
        "DependsOn": ["Prep", "Other"],
        "DisplayName": "Tune XGBoost",
        "Description": "Searches eta, depth and booster",
        "CacheConfig": {"Enabled": True, "ExpireAfter": "P1D"},
        "RetryPolicies": [
            {
                "BackoffRate": 2.0,
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "ExceptionType": ["SageMaker.CAPACITY_ERROR"],
            }
        ],
    }
    assert ctx.problems == []
    assert ctx.referenced_steps == [prep]
    assert {id(item) for item in ctx.referenced_parameters} == {id(item) for item in parameters}


def test_every_option_compiles_to_a_valid_definition(binder: StaticBinder, script: Path) -> None:
    import dataclasses

    step, _, parameters = every_option(script)
    step = dataclasses.replace(step, depends_on=[])

    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)

    assert {entry["Name"] for entry in definition["Steps"]} == {"Prep", "Tune"}


TOP_OUTPUT_PATH = {"Get": "Steps.Tune.TrainingJobDefinition.OutputDataConfig.S3OutputPath"}


@pytest.mark.parametrize("output_path", ["s3://b/models", "s3://b/models/"])
def test_top_model_uri_under_a_literal_output_path(ctx: RenderContext, output_path: str) -> None:
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="m",
        hyperparameter_ranges={},
        output_path=output_path,
    )

    # The same in every execution; SageMaker writes under it without a doubled slash.
    assert step.top_model_s3_uri(1).to_request(ctx) == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://b/models",
                {"Get": "Steps.Tune.TrainingJobSummaries[1].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    assert step.top_model_s3_uri().value_type == "String"
    assert ctx.referenced_steps == [step]


@pytest.mark.parametrize("output_path", ["s3://b/models", "s3://b/models/"])
def test_a_model_of_the_top_model_uri_under_a_literal_output_path_is_valid(
    binder: StaticBinder, output_path: str
) -> None:
    tune = tuning(output_path=output_path)
    best = ModelStep(name="Best", image=IMAGE, model_data=tune.top_model_s3_uri(0))

    definition = PipelineDefinition(steps=[best]).to_definition(binder)

    assert [step["Name"] for step in definition["Steps"]] == ["Tune", "Best"]


def test_top_model_uri_of_uncompressed_jobs_is_their_model_prefix(binder: StaticBinder) -> None:
    tune = tuning(output_path="s3://b/models", disable_output_compression=True)
    best = ModelStep(
        name="Best", image=IMAGE, model_data=ModelData.uncompressed(tune.top_model_s3_uri(0))
    )

    definition = PipelineDefinition(steps=[best]).to_definition(binder)

    # Such a job uploads /opt/ml/model as files under output/model/: no model.tar.gz.
    source = definition["Steps"][1]["Arguments"]["PrimaryContainer"]["ModelDataSource"]
    assert source["S3DataSource"]["S3Uri"]["Std:Join"]["Values"][-1] == "output/model/"


def test_top_model_uri_under_an_output_path_known_at_run_time(ctx: RenderContext) -> None:
    bucket = ParameterString(name="ModelBucket", default_value="b")
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="m",
        hyperparameter_ranges={},
        output_path=Join(on="/", values=["s3:/", bucket, "models"]),
    )

    # The path the jobs wrote to, read off the tuning job: after a cache hit those jobs
    # ran in an earlier execution, perhaps with another value.
    assert step.top_model_s3_uri(1).to_request(ctx)["Std:Join"]["Values"][0] == TOP_OUTPUT_PATH


@pytest.mark.parametrize("top_k", [-1, "0", 1.0, True])
def test_fails_top_model_uri_of_no_position(top_k: object) -> None:
    # "0" would render TrainingJobSummaries['0'], and -1 a path the service can't resolve.
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})

    with pytest.raises(PipelineDefinitionError) as raised:
        step.top_model_s3_uri(top_k)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "TuningStep 'Tune': top_model_s3_uri takes a position from 0 (0 is the best training "
        f"job), got {top_k!r}"
    )


@pytest.mark.parametrize(
    ("call", "given"),
    [
        (lambda step: step.top_model_s3_uri(top_k=0, s3_bucket="b/models"), "s3_bucket="),
        (lambda step: step.top_model_s3_uri(0, "b/models", "run"), "'b/models', 'run'"),
        (lambda step: step.top_model_s3_uri(1, prefix="run"), "prefix="),
    ],
)
def test_fails_top_model_uri_given_the_sdks_bucket_and_prefix(
    call: Callable[[TuningStep], object], given: str
) -> None:
    # Was Python's "unexpected keyword argument 's3_bucket'", which says nothing of where
    # the bucket went to a user porting get_top_model_s3_uri(top_k, s3_bucket, prefix).
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})

    with pytest.raises(UnknownArgumentError) as raised:
        call(step)
    assert str(raised.value) == (
        f"TuningStep 'Tune': top_model_s3_uri takes top_k only, not {given} (the SageMaker "
        "SDK's get_top_model_s3_uri(top_k, s3_bucket, prefix) must be told where the jobs "
        "wrote; here the URI is read from the tuning job's own output path: set the step's "
        "output_path= to choose it)"
    )


def test_top_model_uri_under_the_default_output(ctx: RenderContext) -> None:
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})
    model = ModelStep(name="Best", image=IMAGE, model_data=step.top_model_s3_uri())

    assert model.to_request(ctx)["Arguments"]["PrimaryContainer"]["ModelDataUrl"] == {
        "Std:Join": {
            "On": "/",
            "Values": [
                TOP_OUTPUT_PATH,  # not default_output(…): it holds the execution id
                {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    assert ctx.referenced_steps == [step]


def test_the_step_role_may_read_the_top_model_where_the_tuning_jobs_wrote_it() -> None:
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="m",
        hyperparameter_ranges={},
        output_path="s3://models-bucket/tuning",
    )
    model = ModelStep(name="Best", image=IMAGE, model_data=step.top_model_s3_uri(0))
    definition = PipelineDefinition(steps=[model]).to_definition(StaticBinder(role_arn=ROLE))

    plan = plan_permissions(definition)

    assert plan.reads == [S3Access("models-bucket", "tuning/*/output/model.tar.gz")]
    assert plan.unattributed == []


def test_tuning_jobs_are_granted_without_the_pipelines_name_prefix() -> None:
    # HyperParameterTuningJobName takes 32 characters: "pipelines-<execution id>-<step>-…"
    # doesn't fit, and no document gives the form the service uses instead.
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})
    binder = StaticBinder(role_arn=ROLE, default_bucket="models-bucket")
    definition = PipelineDefinition(steps=[step]).to_definition(binder)

    plan = plan_permissions(definition)

    assert plan.job_name_prefixes == {"Tuning": [""]}
    assert plan.open_job_name_prefixes == []  # not a name known only at run time: no warning
    entry = definition["Steps"][0]
    entry["Arguments"]["HyperParameterTuningJobName"] = "churn"  # a custom prefix still counts
    assert plan_permissions(definition).job_name_prefixes == {"Tuning": ["churn-"]}


def test_top_model_uri_without_a_default_bucket_is_one_problem_of_the_tuning_step() -> None:
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})
    model = ModelStep(name="Best", image=IMAGE, model_data=step.top_model_s3_uri())
    binder = StaticBinder(region="us-east-1", role_arn=ROLE)  # no default bucket

    problems = PipelineDefinition(steps=[model]).validate(binder)

    assert [(problem.step, problem.field, problem.argument) for problem in problems] == [
        ("Tune", "Arguments.TrainingJobDefinition.OutputDataConfig.S3OutputPath", "output_path")
    ]


def test_model_data_of_a_tuning_step_points_at_top_model_s3_uri() -> None:
    # SDK users reach for a training step's model_data; a bare AttributeError didn't say
    # where a tuning step's models are.
    step = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})

    with pytest.raises(AttributeError, match=r"TuningStep 'Tune' has no model_data: .*") as raised:
        step.model_data  # type: ignore[attr-defined]  # noqa: B018

    assert "tune.top_model_s3_uri(0)" in str(raised.value)
    with pytest.raises(AttributeError, match=r"^'TuningStep' object has no attribute 'modle'$"):
        step.modle  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(step, "__deepcopy_hook__")


def test_sdk_tuning_json_with_resource_config_and_several_algorithms_is_planned() -> None:
    # The SDK writes TrainingJobDefinition.ResourceConfig (not HyperParameterTuningResource-
    # Config) and, for HyperparameterTuner.create, TrainingJobDefinitions[*]: their keys,
    # roles, images and locations were not planned, so CreateGrant/PassRole were missing.
    def definition_of(output: str) -> dict[str, object]:
        return {
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": OTHER_ROLE,
            "OutputDataConfig": {"S3OutputPath": f"s3://models-bucket/{output}/"},
            "ResourceConfig": {"VolumeKmsKeyId": VOLUME_KEY},
            "CheckpointConfig": {"S3Uri": f"s3://models-bucket/{output}-checkpoints/"},
        }

    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Tune",
                "Type": "Tuning",
                "Arguments": {"TrainingJobDefinition": definition_of("one")},
            },
            {
                "Name": "TuneMany",
                "Type": "Tuning",
                "Arguments": {"TrainingJobDefinitions": [definition_of("two")]},
            },
        ],
    }

    plan = plan_permissions(definition)

    assert plan.kms_keys == [VOLUME_KEY]
    assert plan.passed_roles == [OTHER_ROLE]
    assert plan.images == [IMAGE]
    assert plan.writes == [
        S3Access("models-bucket", "one/"),
        S3Access("models-bucket", "one-checkpoints/"),
        S3Access("models-bucket", "two/"),
        S3Access("models-bucket", "two-checkpoints/"),
    ]


def test_a_tuning_jobs_spot_wait_without_spot_names_the_tuning_steps_argument(
    binder: StaticBinder, script: Path
) -> None:
    import dataclasses

    from cdk_sagemaker_pipelines.definition import validate_definition

    step, _, parameters = every_option(script)
    step = dataclasses.replace(step, depends_on=[])
    definition = PipelineDefinition(parameters=parameters, steps=[step]).to_definition(binder)
    (tune,) = [entry for entry in definition["Steps"] if entry["Name"] == "Tune"]
    job = tune["Arguments"]["TrainingJobDefinition"]
    job.pop("EnableManagedSpotTraining", None)
    job["StoppingCondition"]["MaxWaitTimeInSeconds"] = 7200

    [problem] = validate_definition(definition)

    field = "Arguments.TrainingJobDefinition.StoppingCondition.MaxWaitTimeInSeconds"
    assert (problem.step, problem.field) == ("Tune", field)
    assert problem.hint == (
        "remove the wait time, or turn on spot training (use_spot_instances=True on the "
        "TuningStep in Python)"
    )


# What the SDK's HyperparameterTuner takes beyond the ranges: random_seed, strategy_config,
# completion_criteria_config, max_runtime_in_seconds and warm_start_config.


def tuning(name: str = "Tune", **options: object) -> TuningStep:
    return TuningStep(
        name=name,
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        **options,  # type: ignore[arg-type]
    )


def test_tuner_options_render_as_the_sdk_writes_them(ctx: RenderContext) -> None:
    seed = ParameterInteger(name="Seed", default_value=7)
    step = tuning(
        strategy="Hyperband",
        max_jobs=30,
        random_seed=seed,
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=30),
        completion_criteria=TuningJobCompletionCriteria(
            max_number_of_training_jobs_not_improving=5,
            complete_on_convergence=False,
            target_objective_metric_value=0.95,
        ),
        max_tuning_runtime_in_seconds=36000,
    )

    config = step.to_request(ctx)["Arguments"]["HyperParameterTuningJobConfig"]

    # sagemaker 2.257.7's HyperparameterTuner(...).fit() in a TuningStep
    assert config["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 30,
        "MaxParallelTrainingJobs": 1,
        "MaxRuntimeInSeconds": 36000,
    }
    assert config["RandomSeed"] == {"Get": "Parameters.Seed"}
    assert config["StrategyConfig"] == {
        "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 30}
    }
    assert config["TuningJobCompletionCriteria"] == {
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
        "TargetObjectiveMetricValue": 0.95,
        "ConvergenceDetected": {"CompleteOnConvergence": "Disabled"},
    }


def test_warm_start_from_a_tuning_step_or_a_named_job(ctx: RenderContext) -> None:
    parent = tuning("Parent")
    step = tuning(
        warm_start=WarmStartConfig(
            warm_start_type="TransferLearning",
            parents=[parent, "tuning-2024-01", parent.properties.HyperParameterTuningJobName],
        )
    )

    arguments = step.to_request(ctx)["Arguments"]

    parent_name = {"Get": "Steps.Parent.HyperParameterTuningJobName"}
    assert arguments["WarmStartConfig"] == {
        "WarmStartType": "TransferLearning",
        "ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": parent_name},
            {"HyperParameterTuningJobName": "tuning-2024-01"},
            {"HyperParameterTuningJobName": parent_name},
        ],
    }
    # The parent runs first: it is a data dependency.
    assert ctx.referenced_steps == [parent]


def test_tuner_options_compile_to_a_valid_definition_in_order(binder: StaticBinder) -> None:
    parent = tuning(
        "Parent", strategy="Hyperband", strategy_config=HyperbandStrategyConfig(max_resource=9)
    )
    step = tuning(
        random_seed=1,
        warm_start=WarmStartConfig(warm_start_type="IdenticalDataAndAlgorithm", parents=[parent]),
    )

    definition = PipelineDefinition(steps=[step]).to_definition(binder)

    assert [entry["Name"] for entry in definition["Steps"]] == ["Parent", "Tune"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: WarmStartConfig(warm_start_type="Identical", parents=["p"]),
            "WarmStartConfig: warm_start_type 'Identical' is not one of "
            "IdenticalDataAndAlgorithm, TransferLearning",
        ),
        (
            lambda: WarmStartConfig(warm_start_type="TransferLearning", parents=[]),
            "WarmStartConfig: parents takes 1 to 5 tuning jobs (a list), got []",
        ),
        (
            lambda: WarmStartConfig(
                warm_start_type="TransferLearning", parents=[f"p{i}" for i in range(6)]
            ),
            "WarmStartConfig: parents takes 1 to 5 tuning jobs",
        ),
        (
            lambda: WarmStartConfig(
                warm_start_type="TransferLearning",
                parents=[tuning("Parent").properties.BestTrainingJob.TrainingJobName],
            ),
            "WarmStartConfig: parent Steps.Parent.BestTrainingJob.TrainingJobName is not a "
            "tuning job's name (pass the TuningStep itself, or its "
            "properties.HyperParameterTuningJobName)",
        ),
        (
            lambda: HyperbandStrategyConfig(min_resource=0),
            "HyperbandStrategyConfig: min_resource must be at least 1, got 0",
        ),
        (
            lambda: HyperbandStrategyConfig(min_resource=10, max_resource=5),
            "HyperbandStrategyConfig: min_resource 10 is more than max_resource 5",
        ),
        (
            lambda: TuningJobCompletionCriteria(max_number_of_training_jobs_not_improving=2),
            "TuningJobCompletionCriteria: max_number_of_training_jobs_not_improving must be "
            "at least 3, got 2",
        ),
        (
            lambda: tuning(warm_start={"WarmStartType": "TransferLearning"}),
            "TuningStep 'Tune': field 'warm_start' expects WarmStartConfig",
        ),
    ],
    ids=[
        "warm-start-type",
        "no-parent",
        "six-parents",
        "parent-not-a-tuning-job-name",
        "min-resource",
        "min-above-max",
        "not-improving",
        "raw-warm-start",
    ],
)
def test_fails_tuner_options(build: Callable[[], object], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_fails_strategy_config_without_hyperband_names_the_argument(binder: StaticBinder) -> None:
    step = tuning(strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=3))

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.field == "Arguments.HyperParameterTuningJobConfig.StrategyConfig"
    assert problem.argument == "strategy_config"
    assert problem.message == "StrategyConfig configures Hyperband, but the strategy is 'Bayesian'"


def test_fails_grid_search_over_continuous_or_integer_ranges(binder: StaticBinder) -> None:
    # The developer guide: "Only categorical parameters are supported when using the grid
    # search strategy". Was accepted, and the local runner then failed the continuous range
    # at run time and enumerated the integer one.
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        strategy="Grid",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0.01, max_value=0.3),
            "max_depth": IntegerParameter(min_value=2, max_value=4),
            "booster": CategoricalParameter(values=["gbtree", "dart"]),
        },
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    where = "Arguments.HyperParameterTuningJobConfig.ParameterRanges"
    assert [(p.step, p.field, p.argument, p.message) for p in caught.value.problems] == [
        (
            "Tune",
            f"{where}.ContinuousParameterRanges[0]",
            "hyperparameter_ranges",
            "the Grid strategy searches categorical ranges only, and 'eta' is continuous",
        ),
        (
            "Tune",
            f"{where}.IntegerParameterRanges[0]",
            "hyperparameter_ranges",
            "the Grid strategy searches categorical ranges only, and 'max_depth' is integer",
        ),
    ]
    assert caught.value.problems[0].hint == (
        "list the values to try (CategoricalParameter(values=[…]) in Python, "
        "CategoricalParameterRanges in JSON), or use the Random or Bayesian strategy"
    )


def test_fails_grid_search_whose_max_jobs_is_not_the_number_of_combinations(
    binder: StaticBinder,
) -> None:
    # The developer guide: if specified, MaxNumberOfTrainingJobs "should equal the total
    # number of distinct categorical combinations possible". Was accepted (and the local
    # runner ran the first max_jobs combinations).
    def grid(max_jobs: object) -> TuningStep:
        return TuningStep(
            name="Tune",
            image=IMAGE,
            objective_metric_name="validation:rmse",
            strategy="Grid",
            max_jobs=max_jobs,  # type: ignore[arg-type]
            hyperparameter_ranges={
                "booster": CategoricalParameter(values=["gbtree", "dart", "gbtree"]),
                "max_depth": CategoricalParameter(values=[2, 4, 6]),
            },
        )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[grid(4)]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message, problem.hint) == (
        "Tune",
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
        "max_jobs",
        "the Grid strategy runs every combination of the categorical values, 6 here, and "
        "MaxNumberOfTrainingJobs must equal that number, got 4",
        "leave it unset (max_jobs=None in Python): the grid decides the number of training jobs",
    )
    for accepted in (None, 6, ParameterInteger(name="Jobs", default_value=6)):
        parameters = [accepted] if isinstance(accepted, ParameterInteger) else []
        PipelineDefinition(steps=[grid(accepted)], parameters=parameters).to_definition(binder)


def test_fails_grid_search_whose_max_jobs_parameter_defaults_to_another_number(
    binder: StaticBinder,
) -> None:
    # Was accepted: only a literal was judged, and an execution keeping the default failed.
    jobs = ParameterInteger(name="Jobs", default_value=4)
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        strategy="Grid",
        max_jobs=jobs,
        hyperparameter_ranges={
            "booster": CategoricalParameter(values=["gbtree", "dart"]),
            "max_depth": CategoricalParameter(values=[2, 4, 6]),
        },
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step], parameters=[jobs]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message, problem.hint) == (
        "Tune",
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
        "max_jobs",
        "'Parameters.Jobs' may be 4: the Grid strategy runs every combination of "
        "the categorical values, 6 here, and MaxNumberOfTrainingJobs must equal that number",
        "leave it unset (max_jobs=None in Python): the grid decides the number of training "
        "jobs; a parameter given for it may only be 6",
    )


def test_a_grid_range_without_a_literal_name_is_still_named_by_its_position(
    binder: StaticBinder,
) -> None:
    step = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"booster": CategoricalParameter(values=["gbtree", "dart"])},
    )
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["Strategy"] = "Grid"
    config["ParameterRanges"]["IntegerParameterRanges"] = [{"MinValue": "1", "MaxValue": "3"}]

    grid = [p for p in validate_definition(definition) if "Grid" in p.message]

    assert [(p.field, p.message) for p in grid] == [
        (
            "Arguments.HyperParameterTuningJobConfig.ParameterRanges.IntegerParameterRanges[0]",
            "the Grid strategy searches categorical ranges only, and the range is integer",
        )
    ]


def test_fails_hyperband_min_resource_above_max_resource_in_a_json_definition(
    binder: StaticBinder,
) -> None:
    # The Python constructor refuses it; a definition written as JSON (or by the SDK) reaches
    # the validator with the two swapped.
    step = tuning(
        strategy="Hyperband",
        early_stopping_type="Off",
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=10),
    )
    definition = PipelineDefinition(steps=[step]).to_definition(binder)
    config = definition["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    config["StrategyConfig"]["HyperbandStrategyConfig"] = {"MinResource": 10, "MaxResource": 3}

    [problem] = validate_definition(definition)

    assert problem.step == "Tune"
    assert problem.field == (
        "Arguments.HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MinResource"
    )
    assert problem.message == "MinResource 10 is more than MaxResource 3"


def test_a_strategy_config_written_as_an_expression_is_one_problem(binder: StaticBinder) -> None:
    # An expression is a dict too: it used to be read as a config without a MaxResource.
    config = ParameterString(name="Config", default_value="{}")
    step = tuning(
        strategy="Hyperband",
        early_stopping_type="Off",
        strategy_config=HyperbandStrategyConfig(max_resource=10),
    )
    definition = PipelineDefinition(steps=[step], parameters=[config]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    arguments["HyperParameterTuningJobConfig"]["StrategyConfig"] = {"Get": "Parameters.Config"}

    [problem] = validate_definition(definition)

    assert problem.field == "Arguments.HyperParameterTuningJobConfig.StrategyConfig"
    assert problem.message.startswith("expected an object, got an expression")


def test_fails_tuning_runtime_below_the_api_minimum_names_the_argument(
    binder: StaticBinder,
) -> None:
    step = tuning(max_tuning_runtime_in_seconds=60)

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.argument == "max_tuning_runtime_in_seconds"


def test_warm_start_parent_runs_first_under_the_step_role_plan(binder: StaticBinder) -> None:
    parent = tuning("Parent")
    step = tuning(warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]))

    definition = PipelineDefinition(steps=[step]).to_definition(binder)

    assert validate_definition(definition) == []
    assert plan_permissions(definition).job_actions.keys() == {"Tuning"}


def test_a_warm_start_parent_of_the_pipeline_must_tune_like_the_child(
    binder: StaticBinder,
) -> None:
    parent = TuningStep(
        name="Parent",
        image=IMAGE,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0.01, max_value=0.3),
            "depth": IntegerParameter(min_value=2, max_value=8),
        },
        static_hyperparameters={"rounds": 50},
    )
    child = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={"depth": CategoricalParameter(values=["2", "4"])},
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[child]).to_definition(binder)

    found = [(p.step, p.field, p.argument, p.message) for p in raised.value.problems]
    where = "Arguments.WarmStartConfig.ParentHyperParameterTuningJobs[0]"
    prefix = "the warm start parent 'Parent' doesn't match: "
    assert found == [
        (
            "Tune",
            where,
            "warm_start",
            prefix + "its objective metric is 'validation:auc', this step's 'validation:rmse'",
        ),
        (
            "Tune",
            where,
            "warm_start",
            prefix + "it has 3 static plus tuned hyperparameters, this step 1",
        ),
        ("Tune", where, "warm_start", prefix + "'depth' is integer there, categorical here"),
    ]


def test_warm_start_counts_hyperparameters_of_json_that_leaves_out_a_range_kind(
    binder: StaticBinder,
) -> None:
    # The SDK writes all three range lists; JSON written by hand may leave out the empty ones.
    parent = tuning("Parent")
    child = tuning(warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]))
    definition = PipelineDefinition(steps=[child]).to_definition(binder)
    for step in definition["Steps"]:
        ranges = step["Arguments"]["HyperParameterTuningJobConfig"]["ParameterRanges"]
        for kind in ("Integer", "Categorical"):
            del ranges[f"{kind}ParameterRanges"]
    assert validate_definition(definition) == []
    job = next(s for s in definition["Steps"] if s["Name"] == "Parent")["Arguments"]
    job["TrainingJobDefinition"].setdefault("StaticHyperParameters", {})["rounds"] = "50"

    [problem] = validate_definition(definition)

    assert problem.message == (
        "the warm start parent 'Parent' doesn't match: it has 2 static plus tuned "
        "hyperparameters, this step 1"
    )


def _move_to_the_definition(arguments: dict[str, Any], *members: str) -> None:
    """Move the config's objective and/or ranges into the one TrainingJobDefinition."""
    config, job = arguments["HyperParameterTuningJobConfig"], arguments["TrainingJobDefinition"]
    own = {"HyperParameterTuningJobObjective": "TuningObjective"}
    for member in members:
        job[own.get(member, "HyperParameterRanges")] = config.pop(member)


def test_a_warm_start_compares_the_objective_and_ranges_a_definition_holds_itself(
    binder: StaticBinder,
) -> None:
    # One TrainingJobDefinition may carry its own TuningObjective and HyperParameterRanges
    # (the API's shape); the comparison reads what the job ranks and searches by.
    parent = tuning("Parent")
    child = tuning(warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]))
    definition = PipelineDefinition(steps=[child]).to_definition(binder)
    arguments = next(s for s in definition["Steps"] if s["Name"] == "Tune")["Arguments"]
    _move_to_the_definition(arguments, "HyperParameterTuningJobObjective", "ParameterRanges")
    assert validate_definition(definition) == []
    job = arguments["TrainingJobDefinition"]
    job["TuningObjective"]["MetricName"] = "validation:f1"
    ranges = job["HyperParameterRanges"]
    [eta] = ranges.pop("ContinuousParameterRanges")
    ranges["CategoricalParameterRanges"] = [{"Name": eta["Name"], "Values": ["0.1", "0.2"]}]

    problems = validate_definition(definition)

    prefix = "the warm start parent 'Parent' doesn't match: "
    assert [(p.step, p.field, p.message) for p in problems] == [
        (
            "Tune",
            "Arguments.WarmStartConfig.ParentHyperParameterTuningJobs[0]",
            prefix + "its objective metric is 'validation:rmse', this step's 'validation:f1'",
        ),
        (
            "Tune",
            "Arguments.WarmStartConfig.ParentHyperParameterTuningJobs[0]",
            prefix + "'eta' is continuous there, categorical here",
        ),
    ]


def test_ranges_a_single_definition_holds_itself_are_checked_like_the_configs(
    binder: StaticBinder,
) -> None:
    definition = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    _move_to_the_definition(arguments, "ParameterRanges")
    assert validate_definition(definition) == []
    ranges = arguments["TrainingJobDefinition"]["HyperParameterRanges"]
    ranges["IntegerParameterRanges"] = [{"Name": "depth", "MinValue": "0.5", "MaxValue": "8"}]

    [problem] = validate_definition(definition)

    assert (problem.step, problem.field) == (
        "Tune",
        "Arguments.TrainingJobDefinition.HyperParameterRanges.IntegerParameterRanges[0].MinValue",
    )
    assert problem.message == "an integer range needs whole numbers, got '0.5'"


@pytest.mark.parametrize(
    ("member", "own", "change"),
    [
        ("HyperParameterTuningJobObjective", "TuningObjective", {"MetricName": "validation:f1"}),
        (
            "ParameterRanges",
            "HyperParameterRanges",
            {"CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart"]}]},
        ),
    ],
    ids=["objective", "ranges"],
)
def test_a_single_definitions_objective_or_ranges_written_twice_must_agree(
    binder: StaticBinder, member: str, own: str, change: dict[str, Any]
) -> None:
    definition = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    config, job = arguments["HyperParameterTuningJobConfig"], arguments["TrainingJobDefinition"]
    job[own] = json.loads(json.dumps(config[member]))
    assert validate_definition(definition) == []  # the same in both places
    job[own].update(change)

    [problem] = validate_definition(definition)

    what = "objective" if own == "TuningObjective" else "ranges"
    assert (problem.step, problem.field) == ("Tune", f"Arguments.TrainingJobDefinition.{own}")
    assert problem.message == (
        f"the tuning job's {what} is written twice, differently: in "
        f"HyperParameterTuningJobConfig.{member} and in TrainingJobDefinition.{own}; which "
        "one a tuning job of one definition uses is undocumented"
    )
    assert str(problem.hint).startswith(f"keep one: HyperParameterTuningJobConfig.{member}")


@pytest.mark.parametrize(
    ("arguments", "missing"),
    [
        ({"HyperParameterTuningJobConfig": {}, "TrainingJobDefinition": {}}, True),
        (
            {
                "HyperParameterTuningJobConfig": {},
                "TrainingJobDefinition": {"StaticHyperParameters": {"num_epochs": "5"}},
            },
            False,
        ),
        (
            {
                "HyperParameterTuningJobConfig": {
                    "StrategyConfig": {"HyperbandStrategyConfig": {"MaxResource": 9}}
                },
                "TrainingJobDefinition": {},
            },
            False,
        ),
        # Not judged: known only at run time, or which job it infers from is undocumented.
        ({"HyperParameterTuningJobConfig": {"Get": "Parameters.Config"}}, False),
        ({"HyperParameterTuningJobConfig": {"StrategyConfig": {"Get": "Parameters.C"}}}, False),
        (
            {
                "HyperParameterTuningJobConfig": {
                    "StrategyConfig": {"HyperbandStrategyConfig": {"Get": "Parameters.C"}}
                }
            },
            False,
        ),
        ({"HyperParameterTuningJobConfig": {}, "TrainingJobDefinitions": [{}, {}]}, False),
        (
            {
                "HyperParameterTuningJobConfig": {},
                "TrainingJobDefinition": {"StaticHyperParameters": {"Get": "Parameters.S"}},
            },
            False,
        ),
    ],
    ids=[
        "no-epochs",
        "num-epochs",
        "max-resource",
        "config-expression",
        "strategy-config-expression",
        "hyperband-expression",
        "several-definitions",
        "static-expression",
    ],
)
def test_hyperband_max_resource_is_missing_only_when_surely_not_inferable(
    arguments: dict[str, Any], missing: bool
) -> None:
    assert hyperband_max_resource_missing(arguments) is missing


def test_a_warm_start_parent_that_tunes_alike_is_valid(binder: StaticBinder) -> None:
    parent = tuning("Parent", static_hyperparameters={"rounds": 50})
    # A static hyperparameter may become tuned and back, keeping the total (the API).
    child = TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="validation:rmse",
        hyperparameter_ranges={
            "eta": ContinuousParameter(min_value=0.01, max_value=0.3),
            "rounds": IntegerParameter(min_value=10, max_value=100),
        },
        warm_start=WarmStartConfig(warm_start_type="IdenticalDataAndAlgorithm", parents=[parent]),
    )

    definition = PipelineDefinition(steps=[child]).to_definition(binder)

    assert [entry["Name"] for entry in definition["Steps"]] == ["Parent", "Tune"]


def test_a_warm_start_counts_a_static_and_tuned_hyperparameter_once(
    binder: StaticBinder,
) -> None:
    # The SDK drops tuned names from the static ones: 'eta', static and tuned, counts once.
    parent = tuning("Parent", static_hyperparameters={"rounds": 50})
    alike = tuning(
        static_hyperparameters={"rounds": 50, "eta": 0.1},
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )
    # One static and one tuned on both sides, but the child's static is its tuned 'eta'.
    fewer = tuning(
        static_hyperparameters={"eta": 0.1},
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )

    PipelineDefinition(steps=[alike]).to_definition(binder)
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[fewer]).to_definition(binder)

    [problem] = raised.value.problems
    assert problem.message == (
        "the warm start parent 'Parent' doesn't match: it has 2 static plus tuned "
        "hyperparameters, this step 1"
    )


def test_a_tuned_hyperparameter_is_dropped_from_the_static_ones(ctx: RenderContext) -> None:
    # As the SDK's HyperparameterTuner does with its estimator's hyperparameters: the
    # tuning job gives 'eta' a value from the range, never the static 0.1.
    step = tuning(static_hyperparameters={"rounds": 50, "eta": 0.1})

    arguments = step.to_request(ctx)["Arguments"]

    assert arguments["TrainingJobDefinition"]["StaticHyperParameters"] == {"rounds": "50"}
    ranges = arguments["HyperParameterTuningJobConfig"]["ParameterRanges"]
    assert [entry["Name"] for entry in ranges["ContinuousParameterRanges"]] == ["eta"]


def test_static_hyperparameters_that_are_all_tuned_leave_none(ctx: RenderContext) -> None:
    step = tuning(static_hyperparameters={"eta": 0.1})

    assert "StaticHyperParameters" not in step.to_request(ctx)["Arguments"]["TrainingJobDefinition"]


def test_fails_a_tuning_job_reading_a_file_system_outside_a_vpc(binder: StaticBinder) -> None:
    efs = FileSystemInput(
        file_system_id="fs-0123456789abcdef0", file_system_type="EFS", directory_path="/train"
    )

    def tune(network: NetworkConfig | None) -> TuningStep:
        return TuningStep(
            name="Tune",
            image=IMAGE,
            inputs={"train": efs},
            objective_metric_name="validation:rmse",
            hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
            network=network,
        )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[tune(None)]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message) == (
        "Tune",
        "Arguments.TrainingJobDefinition.VpcConfig",
        "network",
        "channel 'train' (EFS fs-0123456789abcdef0) reads a file system, which a training job "
        "reaches only from inside a VPC, and the job has no VpcConfig",
    )
    vpc = NetworkConfig(subnets=["subnet-1"], security_group_ids=["sg-1"])
    compiled = PipelineDefinition(steps=[tune(vpc)]).to_definition(binder)
    job = compiled["Steps"][0]["Arguments"]["TrainingJobDefinition"]
    assert job["InputDataConfig"][0]["DataSource"]["FileSystemDataSource"]["FileSystemType"] == (
        "EFS"
    )


# -- the instances of a tuning job's training jobs (instance_settings_problems) --------------


def tuning_definition(binder: StaticBinder, **job: object) -> dict[str, Any]:
    """A one-step definition whose training definition has ``job``'s members replaced."""
    definition = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    replace_members(definition["Steps"][0]["Arguments"]["TrainingJobDefinition"], **job)
    return definition


FLEXIBLE = {
    "InstanceConfigs": [
        {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        {"InstanceType": "ml.c5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    ],
    "AllocationStrategy": "Prioritized",
}


def test_a_tuning_job_over_several_instance_configurations_is_valid(
    binder: StaticBinder,
) -> None:
    from cdk_sagemaker_pipelines.definition import validate_definition

    definition = tuning_definition(binder, HyperParameterTuningResourceConfig=FLEXIBLE)

    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("job", "field", "message"),
    [
        (
            {"HyperParameterTuningResourceConfig": None},
            "ResourceConfig",
            "the training definition says nothing of the instances its training jobs run on",
        ),
        (
            {"HyperParameterTuningResourceConfig": {**FLEXIBLE, "InstanceCount": 1}},
            "HyperParameterTuningResourceConfig.InstanceCount",
            "can't be set with InstanceConfigs: each instance configuration has its own",
        ),
        (
            {"HyperParameterTuningResourceConfig": {**FLEXIBLE, "VolumeSizeInGB": 30}},
            "HyperParameterTuningResourceConfig.VolumeSizeInGB",
            "can't be set with InstanceConfigs: each instance configuration has its own",
        ),
        (
            {"HyperParameterTuningResourceConfig": {"VolumeSizeInGB": 30}},
            "HyperParameterTuningResourceConfig",
            "sets no InstanceType and no InstanceCount, and no InstanceConfigs",
        ),
        (
            {
                "HyperParameterTuningResourceConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 30,
                }
            },
            "HyperParameterTuningResourceConfig.InstanceCount",
            "is missing: the training definition has an InstanceType but no number of instances",
        ),
        (
            {
                "ResourceConfig": {"InstanceCount": 1, "VolumeSizeInGB": 30},
                "HyperParameterTuningResourceConfig": FLEXIBLE,
            },
            "ResourceConfig",
            "sets no instance type: not InstanceType, InstanceGroups nor InstancePreferences",
        ),
        (
            {
                "HyperParameterTuningResourceConfig": None,
                "ResourceConfig": {"InstanceCount": 1, "VolumeSizeInGB": 30},
            },
            "ResourceConfig",
            "sets no instance type: not InstanceType, InstanceGroups nor InstancePreferences",
        ),
    ],
    ids=[
        "none",
        "configs-and-count",
        "configs-and-volume",
        "flexible-without-type",
        "flexible-without-count",
        "both-each-judged",
        "no-type",
    ],
)
def test_fails_a_tuning_job_unclear_about_its_instances(
    binder: StaticBinder, job: dict[str, object], field: str, message: str
) -> None:
    from cdk_sagemaker_pipelines.definition import validate_definition

    problems = validate_definition(tuning_definition(binder, **job))

    assert [(p.step, p.field, p.message) for p in problems] == [
        ("Tune", f"Arguments.TrainingJobDefinition.{field}", message)
    ]


def test_a_training_definition_with_both_resource_configurations_is_not_judged(
    binder: StaticBinder,
) -> None:
    # The API says to use HyperParameterTuningResourceConfig "instead" of ResourceConfig
    # for instance type flexibility; it doesn't say a definition with both is rejected.
    from cdk_sagemaker_pipelines.definition import validate_definition

    resources = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
    definition = tuning_definition(
        binder, ResourceConfig=resources, HyperParameterTuningResourceConfig=FLEXIBLE
    )

    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("job", "field"),
    [
        (
            {
                "HyperParameterTuningResourceConfig": None,
                "ResourceConfigs": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
            },
            "ResourceConfigs",
        ),
        (
            {
                "HyperParameterTuningResourceConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "InstanceCounts": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "HyperParameterTuningResourceConfig.InstanceCounts",
        ),
    ],
    ids=["resource-config", "instance-count"],
)
def test_a_misspelled_resource_member_of_a_tuning_job_is_one_problem(
    binder: StaticBinder, job: dict[str, object], field: str
) -> None:
    from cdk_sagemaker_pipelines.definition import validate_definition

    problems = validate_definition(tuning_definition(binder, **job))

    assert [(p.field, p.message.split(" (")[0]) for p in problems] == [
        (f"Arguments.TrainingJobDefinition.{field}", f"unknown member '{field.split('.')[-1]}'")
    ]


# Several algorithms in one tuning job: TrainingJobDefinitions, the SDK's
# HyperparameterTuner.create(estimator_dict=…) (test_sdk_generated compares with the SDK).


def algorithm(name: str = "xgboost", **options: object) -> TrainingJobDefinition:
    arguments: dict[str, object] = {
        "name": name,
        "image": XGBOOST,
        "inputs": {"train": "s3://data-bucket/train/"},
        "objective_metric_name": "validation:auc",
        "hyperparameter_ranges": {"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
        **options,
    }
    return TrainingJobDefinition(**arguments)  # type: ignore[arg-type]


def custom_algorithm(name: str = "custom", **options: object) -> TrainingJobDefinition:
    arguments: dict[str, object] = {
        "image": IMAGE,
        "inputs": {"train": "s3://data-bucket/features/"},
        "objective_metric_name": "val:auc",
        "metric_definitions": {"val:auc": "val_auc=([0-9.]+)"},
        "hyperparameter_ranges": {"lr": ContinuousParameter(min_value=1e-5, max_value=1e-2)},
        **options,
    }
    return algorithm(name, **arguments)


def multi(*definitions: TrainingJobDefinition, **options: object) -> TuningStep:
    return TuningStep(
        name="TuneAlgorithms",
        training_job_definitions=list(definitions or (algorithm(), custom_algorithm())),
        **options,  # type: ignore[arg-type]
    )


def test_several_algorithms_render_one_definition_each(ctx: RenderContext) -> None:
    step = multi(objective_type="Minimize", max_jobs=4, max_parallel_jobs=2)

    arguments = step.to_request(ctx)["Arguments"]

    # The objective and ranges move into each definition; the rest of the config stays.
    assert arguments["HyperParameterTuningJobConfig"] == {
        "Strategy": "Bayesian",
        "ResourceLimits": {"MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2},
        "TrainingJobEarlyStoppingType": "Off",
    }
    assert "TrainingJobDefinition" not in arguments
    xgboost, custom = arguments["TrainingJobDefinitions"]
    assert xgboost == {
        "RoleArn": ROLE,
        "OutputDataConfig": {"S3OutputPath": default_output("TuneAlgorithms", "model")},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "HyperParameterTuningResourceConfig": {
            "InstanceCount": 1,
            "InstanceType": "ml.m5.large",
            "VolumeSizeInGB": 30,
        },
        "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": XGBOOST},
        "InputDataConfig": [
            {
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": "s3://data-bucket/train/",
                        "S3DataDistributionType": "FullyReplicated",
                    }
                },
                "ChannelName": "train",
            }
        ],
        "DefinitionName": "xgboost",
        "TuningObjective": {"Type": "Minimize", "MetricName": "validation:auc"},
        "HyperParameterRanges": {
            "ContinuousParameterRanges": [
                {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.3", "ScalingType": "Auto"}
            ],
            "CategoricalParameterRanges": [],
            "IntegerParameterRanges": [],
        },
    }
    assert custom["DefinitionName"] == "custom"
    assert custom["TuningObjective"] == {"Type": "Minimize", "MetricName": "val:auc"}
    assert custom["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "val:auc", "Regex": "val_auc=([0-9.]+)"}
    ]
    assert ctx.problems == []


def test_each_definition_ships_its_own_script(ctx: RenderContext, tmp_path: Path) -> None:
    scripts = []
    for name in ("first.py", "second.py"):
        scripts.append(tmp_path / name)
        scripts[-1].write_text("print('train')\n")
    step = multi(
        custom_algorithm("first", code=Code.from_asset(str(scripts[0]))),
        custom_algorithm("second", code=Code.from_asset(str(scripts[1])), role=OTHER_ROLE),
    )

    first, second = step.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]

    assert first["StaticHyperParameters"]["sagemaker_program"] == "first.py"
    assert second["StaticHyperParameters"]["sagemaker_program"] == "second.py"
    assert first["InputDataConfig"][-1]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://b/code/first.py.tar.gz"
    )
    assert (first["RoleArn"], second["RoleArn"]) == (ROLE, OTHER_ROLE)
    assert ctx.problems == []


def test_several_algorithms_compile_to_a_valid_definition(binder: StaticBinder) -> None:
    step = multi(strategy="Random", max_jobs=6, random_seed=7)
    winner = step.properties.BestTrainingJob.TrainingJobDefinitionName
    later = LambdaStep(name="Report", function_arn=LAMBDA_ARN, inputs={"winner": winner})

    definition = PipelineDefinition(steps=[step, later]).to_definition(binder)

    assert definition["Steps"][1]["Arguments"]["winner"] == {
        "Get": "Steps.TuneAlgorithms.BestTrainingJob.TrainingJobDefinitionName"
    }


def test_fails_an_objective_a_definition_has_no_regex_for(binder: StaticBinder) -> None:
    step = multi(algorithm(), custom_algorithm(objective_metric_name="val:acc"))

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.field, problem.argument) == (
        "TuneAlgorithms",
        "Arguments.TrainingJobDefinitions[1].TuningObjective.MetricName",
        "training_job_definitions",
    )
    assert problem.message == (
        "the objective metric 'val:acc' of definition 'custom' has no MetricDefinitions "
        "regex, so the tuning job can't read it from the training log"
    )
    assert problem.hint == "did you mean 'val:auc'?"


def test_fails_a_range_of_one_definition_naming_it(binder: StaticBinder) -> None:
    backwards = {"lr": ContinuousParameter(min_value=0.1, max_value=0.01)}
    step = multi(algorithm(), custom_algorithm(hyperparameter_ranges=backwards))

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert problem.field == (
        "Arguments.TrainingJobDefinitions[1].HyperParameterRanges"
        ".ContinuousParameterRanges[0].MinValue"
    )
    assert problem.argument == "training_job_definitions"


def test_fails_json_definitions_of_one_name(binder: StaticBinder) -> None:
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    jobs = definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"]
    jobs[1]["DefinitionName"] = "xgboost"

    [problem] = validate_definition(definition)

    assert problem.field == "Arguments.TrainingJobDefinitions[1].DefinitionName"
    assert problem.message == (
        "the definition name 'xgboost' is also that of TrainingJobDefinitions[0]"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: TuningStep(name="Tune", estimator_dict={}),  # type: ignore[call-arg]
            "TuningStep 'Tune' takes no argument 'estimator_dict' (the SageMaker SDK's "
            "estimator_dict=; here: training_job_definitions=[TrainingJobDefinition("
            "name=<estimator name>, image=…",
        ),
        (
            lambda: multi(algorithm(), algorithm()),
            "TuningStep 'TuneAlgorithms': training_job_definitions has more than one "
            "definition named 'xgboost'; each name is unique",
        ),
        (
            lambda: multi(*(algorithm(f"a{index}") for index in range(11))),
            "TuningStep 'TuneAlgorithms': training_job_definitions takes 1 to 10 "
            "TrainingJobDefinitions (CreateHyperParameterTuningJob's limit), got 11",
        ),
        (
            lambda: TuningStep(name="TuneAlgorithms", training_job_definitions=[]),
            "training_job_definitions takes 1 to 10 TrainingJobDefinitions",
        ),
        (
            lambda: multi(image=IMAGE, instance_type="ml.m5.xlarge", input_mode="Pipe"),
            "TuningStep 'TuneAlgorithms': with training_job_definitions, each "
            "TrainingJobDefinition describes its own training job; move image=, "
            "instance_type=, input_mode= into each definition",
        ),
        (
            lambda: multi(objective_metric_name="validation:auc"),
            "move objective_metric_name= into each definition",
        ),
        (
            lambda: TuningStep(name="Tune", objective_metric_name="validation:auc"),
            "TuningStep 'Tune': missing image=, hyperparameter_ranges= (the training job to "
            "tune); or give training_job_definitions=[TrainingJobDefinition(…), …]",
        ),
        (
            lambda: algorithm("xgb_model"),
            "TrainingJobDefinition: name 'xgb_model' is not a definition name (1 to 64 "
            "letters, digits and hyphens",
        ),
        (
            lambda: algorithm("a" * 65),
            "is not a definition name",
        ),
        (
            # 33 letters between hyphens match the pattern; DefinitionName takes 64 characters.
            lambda: algorithm("a" + "-b" * 32),
            "is not a definition name",
        ),
        (
            lambda: multi(
                algorithm(),
                custom_algorithm(
                    code=Code.from_s3("s3://b/code.tar.gz", entry_point="t.py"),
                    inputs={"code": "s3://b/data/"},
                ),
            ),
            "TuningStep 'TuneAlgorithms', training job definition 'custom': the input channel "
            "'code' carries the step's code",
        ),
        (
            lambda: multi(algorithm(hyperparameter_ranges=["eta"])),
            "TrainingJobDefinition 'xgboost': field 'hyperparameter_ranges' expects",
        ),
    ],
    ids=[
        "sdk-estimator-dict",
        "duplicate-names",
        "eleven",
        "none",
        "job-arguments-on-the-step",
        "objective-on-the-step",
        "single-without-image",
        "underscore-in-name",
        "name-too-long",
        "hyphenated-name-too-long",
        "definition-channel-check",
        "definition-types",
    ],
)
def test_fails_several_algorithms(build: Callable[[], object], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_a_definition_name_of_64_characters_is_fine(ctx: RenderContext) -> None:
    name = "a" + "-b" * 31 + "c"

    step = multi(algorithm(name))

    [job] = step.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]
    assert (len(name), job["DefinitionName"]) == (64, name)


def test_ten_definitions_and_one_are_both_fine(ctx: RenderContext) -> None:
    ten = multi(*(algorithm(f"a{index}") for index in range(10)))
    one = multi(algorithm())

    assert len(ten.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]) == 10
    assert len(one.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]) == 1


def test_definition_arguments_are_a_single_tuning_steps_own() -> None:
    # A definition renders as a single-definition TuningStep of its arguments: same names,
    # same defaults (those a definition requires are optional on the step).
    import dataclasses

    from cdk_sagemaker_pipelines.definition.steps.tuning import DEFINITION_ARGUMENTS

    step_defaults = {item.name: item.default for item in dataclasses.fields(TuningStep)}
    for item in dataclasses.fields(TrainingJobDefinition):
        if item.name in DEFINITION_ARGUMENTS and item.default is not dataclasses.MISSING:
            assert step_defaults[item.name] == item.default, item.name
    assert set(DEFINITION_ARGUMENTS) <= set(step_defaults)


def test_top_model_uri_of_several_algorithms_under_a_shared_path(ctx: RenderContext) -> None:
    shared = "s3://models-bucket/tuning/"
    step = multi(algorithm(output_path=shared), custom_algorithm(output_path=shared))

    assert step.top_model_s3_uri(1).to_request(ctx) == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://models-bucket/tuning",
                {"Get": "Steps.TuneAlgorithms.TrainingJobSummaries[1].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }


def test_top_model_uri_of_several_algorithms_under_the_default_output(
    ctx: RenderContext,
) -> None:
    step = multi()

    assert step.top_model_s3_uri(0).to_request(ctx)["Std:Join"]["Values"][0] == {
        "Get": "Steps.TuneAlgorithms.TrainingJobDefinitions[0].OutputDataConfig.S3OutputPath"
    }


def test_fails_top_model_uri_of_definitions_writing_apart() -> None:
    step = multi(algorithm(output_path="s3://b/xgboost/"), custom_algorithm())

    with pytest.raises(PipelineDefinitionError) as caught:
        step.top_model_s3_uri(0)

    assert str(caught.value).startswith(
        "TuningStep 'TuneAlgorithms': top_model_s3_uri can't tell where the k-th best "
        "training job wrote its model: its training job definitions write under different "
        "output paths ('xgboost': 's3://b/xgboost/', 'custom': None); give every definition "
        "the same output_path"
    )


def test_each_definitions_image_role_inputs_and_outputs_are_planned(
    binder: StaticBinder,
) -> None:
    step = multi(
        algorithm(output_path="s3://models-bucket/xgboost/", volume_kms_key=VOLUME_KEY),
        custom_algorithm(
            role=OTHER_ROLE,
            output_path="s3://models-bucket/custom/",
            inputs={"train": TrainingInput(s3_data="s3://other-bucket/features/")},
        ),
    )

    plan = plan_permissions(PipelineDefinition(steps=[step]).to_definition(binder))

    assert plan.images == [XGBOOST, IMAGE]
    assert plan.passed_roles == [ROLE, OTHER_ROLE]
    assert plan.kms_keys == [VOLUME_KEY]
    assert S3Access("data-bucket", "train/") in plan.reads
    assert S3Access("other-bucket", "features/") in plan.reads
    assert plan.writes == [
        S3Access("models-bucket", "xgboost/"),
        S3Access("models-bucket", "custom/"),
    ]


def test_fails_a_warm_start_or_early_stopping_of_several_algorithms(
    binder: StaticBinder,
) -> None:
    # The developer guide: "Warm starting and early stopping are available only when tuning a
    # single algorithm". The SDK writes both; CreateHyperParameterTuningJob refuses them.
    parent = TuningStep(
        name="Parent",
        image=XGBOOST,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    )
    step = multi(
        early_stopping_type="Auto",
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[parent]),
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[parent, step]).to_definition(binder)

    assert [(p.step, p.field, p.argument) for p in caught.value.problems] == [
        ("TuneAlgorithms", "Arguments.WarmStartConfig", "warm_start"),
        (
            "TuneAlgorithms",
            "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
            "early_stopping_type",
        ),
    ]
    warm, early = caught.value.problems
    assert warm.message == (
        "a warm start is available only to a tuning job of one algorithm, and this one tunes "
        "2 training job definitions (TrainingJobDefinitions)"
    )
    assert early.message.startswith("early stopping ('Auto') is available only to a tuning job")
    assert early.hint is not None
    assert early.hint.startswith("set it to 'Off'")


def test_early_stopping_of_several_algorithms_under_hyperband_is_one_problem(
    binder: StaticBinder,
) -> None:
    # Both rules want it 'Off' (Hyperband's and the one-algorithm rule): one field, one fix,
    # reported once (was twice).
    step = multi(
        strategy="Hyperband",
        early_stopping_type="Auto",
        max_jobs=4,
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=3),
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.field, problem.message) == (
        "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
        "the Hyperband strategy needs early stopping Off, got 'Auto'",
    )


def test_a_json_tuning_job_of_several_algorithms_is_judged_alike(binder: StaticBinder) -> None:
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    assert validate_definition(definition) == []
    arguments["WarmStartConfig"] = {
        "WarmStartType": "IdenticalDataAndAlgorithm",
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "earlier"}],
    }

    [problem] = validate_definition(definition)

    assert problem.field == "Arguments.WarmStartConfig"


@pytest.mark.parametrize(
    ("several", "path", "message"),
    [
        (
            True,
            "TrainingJobDefinition.OutputDataConfig.S3OutputPath",
            "tunes 2 training job definitions (TrainingJobDefinitions), so it has no "
            "TrainingJobDefinition",
        ),
        (
            True,
            "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName",
            "so it has no HyperParameterTuningJobConfig.HyperParameterTuningJobObjective",
        ),
        (
            True,
            "TrainingJobDefinitions[2].DefinitionName",
            "has 2 training job definitions, so TrainingJobDefinitions has no position 2",
        ),
        (
            False,
            "TrainingJobDefinitions[0].OutputDataConfig.S3OutputPath",
            "tunes one training job definition (TrainingJobDefinition), so it has no "
            "TrainingJobDefinitions",
        ),
        # Structures: reported as absent, not also as "a structure, not a value".
        (
            True,
            "HyperParameterTuningJobConfig.ParameterRanges",
            "so it has no HyperParameterTuningJobConfig.ParameterRanges",
        ),
        (True, "TrainingJobDefinitions[2]", "so TrainingJobDefinitions has no position 2"),
        (
            False,
            "TrainingJobDefinitions[0]",
            "tunes one training job definition (TrainingJobDefinition), so it has no "
            "TrainingJobDefinitions",
        ),
    ],
    ids=[
        "single-job-of-several",
        "config-objective-of-several",
        "past-the-last",
        "several-of-one",
        "config-ranges-structure-of-several",
        "past-the-last-structure",
        "several-structure-of-one",
    ],
)
def test_fails_a_property_of_the_other_kind_of_tuning_job(
    binder: StaticBinder, several: bool, path: str, message: str
) -> None:
    # DescribeHyperParameterTuningJob echoes the request: the members of the other kind are
    # absent, and the step reading one fails when the execution runs.
    step = multi() if several else TuningStep(name="TuneAlgorithms", **one_algorithm())
    later = LambdaStep(
        name="Report",
        function_arn=LAMBDA_ARN,
        inputs={"value": getattr_path(step, path)},
    )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step, later]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.step, problem.argument) == ("Report", "inputs")
    assert message in problem.message


def test_properties_of_each_definition_are_valid(binder: StaticBinder) -> None:
    step = multi()
    later = LambdaStep(
        name="Report",
        function_arn=LAMBDA_ARN,
        inputs={
            "second": step.properties.TrainingJobDefinitions[1].DefinitionName,
            "metric": step.properties.TrainingJobDefinitions[0].TuningObjective.MetricName,
            "winner": step.properties.BestTrainingJob.TrainingJobDefinitionName,
        },
    )

    PipelineDefinition(steps=[step, later]).to_definition(binder)


ALGORITHM_PARAMETER = {"Get": "Parameters.Algorithm"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda jobs: jobs.append("custom"),
            [("Arguments.TrainingJobDefinitions[2]", "expected an object, got 'custom' (str)")],
        ),
        # A parameter's names are known at run time only: not judged, however many share one.
        (
            lambda jobs: [job.update(DefinitionName=ALGORITHM_PARAMETER) for job in jobs],
            [],
        ),
    ],
    ids=["not-an-object", "named-by-a-parameter"],
)
def test_json_definitions_names_are_judged_where_literal(
    binder: StaticBinder, change: Callable[[list[Any]], object], expected: list[tuple[str, str]]
) -> None:
    definition = PipelineDefinition(
        steps=[multi()], parameters=[ParameterString("Algorithm", default_value="xgboost")]
    ).to_definition(binder)
    change(definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"])

    problems = validate_definition(definition)

    assert [(problem.field, problem.message) for problem in problems] == expected


def one_algorithm() -> dict[str, Any]:
    return {
        "image": XGBOOST,
        "inputs": {"train": "s3://data-bucket/train/"},
        "objective_metric_name": "validation:auc",
        "hyperparameter_ranges": {"eta": ContinuousParameter(min_value=0.01, max_value=0.3)},
    }


def getattr_path(step: TuningStep, path: str) -> Any:
    """``step.properties`` followed down ``path`` (``A.B[2].C``)."""
    value: Any = step.properties
    for name, index in re.findall(r"([A-Za-z0-9]+)(?:\[(\d+)\])?", path):
        value = getattr(value, name)
        if index:
            value = value[int(index)]
    return value


def test_fails_json_tuning_jobs_of_both_or_neither_training_job_forms(
    binder: StaticBinder,
) -> None:
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    single = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    arguments["TrainingJobDefinition"] = single["Steps"][0]["Arguments"]["TrainingJobDefinition"]

    [both] = validate_definition(definition)

    assert (both.step, both.field, both.message) == (
        "TuneAlgorithms",
        "Arguments.TrainingJobDefinitions",
        "a tuning job takes TrainingJobDefinition (one algorithm) or TrainingJobDefinitions "
        "(several), not both",
    )
    del arguments["TrainingJobDefinition"], arguments["TrainingJobDefinitions"]

    [neither] = validate_definition(definition)

    assert (neither.field, neither.message) == (
        "Arguments.TrainingJobDefinition",
        "a tuning job needs the training jobs it runs: TrainingJobDefinition (one algorithm) "
        "or TrainingJobDefinitions (several), and it has neither",
    )
    assert neither.hint is not None
    assert "training_job_definitions" in neither.hint


def reader(value: object) -> LambdaStep:
    return LambdaStep(name="Report", function_arn=LAMBDA_ARN, inputs={"value": value})


def test_fails_grid_search_of_several_algorithms_as_of_one(binder: StaticBinder) -> None:
    # Each definition's ranges are judged as a single definition's are, and the job count
    # is that of all their grids: xgboost's 2 combinations and custom's 3.
    grid = multi(
        algorithm(hyperparameter_ranges={"depth": CategoricalParameter(values=[2, 4])}),
        custom_algorithm(),
        strategy="Grid",
        max_jobs=4,
    )
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[grid]).to_definition(binder)

    assert [(p.field, p.message) for p in caught.value.problems] == [
        (
            "Arguments.TrainingJobDefinitions[1].HyperParameterRanges.ContinuousParameterRanges[0]",
            "the Grid strategy searches categorical ranges only, and 'lr' is continuous",
        ),
    ]

    def whole(max_jobs: int) -> TuningStep:
        return multi(
            algorithm(hyperparameter_ranges={"depth": CategoricalParameter(values=[2, 4])}),
            custom_algorithm(hyperparameter_ranges={"lr": CategoricalParameter(values=[1, 2, 3])}),
            strategy="Grid",
            max_jobs=max_jobs,
        )

    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[whole(4)]).to_definition(binder)

    [problem] = caught.value.problems
    assert (problem.field, problem.message) == (
        "Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
        "the Grid strategy runs every combination of the categorical values, 5 here, and "
        "MaxNumberOfTrainingJobs must equal that number, got 4",
    )
    PipelineDefinition(steps=[whole(5)]).to_definition(binder)


def test_fails_json_tuning_jobs_without_an_objective(binder: StaticBinder) -> None:
    # Optional in the shape, but a tuning job ranks its jobs by one: nothing to rank by.
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    del definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"][1]["TuningObjective"]

    [several] = validate_definition(definition)

    assert (several.step, several.field) == (
        "TuneAlgorithms",
        "Arguments.TrainingJobDefinitions[1].TuningObjective",
    )
    assert several.message == (
        "a tuning job ranks its training jobs by an objective metric, and "
        "TrainingJobDefinitions[1] has none (nor has "
        "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective)"
    )
    assert several.hint is not None
    assert "objective_metric_name=" in several.hint

    single = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    config = single["Steps"][0]["Arguments"]["HyperParameterTuningJobConfig"]
    objective = config.pop("HyperParameterTuningJobObjective")

    [one] = validate_definition(single)

    assert (one.step, one.field, one.message) == (
        "Tune",
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective",
        "a tuning job ranks its training jobs by an objective metric, and this one has none "
        "(here or in TrainingJobDefinition.TuningObjective)",
    )
    # The definition's own objective is one too.
    single["Steps"][0]["Arguments"]["TrainingJobDefinition"]["TuningObjective"] = objective
    assert validate_definition(single) == []


def test_a_definition_without_its_own_objective_may_take_the_configs(
    binder: StaticBinder,
) -> None:
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    objective = arguments["TrainingJobDefinitions"][1].pop("TuningObjective")
    arguments["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = objective

    assert validate_definition(definition) == []


def test_fails_json_definitions_of_differing_objective_types(binder: StaticBinder) -> None:
    # Their jobs are ranked together; the SDK's HyperparameterTuner.create takes one type.
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    jobs = definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"]
    assert jobs[0]["TuningObjective"]["Type"] == "Maximize"
    jobs[1]["TuningObjective"]["Type"] = "Minimize"

    [problem] = validate_definition(definition)

    assert (problem.step, problem.field, problem.message) == (
        "TuneAlgorithms",
        "Arguments.TrainingJobDefinitions[1].TuningObjective.Type",
        "the objective type 'Minimize' differs from 'Maximize' of TrainingJobDefinitions[0]: "
        "the tuning job ranks the training jobs of all its definitions together, by one type",
    )
    jobs[1]["TuningObjective"]["Type"] = {"Get": "Parameters.Goal"}
    definition["Parameters"] = [{"Name": "Goal", "Type": "String", "DefaultValue": "Maximize"}]
    assert validate_definition(definition) == []
    # A parameter is judged by its default: the type an execution that sets nothing runs.
    definition["Parameters"][0]["DefaultValue"] = "Minimize"

    [by_default] = validate_definition(definition)

    assert (by_default.field, by_default.message) == (
        "Arguments.TrainingJobDefinitions[1].TuningObjective.Type",
        "the objective type Minimize ('Parameters.Goal' by default) differs from 'Maximize' "
        "of TrainingJobDefinitions[0]: the tuning job ranks the training jobs of all its "
        "definitions together, by one type",
    )
    del definition["Parameters"][0]["DefaultValue"]
    assert validate_definition(definition) == []


def test_fails_an_objective_taken_from_the_other_place_that_its_job_cant_read(
    binder: StaticBinder,
) -> None:
    # The objective a job ranks by is checked for its regex wherever it is written: a
    # definition without its own takes the config's, one algorithm without the config's
    # takes its TuningObjective (the runner reads them so).
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    del arguments["TrainingJobDefinitions"][1]["TuningObjective"]  # 'custom', val:auc
    arguments["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = {
        "Type": "Maximize",
        "MetricName": "val:f1",
    }

    [several] = validate_definition(definition)

    assert (several.step, several.field, several.message) == (
        "TuneAlgorithms",
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.MetricName",
        "the objective metric 'val:f1' of definition 'custom' has no MetricDefinitions regex, "
        "so the tuning job can't read it from the training log",
    )

    step = tuning(metric_definitions={"validation:rmse": r"rmse=([0-9.]+)"})
    single = PipelineDefinition(steps=[step]).to_definition(binder)
    arguments = single["Steps"][0]["Arguments"]
    objective = arguments["HyperParameterTuningJobConfig"].pop("HyperParameterTuningJobObjective")
    arguments["TrainingJobDefinition"]["TuningObjective"] = objective | {"MetricName": "rmse"}

    [one] = validate_definition(single)

    assert (one.step, one.field) == (
        "Tune",
        "Arguments.TrainingJobDefinition.TuningObjective.MetricName",
    )
    assert one.message.startswith("the objective metric 'rmse' has no MetricDefinitions regex")
    assert one.hint == "did you mean 'validation:rmse'?"


def test_fails_definitions_whose_taken_objective_differs_in_type(binder: StaticBinder) -> None:
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    arguments = definition["Steps"][0]["Arguments"]
    objective = arguments["TrainingJobDefinitions"][1].pop("TuningObjective")
    shared = objective | {"Type": "Minimize"}
    arguments["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = shared

    [problem] = validate_definition(definition)

    assert (problem.field, problem.message) == (
        "Arguments.TrainingJobDefinitions[1].TuningObjective.Type",
        "the objective type 'Minimize' (the config's HyperParameterTuningJobObjective, which "
        "TrainingJobDefinitions[1] takes for want of a TuningObjective) differs from "
        "'Maximize' of TrainingJobDefinitions[0]: the tuning job ranks the training jobs of "
        "all its definitions together, by one type",
    )


def test_fails_json_tuning_jobs_whose_definitions_are_null(binder: StaticBinder) -> None:
    # A null member is absent (the shape check and the runner take it so): no training jobs.
    definition = PipelineDefinition(steps=[multi()]).to_definition(binder)
    definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"] = None

    [problem] = validate_definition(definition)

    assert (problem.field, problem.message) == (
        "Arguments.TrainingJobDefinition",
        "a tuning job needs the training jobs it runs: TrainingJobDefinition (one algorithm) "
        "or TrainingJobDefinitions (several), and it has neither",
    )

    single = PipelineDefinition(steps=[tuning()]).to_definition(binder)
    arguments = single["Steps"][0]["Arguments"]
    arguments["TrainingJobDefinitions"] = None
    assert validate_definition(single) == []
    del arguments["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    [missing] = validate_definition(single)
    assert missing.field == (
        "Arguments.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective"
    )


def test_a_tuning_config_of_the_wrong_shape_is_reported_once(binder: StaticBinder) -> None:
    # It may hold the objective: only its shape is reported, not a missing objective.
    for step in (tuning(), multi()):
        definition = PipelineDefinition(steps=[step]).to_definition(binder)
        arguments = definition["Steps"][0]["Arguments"]
        for job in arguments.get("TrainingJobDefinitions", []):
            del job["TuningObjective"]
        arguments["HyperParameterTuningJobConfig"] = []

        [problem] = validate_definition(definition)

        assert (problem.field, problem.message) == (
            "Arguments.HyperParameterTuningJobConfig",
            "expected an object, got [] (list)",
        )


def test_a_json_tuning_jobs_config_objective_beside_several_definitions_may_be_read(
    binder: StaticBinder,
) -> None:
    # Written for the definitions without their own, it is described as given.
    step = multi()
    later = LambdaStep(
        name="Report",
        function_arn=LAMBDA_ARN,
        inputs={"metric": step.properties.TrainingJobDefinitions[1].TuningObjective.MetricName},
    )
    definition = PipelineDefinition(steps=[step, later]).to_definition(binder)
    report = definition["Steps"][1]["Arguments"]
    report["metric"] = {
        "Get": "Steps.TuneAlgorithms.HyperParameterTuningJobConfig"
        ".HyperParameterTuningJobObjective.MetricName"
    }

    [absent] = validate_definition(definition)  # not written: absent, as before

    assert absent.step == "Report"
    assert "so it has no HyperParameterTuningJobConfig.HyperParameterTuningJobObjective" in (
        absent.message
    )
    arguments = definition["Steps"][0]["Arguments"]
    objective = arguments["TrainingJobDefinitions"][1].pop("TuningObjective")
    arguments["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] = objective
    assert validate_definition(definition) == []


# Managed spot training and checkpoints: the SDK writes an estimator's use_spot_instances,
# max_wait and checkpoint_s3_uri into the tuning job's training job definition(s).
SPOT: dict[str, Any] = {
    "use_spot_instances": True,
    "max_runtime_in_seconds": 3600,
    "max_wait_in_seconds": 7200,
    "checkpoint_s3_uri": "s3://models-bucket/checkpoints/",
}


def test_spot_training_and_checkpoints_of_one_algorithm_render_as_the_sdk_writes_them(
    ctx: RenderContext,
) -> None:
    job = tuning(inputs={"train": "s3://data-bucket/train/"}, **SPOT).to_request(ctx)["Arguments"][
        "TrainingJobDefinition"
    ]

    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert job["EnableManagedSpotTraining"] is True
    assert job["CheckpointConfig"] == {"S3Uri": "s3://models-bucket/checkpoints/"}
    # Where SageMaker SDK 2.257 writes them: after the channels.
    keys = list(job)
    assert keys.index("InputDataConfig") < keys.index("EnableManagedSpotTraining")
    assert keys.index("EnableManagedSpotTraining") < keys.index("CheckpointConfig")
    assert (
        "EnableManagedSpotTraining"
        not in tuning().to_request(ctx)["Arguments"]["TrainingJobDefinition"]
    )


def test_each_algorithm_has_its_own_spot_training_and_checkpoints(ctx: RenderContext) -> None:
    step = multi(algorithm(**SPOT), custom_algorithm())

    spot, on_demand = step.to_request(ctx)["Arguments"]["TrainingJobDefinitions"]

    assert spot["EnableManagedSpotTraining"] is True
    assert spot["CheckpointConfig"] == {"S3Uri": "s3://models-bucket/checkpoints/"}
    assert spot["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert "EnableManagedSpotTraining" not in on_demand
    assert "CheckpointConfig" not in on_demand
    assert on_demand["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}


def test_spot_tuning_compiles_valid_and_plans_the_checkpoints(binder: StaticBinder) -> None:
    definition = PipelineDefinition(steps=[multi(algorithm(**SPOT), custom_algorithm())])

    compiled = definition.to_definition(binder)

    assert validate_definition(compiled) == []
    plan = plan_permissions(compiled)
    # The jobs write their checkpoints and read them back when resumed.
    assert S3Access("models-bucket", "checkpoints/") in plan.writes
    assert S3Access("models-bucket", "checkpoints/") in plan.reads


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: tuning(use_spot_instances=True),
            "TuningStep 'Tune': use_spot_instances needs max_wait_in_seconds",
        ),
        (
            lambda: multi(algorithm(use_spot_instances=True)),
            "TuningStep 'TuneAlgorithms', training job definition 'xgboost': "
            "use_spot_instances needs max_wait_in_seconds",
        ),
        (
            lambda: multi(use_spot_instances=True, max_wait_in_seconds=7200),
            "TuningStep 'TuneAlgorithms': with training_job_definitions, each "
            "TrainingJobDefinition describes its own training job; move "
            "use_spot_instances=, max_wait_in_seconds= into each definition",
        ),
    ],
)
def test_fails_spot_tuning_settings(build: Callable[[], object], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_fails_a_definitions_spot_wait_shorter_than_its_run(binder: StaticBinder) -> None:
    step = multi(algorithm(**{**SPOT, "max_wait_in_seconds": 600}))

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = raised.value.problems
    assert (problem.step, problem.field, problem.argument, problem.message) == (
        "TuneAlgorithms",
        "Arguments.TrainingJobDefinitions[0].StoppingCondition.MaxWaitTimeInSeconds",
        "training_job_definitions",
        "MaxWaitTimeInSeconds 600 is less than MaxRuntimeInSeconds 3600",
    )
    assert problem.hint is not None
    assert "max_wait_in_seconds >= max_runtime_in_seconds" in problem.hint


def test_a_definitions_spot_wait_without_spot_names_its_own_argument(
    binder: StaticBinder,
) -> None:
    step = multi(algorithm(max_runtime_in_seconds=3600, max_wait_in_seconds=7200))

    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(binder)

    [problem] = raised.value.problems
    assert (problem.field, problem.message, problem.hint) == (
        "Arguments.TrainingJobDefinitions[0].StoppingCondition.MaxWaitTimeInSeconds",
        "MaxWaitTimeInSeconds is only supported with managed spot training "
        "(EnableManagedSpotTraining true)",
        "remove the wait time, or turn on spot training (use_spot_instances=True on the "
        "TrainingJobDefinition in Python)",
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # The SDK's tuner drops an estimator's keep-alive period: no warm pool to ask for.
        (
            lambda: tuning(keep_alive_period_in_seconds=600),
            "TuningStep 'Tune' takes no argument 'keep_alive_period_in_seconds' (the SageMaker "
            "SDK's keep_alive_period_in_seconds=; here: warm pools are TrainingStep's only "
            "(keep_alive_period_in_seconds=): the SDK's tuner drops an estimator's "
            "keep_alive_period_in_seconds, and a tuning job's training jobs keep no warm pool)",
        ),
        (
            lambda: algorithm(keep_alive_period_in_seconds=600),
            "TrainingJobDefinition 'xgboost' takes no argument 'keep_alive_period_in_seconds' "
            "(the SageMaker SDK's keep_alive_period_in_seconds=; here: warm pools are "
            "TrainingStep's only",
        ),
        # An estimator's spot and size settings, as on the steps.
        (
            lambda: algorithm(max_wait=7200),
            "TrainingJobDefinition 'xgboost' takes no argument 'max_wait' (the SageMaker SDK's "
            "max_wait=; here: max_wait_in_seconds=)",
        ),
        (
            lambda: algorithm(max_run=3600),
            "TrainingJobDefinition 'xgboost' takes no argument 'max_run' (the SageMaker SDK's "
            "max_run=; here: max_runtime_in_seconds=)",
        ),
        (
            lambda: algorithm(volume_size=50),
            "TrainingJobDefinition 'xgboost' takes no argument 'volume_size' (the SageMaker "
            "SDK's volume_size=; here: volume_size_in_gb=)",
        ),
    ],
    ids=["tuning-keep-alive", "definition-keep-alive", "max-wait", "max-run", "volume-size"],
)
def test_fails_sdk_spot_and_checkpoint_names_with_what_to_write(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape(message)):
        build()


def test_a_tuning_steps_checkpoint_local_path_and_retries_render_in_its_training_job(
    binder: StaticBinder,
) -> None:
    attempts = ParameterInteger(name="RetryAttempts", default_value=2)
    step = tuning(
        checkpoint_s3_uri="s3://models-bucket/checkpoints/",
        checkpoint_local_path="/opt/ml/ckpt",
        max_retry_attempts=attempts,
    )

    definition = PipelineDefinition(parameters=[attempts], steps=[step]).to_definition(binder)

    job = definition["Steps"][0]["Arguments"]["TrainingJobDefinition"]
    assert job["CheckpointConfig"] == {
        "S3Uri": "s3://models-bucket/checkpoints/",
        "LocalPath": "/opt/ml/ckpt",
    }
    assert job["RetryStrategy"] == {"MaximumRetryAttempts": {"Get": "Parameters.RetryAttempts"}}
    assert "KeepAlivePeriodInSeconds" not in job["HyperParameterTuningResourceConfig"]
    assert validate_definition(definition) == []


def test_each_training_job_definition_has_its_own_checkpoint_path_and_retries(
    binder: StaticBinder,
) -> None:
    retried = algorithm(
        checkpoint_s3_uri="s3://models-bucket/checkpoints/",
        checkpoint_local_path="/opt/ml/ckpt",
        max_retry_attempts=3,
    )
    plain = algorithm("plain")

    definition = PipelineDefinition(steps=[multi(retried, plain)]).to_definition(binder)

    first, second = definition["Steps"][0]["Arguments"]["TrainingJobDefinitions"]
    assert first["CheckpointConfig"]["LocalPath"] == "/opt/ml/ckpt"
    assert first["RetryStrategy"] == {"MaximumRetryAttempts": 3}
    assert list(first)[-1] == "RetryStrategy"  # where the SDK writes it: after the ranges
    assert "RetryStrategy" not in second
    assert "CheckpointConfig" not in second
    assert validate_definition(definition) == []


def test_fails_a_definitions_checkpoint_local_path_without_its_s3_uri() -> None:
    with pytest.raises(PipelineDefinitionError) as raised:
        multi(algorithm(checkpoint_local_path="/opt/ml/ckpt"))
    assert str(raised.value).startswith(
        "TuningStep 'TuneAlgorithms', training job definition 'xgboost': "
        "checkpoint_local_path needs checkpoint_s3_uri"
    )


def test_fails_checkpoint_local_path_beside_training_job_definitions() -> None:
    with pytest.raises(PipelineDefinitionError, match=re.escape("move checkpoint_local_path=")):
        multi(algorithm(), checkpoint_local_path="/opt/ml/ckpt")


@pytest.mark.parametrize(
    ("config", "job", "found"),
    [
        (
            {"ParameterRanges": {"a": 1}},
            {"HyperParameterRanges": {"b": 2}},
            ({"a": 1}, "HyperParameterTuningJobConfig.ParameterRanges"),
        ),
        (
            {},
            {"HyperParameterRanges": {"b": 2}},
            ({"b": 2}, "TrainingJobDefinition.HyperParameterRanges"),
        ),
        # Neither: the config's field is the one to name (where the SDK writes it).
        ({}, {}, (None, "HyperParameterTuningJobConfig.ParameterRanges")),
        (
            {},
            {"HyperParameterRanges": None},
            (None, "HyperParameterTuningJobConfig.ParameterRanges"),
        ),
        ({}, None, (None, "HyperParameterTuningJobConfig.ParameterRanges")),
    ],
)
def test_a_single_definitions_member_is_the_configs_else_its_own(
    config: dict[str, Any], job: Any, found: tuple[Any, str]
) -> None:
    assert single_definition_member(config, job, "ranges") == found


def test_the_code_channel_of_a_pipe_tuning_job_is_read_in_file_mode(
    binder: StaticBinder, script: Path
) -> None:
    # As for a TrainingStep: the archive sagemaker_submit_directory names must be a file.
    single = tuning(
        code=Code.from_asset(script),
        input_mode="Pipe",
        metric_definitions={"validation:rmse": "rmse=([0-9.]+)"},
    )
    several = multi(custom_algorithm("custom", code=Code.from_asset(script), input_mode="Pipe"))

    for step, jobs in (
        (single, lambda arguments: [arguments["TrainingJobDefinition"]]),
        (several, lambda arguments: arguments["TrainingJobDefinitions"]),
    ):
        definition = PipelineDefinition(steps=[step]).to_definition(binder)
        (job,) = jobs(definition["Steps"][0]["Arguments"])
        assert job["AlgorithmSpecification"]["TrainingInputMode"] == "Pipe"
        assert job["InputDataConfig"][-1]["ChannelName"] == "code"
        assert job["InputDataConfig"][-1]["InputMode"] == "File"
        assert validate_definition(definition) == []
        # Without it, the validator names the tuning job's field.
        del job["InputDataConfig"][-1]["InputMode"]
        member = "TrainingJobDefinition" if step is single else "TrainingJobDefinitions[0]"
        fields = [problem.field for problem in validate_definition(definition)]
        assert fields == [f"Arguments.{member}.AlgorithmSpecification.TrainingInputMode"]
