"""Problems of pipelines built in Python name the keyword argument behind their field.

Every field a step renders maps to one of the step's own dataclass fields (so a renderer
that gains a field without a mapping fails here), the messages read as documented, and
problems of definition JSON, which has no Python arguments, are printed as before.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    AutoMLInput,
    AutoMLStep,
    CacheConfig,
    CallbackStep,
    CategoricalParameter,
    ClarifyCheckStep,
    Code,
    ComputeResourceRequirements,
    ConditionGreaterThanOrEqualTo,
    ConditionStep,
    Container,
    ContinuousParameter,
    DataBiasCheckConfig,
    DataCaptureConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    EMRStep,
    EndpointConfigStep,
    EndpointStep,
    FailStep,
    InferenceComponentStep,
    IntegerParameter,
    LambdaStep,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    MetadataProperties,
    MetricsSource,
    ModelBiasCheckConfig,
    ModelMetrics,
    ModelQualityCheckConfig,
    ModelStep,
    NetworkConfig,
    OutputType,
    PipelineDefinition,
    PipelineValidationError,
    Problem,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    ProductionVariant,
    PropertyFile,
    QualityCheckStep,
    RawStep,
    RegisterModel,
    SageMakerJobStepRetryPolicy,
    SealStep,
    ServerlessConfig,
    Step,
    StepOutput,
    StepRetryPolicy,
    TrainingInput,
    TrainingStep,
    TransformStep,
    TuningStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import _MEMBER_NAME, RenderContext
from tests.definition.catalogue_helpers import BINDER, IMAGE

KEY = "arn:aws:kms:us-east-1:111122223333:key/k"
OTHER_ROLE = "arn:aws:iam::111122223333:role/Other"
NETWORK = NetworkConfig(
    subnets=["subnet-1"],
    security_group_ids=["sg-1"],
    enable_network_isolation=True,
    enable_inter_container_traffic_encryption=True,
)
COMMON: dict[str, Any] = {
    "display_name": "Display",
    "description": "Described",
    "depends_on": ["Other"],
}
JOB_RETRIES: list[StepRetryPolicy | SageMakerJobStepRetryPolicy] = [
    StepRetryPolicy(max_attempts=2),
    SageMakerJobStepRetryPolicy(expire_after_mins=30),
]
# Request members only extra_arguments set: a leaf path of each maps to extra_arguments.
EXTRA = {"Tags": [{"Key": "team", "Value": "ml"}]}
REPORT = PropertyFile(name="Report", output_name="evaluation", path="evaluation.json")


def processing(**fields: Any) -> ProcessingStep:
    return ProcessingStep(
        name="Prep",
        image=IMAGE,
        arguments=["--mode", "full"],
        inputs=[ProcessingInput(source="s3://b/raw", destination="/opt/ml/processing/raw")],
        outputs=[
            "evaluation",
            ProcessingOutput(
                output_name="train", source="/opt/ml/processing/train", destination="s3://b/t"
            ),
        ],
        property_files=[REPORT],
        instance_type="ml.m5.xlarge",
        instance_count=2,
        volume_size_in_gb=50,
        volume_kms_key=KEY,
        output_kms_key=KEY,
        environment={"mode": "full"},
        max_runtime_in_seconds=3600,
        network=NETWORK,
        role=OTHER_ROLE,
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=JOB_RETRIES,
        extra_arguments=EXTRA,
        **COMMON,
        **fields,
    )


def training_job_fields() -> dict[str, Any]:
    """Fields ``TrainingStep`` and ``TuningStep`` share, each set."""
    return {
        "image": IMAGE,
        "code": Code.from_s3("s3://b/code/train.tar.gz", entry_point="train.py"),
        "inputs": {
            "train": TrainingInput(
                s3_data="s3://b/train",
                content_type="text/csv",
                input_mode="Pipe",
                compression="Gzip",
                record_wrapping="RecordIO",
            ),
            "test": "s3://b/test",
        },
        "output_path": "s3://b/model",
        "instance_type": "ml.m5.xlarge",
        "instance_count": 2,
        "volume_size_in_gb": 50,
        "volume_kms_key": KEY,
        "output_kms_key": KEY,
        "environment": {"mode": "full"},
        "metric_definitions": {"val:acc": "acc=([0-9.]+)"},
        "max_runtime_in_seconds": 3600,
        "network": NETWORK,
        "role": OTHER_ROLE,
        "cache_config": CacheConfig(expire_after="P1D"),
        "retry_policies": JOB_RETRIES,
        "extra_arguments": EXTRA,
        **COMMON,
    }


def training() -> TrainingStep:
    return TrainingStep(
        name="Train",
        hyperparameters={"epochs": 10},
        checkpoint_s3_uri="s3://b/checkpoints",
        use_spot_instances=True,
        max_wait_in_seconds=7200,
        **training_job_fields(),
    )


def tuning() -> TuningStep:
    return TuningStep(
        name="Tune",
        objective_metric_name="val:acc",
        hyperparameter_ranges={
            "lr": ContinuousParameter(min_value=0.01, max_value=0.3),
            "depth": IntegerParameter(min_value=2, max_value=8),
            "criterion": CategoricalParameter(values=["gini", "entropy"]),
        },
        objective_type="Minimize",
        static_hyperparameters={"epochs": 10},
        strategy="Random",
        max_jobs=4,
        max_parallel_jobs=2,
        early_stopping_type="Auto",
        **training_job_fields(),
    )


def container_fields() -> dict[str, Any]:
    """Fields ``ModelStep`` and ``RegisterModel`` share, each set."""
    return {
        "image": IMAGE,
        "model_data": "s3://b/model.tar.gz",
        "code": Code.from_s3("s3://b/code/inference.tar.gz", entry_point="inference.py"),
        "environment": {"mode": "full"},
        "retry_policies": [StepRetryPolicy(max_attempts=2)],
        "extra_arguments": EXTRA,
        **COMMON,
    }


def model() -> ModelStep:
    return ModelStep(name="Model", role=OTHER_ROLE, network=NETWORK, **container_fields())


def register_model() -> RegisterModel:
    source = MetricsSource(s3_uri="s3://b/report.json")
    return RegisterModel(
        name="Register",
        model_package_group_name="models",
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        approval_status="Approved",
        model_metrics=ModelMetrics(
            model_statistics=source,
            model_constraints=source,
            data_statistics=source,
            data_constraints=source,
            bias_report=source,
            explainability_report=source,
        ),
        model_package_description="A model",
        customer_metadata={"team": "ml"},
        domain="MACHINE_LEARNING",
        task="CLASSIFICATION",
        **container_fields(),
    )


def pipeline_containers() -> list[Container]:
    """The containers of an inference pipeline, every container field set in each."""
    fields = container_fields()
    return [
        Container(
            image=IMAGE,
            model_data=fields["model_data"],
            code=fields["code"],
            environment=fields["environment"],
        ),
        Container(
            image=IMAGE,
            model_data="s3://b/second/model.tar.gz",
            code=Code.from_s3("s3://b/code/second.tar.gz", entry_point="second.py"),
            environment={"stage": "2"},
        ),
    ]


def model_of_containers() -> ModelStep:
    single = ("image", "model_data", "code", "environment")
    fields = {key: value for key, value in container_fields().items() if key not in single}
    return ModelStep(
        name="Model",
        role=OTHER_ROLE,
        network=NETWORK,
        containers=pipeline_containers(),
        inference_execution_mode="Serial",
        **fields,
    )


def register_model_of_containers() -> RegisterModel:
    single = ("image", "model_data", "code", "environment")
    fields = {key: value for key, value in container_fields().items() if key not in single}
    return RegisterModel(
        name="Register",
        model_package_group_name="models",
        containers=pipeline_containers(),
        **fields,
    )


def transform() -> TransformStep:
    return TransformStep(
        name="Score",
        model_name="model",
        input_data="s3://b/batch",
        output_path="s3://b/scored",
        instance_type="ml.m5.xlarge",
        instance_count=2,
        content_type="text/csv",
        split_type="Line",
        compression_type="Gzip",
        accept="text/csv",
        assemble_with="Line",
        strategy="MultiRecord",
        max_payload_in_mb=6,
        max_concurrent_transforms=2,
        input_filter="$[1:]",
        output_filter="$[0]",
        join_source="Input",
        environment={"mode": "full"},
        volume_kms_key=KEY,
        output_kms_key=KEY,
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=JOB_RETRIES,
        extra_arguments=EXTRA,
        **COMMON,
    )


def automl() -> AutoMLStep:
    return AutoMLStep(
        name="AutoML",
        inputs=[
            "s3://b/train",
            AutoMLInput(
                inputs="s3://b/validation",
                target_attribute_name="y",
                compression="Gzip",
                channel_type="validation",
                content_type="text/csv",
                s3_data_type="S3Prefix",
                sample_weight_attribute_name="w",
            ),
        ],
        target_attribute_name="y",
        problem_type="BinaryClassification",
        job_objective="F1",
        max_candidates=3,
        max_runtime_per_training_job_in_seconds=600,
        total_job_runtime_in_seconds=3600,
        output_path="s3://b/automl",
        compression_type="Gzip",
        content_type="text/csv",
        s3_data_type="S3Prefix",
        sample_weight_attribute_name="w",
        feature_specification_s3_uri="s3://b/features.json",
        validation_fraction=0.2,
        volume_kms_key=KEY,
        output_kms_key=KEY,
        network=NetworkConfig(
            subnets=["subnet-1"],
            security_group_ids=["sg-1"],
            enable_inter_container_traffic_encryption=True,
        ),
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=JOB_RETRIES,
        extra_arguments=EXTRA,
        **COMMON,
    )


def condition() -> ConditionStep:
    return ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=1, right=0)],
        if_steps=[FailStep(name="Yes", error_message="yes")],
        else_steps=[FailStep(name="No", error_message="no")],
        **COMMON,
    )


def lambda_step() -> LambdaStep:
    return LambdaStep(
        name="Notify",
        function_arn="arn:aws:lambda:us-east-1:111122223333:function:f",
        inputs={"bucket": "b"},
        outputs=[StepOutput(output_name="rows", output_type=OutputType.INTEGER)],
        cache_config=CacheConfig(expire_after="P1D"),
        **COMMON,
    )


def seal() -> SealStep:
    return SealStep(
        name="Seal",
        artifacts={"model": "s3://b/models/model.tar.gz", "metrics": "s3://b/eval/e.json"},
        **COMMON,
    )


def callback() -> CallbackStep:
    return CallbackStep(
        name="Approve",
        sqs_queue_url="https://sqs.us-east-1.amazonaws.com/111122223333/q",
        inputs={"model": "s3://b/model"},
        outputs=[StepOutput(output_name="ok", output_type=OutputType.BOOLEAN)],
        **COMMON,
    )


def emr() -> EMRStep:
    return EMRStep(
        name="Spark",
        cluster_id="j-1ABCDEFG2HIJK",
        jar="command-runner.jar",
        args=["spark-submit", "s3://b/job.py"],
        main_class="Main",
        properties_={"k": "v"},
        cache_config=CacheConfig(expire_after="P1D"),
        **COMMON,
    )


def endpoint_config(**fields: Any) -> EndpointConfigStep:
    settings: dict[str, Any] = {
        "model_name": "model",
        "instance_type": "ml.m5.large",
        "initial_instance_count": 2,
        "variant_name": "Main",
        **fields,
    }
    return EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        kms_key_id=KEY,
        data_capture_config=DataCaptureConfig(
            destination="s3://b/capture", kms_key_id=KEY, sampling_percentage=100
        ),
        async_inference_config={"OutputConfig": {"S3OutputPath": "s3://b/async"}},
        role=OTHER_ROLE,
        network=NETWORK,
        tags={"team": "ml"},
        cache_config=CacheConfig(expire_after="P1D"),
        retry_policies=[StepRetryPolicy(max_attempts=2)],
        extra_arguments={"ExplainerConfig": {"ClarifyExplainerConfig": {}}},
        **COMMON,
        **settings,
    )


def endpoint_config_of_variants() -> EndpointConfigStep:
    return endpoint_config(
        model_name=None,
        instance_type=None,
        initial_instance_count=None,
        variant_name="AllTraffic",
        production_variants=[
            ProductionVariant(
                variant_name="Blue",
                model_name="model",
                instance_type="ml.m5.large",
                initial_instance_count=2,
                initial_variant_weight=3,
                volume_size_in_gb=30,
                model_data_download_timeout_in_seconds=600,
                container_startup_health_check_timeout_in_seconds=300,
                routing_strategy="RANDOM",
                inference_ami_version="al2-ami-sagemaker-inference-gpu-2",
            ),
            ProductionVariant(
                variant_name="Green",
                model_name="model",
                serverless_config=ServerlessConfig(memory_size_in_mb=2048, max_concurrency=2),
            ),
        ],
    )


def endpoint() -> EndpointStep:
    return EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name="churn-config",
        deployment_config={"RollingUpdatePolicy": {"WaitIntervalInSeconds": 60}},
        tags={"team": "ml"},
        cache_config=CacheConfig(expire_after="P1D"),
        extra_arguments={"DeploymentConfig": {"AutoRollbackConfiguration": {"Alarms": []}}},
        **COMMON,
    )


def inference_component() -> InferenceComponentStep:
    return InferenceComponentStep(
        name="Component",
        inference_component_name="churn-model",
        endpoint_name="churn",
        model_name="model",
        variant_name="Main",
        compute_resource_requirements=ComputeResourceRequirements(
            min_memory_required_in_mb=1024, number_of_accelerator_devices_required=1
        ),
        copy_count=2,
        tags={"team": "ml"},
        extra_arguments={"Specification": {"StartupParameters": {}}},
        **COMMON,
    )


def lineage() -> LineageStep:
    return LineageStep(
        name="Record",
        actions=[
            LineageAction(
                action_name="training-run",
                source_uri="s3://b/runs/1",
                source_type="S3ETag",
                source_id="abc",
                action_type="ModelTraining",
                description="trains",
                status="Completed",
                properties={"framework": "sklearn"},
                metadata_properties=MetadataProperties(commit_id="abc123"),
                tags={"team": "ml"},
            )
        ],
        artifacts=[
            LineageArtifact(
                artifact_name="trained-model",
                source_uri="s3://b/model.tar.gz",
                source_types={"Custom": "v1"},
                artifact_type="Model",
                properties={"accuracy": "0.9"},
                metadata_properties=MetadataProperties(repository="acme/churn"),
                tags={"team": "ml"},
            )
        ],
        contexts=[
            LineageContext(
                context_name="churn-project",
                source_uri="s3://b/churn",
                source_type="Project",
                source_id="p-1",
                context_type="Project",
                description="the project",
                properties={"owner": "ml"},
                tags={"team": "ml"},
            )
        ],
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="training-run", type="Action"),
                destination=LineageEntityReference(name="trained-model", type="Artifact"),
                association_type="Produced",
            ),
            LineageAssociation(
                source=LineageEntityReference(
                    arn="arn:aws:sagemaker:us-east-1:111122223333:context/churn"
                ),
                destination=LineageEntityReference(name="churn-project", type="Context"),
            ),
        ],
        **COMMON,
    )


CHECK_JOB: dict[str, Any] = {
    "instance_type": "ml.m5.xlarge",
    "instance_count": 2,
    "volume_size_in_gb": 50,
    "volume_kms_key": KEY,
    "output_kms_key": KEY,
    "environment": {"mode": "full"},
    "max_runtime_in_seconds": 3600,
    "network": NETWORK,
    "role": OTHER_ROLE,
    "skip_check": True,
    "fail_on_violation": False,
    "register_new_baseline": True,
    "model_package_group_name": "churn",
    "supplied_baseline_constraints": "s3://b/constraints.json",
    "cache_config": CacheConfig(expire_after="P1D"),
    "extra_arguments": EXTRA,
}


def data_quality_check() -> QualityCheckStep:
    return QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/train",
            dataset_format=DatasetFormat.csv(),
            record_preprocessor_script=Code.from_s3("s3://b/code/record.py"),
            post_analytics_processor_script=Code.from_s3("s3://b/code/post.py"),
        ),
        supplied_baseline_statistics="s3://b/statistics.json",
        image=IMAGE,
        **CHECK_JOB,
        **COMMON,
    )


def model_quality_check() -> QualityCheckStep:
    return QualityCheckStep(
        name="ModelQuality",
        quality_check_config=ModelQualityCheckConfig(
            baseline_dataset="s3://b/predictions",
            dataset_format=DatasetFormat.json(),
            problem_type="BinaryClassification",
            inference_attribute="prediction",
            probability_attribute="probability",
            ground_truth_attribute="label",
            probability_threshold_attribute=0.5,
            output_s3_uri="s3://b/model-quality",
        ),
        **CHECK_JOB,
        **COMMON,
    )


def model_bias_check() -> ClarifyCheckStep:
    return ClarifyCheckStep(
        name="ModelBias",
        clarify_check_config=ModelBiasCheckConfig(
            dataset="s3://b/train",
            analysis_config="s3://b/bias/analysis_config.json",
            model_name="churn-model",
        ),
        **CHECK_JOB,
        **COMMON,
    )


def data_bias_check() -> ClarifyCheckStep:
    return ClarifyCheckStep(
        name="DataBias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://b/train", analysis_config="s3://b/bias/analysis_config.json"
        ),
    )


def fail() -> FailStep:
    return FailStep(name="Stop", error_message="stopped", **COMMON)


def raw() -> RawStep:
    return RawStep(
        name="Notify",
        type="Lambda",
        arguments={"bucket": "b"},
        cache_config=CacheConfig(expire_after="P1D"),
        extra_fields={
            "FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:notify",
            "OutputParameters": [StepOutput(output_name="sent")],
        },
        **COMMON,
    )


def raw_job() -> RawStep:
    # The binder's role, written into Arguments, is the arguments'.
    return RawStep(
        name="Prep",
        type="Processing",
        arguments={"AppSpecification": {"ImageUri": IMAGE}},
        retry_policies=JOB_RETRIES,
        property_files=[REPORT],
        **COMMON,
    )


BUILDERS = {
    "ProcessingStep": processing,
    "ProcessingStep with code": lambda: processing(code=Code.from_s3("s3://b/code/prep.py")),
    "ProcessingStep with code and entrypoint": lambda: processing(
        code=Code.from_s3("s3://b/code/prep.py"), entrypoint=["python3", "prep.py"]
    ),
    "TrainingStep": training,
    "TuningStep": tuning,
    "ModelStep": model,
    "RegisterModel": register_model,
    "ModelStep with containers": model_of_containers,
    "RegisterModel with containers": register_model_of_containers,
    "TransformStep": transform,
    "AutoMLStep": automl,
    "ConditionStep": condition,
    "FailStep": fail,
    "LambdaStep": lambda_step,
    "SealStep": seal,
    "CallbackStep": callback,
    "EMRStep": emr,
    "QualityCheckStep": data_quality_check,
    "QualityCheckStep of a model": model_quality_check,
    "ClarifyCheckStep": model_bias_check,
    "EndpointConfigStep": endpoint_config,
    "EndpointConfigStep of variants": endpoint_config_of_variants,
    "EndpointStep": endpoint,
    "InferenceComponentStep": inference_component,
    "LineageStep": lineage,
    "RawStep": raw,
    "RawStep of a job": raw_job,
}


def test_every_step_class_has_a_builder() -> None:
    def subclasses(kind: type[Step]) -> set[type[Step]]:
        found = set()
        for sub in kind.__subclasses__():
            found |= {sub} | subclasses(sub)
        return found

    # By name: a slots dataclass replaces its class, and the replaced one lingers here.
    # The library's own: a user's subclass (tests/definition/test_typecheck.py has some)
    # is a step of the class it extends.
    # A RawStep's type is its object's (the class has none).
    concrete = {
        kind.__name__
        for kind in subclasses(Step)
        if (kind.step_type or kind is RawStep)
        and kind.__module__.startswith("cdk_sagemaker_pipelines.")
    }
    assert concrete == {type(build()).__name__ for build in BUILDERS.values()}


def leaf_paths(value: Any, path: str = "") -> Iterator[str]:
    """Every leaf of ``value`` as ``Problem.field`` spells it, keys of maps included.

    API member names read as ``.Name``, user-chosen keys as ``['key']``: the renderer's
    spelling for the fields of values it can't render.
    """
    if isinstance(value, dict) and value:
        for key, item in value.items():
            if not path:
                child = key
            elif _MEMBER_NAME.fullmatch(key):
                child = f"{path}.{key}"
            else:
                child = f"{path}['{key}']"
                yield f"{child} (key)"
            yield from leaf_paths(item, child)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{path}[{index}]")
    else:
        yield path


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_every_rendered_field_names_an_argument_of_its_step(build: Any) -> None:
    step = build()
    ctx = RenderContext(BINDER)
    entry = step.to_request(ctx)
    assert ctx.problems == []
    arguments = {field.name for field in dataclasses.fields(step)}
    container_arguments = {field.name for field in dataclasses.fields(Container)}
    variant_arguments = {field.name for field in dataclasses.fields(ProductionVariant)}
    unmapped = {}
    for path in leaf_paths(entry):
        if path == "Type":  # the class itself
            continue
        if isinstance(step, SealStep) and path in ("Arguments.Action", "FunctionArn"):
            continue  # the class's marker, the binder's function: no argument's
        argument = step.argument_for(path)
        # An argument of one of containers= reads containers[i].image.
        of_container = re.fullmatch(r"containers\[(\d+)\]\.(\w+)", argument or "")
        if of_container is not None and of_container[2] in container_arguments:
            continue
        # An argument of one of production_variants= reads production_variants[i].model_name.
        of_variant = re.fullmatch(r"production_variants\[(\d+)\]\.(\w+)", argument or "")
        if of_variant is not None and of_variant[2] in variant_arguments:
            continue
        # A member of an entity or association of a LineageStep reads actions[0].action_name
        # or associations[1].source.arn.
        of_lineage = re.fullmatch(
            r"(actions|artifacts|contexts|associations)\[(\d+)\]\.(\w+)(?:\.(\w+))?",
            argument or "",
        )
        if of_lineage is not None and of_lineage[1] in arguments:
            item = getattr(step, of_lineage[1])[int(of_lineage[2])]
            if of_lineage[4] is not None:
                item = getattr(item, of_lineage[3])
            member = of_lineage[4] or of_lineage[3]
            if member in {field.name for field in dataclasses.fields(item)}:
                continue
        # A member of a config reads quality_check_config.baseline_dataset (a check step's)
        # or data_capture_config.destination (an endpoint configuration's).
        of_config = re.fullmatch(r"(\w+_check_config|data_capture_config)\.(\w+)", argument or "")
        if of_config is not None and of_config[1] in arguments:
            config = getattr(step, of_config[1])
            if of_config[2] in {field.name for field in dataclasses.fields(config)}:
                continue
        if argument not in arguments:
            unmapped[path] = argument
    assert unmapped == {}, "add these paths to the step's argument_fields"


@pytest.mark.parametrize(
    ("build", "field", "argument"),
    [
        (processing, "Arguments.Tags[0].Value", "extra_arguments"),
        (processing, "Arguments.ProcessingInputs[0].S3Input.S3Uri", "inputs"),
        (
            BUILDERS["ProcessingStep with code"],
            "Arguments.ProcessingInputs[1].S3Input.S3Uri",
            "code",
        ),
        (
            BUILDERS["ProcessingStep with code"],
            "Arguments.AppSpecification.ContainerEntrypoint",
            "code",
        ),
        (
            BUILDERS["ProcessingStep with code and entrypoint"],
            "Arguments.AppSpecification.ContainerEntrypoint[0]",
            "entrypoint",
        ),
        (processing, "Arguments.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri", "outputs"),
        (processing, "Arguments.ProcessingOutputConfig.KmsKeyId", "output_kms_key"),
        (processing, "PropertyFiles[0].OutputName", "property_files"),
        (processing, "RetryPolicies[1].ExpireAfterMin", "retry_policies"),
        (processing, "CacheConfig.ExpireAfter", "cache_config"),
        (processing, "Type", None),
        (training, "Arguments.InputDataConfig[2].DataSource.S3DataSource.S3Uri", "code"),
        (training, "Arguments.InputDataConfig[1].ChannelName", "inputs"),
        (training, "Arguments.HyperParameters['sagemaker_program']", "code"),
        (training, "Arguments.HyperParameters['epochs']", "hyperparameters"),
        (training, "Arguments.StoppingCondition.MaxWaitTimeInSeconds", "max_wait_in_seconds"),
        (tuning, "Arguments.TrainingJobDefinition.InputDataConfig[2]", "code"),
        (
            tuning,
            "Arguments.TrainingJobDefinition.StaticHyperParameters['sagemaker_program']",
            "code",
        ),
        (
            tuning,
            "Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.InstanceType",
            "instance_type",
        ),
        (model, "Arguments.PrimaryContainer.Environment['SAGEMAKER_PROGRAM']", "code"),
        (model, "Arguments.PrimaryContainer.Environment['mode'] (key)", "environment"),
        (
            register_model,
            "Arguments.InferenceSpecification.Containers[0].Environment['SAGEMAKER_SUBMIT_DIRECTORY']",
            "code",
        ),
        (register_model, "Arguments.InferenceSpecification.Containers[0].Image", "image"),
        (register_model, "Arguments.Tags", "extra_arguments"),
        (model_of_containers, "Arguments.Containers[1].Image", "containers[1].image"),
        (
            model_of_containers,
            "Arguments.Containers[1].Environment['SAGEMAKER_PROGRAM']",
            "containers[1].code",
        ),
        (
            model_of_containers,
            "Arguments.Containers[0].Environment['mode'] (key)",
            "containers[0].environment",
        ),
        (model_of_containers, "Arguments.Containers[1]", "containers[1]"),
        (model_of_containers, "Arguments.Containers", "containers"),
        (
            model_of_containers,
            "Arguments.InferenceExecutionConfig.Mode",
            "inference_execution_mode",
        ),
        (
            register_model_of_containers,
            "Arguments.InferenceSpecification.Containers[0].ModelDataUrl",
            "containers[0].model_data",
        ),
        (
            register_model_of_containers,
            "Arguments.InferenceSpecification.Containers[1].Environment"
            "['SAGEMAKER_SUBMIT_DIRECTORY']",
            "containers[1].code",
        ),
        (transform, "Arguments.TransformInput.DataSource.S3DataSource.S3Uri", "input_data"),
        (condition, "Arguments.Conditions[0].LeftValue", "conditions"),
        (condition, "Arguments.ElseSteps[0]", "else_steps"),
        (lambda_step, "Arguments.bucket", "inputs"),
        (callback, "Arguments['model']", "inputs"),
        (emr, "Arguments.StepConfig.HadoopJarStep.Properties[0].Key", "properties_"),
        (
            data_quality_check,
            "Arguments.ProcessingInputs[0].S3Input.S3Uri",
            "quality_check_config.baseline_dataset",
        ),
        (
            data_quality_check,
            "Arguments.ProcessingInputs[2].S3Input.S3Uri",
            "quality_check_config.record_preprocessor_script",
        ),
        (
            data_quality_check,
            "Arguments.Environment['dataset_format']",
            "quality_check_config.dataset_format",
        ),
        (data_quality_check, "Arguments.Environment['mode']", "environment"),
        (data_quality_check, "CheckType", "quality_check_config"),
        (data_quality_check, "SuppliedBaselineStatistics", "supplied_baseline_statistics"),
        (data_quality_check, "SkipCheck", "skip_check"),
        (data_quality_check, "Arguments.Tags[0].Key", "extra_arguments"),
        (
            model_quality_check,
            "Arguments.Environment['problem_type']",
            "quality_check_config.problem_type",
        ),
        (
            model_quality_check,
            "Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            "quality_check_config.output_s3_uri",
        ),
        (
            model_bias_check,
            "Arguments.ProcessingInputs[0].S3Input.S3Uri",
            "clarify_check_config.analysis_config",
        ),
        (
            model_bias_check,
            "Arguments.ProcessingInputs[1].S3Input.S3Uri",
            "clarify_check_config.dataset",
        ),
        (model_bias_check, "ModelName", "clarify_check_config.model_name"),
        (data_bias_check, "Arguments.AppSpecification.ImageUri", "image"),
        (lineage, "Arguments.Actions[0].Status", "actions[0].status"),
        (lineage, "Arguments.Actions[0].Source.SourceUri", "actions[0].source_uri"),
        (lineage, "Arguments.Actions[0].Properties['framework']", "actions[0].properties"),
        (
            lineage,
            "Arguments.Artifacts[0].MetadataProperties.Repository",
            "artifacts[0].metadata_properties",
        ),
        (
            lineage,
            "Arguments.Artifacts[0].Source.SourceTypes[0].Value",
            "artifacts[0].source_types",
        ),
        (lineage, "Arguments.Contexts[0].Tags[0].Key", "contexts[0].tags"),
        (lineage, "Arguments.Associations[0].AssociationType", "associations[0].association_type"),
        (lineage, "Arguments.Associations[1].Source.Arn", "associations[1].source.arn"),
        (lineage, "Arguments.Associations[0].Destination.Name", "associations[0].destination.name"),
        (lineage, "Arguments.Associations", "associations"),
        (seal, "FunctionArn", None),
        (seal, "Arguments.Action", None),
        (seal, "Arguments.Artifacts.model", "artifacts"),
        (raw, "Type", "type"),
        (raw, "Arguments.bucket", "arguments"),
        (raw, "FunctionArn", "extra_fields"),
        (raw, "OutputParameters[0].OutputType", "extra_fields"),
        (raw, "CacheConfig.ExpireAfter", "cache_config"),
        (raw, "DependsOn[0]", "depends_on"),
        (raw_job, "Arguments.RoleArn", "arguments"),
        (raw_job, "RetryPolicies[1]", "retry_policies"),
        (raw_job, "PropertyFiles[0].FilePath", "property_files"),
    ],
)
def test_argument_for_field(build: Any, field: str, argument: str | None) -> None:
    assert build().argument_for(field) == argument


@pytest.mark.parametrize(
    ("extra", "field", "argument"),
    [
        # A member extra adds, or one inside a value it replaces, is extra's.
        (
            {"ResourceConfig": {"KeepAlivePeriodInSeconds": "x"}},
            "Arguments.ResourceConfig.KeepAlivePeriodInSeconds",
            "extra_arguments",
        ),
        ({"InputDataConfig": []}, "Arguments.InputDataConfig", "extra_arguments"),
        ({"Tags": [{"Key": "a"}]}, "Arguments.Tags[0].Value", "extra_arguments"),
        ({"Environment": {"1A": "x"}}, "Arguments.Environment['1A'] (key)", "extra_arguments"),
        # Members extra leaves alone keep their own argument; so does Arguments as a whole.
        (
            {"ResourceConfig": {"KeepAlivePeriodInSeconds": 5}},
            "Arguments.ResourceConfig.InstanceType",
            "instance_type",
        ),
        ({"Environment": {"B": "x"}}, "Arguments.Environment['A']", "environment"),
        ({"Tags": []}, "Arguments", None),
        ({"Tags": []}, "RetryPolicies[0]", "retry_policies"),
    ],
)
def test_extra_arguments_own_the_fields_they_set(
    extra: dict[str, Any], field: str, argument: str | None
) -> None:
    step = TrainingStep(name="Train", image=IMAGE, extra_arguments=extra)
    assert step.argument_for(field) == argument


# -- messages -------------------------------------------------------------------------------------


def problems_of(*steps: Step) -> list[str]:
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=list(steps)).compile(BINDER)
    return str(caught.value).splitlines()[1:]


def test_fails_naming_the_argument_of_a_mistyped_instance_type() -> None:
    step = TrainingStep(name="Train", image=IMAGE, instance_type="ml.m5.lage")
    [line] = problems_of(step)
    assert line.startswith(
        "- step 'Train' field 'Arguments.ResourceConfig.InstanceType' (instance_type=): "
        "expected one of the "
    )
    assert line.endswith(
        "got 'ml.m5.lage' (did you mean 'ml.m5.large' or 'ml.m5.xlarge' or 'ml.m5.4xlarge'?)"
    )


def test_fails_naming_extra_arguments_for_a_value_given_there() -> None:
    step = TrainingStep(
        name="Train", image=IMAGE, extra_arguments={"EnableManagedSpotTraining": "yes"}
    )
    assert problems_of(step) == [
        "- step 'Train' field 'Arguments.EnableManagedSpotTraining' (extra_arguments=): "
        "expected a boolean, got 'yes' (str)"
    ]


def test_fails_naming_conditions_for_a_condition_problem() -> None:
    train = TrainingStep(name="Train", image=IMAGE)
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionGreaterThanOrEqualTo(left=train.properties.TrainingJobStatus, right=0.5)
        ],
    )
    assert problems_of(check) == [
        "- step 'Check' field 'Arguments.Conditions[0].LeftValue' (conditions=): ordering "
        'comparisons need numbers, got a String ("Steps.Train.TrainingJobStatus") (compare a '
        "number parameter, a numeric property or a JsonGet value)"
    ]


def test_fails_naming_retry_policies_for_a_retry_problem() -> None:
    step = TrainingStep(
        name="Train", image=IMAGE, retry_policies=[StepRetryPolicy(max_attempts=50)]
    )
    assert problems_of(step) == [
        "- step 'Train' field 'RetryPolicies[0].MaxAttempts' (retry_policies=): 50 is outside "
        "0..20 (at most 20 attempts)"
    ]


def test_fails_naming_the_argument_of_a_branch_step() -> None:
    stop = FailStep(name="Stop", error_message="x" * 3073)
    check = ConditionStep(
        name="Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=1, right=0)],
        else_steps=[stop],
    )
    [line] = problems_of(check)
    assert line.startswith("- step 'Stop' field 'Arguments.ErrorMessage' (error_message=): ")


def test_fails_naming_the_argument_of_a_step_rendered_on_its_own() -> None:
    step = ProcessingStep(name="Prep", image=IMAGE, code=Code.from_s3("s3://b/prep.py"))
    with pytest.raises(PipelineValidationError) as caught:
        step.to_request()  # no binder role
    assert [problem.argument for problem in caught.value.problems] == ["role"]
    assert "field 'Arguments.RoleArn' (role=): " in str(caught.value)


def test_problems_of_pipeline_fields_name_no_argument() -> None:
    step = TrainingStep(name="Train", image=IMAGE, instance_type="ml.m5.lage")
    problems = PipelineDefinition(steps=[step]).validate(BINDER)
    assert [problem.argument for problem in problems] == ["instance_type"]
    assert Problem(None, "Parameters.X", "m").argument is None


def test_json_validation_prints_problems_without_arguments() -> None:
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        retry_policies=[StepRetryPolicy(max_attempts=50)],
        extra_arguments={"EnableManagedSpotTraining": "yes"},
    )
    definition = {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [],
        "Steps": [step.to_request(RenderContext(BINDER))],
    }
    problems = validate_definition(definition)
    assert [problem.argument for problem in problems] == [None, None]
    assert sorted(str(problem) for problem in problems) == [
        "step 'Train' field 'Arguments.EnableManagedSpotTraining': expected a boolean, got "
        "'yes' (str)",
        "step 'Train' field 'RetryPolicies[0].MaxAttempts': 50 is outside 0..20 (at most 20 "
        "attempts)",
    ]


def test_steps_sharing_a_name_name_the_argument_of_the_step_with_the_field() -> None:
    # Only the Processing step has this field: its argument is the one named.
    prep = ProcessingStep(name="X", image=IMAGE, instance_type="ml.m5.lage")
    train = TrainingStep(name="X", image=IMAGE)
    problems = PipelineDefinition(steps=[prep, train]).validate(BINDER)
    assert sorted((problem.field or "", problem.argument or "") for problem in problems) == [
        ("Arguments.ProcessingResources.ClusterConfig.InstanceType", "instance_type"),
        ("Name", "name"),
    ]


def test_a_step_built_again_in_a_notebook_is_named_as_such() -> None:
    # Was: "used twice: by the Processing step at Steps[0] and … at Steps[2]", positions
    # in a definition the notebook never printed, for a cell run again after a later one.
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train"])
    train = TrainingStep(name="Train", image=IMAGE, inputs={"train": prep.output("train")})
    prep = ProcessingStep(name="Prep", image=IMAGE, outputs=["train"])  # the cell, run again
    evaluate = ProcessingStep(
        name="Evaluate", image=IMAGE, inputs={"model": train.model_data}, depends_on=[prep]
    )
    [problem] = PipelineDefinition(steps=[evaluate]).validate(BINDER)
    assert (problem.step, problem.field, problem.argument) == ("Prep", "Name", "name")
    assert problem.message.startswith("step name 'Prep' is used twice: ")
    assert problem.hint == (
        "two step objects are named 'Prep': if it was built again (a notebook cell run "
        "again), the steps that use it still refer to the first one, so build them again "
        "too; else give each its own name"
    )
    # One object listed twice is one step.
    assert PipelineDefinition(steps=[prep, prep]).validate(BINDER) == []


def test_a_validation_error_survives_pickling_with_its_problems() -> None:
    # A process pool (or pytest-xdist) pickles an error raised in a worker: unpickled, the
    # error read its message as its problems, one per character.
    import pickle

    import cdk_sagemaker_pipelines.definition as definition

    step = TrainingStep(name="Train", image=IMAGE, instance_type="ml.m5.lage")
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[step]).to_definition(BINDER)
    error = raised.value
    copied = pickle.loads(pickle.dumps(error))
    assert type(copied) is PipelineValidationError
    assert str(copied) == str(error)
    assert copied.problems == error.problems
    named = PipelineValidationError(error.problems, subject="Pipeline Test/Training")
    assert str(pickle.loads(pickle.dumps(named))) == str(named)
    # Pickle finds the class where tracebacks name it.
    assert PipelineValidationError.__module__ == definition.__name__
