"""What to write instead of a SageMaker Python SDK keyword argument the language doesn't take.

Teams port SDK pipelines by hand, and the SDK's spellings are what they type first
(``max_run=``, ``step_args=``, ``tags=``). A close-match suggestion can mislead there
(``distribution`` is not ``description``; the SDK's ``model_data_statistics`` is our
``data_statistics``, not ``model_statistics``), so an SDK name gets its own hint, which
wins over the close match. docs/sdk-comparison.md has the whole mapping.
"""

from __future__ import annotations

_NETWORK = "network=NetworkConfig(subnets=…, security_group_ids=…, enable_network_isolation=…)"
_CHECK_STEPS = ("QualityCheckStep", "ClarifyCheckStep")
_JOB_STEPS = (
    "ProcessingStep",
    "TrainingStep",
    "TuningStep",
    "TransformStep",
    "AutoMLStep",
    *_CHECK_STEPS,
)
_CLARIFY_CONFIGS = ("DataBiasCheckConfig", "ModelBiasCheckConfig", "ModelExplainabilityCheckConfig")
_ANALYSIS_CONFIG = (
    "it goes in the Clarify analysis configuration file, which the language does not "
    "write or upload: put the file in S3 and give analysis_config= (docs/sdk-comparison.md)"
)
_TRAINING_STEPS = ("TrainingStep", "TuningStep")
# What describes one training job: those steps, and each algorithm of a tuning step of several.
_TRAINING_JOBS = (*_TRAINING_STEPS, "TrainingJobDefinition")
_MODEL_STEPS = ("ModelStep", "RegisterModel")
# Steps the SDK builds from a framework estimator, processor or model.
_FRAMEWORK_STEPS = ("ProcessingStep", *_TRAINING_STEPS, *_MODEL_STEPS)
_FRAMEWORK_IMAGE = (
    "image=Image.pytorch(framework_version, py_version=…) "
    "(or Image.sklearn, Image.xgboost, Image.tensorflow)"
)
_HUGGING_FACE_IMAGE = (
    "image=Image.huggingface(transformers_version, pytorch_version=… or "
    "tensorflow_version=…, py_version=…)"
)

