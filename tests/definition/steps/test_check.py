"""QualityCheckStep and ClarifyCheckStep render the CreateProcessingJob request of their job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    ClarifyCheckStep,
    Code,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    DriftCheckBaselines,
    Image,
    MetricsSource,
    ModelBiasCheckConfig,
    ModelExplainabilityCheckConfig,
    ModelMetrics,
    ModelQualityCheckConfig,
    ParameterBoolean,
    ParameterFloat,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    PropertyPathError,
    QualityCheckStep,
    RegisterModel,
    S3Location,
    StaticBinder,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._errors import UnknownArgumentError
from cdk_sagemaker_pipelines.definition._render import RenderContext
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.conftest import ROLE
from tests.definition.steps.conftest import IMAGE, default_output

MONITOR = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
CLARIFY = "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"
ANALYSIS = "s3://my-bucket/clarify/analysis_config.json"


def data_quality(**fields: Any) -> QualityCheckStep:
    config = fields.pop(
        "quality_check_config",
        DataQualityCheckConfig(
            baseline_dataset="s3://data/train/", dataset_format=DatasetFormat.csv()
        ),
    )
    return QualityCheckStep(name="DataQuality", quality_check_config=config, **fields)


def data_bias(**fields: Any) -> ClarifyCheckStep:
    config = fields.pop(
        "clarify_check_config",
        DataBiasCheckConfig(dataset="s3://data/train/", analysis_config=ANALYSIS),
    )
    return ClarifyCheckStep(name="DataBias", clarify_check_config=config, **fields)


def s3_input(name: str, uri: Any, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None",
        },
    }


def test_data_quality_check_renders_the_model_monitor_job(ctx: RenderContext) -> None:
    assert data_quality().to_request(ctx) == {
        "Name": "DataQuality",
        "Type": "QualityCheck",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {"ImageUri": MONITOR},
            "RoleArn": ROLE,
            "ProcessingInputs": [
                s3_input(
                    "baseline_dataset_input",
                    "s3://data/train/",
                    "/opt/ml/processing/input/baseline_dataset_input",
                )
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "quality_check_output",
                        "AppManaged": False,
                        "S3Output": {
                            # The binder's per-execution location, as for processing outputs.
                            "S3Uri": default_output("DataQuality", "quality_check_output"),
                            "LocalPath": "/opt/ml/processing/output",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
            "Environment": {
                "output_path": "/opt/ml/processing/output",
                "publish_cloudwatch_metrics": "Disabled",
                "dataset_format": '{"csv": {"header": true, "output_columns_position": "START"}}',
                "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
            },
        },
        "CheckType": "DATA_QUALITY",
        "SkipCheck": False,
        "FailOnViolation": True,
        "RegisterNewBaseline": False,
    }


def test_data_bias_check_renders_the_clarify_job(ctx: RenderContext) -> None:
    skip = ParameterBoolean(name="SkipCheck", default_value=False)
    step = data_bias(
        skip_check=skip,
        model_package_group_name="churn",
        supplied_baseline_constraints="s3://my-bucket/baselines/bias.json",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config=ANALYSIS, output_s3_uri="s3://out/bias"
        ),
    )
    entry = step.to_request(ctx)
    arguments = entry.pop("Arguments")
    assert entry == {
        "Name": "DataBias",
        "Type": "ClarifyCheck",
        "CheckType": "DATA_BIAS",
        "ModelPackageGroupName": "churn",
        "SkipCheck": {"Get": "Parameters.SkipCheck"},
        "FailOnViolation": True,
        "RegisterNewBaseline": False,
        "SuppliedBaselineConstraints": "s3://my-bucket/baselines/bias.json",
    }
    assert arguments["AppSpecification"] == {"ImageUri": CLARIFY}
    assert arguments["ProcessingInputs"] == [
        s3_input("analysis_config", ANALYSIS, "/opt/ml/processing/input/config"),
        s3_input("dataset", "s3://data/train/", "/opt/ml/processing/input/data"),
    ]
    assert arguments["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"] == "s3://out/bias"
    assert "Environment" not in arguments


def test_model_checks_name_their_model(ctx: RenderContext) -> None:
    for config in (ModelBiasCheckConfig, ModelExplainabilityCheckConfig):
        step = data_bias(
            clarify_check_config=config(
                dataset="s3://data/test/", analysis_config=ANALYSIS, model_name="churn-model"
            )
        )
        entry = step.to_request(ctx)
        assert (entry["CheckType"], entry["ModelName"]) == (config.check_type, "churn-model")


def test_model_quality_check_passes_its_attributes_as_strings(ctx: RenderContext) -> None:
    threshold = ParameterString(name="Threshold", default_value="0.5")
    step = data_quality(
        quality_check_config=ModelQualityCheckConfig(
            baseline_dataset="s3://data/predictions/",
            dataset_format=DatasetFormat.json(lines=False),
            problem_type="Regression",
            inference_attribute=0,
            probability_threshold_attribute=threshold,
        ),
        environment={"team": "ml"},
    )
    environment = step.to_request(ctx)["Arguments"]["Environment"]
    assert environment == {
        "team": "ml",
        "output_path": "/opt/ml/processing/output",
        "publish_cloudwatch_metrics": "Disabled",
        "dataset_format": '{"json": {"lines": false}}',
        "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
        "analysis_type": "MODEL_QUALITY",
        "problem_type": "Regression",
        "inference_attribute": "0",
        "probability_threshold_attribute": {"Get": "Parameters.Threshold"},
    }


def test_dataset_formats_are_written_as_the_sdk_writes_them() -> None:
    assert DatasetFormat.csv(header=False).to_environment() == (
        '{"csv": {"header": false, "output_columns_position": "START"}}'
    )
    assert DatasetFormat.json().to_environment() == '{"json": {"lines": true}}'
    assert DatasetFormat.parquet().to_environment() == '{"parquet": {}}'


def test_local_scripts_are_staged_and_named_in_the_environment(
    ctx: RenderContext, tmp_path: Path
) -> None:
    script = tmp_path / "record.py"
    script.write_text("def preprocess_handler(record): ...\n")
    step = data_quality(
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data/train/",
            dataset_format=DatasetFormat.csv(),
            record_preprocessor_script=Code.from_asset(script),
        )
    )
    arguments = step.to_request(ctx)["Arguments"]
    assert arguments["ProcessingInputs"][1] == s3_input(
        "record_preprocessor_script_input",
        "s3://b/code/record.py",
        "/opt/ml/processing/input/record_preprocessor_script_input",
    )
    assert arguments["Environment"]["record_preprocessor_script"] == (
        "/opt/ml/processing/input/record_preprocessor_script_input/record.py"
    )


def test_check_job_settings_and_binder_defaults(ctx: RenderContext) -> None:
    step = data_quality(
        image=IMAGE,
        instance_type="ml.c5.xlarge",
        instance_count=2,
        max_runtime_in_seconds=1800,
        role="arn:aws:iam::111122223333:role/Other",
        extra_arguments={"Tags": [{"Key": "team", "Value": "ml"}]},
    )
    arguments = step.to_request(ctx)["Arguments"]
    assert arguments["AppSpecification"] == {"ImageUri": IMAGE}
    assert arguments["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 2
    assert arguments["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    assert arguments["RoleArn"] == "arn:aws:iam::111122223333:role/Other"
    assert arguments["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_analyzer_images_resolve_per_region() -> None:
    binder = StaticBinder(region="eu-west-1")
    assert binder.bind_image(Image.model_monitor(), step_name="Check") == (
        "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    )
    assert binder.bind_image(Image.clarify(), step_name="Check") == (
        "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0"
    )


def test_properties_are_the_check_step_metadata() -> None:
    quality, bias = data_quality(), data_bias()
    assert quality.properties.CalculatedBaselineStatistics.to_request() == {
        "Get": "Steps.DataQuality.CalculatedBaselineStatistics"
    }
    assert bias.properties.BaselineUsedForDriftCheckConstraints.value_type == "String"
    with pytest.raises(PropertyPathError, match="did you mean 'CalculatedBaselineConstraints'"):
        _ = bias.properties.CalculatedBaselineStatistics  # type: ignore[attr-defined]


def registration(quality: QualityCheckStep, bias: ClarifyCheckStep) -> RegisterModel:
    return RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=IMAGE,
        model_data="s3://models/model.tar.gz",
        model_metrics=ModelMetrics(
            data_statistics=MetricsSource(s3_uri=quality.properties.CalculatedBaselineStatistics),
            data_constraints=MetricsSource(s3_uri=quality.properties.CalculatedBaselineConstraints),
            bias_pre_training_report=MetricsSource(
                s3_uri=bias.properties.CalculatedBaselineConstraints
            ),
        ),
        drift_check_baselines=DriftCheckBaselines(
            data_statistics=MetricsSource(
                s3_uri=quality.properties.BaselineUsedForDriftCheckStatistics
            ),
            bias_pre_training_constraints=MetricsSource(
                s3_uri=bias.properties.BaselineUsedForDriftCheckConstraints
            ),
        ),
    )


class RetainingBinder(StaticBinder):
    """Marks retained outputs, as the CDK binder puts them under ``models/``."""

    def default_output_uri(
        self, *, step_name: str, output_name: str, retained: bool = False
    ) -> Any:
        return f"s3://my-bucket/{'models' if retained else 'executions'}/{step_name}/{output_name}"


def test_registration_reads_the_check_baselines_and_keeps_them() -> None:
    quality, bias = data_quality(), data_bias()
    pipeline = PipelineDefinition(steps=[registration(quality, bias)])
    definition = pipeline.to_definition(RetainingBinder(region="us-east-1", role_arn=ROLE))
    assert validate_definition(definition) == []
    steps = {step["Name"]: step for step in definition["Steps"]}
    metrics = steps["Register"]["Arguments"]["ModelMetrics"]
    assert metrics["Bias"]["PreTrainingReport"]["S3Uri"] == {
        "Get": "Steps.DataBias.CalculatedBaselineConstraints"
    }
    # A registered version refers to the baselines: they outlive the execution.
    for name, output in (("DataQuality", "quality_check_output"), ("DataBias", "analysis_result")):
        s3_output = steps[name]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
        assert s3_output["S3Uri"] == f"s3://my-bucket/models/{name}/{output}"


def test_unregistered_check_outputs_are_not_retained() -> None:
    definition = PipelineDefinition(steps=[data_quality()]).to_definition(
        RetainingBinder(region="us-east-1", role_arn=ROLE)
    )
    s3_output = definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]
    assert (
        s3_output["S3Output"]["S3Uri"]
        == "s3://my-bucket/executions/DataQuality/quality_check_output"
    )


def test_both_check_steps_are_cached_and_their_cache_config_checked() -> None:
    # The SDK's QualityCheckStep and ClarifyCheckStep both take cache_config.
    cache = CacheConfig(expire_after="P30D")
    steps = [data_quality(cache_config=cache), data_bias(cache_config=cache)]
    definition = PipelineDefinition(steps=steps).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    assert validate_definition(definition) == []
    for step in definition["Steps"]:
        step["CacheConfig"]["ExpireAfter"] = "30 days"
    problems = validate_definition(definition)
    assert sorted((problem.step, problem.field) for problem in problems) == [
        ("DataBias", "CacheConfig.ExpireAfter"),
        ("DataQuality", "CacheConfig.ExpireAfter"),
    ]


def test_fails_a_property_the_check_step_does_not_have_in_json() -> None:
    definition = PipelineDefinition(steps=[data_bias()]).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    definition["Steps"].append(
        {
            "Name": "Fail",
            "Type": "Fail",
            "Arguments": {"ErrorMessage": {"Get": "Steps.DataBias.CalculatedBaselineStatistics"}},
        }
    )
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("Fail", "Arguments.ErrorMessage")
    assert "has no property 'CalculatedBaselineStatistics'" in problem.message


def test_python_check_steps_are_planned_as_processing_jobs() -> None:
    quality = data_quality(
        supplied_baseline_statistics=S3Location.from_bucket("baselines", "dq/statistics.json"),
        supplied_baseline_constraints="s3://baselines/dq/constraints.json",
    )
    bias = data_bias(model_package_group_name="churn")
    definition = PipelineDefinition(steps=[registration(quality, bias)]).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    plan = plan_permissions(definition, pipeline_name="Checks")
    assert plan.unplanned_steps == []
    assert list(plan.job_actions) == ["Processing"]
    assert plan.passed_roles == [ROLE]
    assert {
        S3Access("baselines", "dq/statistics.json"),
        S3Access("baselines", "dq/constraints.json"),
        S3Access("my-bucket", "clarify/analysis_config.json"),
        S3Access("data", "train/"),
        # The calculated baselines, where the check jobs write them.
        S3Access("my-bucket", "Checks/DataQuality/*/quality_check_output"),
        S3Access("my-bucket", "Checks/DataBias/*/analysis_result"),
    } <= set(plan.reads)
    assert plan.registry_baseline_checks == [("DataBias", "churn")]
    assert MONITOR in plan.images
    assert CLARIFY in plan.images


def test_check_configs_and_baselines_read_local_files_shipped_as_assets(
    tmp_path: Path, binder: StaticBinder
) -> None:
    analysis = tmp_path / "analysis_config.json"
    analysis.write_text('{"methods": {}}')
    constraints = tmp_path / "constraints.json"
    constraints.write_text("{}")
    bias = data_bias(
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config=S3Location.from_asset(analysis)
        ),
        supplied_baseline_constraints=S3Location.from_asset(constraints),
    )

    definition = PipelineDefinition(steps=[bias]).to_definition(binder)

    (entry,) = definition["Steps"]
    assert entry["Arguments"]["ProcessingInputs"][0] == s3_input(
        "analysis_config", "s3://b/code/analysis_config.json", "/opt/ml/processing/input/config"
    )
    assert entry["SuppliedBaselineConstraints"] == "s3://b/code/constraints.json"
    plan = plan_permissions(definition, pipeline_name="Checks")
    assert {
        S3Access("b", "code/analysis_config.json"),
        S3Access("b", "code/constraints.json"),
    } <= set(plan.reads)
    assert not [write for write in plan.writes if write.bucket == "b"]


def test_fails_an_asset_as_a_check_output_names_step_and_field(
    tmp_path: Path, binder: StaticBinder
) -> None:
    results = tmp_path / "results.json"
    results.write_text("{}")
    bias = data_bias(
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/",
            analysis_config=ANALYSIS,
            output_s3_uri=S3Location.from_asset(results),
        )
    )

    problems = PipelineDefinition(steps=[bias]).validate(binder)

    assert [(problem.step, problem.field, problem.message) for problem in problems] == [
        (
            "DataBias",
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            f"an asset is read-only: S3Location.from_asset({str(results)!r}) can't receive "
            "what the job writes",
        )
    ]


# -- construction errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: data_quality(
                quality_check_config=DataBiasCheckConfig(dataset="s3://d", analysis_config=ANALYSIS)
            ),
            "QualityCheckStep 'DataQuality': quality_check_config= takes DataQualityCheckConfig "
            "or ModelQualityCheckConfig, got DataBiasCheckConfig (a DATA_BIAS check: use "
            "ClarifyCheckStep(clarify_check_config=…))",
        ),
        (
            lambda: data_bias(
                clarify_check_config=DataQualityCheckConfig(
                    baseline_dataset="s3://d", dataset_format=DatasetFormat.csv()
                )
            ),
            "ClarifyCheckStep 'DataBias': clarify_check_config= takes DataBiasCheckConfig or "
            "ModelBiasCheckConfig or ModelExplainabilityCheckConfig, got DataQualityCheckConfig "
            "(a DATA_QUALITY check: use QualityCheckStep(quality_check_config=…))",
        ),
        (
            lambda: data_quality(skip_check=ParameterString(name="Skip")),
            "QualityCheckStep 'DataQuality': skip_check= takes True, False or a Boolean "
            "parameter, got ParameterString 'Skip' (a String)",
        ),
        (
            lambda: data_quality(fail_on_violation="false"),
            "QualityCheckStep 'DataQuality': field 'fail_on_violation' expects bool or "
            "Expression, got str 'false'",
        ),
        (
            lambda: data_quality(
                quality_check_config=DataQualityCheckConfig(
                    baseline_dataset="data/train.csv", dataset_format=DatasetFormat.csv()
                )
            ),
            "QualityCheckStep 'DataQuality': quality_check_config.baseline_dataset "
            "'data/train.csv' is not an S3 URI (give s3://bucket/key, an S3Location or an "
            "expression; the check's job reads it from S3, nothing is uploaded)",
        ),
        (
            lambda: data_bias(
                clarify_check_config=DataBiasCheckConfig(
                    dataset="s3://d", analysis_config="analysis_config.json"
                )
            ),
            "ClarifyCheckStep 'DataBias': clarify_check_config.analysis_config "
            "'analysis_config.json' is not an S3 URI",
        ),
        (
            lambda: data_quality(supplied_baseline_statistics="statistics.json"),
            "QualityCheckStep 'DataQuality': supplied_baseline_statistics 'statistics.json' is "
            "not an S3 URI",
        ),
        (
            lambda: DataQualityCheckConfig(
                baseline_dataset="s3://d",
                dataset_format={"csv": {"header": True}},  # type: ignore[arg-type]
            ),
            "DataQualityCheckConfig: field 'dataset_format' expects DatasetFormat, got dict",
        ),
        (
            lambda: ModelQualityCheckConfig(
                baseline_dataset="s3://d", dataset_format=DatasetFormat.csv(), problem_type="Binary"
            ),
            "ModelQualityCheckConfig: problem_type 'Binary' is not one of Regression, "
            "BinaryClassification, MulticlassClassification",
        ),
        (
            lambda: DatasetFormat.csv(output_columns_position="MIDDLE"),  # type: ignore[arg-type]
            "DatasetFormat: field 'output_columns_position' expects 'START' or 'END'",
        ),
        # Were rendered into the analyzer's environment ('nan', '-5', ''), failing only
        # when the check ran.
        (
            lambda: model_quality_config(probability_threshold_attribute=float("nan")),
            "ModelQualityCheckConfig: probability_threshold_attribute nan is not a finite "
            "number (give the probability above which a prediction counts as positive, e.g. 0.5)",
        ),
        (
            lambda: model_quality_config(probability_threshold_attribute=float("inf")),
            "ModelQualityCheckConfig: probability_threshold_attribute inf is not a finite number",
        ),
        (
            lambda: model_quality_config(probability_threshold_attribute="half"),
            "ModelQualityCheckConfig: probability_threshold_attribute 'half' is not a finite "
            "number",
        ),
        (
            lambda: model_quality_config(inference_attribute=-5),
            "ModelQualityCheckConfig: inference_attribute -5 is not a column index (columns "
            "count from 0)",
        ),
        (
            lambda: model_quality_config(ground_truth_attribute=""),
            "ModelQualityCheckConfig: ground_truth_attribute is '' (give a column index, e.g. 0, "
            "a CSV column name such as '_c0', or a JSON path such as 'prediction')",
        ),
        (
            lambda: model_quality_config(probability_attribute=" "),
            "ModelQualityCheckConfig: probability_attribute is ' '",
        ),
    ],
    ids=[
        "clarify-config-in-quality-step",
        "quality-config-in-clarify-step",
        "string-parameter-flag",
        "string-flag",
        "local-dataset",
        "local-analysis-config",
        "local-supplied-statistics",
        "dataset-format-dict",
        "problem-type",
        "output-columns-position",
        "threshold-nan",
        "threshold-infinite",
        "threshold-text",
        "negative-column",
        "empty-attribute",
        "blank-attribute",
    ],
)
def test_fails_bad_check_input_at_construction(build: Any, message: str) -> None:
    with pytest.raises(PipelineDefinitionError) as caught:
        build()
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("analysis_config", "shown"),
    [
        ("s3://my-bucket/clarify/bias.json", "s3://my-bucket/clarify/bias.json"),
        (S3Location.from_uri("s3://my-bucket/config.json"), "s3://my-bucket/config.json"),
        (
            S3Location.from_bucket("my-bucket", "clarify/bias-config.json"),
            "clarify/bias-config.json",
        ),
    ],
    ids=["uri", "location-uri", "bucket-key"],
)
def test_fails_an_analysis_config_file_clarify_would_not_find(
    analysis_config: Any, shown: str
) -> None:
    # Clarify reads analysis_config.json in its config input, where an S3Prefix input of
    # one object lands under the object's own name: the job would fail only when it runs.
    with pytest.raises(PipelineDefinitionError) as caught:
        ClarifyCheckStep(
            name="ModelBias",
            clarify_check_config=ModelBiasCheckConfig(
                dataset="s3://data/test/", analysis_config=analysis_config, model_name="m"
            ),
        )
    assert str(caught.value) == (
        f"ClarifyCheckStep 'ModelBias': clarify_check_config.analysis_config {shown!r} is a "
        f"file named {shown.rsplit('/', 1)[-1]!r}, but Clarify reads its analysis "
        "configuration as analysis_config.json (name the object …/analysis_config.json, or "
        "give the prefix holding it)"
    )


@pytest.mark.parametrize(
    "analysis_config",
    [
        ANALYSIS,
        "s3://my-bucket/clarify/",  # a prefix holding analysis_config.json
        "s3://my-bucket/clarify/bias",
        S3Location.from_bucket("my-bucket", "clarify/analysis_config.json"),
        ParameterString(name="AnalysisConfig"),
    ],
    ids=["file", "prefix", "prefix-without-slash", "bucket-key", "parameter"],
)
def test_accepts_an_analysis_config_clarify_finds(analysis_config: Any) -> None:
    data_bias(
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config=analysis_config
        )
    )


def model_quality_config(**attributes: Any) -> ModelQualityCheckConfig:
    return ModelQualityCheckConfig(
        baseline_dataset="s3://d",
        dataset_format=DatasetFormat.csv(),
        problem_type="BinaryClassification",
        **attributes,
    )


@pytest.mark.parametrize(
    "attributes",
    [
        {"inference_attribute": 0, "probability_threshold_attribute": 0.5},
        {"inference_attribute": "_c0", "probability_threshold_attribute": "0.5"},
        {"probability_attribute": ParameterString(name="Column")},
        {"probability_threshold_attribute": ParameterFloat(name="Threshold")},
        {"ground_truth_attribute": "${Token[TOKEN.1]}"},
    ],
    ids=["index-and-number", "name-and-text", "parameter", "threshold-parameter", "token"],
)
def test_model_quality_attributes_of_the_right_kind_pass(attributes: dict[str, Any]) -> None:
    model_quality_config(**attributes)


@pytest.mark.parametrize(
    ("code", "what"),
    [
        (Code.from_s3("s3://b/scripts/src.tar.gz", entry_point="pre.py"), "the archive"),
        (Code.from_s3("s3://b/scripts/"), "the prefix"),
    ],
    ids=["archive", "prefix"],
)
def test_fails_an_s3_archive_or_prefix_as_a_script(code: Code, what: str) -> None:
    # Were accepted: the job copied the archive unopened (or the prefix) and the analyzer
    # was told to run .../pre.py (or the directory), which fails only when the check runs.
    with pytest.raises(PipelineDefinitionError) as caught:
        data_quality(
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset="s3://d",
                dataset_format=DatasetFormat.csv(),
                record_preprocessor_script=code,
            )
        )
    assert str(caught.value).startswith(
        f"QualityCheckStep 'DataQuality': quality_check_config.record_preprocessor_script is "
        f"{what} {code.s3_uri!r}; the analyzer runs one Python file, copied as it is"
    )


def test_fails_an_environment_variable_the_step_writes_from_its_config() -> None:
    # Was silently replaced by the config's value, as the SDK's _generate_env_map does.
    with pytest.raises(PipelineDefinitionError) as caught:
        data_quality(environment={"dataset_format": '{"json": {}}', "LOG_LEVEL": "debug"})
    assert str(caught.value) == (
        "QualityCheckStep 'DataQuality': environment sets 'dataset_format', which the step "
        "writes from quality_check_config= (give dataset_format= instead)"
    )


def test_fails_a_directory_as_a_script(source_dir: Path) -> None:
    with pytest.raises(PipelineDefinitionError, match="the analyzer runs one Python file"):
        data_quality(
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset="s3://d",
                dataset_format=DatasetFormat.csv(),
                post_analytics_processor_script=Code.from_asset(source_dir, entry_point="run.py"),
            )
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: data_bias(supplied_baseline_statistics="s3://b/stats.json"),
            "ClarifyCheckStep 'DataBias' takes no argument 'supplied_baseline_statistics' (the "
            "SageMaker SDK's supplied_baseline_statistics=; here: a Clarify check compares "
            "constraints only: supplied_baseline_constraints= (statistics are a "
            "QualityCheckStep's))",
        ),
        (
            lambda: data_quality(check_job_config=object()),
            "QualityCheckStep 'DataQuality' takes no argument 'check_job_config' (the SageMaker "
            "SDK's check_job_config=; here: the job's settings are the step's own: "
            "instance_type=,",
        ),
        (
            lambda: data_bias(retry_policies=[]),
            "ClarifyCheckStep 'DataBias' takes no argument 'retry_policies'",
        ),
        (
            lambda: DataBiasCheckConfig(
                dataset="s3://d",
                analysis_config=ANALYSIS,
                data_config=1,  # type: ignore[call-arg]
            ),
            "DataBiasCheckConfig takes no argument 'data_config' (the SageMaker SDK's "
            "data_config=; here: dataset=",
        ),
    ],
    ids=["supplied-statistics-on-clarify", "check-job-config", "retries", "data-config"],
)
def test_fails_arguments_the_check_steps_do_not_take(build: Any, message: str) -> None:
    with pytest.raises(UnknownArgumentError) as caught:
        build()
    assert str(caught.value).startswith(message)


def test_fails_a_dataset_parameter_that_is_not_a_string_naming_the_argument() -> None:
    threshold = ParameterBoolean(name="Flag")
    step = data_quality(
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset=threshold, dataset_format=DatasetFormat.csv()
        )
    )
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(parameters=[threshold], steps=[step]).compile(
            StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
        )
    [problem] = caught.value.problems
    assert (problem.field, problem.argument) == (
        "Arguments.ProcessingInputs[0].S3Input.S3Uri",
        "quality_check_config.baseline_dataset",
    )


def test_fails_an_analyzer_image_in_a_region_without_it() -> None:
    step = data_quality()
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[step]).compile(
            StaticBinder(region="ap-south-2", role_arn=ROLE, default_bucket="my-bucket")
        )
    problem = caught.value.problems[0]
    assert (problem.field, problem.argument) == ("Arguments.AppSpecification.ImageUri", "image")
    assert problem.message == "model-monitor images are not published in 'ap-south-2'"