# SDK keyword -> ((classes it applies to, or () for any), what to write instead).
_HINTS: dict[str, tuple[tuple[str, ...], str]] = {
    "step_args": (
        (),
        "steps take the job's settings themselves: there are no processor, estimator or "
        "model objects to run (docs/sdk-comparison.md maps them)",
    ),
    # The SDK's older step signatures take the job object itself.
    "estimator": (
        ("TrainingStep", "RegisterModel"),
        "the estimator's settings are the step's own: image=, code=, instance_type=, "
        "hyperparameters=, … (RegisterModel: image= and model_data=, e.g. train.model_data)",
    ),
    "processor": (
        ("ProcessingStep",),
        "the processor's settings are the step's own: image=, code= or entrypoint=, "
        "instance_type=, instance_count=, …",
    ),
    "tuner": (
        ("TuningStep",),
        "the tuner's and its estimator's settings are the step's own: image=, code=, "
        "objective_metric_name=, hyperparameter_ranges=, max_jobs=, …",
    ),
    "transformer": (
        ("TransformStep",),
        "the transformer's settings are the step's own: model_name=, instance_type=, "
        "output_path=, …; the transform's input is input_data=",
    ),
    "model": (
        _MODEL_STEPS,
        "the model's settings are the step's own: image=, model_data=, code=, environment= "
        "(or containers=[Container(…), …] for a PipelineModel)",
    ),
    "register_model_step_retry_policies": (("RegisterModel",), "retry_policies="),
    "repack_model_step_retry_policies": (
        _MODEL_STEPS,
        "the language writes no _RepackModel step: package the inference code in the "
        "model artifact or give code=",
    ),
    "failure_reason_types": (("SageMakerJobStepRetryPolicy",), "exception_types="),
    # The SDK's Pipeline(name=, pipeline_definition_config=): a definition has no name.
    "name": (
        ("PipelineDefinition",),
        "a definition has no name: the CDK Pipeline construct names the pipeline "
        "(pipeline_name=, default: from the construct path)",
    ),
    "pipeline_definition_config": (
        ("PipelineDefinition",),
        "SageMaker Pipelines names the jobs; a custom prefix (use_custom_job_prefix) is a "
        'step\'s extra_arguments={"<Kind>JobName": "<prefix>"}',
    ),
    "sagemaker_session": (
        (),
        "there is no session: the binder (StaticBinder, or the CDK Pipeline construct) "
        "gives region, role and default bucket when the pipeline compiles",
    ),
    "image_uri": ((), "image= takes an Image (Image.sklearn(…), Image.from_uri(uri)) or a URI"),
    "framework_version": (_FRAMEWORK_STEPS, _FRAMEWORK_IMAGE),
    "py_version": (_FRAMEWORK_STEPS, _FRAMEWORK_IMAGE),
    "transformers_version": (_FRAMEWORK_STEPS, _HUGGING_FACE_IMAGE),
    "pytorch_version": (_FRAMEWORK_STEPS, _HUGGING_FACE_IMAGE),
    "tensorflow_version": (_FRAMEWORK_STEPS, _HUGGING_FACE_IMAGE),
    "entry_point": ((), "code=Code.from_s3(uri, entry_point=…) or Code.from_asset(…)"),
    "source_dir": ((), "code=Code.from_s3(uri, entry_point=…) or Code.from_asset(…)"),
    "env": ((), "environment="),
    "max_run": (_TRAINING_JOBS, "max_runtime_in_seconds="),
    "max_wait": (_TRAINING_JOBS, "max_wait_in_seconds="),
    "volume_size": (_TRAINING_JOBS, "volume_size_in_gb="),
    "job_arguments": (("ProcessingStep",), "arguments="),
    "network_config": ((), _NETWORK),
    "vpc_config": ((), _NETWORK),
    "subnets": ((), _NETWORK),
    "security_group_ids": ((), _NETWORK),
    "enable_network_isolation": ((), _NETWORK),
    "encrypt_inter_container_traffic": (
        (),
        "network=NetworkConfig(enable_inter_container_traffic_encryption=True)",
    ),
    "base_job_name": (
        _JOB_STEPS,
        "SageMaker Pipelines names the jobs; the SDK's custom prefix "
        '(use_custom_job_prefix) is extra_arguments={"<Kind>JobName": "<prefix>"}',
    ),
    "instance_groups": (
        ("TuningStep",),
        "heterogeneous clusters are TrainingStep's only (the SDK's tuner drops an "
        "estimator's instance_groups); tune on one instance_type",
    ),
    # TrainingStep takes it; the SDK's tuner drops an estimator's keep-alive period, and a
    # tuning job's training jobs have no warm pool (HyperParameterTuningResourceConfig).
    "keep_alive_period_in_seconds": (
        ("TuningStep", "TrainingJobDefinition"),
        "warm pools are TrainingStep's only (keep_alive_period_in_seconds=): the SDK's tuner "
        "drops an estimator's keep_alive_period_in_seconds, and a tuning job's training jobs "
        "keep no warm pool",
    ),
    # HyperparameterTuner.create's per-estimator dictionaries.
    **{
        sdk_name: (
            ("TuningStep",),
            "training_job_definitions=[TrainingJobDefinition(name=<estimator name>, image=…, "
            "objective_metric_name=…, hyperparameter_ranges=…, metric_definitions=…), …]",
        )
        for sdk_name in (
            "estimator_dict",
            "objective_metric_name_dict",
            "hyperparameter_ranges_dict",
            "metric_definitions_dict",
        )
    },
    "warm_start_config": (
        ("TuningStep",),
        "warm_start=WarmStartConfig(warm_start_type=…, parents=[…])",
    ),
    "completion_criteria_config": (
        ("TuningStep",),
        "completion_criteria=TuningJobCompletionCriteria(…)",
    ),
    "shuffle_config": (("TrainingInput",), "shuffle_seed= (the ShuffleConfig's seed)"),
    "max_payload": (("TransformStep",), "max_payload_in_mb="),
    "data": (("TransformStep",), "input_data="),
    "model_client_config": (
        ("TransformStep",),
        'extra_arguments={"ModelClientConfig": {"InvocationsTimeoutInSeconds": …}}',
    ),
    "models": (
        _MODEL_STEPS,
        "containers=[Container(image=…, model_data=…, code=…), …] (the PipelineModel's "
        "models, in order)",
    ),
    "generate_candidate_definitions_only": (
        ("AutoMLStep",),
        "an AutoML step runs the candidates it generates (the SDK's AutoMLStep drops it)",
    ),
    "auto_generate_endpoint_name": (
        ("AutoMLStep",),
        "an AutoML step deploys nothing: create the model with automl.best_model(name) and "
        "deploy it after the pipeline",
    ),
    "endpoint_name": (
        ("AutoMLStep",),
        "an AutoML step deploys nothing: create the model with automl.best_model(name) and "
        "deploy it after the pipeline",
    ),
    # Session.create_endpoint_config, create_endpoint and create_inference_component, whose
    # step_args the SDK's deployment steps take.
    "data_capture_config_dict": (
        ("EndpointConfigStep",),
        "data_capture_config=DataCaptureConfig(destination=…, sampling_percentage=…)",
    ),
    "serverless_inference_config_dict": (
        ("EndpointConfigStep",),
        "serverless_config=ServerlessConfig(memory_size_in_mb=…, max_concurrency=…)",
    ),
    "async_inference_config_dict": (("EndpointConfigStep",), "async_inference_config="),
    "explainer_config_dict": (
        ("EndpointConfigStep",),
        'extra_arguments={"ExplainerConfig": {…}}',
    ),
    "kms_key": (("EndpointConfigStep",), "kms_key_id="),
    "config_name": (
        ("EndpointStep",),
        "endpoint_config_name=, usually config.properties.EndpointConfigName (the "
        "configuration carries an execution-unique suffix)",
    ),
    "specification": (
        ("InferenceComponentStep",),
        "model_name= and compute_resource_requirements=ComputeResourceRequirements(…); "
        'its other members in extra_arguments={"Specification": {…}}',
    ),
    "runtime_config": (("InferenceComponentStep",), "copy_count="),
    # Association.create(source_arn=, destination_arn=), which the SDK's LineageStep can't
    # take (an entity of the same step has no ARN yet): its LineageAssociation's ends.
    "source_arn": (
        ("LineageAssociation",),
        "source=LineageEntityReference(arn=…), or name= and type= for an entity of the step",
    ),
    "destination_arn": (
        ("LineageAssociation",),
        "destination=LineageEntityReference(arn=…), or name= and type= for an entity of the step",
    ),
    "customer_metadata_properties": (("RegisterModel",), "customer_metadata="),
    "data_input_configuration": (("RegisterModel",), "data_input_config="),
    "model_data_statistics": (("ModelMetrics", "DriftCheckBaselines"), "data_statistics="),
    "model_data_constraints": (("ModelMetrics", "DriftCheckBaselines"), "data_constraints="),
    "bias": (("ModelMetrics",), "bias_report="),
    "explainability": (("ModelMetrics",), "explainability_report="),
    "bias_pre_training": (("ModelMetrics",), "bias_pre_training_report="),
    "bias_post_training": (("ModelMetrics",), "bias_post_training_report="),
    "enable_caching": (
        ("CacheConfig",),
        "a CacheConfig turns caching on: leave cache_config unset to turn it off",
    ),
    "step_name": (("JsonGet",), "step= (the step, or its name)"),
    "lambda_func": (("LambdaStep",), "function_arn="),
    "step_config": (("EMRStep",), "jar=, args=, main_class= and properties_= (a mapping)"),
    "check_job_config": (
        _CHECK_STEPS,
        "the job's settings are the step's own: instance_type=, instance_count=, "
        "volume_size_in_gb=, volume_kms_key=, output_kms_key=, max_runtime_in_seconds=, "
        "environment=, role=, network=",
    ),
    "supplied_baseline_statistics": (
        ("ClarifyCheckStep",),
        "a Clarify check compares constraints only: supplied_baseline_constraints= "
        "(statistics are a QualityCheckStep's)",
    ),
    "data_config": (
        _CLARIFY_CONFIGS,
        "dataset= (its s3_data_input_path) and output_s3_uri= (its s3_output_path); "
        "the label, headers and dataset type go in the analysis configuration file, "
        "analysis_config=",
    ),
    "s3_data_input_path": (_CLARIFY_CONFIGS, "dataset="),
    "s3_output_path": (_CLARIFY_CONFIGS, "output_s3_uri="),
    "data_bias_config": (_CLARIFY_CONFIGS, _ANALYSIS_CONFIG),
    "model_config": (_CLARIFY_CONFIGS, f"model_name=; the rest {_ANALYSIS_CONFIG}"),
    "model_predicted_label_config": (_CLARIFY_CONFIGS, _ANALYSIS_CONFIG),
    "explainability_config": (_CLARIFY_CONFIGS, _ANALYSIS_CONFIG),
    "model_scores": (_CLARIFY_CONFIGS, _ANALYSIS_CONFIG),
    "methods": (_CLARIFY_CONFIGS, _ANALYSIS_CONFIG),
}

# (class, SDK keyword) -> what to write instead, where it differs by class.
_MODEL_CREATE_INSTANCES = (
    "nothing: Model.create(instance_type=, accelerator_type=) only picks the image the SDK "
    "looks up when none is given, and writes neither: give image="
)
# The settings of one variant the SDK's create_endpoint_config takes beside the model.
_VARIANT_SETTING = (
    "production_variants=[ProductionVariant(model_name=…, instance_type=…, "
    "volume_size_in_gb=…, model_data_download_timeout_in_seconds=…, "
    "container_startup_health_check_timeout_in_seconds=…, routing_strategy=…, "
    "inference_ami_version=…)]"
)
_CLASS_HINTS: dict[tuple[str, str], str] = {
    **{
        ("EndpointConfigStep", sdk_name): _VARIANT_SETTING
        for sdk_name in (
            "volume_size",
            "model_data_download_timeout",
            "container_startup_health_check_timeout",
            "routing_config",
            "inference_ami_version",
        )
    },
    # AWS's abalone example passes both to model.create(); "instance_type= is taken by" the
    # job steps would suggest the setting belongs elsewhere.
    ("ModelStep", "instance_type"): _MODEL_CREATE_INSTANCES,
    ("ModelStep", "accelerator_type"): _MODEL_CREATE_INSTANCES,
    # The job and model steps take tags= (SDK 2.257.7's list, written from a mapping); a
    # version in a model group can't be tagged (CreateModelPackage refuses Tags with a
    # group), and the SDK's tuner writes one list for the tuning job.
    ("RegisterModel", "tags"): (
        "none, a model version in a group has the group's tags (CreateModelPackage refuses "
        "Tags with ModelPackageGroupName): tag the model package group "
        "(Tags.of(registry).add(key, value) for a ModelRegistry), or give the version "
        "customer_metadata={…}"
    ),
    ("TrainingJobDefinition", "tags"): (
        "TuningStep(tags={…}): the tuning job's tags, which SageMaker gives its training jobs"
    ),
}


def sdk_argument_hint(class_name: str, argument: str) -> str | None:
    """What to write for the SageMaker SDK keyword ``argument`` of ``class_name``, if known.

    Example::

        sdk_argument_hint("TrainingStep", "max_run")  # "the SageMaker SDK's max_run=; here: …"
    """
    special = _CLASS_HINTS.get((class_name, argument))
    if special is not None:
        return f"the SageMaker SDK's {argument}=; here: {special}"
    entry = _HINTS.get(argument)
    if entry is None:
        return None
    classes, hint = entry
    if classes and class_name not in classes:
        return None
    return f"the SageMaker SDK's {argument}=; here: {hint}"
