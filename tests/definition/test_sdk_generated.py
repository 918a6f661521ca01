"""Definitions the SageMaker SDK v2 writes are valid (no false positives of the validator).

Each file in ``sdk_generated/`` is ``pipeline.definition()`` of sagemaker 2.257.7, unedited:

- ``custom-job-prefix.json``: ``PipelineDefinitionConfig(use_custom_job_prefix=True)`` keeps
  each job's name (``base_job_name``, ``Model(name=)``, ...) as the prefix of the names
  Pipelines gives the jobs (SageMaker guide, "Customize access management for Pipelines jobs").
- ``quality-and-clarify-checks.json``: ``QualityCheckStep`` and ``ClarifyCheckStep`` carry their
  settings (``CheckType``, ``SkipCheck``, ...) beside ``Arguments``; a registration reads their
  baselines.
- ``check-step-configs.json``: every check the SDK writes, generated offline as
  ``pipeline-model.json`` (S3 uploads patched to return their destination): a
  ``QualityCheckStep`` of a ``DataQualityCheckConfig`` (CSV with header, parameters for the
  dataset and flags, supplied baselines, a cache config), one of JSON lines with a record
  preprocessor and a post-analytics script and a ``CheckJobConfig`` setting every job field
  (2 × ml.m5.2xlarge, 50 GiB, KMS keys, 1800 s, a ``NetworkConfig``), one of a
  ``ModelQualityCheckConfig`` (CSV without header, outputs at the end, all four attributes),
  and ``ClarifyCheckStep``s of a ``DataBiasCheckConfig``, a ``ModelBiasCheckConfig`` and a
  ``ModelExplainabilityCheckConfig`` (``ModelConfig(model_name="churn-model")``). The
  language writes the same (``test_check_steps_render_as_the_sdk_writes_them``).
- ``heterogeneous-cluster.json``: an ``Estimator(instance_groups=[InstanceGroup("data",
  <ParameterString>, 2), InstanceGroup("gpu", "ml.p3.2xlarge", <ParameterInteger>)])`` in a
  ``TrainingStep`` whose channels are ``TrainingInput(…, instance_groups=["data"])``,
  ``instance_groups=["data", "gpu"]`` and no groups. Generated offline as
  ``pipeline-model.json`` (no uploads: a literal image, no code). The language writes the
  same (``test_heterogeneous_cluster_renders_as_the_sdk_writes_it``).
- ``heterogeneous-distribution.json``: a ``PyTorch("1.12", "py38", entry_point="train.py",
  source_dir=<S3 archive>, instance_groups=[InstanceGroup("data", "ml.c5.xlarge", 2),
  InstanceGroup("gpu", "ml.p4d.24xlarge", 1)], distribution={"smdistributed":
  {"dataparallel": {"enabled": True}}, "instance_groups": [<the gpu group>]})`` in a
  ``TrainingStep``: the SDK names the group distributed training runs in as the
  hyperparameter ``sagemaker_distribution_instance_groups`` (``'["gpu"]'``). Generated
  offline as ``pipeline-model.json``.
- ``registration-metadata.json``: ``Model.register(metadata_properties=MetadataProperties(
  commit_id=<ParameterString>, repository=…, generated_by=…, project_id=…),
  sample_payload_url=…, framework="XGBOOST", framework_version="1.7",
  nearest_model_name=…, data_input_configuration='{"input": [1, 30]}')`` in a ``ModelStep``:
  where a version records the commit that built it and what Inference Recommender reads.
  Generated offline as ``pipeline-model.json``. The language writes the same
  (``test_registration_metadata_renders_as_the_sdk_writes_it``).
- ``emr-runtime-role.json``: ``EMRStep(execution_role_arn=...)``, the step's runtime role on a
  running cluster (``AddJobFlowSteps``' ``ExecutionRoleArn``).
- ``emr-retry-policies.json``: ``EMRStep(retry_policies=[StepRetryPolicy(...)])`` on a running
  cluster and, with a ``CacheConfig``, on a new one (``cluster_config``): the SDK writes
  ``RetryPolicies`` on EMR steps (aws/sagemaker-python-sdk#5281: the service's EMR step is
  retryable), which the validator refused. Generated offline as ``pipeline-model.json``. The
  language writes the same (``test_emr_retry_policies_render_as_the_sdk_writes_them``).
- ``sdk-*.json``: a probe for false positives, generated offline as ``pipeline-model.json``
  (and local code "uploaded" to ``s3://my-bucket/<prefix>/sourcedir.tar.gz`` by a patched
  ``tar_and_upload_dir``), one file per area:
  ``sdk-pytorch-training-options.json`` (``PyTorch`` with ``torch_distributed``, spot
  training with ``max_wait`` and checkpoints, KMS keys, a VPC, debugger, profiler and
  TensorBoard configs, environment and tags; parameters for instance type and count);
  ``sdk-distributed-estimators.json`` (``TensorFlow`` with multi-worker mirrored, parameter
  server and MPI, ``HuggingFace`` with SMDDP and ``pytorchddp``, ``XGBoost`` as a framework
  and as the built-in algorithm); ``sdk-processors-and-conditions.json``
  (``ScriptProcessor``, ``FrameworkProcessor`` and ``PyTorchProcessor`` with ``source_dir``,
  a property file, ``JsonGet(step_name=…)``, ``ConditionOr``/``Not``/``In``, execution
  variables in environments and arguments); ``sdk-spark-processors.json``
  (``PySparkProcessor`` and ``SparkJarProcessor`` with event logs and a configuration);
  ``sdk-transform-options.json`` (a ``Model`` in a VPC with network isolation, a
  ``Transformer`` with ``input_filter``/``join_source``/``output_filter``, batch data capture
  and a manifest input); ``sdk-registration-options.json`` (``register()`` with every
  model metric and drift-check baseline, ``customer_metadata_properties``,
  ``domain``/``task``, an approval-status parameter, an unversioned package and
  ``PipelineModel.register``); ``sdk-tuning-strategies.json`` (Bayesian with ``Auto``
  early stopping and completion criteria, Hyperband with a transfer-learning warm start,
  Random with a warm start from a step property, Grid, a script-mode estimator with
  several metric definitions and a multi-algorithm tuner);
  ``sdk-lambda-callback-emr-fail.json`` (Lambda and Callback outputs of every type and a
  condition on them, a ``Fail`` message built with ``Join``, EMR on a new cluster with
  retry policies and on a running one, a custom job prefix);
  ``sdk-automl-and-batch-monitoring.json`` (``AutoMLStep`` and its best model in a
  ``ModelStep``, ``MonitorBatchTransformStep``).
- ``sdk-function-steps.json``, ``sdk-function-steps-spark.json``, ``sdk-notebook-jobs.json``:
  pipelines of ``@step`` functions (``sagemaker.workflow.function_step.step``) and
  ``NotebookJobStep``s, generated offline as ``pipeline-model.json`` (placeholder credentials,
  telemetry patched out, ``session._default_bucket`` preset, every socket connection and
  botocore API call refused and none attempted). At ``definition()`` the SDK pickles each
  function and its arguments and uploads them, the runtime scripts, the dependencies and
  pre-execution script, the Spark configuration and the notebooks: ``Session.upload_data``,
  ``Session.upload_string_as_file_body`` and ``S3Uploader.upload_bytes`` are patched to return
  the URI the real call returns (``s3://<bucket>/<key prefix>[/<file name>]``). The build
  time (``--func_step_s3_dir``, ``input-<time>``), the temporary requirements file's name and
  ``DisplayName`` (``__main__.<function>``) are as the SDK wrote them.
  ``sdk-function-steps.json``: a ``ScriptProcessor`` step ``Split`` whose output location is
  a function argument; ``Preprocess`` (``dependencies="requirements.txt"``,
  ``pre_execution_commands``, ``environment_variables`` with an execution variable,
  ``keep_alive_period_in_seconds=600``) taking the ``InputData`` parameter and returning a
  tuple; ``Train`` taking ``cleaned[0]``, ``cleaned[1]``, the ``Epochs`` parameter and Split's
  output (``instance_type=<ParameterString>``, ``volume_size``, ``max_runtime_in_seconds``,
  spot with ``max_wait_time_in_seconds``, a ``StepRetryPolicy`` and a
  ``SageMakerJobStepRetryPolicy``, ``tags``); ``Evaluate`` returning a dict (subnets, security
  groups, ``volume_kms_key``, ``encrypt_inter_container_traffic``, and
  ``get_step(…).add_depends_on([split])``); a ``ProcessingStep`` ``Report`` whose arguments
  are the model and ``metrics["accuracy"]`` (the SDK writes ``Std:JsonGet`` on
  ``results.json``); a ``ConditionStep`` ``ConditionGreaterThanOrEqualTo(metrics["accuracy"],
  <ParameterFloat>)`` with a function step ``Register`` (``image_uri=<ParameterString>``,
  ``job_conda_env``, ``max_retry_attempts``) in ``if_steps`` and a ``FailStep`` whose ``Join``
  message holds ``metrics["accuracy"]`` in ``else_steps``.
  ``sdk-function-steps-spark.json``: a function named by default (``prep-<uuid4>``,
  ``dependencies=<conda environment.yml>``, ``pre_execution_script``, ``job_name_prefix``)
  returning a list; one with ``spark_config=SparkConfig(submit_py_files=[<S3 URI>],
  configuration=…, spark_event_logs_uri=…)`` and ``instance_count=<ParameterInteger>`` (the
  SDK resolves a Spark function's image under Python 3.9 only: its resolver is patched to the
  same ``image_uris.retrieve`` call with ``py39``); a ``TrainingStep`` with
  ``TrainingInput(s3_data=<DelayedReturn>)``, a ``ProcessingStep`` with a ``DelayedReturn``
  input and environment value, a ``Model(model_data=<DelayedReturn>["label"])`` in a
  ``ModelStep``, and a ``ConditionStep`` of ``ConditionEquals`` (a bool, a list item),
  ``ConditionIn``, ``ConditionNot`` and ``JsonGet(step=…, s3_uri=Join(…), json_path=…)`` on a
  function's result. ``sdk-notebook-jobs.json``: a ``NotebookJobStep`` (a local notebook,
  ``parameters`` of a parameter and an execution variable, ``image_uri`` of the SageMaker
  Distribution image, ``kernel_name``, ``initialization_script``, ``additional_dependencies``,
  ``s3_root_uri``, a parameter instance type, retry policy, tags), a second one depending on
  it (``add_depends_on``) with parameters from its properties (``NotebookJobOutputLocationPrefix``,
  ``OutputNotebookName``, ``ComputingJobName``), KMS keys and a VPC, and a ``ProcessingStep``
  reading the first one's output and properties. Both are ``Training`` steps; what their jobs
  read and write is in ``definition/_sdk_jobs.py``.
- ``multi-algorithm-tuning.json``: ``HyperparameterTuner.create(estimator_dict={"xgboost":
  <XGBoost image Estimator>, "custom": <custom image Estimator, 2 × ml.c5.xlarge, 50 GiB,
  an environment>}, …)`` with an objective metric, ranges and (for ``custom``) metric
  definitions per estimator, ``strategy="Random"``, ``max_jobs=6``, ``random_seed=7``,
  ``fit(inputs={name: {"train": <ParameterString>}})``, in a ``TuningStep``, and a condition
  on ``BestTrainingJob.TrainingJobDefinitionName``. Generated offline as
  ``pipeline-model.json``. The language writes the same
  (``test_multi_algorithm_tuning_renders_as_the_sdk_writes_it``).
- ``parameters-in-checked-fields.json``: pipeline parameters where the validator compares
  literals: spot training's ``max_run``/``max_wait``, a tag key, a tuner's ``strategy`` and
  ``early_stopping_type`` (with a Hyperband ``strategy_config``).
- ``ported-features.json``: what teams porting SDK pipelines missed most, each written by the
  language too (``test_ported_features_render_as_the_sdk_writes_them``): ``JsonGet(s3_uri=…)``,
  a tuner's ``random_seed``, Hyperband ``strategy_config``, ``completion_criteria_config``,
  ``max_runtime_in_seconds`` and ``warm_start_config``, ``register(drift_check_baselines=…)``
  and the bias pre- and post-training reports, ``TrainingInput(shuffle_config=…)``.
- ``pipeline-model.json``: a ``PipelineModel`` (an inference pipeline) of an ``SKLearnModel``
  and an ``XGBoostModel`` (``entry_point=``, ``source_dir=`` an S3 archive, literal
  ``model_data``), ``pipeline_model.create(instance_type="ml.m5.large")`` and
  ``pipeline_model.register(…)`` each in a ``ModelStep``. Generated offline as
  ``scripts/benchmark_definition.py`` runs the SDK (placeholder credentials and region
  us-east-1, telemetry patched out, ``session._default_bucket`` preset, every socket
  connection and botocore API call refused), ``print(json.dumps(json.loads(
  pipeline.definition()), indent=2))``. The language writes the same
  (``test_pipeline_model_renders_as_the_sdk_writes_it``).
- ``sdk-abalone.json``: AWS's abalone example (amazon-sagemaker-examples,
  ``sagemaker-pipelines-preprocess-train-evaluate-batch-transform.ipynb``, and the MLOps
  project template's ``pipelines/abalone/pipeline.py``), the pipeline most teams port
  first: seven parameters (``ProcessingInstanceCount``, ``ProcessingInstanceType``,
  ``TrainingInstanceType``, ``ModelApprovalStatus``, ``InputData``, ``BatchData``,
  ``MseThreshold``), an ``SKLearnProcessor`` ("0.23-1") with three outputs, the built-in
  XGBoost ``Estimator`` (``image_uris.retrieve("xgboost", region, "1.0-1")``, no
  ``entry_point``, ``set_hyperparameters(objective="reg:linear", num_round=50, …)``,
  ``TrainingInput(content_type="text/csv")`` channels), a ``ScriptProcessor`` evaluation
  with an ``evaluation.json`` ``PropertyFile``, ``Model.create(instance_type=…,
  accelerator_type=…)`` (which only pick an image, given here) and ``Model.register(…,
  model_metrics=ModelMetrics(model_statistics=MetricsSource(s3_uri=Join(…))))`` in
  ``ModelStep``s, a ``Transformer`` in a ``TransformStep``, a ``ConditionLessThanOrEqualTo``
  on ``JsonGet(…, "regression_metrics.mse.value")`` and a ``FailStep`` whose message joins
  the threshold. Code is given as S3 URIs (nothing to upload). Generated offline as
  ``pipeline-model.json``. The language writes the same but for the documented SDK defaults
  (``test_abalone_renders_as_the_sdk_writes_it``).
- ``sdk-tuning-step.json``: AWS's tuning-step example (amazon-sagemaker-examples,
  ``sagemaker-pipelines/tabular/tuning-step/sagemaker-pipelines-tuning-step.ipynb``, the
  ``step_args`` version): four parameters, an ``SKLearnProcessor`` ("0.23-1") given
  ``arguments=["--input-data", <ParameterString>]`` whose three outputs share one
  destination (``Join(["s3:/", bucket, prefix, PIPELINE_EXECUTION_ID, step name])``, as
  the example writes them: each split's channel then holds all three files), a
  ``HyperparameterTuner`` (``Random``, 3 jobs, ``validation:rmse`` minimized, ``alpha`` and
  ``lambda`` ``ContinuousParameter``s with ``Logarithmic`` scaling) over the built-in
  XGBoost ``Estimator`` (1.0-1) in a ``TuningStep`` with a ``CacheConfig(True, "30d")``,
  the example's warm-start tuner (``IdenticalDataAndAlgorithm``, its parent the first
  step's ``HyperParameterTuningJobName``) added to the steps as its notebook says it can
  be, two ``Model.create`` ``ModelStep``s of ``get_top_model_s3_uri(top_k=0/1,
  s3_bucket="my-bucket/tuning-step-example/AbaloneTrain")``, a ``ScriptProcessor``
  evaluation of the best model with a ``PropertyFile``, and ``Model.register`` in a
  ``ModelStep`` under a ``ConditionLessThanOrEqualTo`` of its MSE and 6.0. Generated
  offline as ``sdk-abalone.json`` (code as S3 URIs). The language writes the same but for
  the documented differences (``test_tuning_step_example_renders_as_the_sdk_writes_it``).
- ``sdk-pipeline-model-deploy.json``: AWS's train-register-deploy-pipeline-model example
  (``sagemaker-pipelines/tabular/train-register-deploy-pipeline-model``): seven parameters,
  an ``SKLearnProcessor`` writing a scaler model, train and test, a ``TensorFlow`` (2.4.1,
  py37, ``source_dir`` an S3 archive) ``TrainingStep``, a ``ScriptProcessor`` evaluation
  with a ``PropertyFile``, a ``PipelineModel`` of an ``SKLearnModel`` (the scaler) and a
  TensorFlow ``Model`` registered with ``ModelMetrics`` in a ``ModelStep``, under a
  ``ConditionLessThanOrEqualTo`` of the MSE and a ``ParameterFloat``; and, as the
  ``lambda-step`` example deploys, a ``LambdaStep`` (``Lambda(function_arn=…)``) given the
  version's ``ModelPackageArn`` and declaring the handler's three ``String``
  ``LambdaOutput``s. The scaler's model data and the evaluation report are, as in the
  example, ``"{}/model.tar.gz".format(step.arguments[…]["S3Uri"])``: reading
  ``step.arguments`` builds the request when the pipeline is defined, which fixes the
  outputs of both processing steps at a job location named by that moment's timestamp
  (``s3://my-bucket/sklearn-housing-data-process-<time>/output/…``), the same in every
  execution, unedited here. Generated offline as ``sdk-abalone.json``. The language writes
  the same but for the documented differences
  (``test_pipeline_model_example_renders_as_the_sdk_writes_it``).
- ``sdk-huggingface.json``: the Hugging Face pipeline teams write from the Hugging Face
  docs' "MLOps: End-to-End Hugging Face Transformers with the Hub & SageMaker Pipelines"
  example, on current containers (transformers 4.28, PyTorch 2.0, py310): nine parameters
  (``TrainingInstanceType`` declared and unused, the instance types literal, as teams
  write them), a ``HuggingFaceProcessor`` (ml.g4dn.xlarge: its images are GPU-only)
  ``run(code="preprocessing.py", source_dir=<S3 sourcedir.tar.gz>, arguments=…)`` (the SDK
  uploads its ``runproc.sh``: patched to return its destination, as ``sdk-function-steps``),
  a ``HuggingFace`` estimator (``entry_point`` + ``source_dir`` an S3 archive,
  hyperparameters ``epochs`` and three more parameters, ``model_id``, ``fp16``, two metric
  definitions), a ``ScriptProcessor`` evaluation on ``image_uris.retrieve("huggingface",
  …, instance_type="ml.m5.xlarge", image_scope="inference")`` with a ``PropertyFile``,
  ``CacheConfig(True, "30d")`` on those three, a ``ConditionGreaterThanOrEqualTo`` on
  ``JsonGet(…, "eval_accuracy")`` and a ``ParameterFloat``, ``HuggingFaceModel(…).register(…,
  inference_instances=["ml.g4dn.xlarge", "ml.m5.xlarge"], model_metrics=…)`` in a
  ``ModelStep`` (the SDK picks the GPU inference image for the first instance and writes
  ``Framework: PYTORCH``, ``FrameworkVersion: 2.0``), and a ``FailStep``. Generated offline
  as ``sdk-abalone.json``. The language writes the same but for the documented differences
  (``test_huggingface_example_renders_as_the_sdk_writes_it``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    CacheConfig,
    CategoricalParameter,
    ClarifyCheckStep,
    Code,
    ConditionEquals,
    ConditionGreaterThanOrEqualTo,
    ConditionLessThanOrEqualTo,
    ConditionStep,
    Container,
    ContinuousParameter,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    DriftCheckBaselines,
    EMRStep,
    ExecutionVariables,
    FailStep,
    FileSource,
    HyperbandStrategyConfig,
    Image,
    InstanceGroup,
    IntegerParameter,
    Join,
    JsonGet,
    LambdaStep,
    MetadataProperties,
    MetricsSource,
    ModelBiasCheckConfig,
    ModelExplainabilityCheckConfig,
    ModelMetrics,
    ModelQualityCheckConfig,
    ModelStep,
    NetworkConfig,
    OutputType,
    ParameterBoolean,
    ParameterFloat,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
    ProcessingInput,
    ProcessingOutput,
    ProcessingStep,
    PropertyFile,
    QualityCheckStep,
    RegisterModel,
    StaticBinder,
    StepExceptionType,
    StepOutput,
    StepRetryPolicy,
    TrainingInput,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningJobCompletionCriteria,
    TuningStep,
    WarmStartConfig,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition.permissions import S3Access, plan_permissions
from tests.definition.test_sdk_reference import differences

SDK_GENERATED = Path(__file__).parent / "sdk_generated"


def load(name: str) -> Any:
    return json.loads((SDK_GENERATED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(SDK_GENERATED.glob("*.json")), ids=lambda p: p.stem)
def test_sdk_definition_is_valid(path: Path) -> None:
    assert validate_definition(json.loads(path.read_text(encoding="utf-8"))) == []


def test_custom_job_name_prefix_is_checked_against_the_job_name_pattern() -> None:
    definition = load("custom-job-prefix")
    definition["Steps"][0]["Arguments"]["ProcessingJobName"] = "team a"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("Prep", "Arguments.ProcessingJobName")
    assert "does not match the pattern" in problem.message


def test_job_names_stay_optional() -> None:
    definition = load("custom-job-prefix")
    for step in definition["Steps"]:
        for member in ("ProcessingJobName", "TrainingJobName", "HyperParameterTuningJobName"):
            step["Arguments"].pop(member, None)
    assert validate_definition(definition) == []


def test_custom_job_name_prefixes_scope_the_job_permissions() -> None:
    plan = plan_permissions(load("custom-job-prefix"))
    assert plan.job_name_prefixes == {
        "Processing": ["team-a-prep-"],
        "Training": ["team-a-train-"],
        "Tuning": ["tunea-"],
        "Model": ["team-a-model-"],
        "Transform": ["team-a-batch-"],
    }


def test_jobs_without_a_custom_prefix_keep_the_pipelines_prefix() -> None:
    definition = load("custom-job-prefix")
    del definition["Steps"][1]["Arguments"]["TrainingJobName"]
    assert plan_permissions(definition).job_name_prefixes["Training"] == ["pipelines-"]


def test_check_step_settings_are_still_walked_for_references() -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][0]["SkipCheck"] = {"Get": "Parameters.SkipChek"}
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("DataQualityCheck", "SkipCheck")


def test_check_steps_take_only_their_own_settings() -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][1]["SuppliedBaselineStatistics"] = "s3://my-ml-bucket/stats.json"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == ("DataBiasCheck", "SuppliedBaselineStatistics")
    assert problem.message == "not a field of a ClarifyCheck step"


def test_a_json_clarify_check_with_a_wrongly_named_analysis_config_is_refused() -> None:
    # Before, only ClarifyCheckStep checked the name: a JSON definition (an SDK file, a
    # RawStep) validated, and its Clarify job failed at run time.
    definition = load("quality-and-clarify-checks")
    config_input = definition["Steps"][1]["Arguments"]["ProcessingInputs"][0]
    assert config_input["InputName"] == "analysis_config"
    config_input["S3Input"]["S3Uri"] = "s3://my-ml-bucket/bias/bias_config.json"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == (
        "DataBiasCheck",
        "Arguments.ProcessingInputs[0].S3Input.S3Uri",
    )
    assert "Clarify reads it as analysis_config.json" in problem.message
    # A prefix holding the file, and the right name, pass.
    config_input["S3Input"]["S3Uri"] = "s3://my-ml-bucket/bias/"
    assert validate_definition(definition) == []
    config_input["S3Input"]["S3Uri"] = "s3://my-ml-bucket/bias/analysis_config.json"
    assert validate_definition(definition) == []


def test_check_steps_sharing_one_output_location_are_refused() -> None:
    # Before, both validated and the later job's analysis.json overwrote the other's.
    definition = load("quality-and-clarify-checks")
    first = copy.deepcopy(definition["Steps"][1])
    second = copy.deepcopy(first)
    second["Name"] = "PostTrainingBiasCheck"
    second.update(CheckType="MODEL_BIAS", ModelName="churn-model")
    definition["Steps"][1:2] = [first, second]
    problems = [p for p in validate_definition(definition) if "same location" in p.message]
    [problem] = problems
    assert problem.step == "PostTrainingBiasCheck"
    assert "'DataBiasCheck' and 'PostTrainingBiasCheck'" in problem.message
    output = second["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
    output["S3Uri"] = "s3://my-ml-bucket/post-bias/"
    assert [p for p in validate_definition(definition) if "same location" in p.message] == []


def test_a_quality_check_and_a_clarify_check_may_share_an_output_location() -> None:
    # Their jobs write different files there (statistics.json and constraints.json;
    # analysis.json and the report): nothing is overwritten, the definition is valid.
    definition = load("quality-and-clarify-checks")
    quality, clarify = definition["Steps"][0], definition["Steps"][1]
    for step in (quality, clarify):
        output = step["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]
        output["S3Uri"] = "s3://my-ml-bucket/checks"
    assert validate_definition(definition) == []


def test_emr_runtime_role_is_checked_as_an_arn() -> None:
    definition = load("emr-runtime-role")
    definition["Steps"][0]["Arguments"]["ExecutionRoleArn"] = "EmrRuntimeRole"
    [problem] = validate_definition(definition)
    assert problem.field == "Arguments.ExecutionRoleArn"
    assert "fewer than the minimum 20" in problem.message


def test_emr_runtime_role_needs_a_running_cluster() -> None:
    definition = load("emr-runtime-role")
    arguments = definition["Steps"][0]["Arguments"]
    del arguments["ClusterId"]
    arguments["ClusterConfig"] = {
        "ReleaseLabel": "emr-6.10.0",
        "Instances": {
            "InstanceGroups": [
                {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}
            ]
        },
    }
    [problem] = validate_definition(definition)
    assert problem.field == "Arguments.ExecutionRoleArn"
    assert problem.message == "a runtime role needs a running cluster (ClusterId)"


def test_check_steps_are_planned_as_the_processing_jobs_they_run() -> None:
    # Their Arguments are a CreateProcessingJob request; the step metadata names the job.
    plan = plan_permissions(load("quality-and-clarify-checks"))
    assert plan.unplanned_steps == []
    assert list(plan.job_actions) == ["Processing"]
    assert plan.job_name_prefixes == {"Processing": ["pipelines-"]}
    assert plan.passed_roles == ["arn:aws:iam::111122223333:role/SageMakerRole"]
    reads = {(access.bucket, access.key_pattern) for access in plan.reads}
    # The supplied baselines (read by the job), the Clarify analysis config (an input).
    assert {
        ("my-ml-bucket", "stats.json"),
        ("my-ml-bucket", "constraints.json"),
        ("my-ml-bucket", "bias/analysis_config.json"),
    } <= reads
    writes = {(access.bucket, access.key_pattern) for access in plan.writes}
    assert writes == {("my-ml-bucket", "dq"), ("my-ml-bucket", "bias")}
    assert any("sagemaker-model-monitor-analyzer" in image for image in plan.images)


def test_check_baselines_registered_later_are_read_where_the_check_job_wrote_them() -> None:
    # CalculatedBaseline* are files in the check job's output; BaselineUsedForDriftCheck* is
    # the supplied file or the calculated one. Before, both were unattributed reads.
    plan = plan_permissions(load("quality-and-clarify-checks"))
    reads = {(access.bucket, access.key_pattern) for access in plan.reads}
    assert {("my-ml-bucket", "dq"), ("my-ml-bucket", "bias")} <= reads
    unattributed = {(item.step, item.value) for item in plan.unattributed}
    # The bias check has no supplied baseline: it may use the registry's, known at run time.
    assert (
        "Register-RegisterModel",
        "'Steps.DataBiasCheck.BaselineUsedForDriftCheckConstraints'",
    ) in unattributed
    assert not any("DataQualityCheck." in value for _, value in unattributed)


def test_checks_without_supplied_baselines_are_listed_with_their_group() -> None:
    plan = plan_permissions(load("quality-and-clarify-checks"))
    assert plan.registry_baseline_checks == [("DataBiasCheck", "churn")]
    definition = load("quality-and-clarify-checks")
    quality = definition["Steps"][0]
    del quality["SuppliedBaselineStatistics"]
    assert plan_permissions(definition).registry_baseline_checks == [
        ("DataQualityCheck", "churn"),
        ("DataBiasCheck", "churn"),
    ]
    for step in definition["Steps"][:2]:
        del step["ModelPackageGroupName"]
    assert plan_permissions(definition).registry_baseline_checks == []


def test_checks_whose_supplied_baseline_parameter_defaults_to_empty_are_listed() -> None:
    # The SDK's model-monitor template: ParameterString(..., default_value="") leaves the
    # supplied baseline unset, so the default run looks the registry up; it wasn't warned.
    definition = load("quality-and-clarify-checks")
    definition["Parameters"] += [
        {"Name": "SuppliedStatistics", "Type": "String", "DefaultValue": ""},
        {"Name": "SuppliedConstraints", "Type": "String", "DefaultValue": "s3://b/c.json"},
    ]
    quality = definition["Steps"][0]
    quality["SuppliedBaselineStatistics"] = {"Get": "Parameters.SuppliedStatistics"}
    quality["SuppliedBaselineConstraints"] = {"Get": "Parameters.SuppliedConstraints"}
    assert plan_permissions(definition).registry_baseline_checks == [
        ("DataQualityCheck", "churn"),
        ("DataBiasCheck", "churn"),
    ]
    definition["Parameters"][-2]["DefaultValue"] = "s3://b/s.json"
    assert plan_permissions(definition).registry_baseline_checks == [("DataBiasCheck", "churn")]


def test_clarify_checks_of_a_model_are_listed_for_their_shadow_endpoint() -> None:
    definition = load("quality-and-clarify-checks")
    bias = definition["Steps"][1]
    assert plan_permissions(definition).shadow_endpoint_checks == []
    bias["CheckType"] = "MODEL_BIAS"
    bias["ModelName"] = "churn-model"
    assert plan_permissions(definition).shadow_endpoint_checks == [("DataBiasCheck", "churn-model")]


def test_clarify_checks_of_a_model_plan_their_shadow_endpoints_default_prefix() -> None:
    # Before, the plan only listed the check (a warning asked for hand-written grants);
    # the job's role manages the endpoints named with Clarify's default prefix.
    definition = load("quality-and-clarify-checks")
    assert plan_permissions(definition).shadow_endpoint_prefixes == []
    definition["Steps"][1].update(CheckType="MODEL_EXPLAINABILITY", ModelName="churn-model")
    assert plan_permissions(definition).shadow_endpoint_prefixes == ["sm-clarify"]


def test_the_plan_lists_the_step_types_it_read() -> None:
    plan = plan_permissions(load("quality-and-clarify-checks"))
    assert plan.step_types == {"QualityCheck", "ClarifyCheck", "RegisterModel"}


def one_step(kind: str, path: str, value: Any) -> dict[str, Any]:
    """A definition of one step whose Arguments hold ``value`` at ``path`` (``x[0].y``)."""
    nested: Any = value
    for part in reversed(path.split(".")):
        name, listed, _ = part.partition("[0]")
        nested = {name: [nested] if listed else nested}
    return {"Version": "2020-12-01", "Steps": [{"Name": "Job", "Type": kind, "Arguments": nested}]}


@pytest.mark.parametrize(
    ("planned", "kind", "path"),
    [
        ("kms_keys", "Processing", "ProcessingResources.ClusterConfig.VolumeKmsKeyId"),
        ("kms_keys", "Processing", "ProcessingOutputConfig.KmsKeyId"),
        ("kms_keys", "Training", "ResourceConfig.VolumeKmsKeyId"),
        ("kms_keys", "Training", "OutputDataConfig.KmsKeyId"),
        (
            "kms_keys",
            "Tuning",
            "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        ),
        ("kms_keys", "Tuning", "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId"),
        ("kms_keys", "Tuning", "TrainingJobDefinition.OutputDataConfig.KmsKeyId"),
        (
            "kms_keys",
            "Tuning",
            "TrainingJobDefinitions[0].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
        ),
        ("kms_keys", "Tuning", "TrainingJobDefinitions[0].ResourceConfig.VolumeKmsKeyId"),
        ("kms_keys", "Tuning", "TrainingJobDefinitions[0].OutputDataConfig.KmsKeyId"),
        ("kms_keys", "Transform", "TransformResources.VolumeKmsKeyId"),
        ("kms_keys", "Transform", "TransformOutput.KmsKeyId"),
        ("kms_keys", "Transform", "DataCaptureConfig.KmsKeyId"),
        ("images", "Processing", "AppSpecification.ImageUri"),
        ("images", "Training", "AlgorithmSpecification.TrainingImage"),
        ("images", "Tuning", "TrainingJobDefinition.AlgorithmSpecification.TrainingImage"),
        ("images", "Tuning", "TrainingJobDefinitions[0].AlgorithmSpecification.TrainingImage"),
        ("images", "Model", "PrimaryContainer.Image"),
        ("images", "Model", "Containers[0].Image"),
        ("images", "RegisterModel", "InferenceSpecification.Containers[0].Image"),
        ("passed_roles", "Processing", "RoleArn"),
        ("passed_roles", "Training", "RoleArn"),
        ("passed_roles", "Tuning", "TrainingJobDefinition.RoleArn"),
        ("passed_roles", "Tuning", "TrainingJobDefinitions[0].RoleArn"),
        ("passed_roles", "Model", "ExecutionRoleArn"),
    ],
)
def test_every_field_naming_a_key_image_or_role_is_planned(
    planned: str, kind: str, path: str
) -> None:
    plan = plan_permissions(one_step(kind, path, f"value-of-{path}"))
    assert getattr(plan, planned) == [f"value-of-{path}"]


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("Processing", "NetworkConfig.VpcConfig"),
        ("Training", "VpcConfig"),
        ("Tuning", "TrainingJobDefinition.VpcConfig"),
        ("Tuning", "TrainingJobDefinitions[0].VpcConfig"),
        ("Model", "VpcConfig"),
    ],
)
def test_every_vpc_config_is_planned(kind: str, path: str) -> None:
    vpc = {"Subnets": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]}
    plan = plan_permissions(one_step(kind, path, vpc))
    assert (plan.uses_vpc, plan.vpc_subnets, plan.vpc_security_groups) == (
        True,
        ["subnet-0abc"],
        ["sg-0abc"],
    )


@pytest.mark.parametrize(
    ("key_pattern", "objects", "list_prefixes"),
    [
        ("", "data/*", ()),  # the whole bucket: listing it needs no prefix condition
        ("train", "data/train*", ("train*",)),
        ("runs/*", "data/runs/*", ("runs/*",)),
    ],
    ids=["bucket", "prefix", "pattern"],
)
def test_a_planned_location_names_its_objects_and_list_prefixes(
    key_pattern: str, objects: str, list_prefixes: tuple[str, ...]
) -> None:
    access = S3Access("data", key_pattern)
    assert (access.objects, access.list_prefixes) == (objects, list_prefixes)


@pytest.mark.parametrize(
    "uri", ["s3://*/data/", "s3:///data/", "https://data.s3.amazonaws.com/data/", "data/"]
)
def test_a_location_without_a_bucket_name_is_listed_never_granted(uri: str) -> None:
    plan = plan_permissions(one_step("Processing", "ProcessingInputs[0].S3Input.S3Uri", uri))
    assert plan.reads == []
    [item] = plan.unattributed
    assert (item.step, item.value, item.access, item.parameters) == ("Job", uri, "read", ())


def test_vpc_members_known_only_at_run_time_are_planned_open() -> None:
    vpc = {"Subnets": [{"Get": "Parameters.Subnet"}], "SecurityGroupIds": ["sg-0abc"]}
    plan = plan_permissions(one_step("Training", "VpcConfig", vpc))
    assert (plan.vpc_subnets, plan.vpc_security_groups) == (["*"], ["sg-0abc"])
    assert plan.open_vpc_configs == [("Job", "Arguments.VpcConfig.Subnets")]


@pytest.mark.parametrize(
    ("access", "kind", "path"),
    [
        ("read", "Processing", "ProcessingInputs[0].S3Input.S3Uri"),
        ("write", "Processing", "ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"),
        ("read", "Training", "InputDataConfig[0].DataSource.S3DataSource.S3Uri"),
        ("read", "Training", "HyperParameters.sagemaker_submit_directory"),
        ("write", "Training", "OutputDataConfig.S3OutputPath"),
        ("read", "Training", "CheckpointConfig.S3Uri"),
        ("write", "Training", "CheckpointConfig.S3Uri"),
        (
            "read",
            "Tuning",
            "TrainingJobDefinition.InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        ),
        (
            "read",
            "Tuning",
            "TrainingJobDefinition.StaticHyperParameters.sagemaker_submit_directory",
        ),
        (
            "read",
            "Tuning",
            "TrainingJobDefinitions[0].StaticHyperParameters.sagemaker_submit_directory",
        ),
        ("write", "Tuning", "TrainingJobDefinition.OutputDataConfig.S3OutputPath"),
        ("read", "Tuning", "TrainingJobDefinition.CheckpointConfig.S3Uri"),
        ("write", "Tuning", "TrainingJobDefinition.CheckpointConfig.S3Uri"),
        (
            "read",
            "Tuning",
            "TrainingJobDefinitions[0].InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        ),
        ("write", "Tuning", "TrainingJobDefinitions[0].OutputDataConfig.S3OutputPath"),
        ("read", "Tuning", "TrainingJobDefinitions[0].CheckpointConfig.S3Uri"),
        ("write", "Tuning", "TrainingJobDefinitions[0].CheckpointConfig.S3Uri"),
        ("read", "Transform", "TransformInput.DataSource.S3DataSource.S3Uri"),
        ("write", "Transform", "TransformOutput.S3OutputPath"),
        ("write", "Transform", "DataCaptureConfig.DestinationS3Uri"),
        ("read", "Model", "PrimaryContainer.ModelDataUrl"),
        ("read", "Model", "PrimaryContainer.Environment.SAGEMAKER_SUBMIT_DIRECTORY"),
        ("read", "Model", "Containers[0].ModelDataUrl"),
        ("read", "Model", "PrimaryContainer.ModelDataSource.S3DataSource.S3Uri"),
        ("read", "Model", "Containers[0].ModelDataSource.S3DataSource.S3Uri"),
        ("read", "Model", "Containers[0].Environment.SAGEMAKER_SUBMIT_DIRECTORY"),
        ("read", "RegisterModel", "InferenceSpecification.Containers[0].ModelDataUrl"),
        (
            "read",
            "RegisterModel",
            "InferenceSpecification.Containers[0].ModelDataSource.S3DataSource.S3Uri",
        ),
        ("read", "RegisterModel", "ModelMetrics.ModelQuality.Statistics.S3Uri"),
        ("read", "RegisterModel", "DriftCheckBaselines.Bias.ConfigFile.S3Uri"),
    ],
)
def test_every_field_naming_s3_data_is_planned(access: str, kind: str, path: str) -> None:
    plan = plan_permissions(one_step(kind, path, "s3://data-bucket/job/data"))
    located = plan.reads if access == "read" else plan.writes
    assert located == [S3Access("data-bucket", "job/data")]


@pytest.mark.parametrize(
    ("reference", "reads"),
    [
        # The SDK writes Outputs['b'] for outputs[name] and Outputs[1] for outputs[index].
        ("Steps.Prep.ProcessingOutputConfig.Outputs['b'].S3Output.S3Uri", [S3Access("data", "b")]),
        ("Steps.Prep.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri", [S3Access("data", "b")]),
        ("Steps.Prep.ProcessingOutputConfig.Outputs['c'].S3Output.S3Uri", []),
        ("Steps.Prep.ProcessingOutputConfig.Outputs[2].S3Output.S3Uri", []),
        ("Steps.Other.ProcessingOutputConfig.Outputs[1].S3Output.S3Uri", []),
        ("Steps.Prep", []),
    ],
    ids=["by-name", "by-index", "no-such-name", "no-such-index", "no-such-step", "no-property"],
)
def test_an_input_read_from_a_processing_output_is_planned_where_it_was_written(
    reference: str, reads: list[S3Access]
) -> None:
    outputs = [{"OutputName": name, "S3Output": {"S3Uri": f"s3://data/{name}"}} for name in "ab"]
    prep = {"ProcessingOutputConfig": {"Outputs": outputs}}
    use = {"ProcessingInputs": [{"S3Input": {"S3Uri": {"Get": reference}}}]}
    steps = [("Prep", prep), ("Use", use)]
    definition = {
        "Version": "2020-12-01",
        "Steps": [{"Name": name, "Type": "Processing", "Arguments": args} for name, args in steps],
    }

    plan = plan_permissions(definition)

    assert plan.reads == reads
    # What can't be located is listed, never granted as a guess.
    assert [item.value for item in plan.unattributed] == ([] if reads else [f"'{reference}'"])


def test_each_job_type_gets_the_actions_its_jobs_are_run_with() -> None:
    # What Pipelines calls with the pipeline role for each job: create it, follow it, stop it
    # when the execution is stopped (and list a tuning job's training jobs).
    steps: list[dict[str, Any]] = [
        {"Name": kind, "Type": kind, "Arguments": {}}
        for kind in ("Processing", "Training", "Tuning", "Transform", "Model")
    ]
    plan = plan_permissions({"Version": "2020-12-01", "Steps": steps})
    assert plan.job_actions == {
        "Processing": (
            "processing-job",
            (
                "sagemaker:CreateProcessingJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:StopProcessingJob",
            ),
        ),
        "Training": (
            "training-job",
            (
                "sagemaker:CreateTrainingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:StopTrainingJob",
            ),
        ),
        "Tuning": (
            "hyper-parameter-tuning-job",
            (
                "sagemaker:CreateHyperParameterTuningJob",
                "sagemaker:DescribeHyperParameterTuningJob",
                "sagemaker:StopHyperParameterTuningJob",
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
            ),
        ),
        "Transform": (
            "transform-job",
            (
                "sagemaker:CreateTransformJob",
                "sagemaker:DescribeTransformJob",
                "sagemaker:StopTransformJob",
            ),
        ),
        "Model": ("model", ("sagemaker:CreateModel", "sagemaker:DescribeModel")),
    }


def test_steps_the_plan_grants_nothing_for_are_listed() -> None:
    # A step type the planner doesn't know (a made-up Notebook step, which the validator
    # doesn't know either); the deployment and Lineage steps are planned (tests/definition/
    # test_deploy_permissions.py, test_lineage_permissions.py), a Fail step needs nothing.
    steps: list[dict[str, Any]] = [
        {"Name": kind, "Type": kind, "Arguments": {}}
        for kind in (
            "Notebook",
            "Endpoint",
            "EndpointConfig",
            "InferenceComponent",
            "Lineage",
            "Fail",
        )
    ]
    plan = plan_permissions({"Version": "2020-12-01", "Steps": steps})
    assert plan.unplanned_steps == [("Notebook", "Notebook")]
    assert plan.job_actions == {}


def test_a_custom_job_name_prefix_given_as_an_expression_is_open() -> None:
    definition = load("custom-job-prefix")
    definition["Steps"][1]["Arguments"]["TrainingJobName"] = {
        "Std:Join": {"On": "-", "Values": ["team", {"Get": "Execution.PipelineExecutionId"}]}
    }
    plan = plan_permissions(definition)
    assert plan.job_name_prefixes["Training"] == [""]
    assert plan.open_job_name_prefixes == [("Train", "Arguments.TrainingJobName")]
    assert plan_permissions(load("custom-job-prefix")).open_job_name_prefixes == []


def test_hyperband_early_stopping_is_compared_only_when_literal() -> None:
    # A parameter's value is known only when the execution runs: it was reported as
    # "the Hyperband strategy needs early stopping Off, got {'Get': ...}".
    definition = load("parameters-in-checked-fields")
    config = definition["Steps"][1]["Arguments"]["HyperParameterTuningJobConfig"]
    assert config["TrainingJobEarlyStoppingType"] == {"Get": "Parameters.EarlyStopping"}
    assert validate_definition(definition) == []
    config["TrainingJobEarlyStoppingType"] = "Auto"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == (
        "TuneHyperband",
        "Arguments.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType",
    )


# ported-features.json: JsonGet(s3_uri=Join(…)), a tuner's random_seed, strategy_config,
# completion_criteria_config, max_runtime_in_seconds and warm_start_config (a literal parent
# and another tuning step's job name), register(drift_check_baselines=…), the bias pre- and
# post-training reports of ModelMetrics, and TrainingInput(shuffle_config=ShuffleConfig(123)).


def _ported_features_in_our_language() -> dict[str, Any]:
    sdk = {step["Name"]: step for step in _all_steps(load("ported-features")["Steps"])}
    image = sdk["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"]
    train_uri = ParameterString(name="TrainData", default_value=f"s3://{BUCKET}/train/")
    job = {"image": image, "instance_type": "ml.m5.xlarge", "output_path": f"s3://{BUCKET}/models"}
    tuning = {
        **job,
        "static_hyperparameters": {"num_round": 50},
        "inputs": {"train": train_uri},
        "objective_metric_name": "validation:auc",
    }
    eta = {"eta": ContinuousParameter(min_value=0.01, max_value=0.5)}
    train = TrainingStep(
        name="Train",
        **job,
        hyperparameters={"num_round": 50},
        inputs={
            "train": TrainingInput(s3_data=train_uri, content_type="text/csv", shuffle_seed=123)
        },
    )
    tune_parent = TuningStep(
        name="TuneParent",
        **tuning,
        hyperparameter_ranges={**eta, "max_depth": IntegerParameter(min_value=2, max_value=12)},
        strategy="Hyperband",
        max_jobs=30,
        max_parallel_jobs=5,
        random_seed=7,
        strategy_config=HyperbandStrategyConfig(min_resource=1, max_resource=30),
        completion_criteria=TuningJobCompletionCriteria(
            max_number_of_training_jobs_not_improving=5,
            complete_on_convergence=True,
            target_objective_metric_value=0.95,
        ),
        max_tuning_runtime_in_seconds=36000,
    )
    tune_warm = TuningStep(
        name="TuneWarm",
        **tuning,
        # A warm start keeps the number of static plus tuned hyperparameters of its parent.
        hyperparameter_ranges={**eta, "max_depth": IntegerParameter(min_value=2, max_value=12)},
        strategy="Random",
        max_jobs=10,
        max_parallel_jobs=2,
        random_seed=42,
        warm_start=WarmStartConfig(warm_start_type="TransferLearning", parents=[tune_parent]),
    )
    tune_literal = TuningStep(
        name="TuneWarmLiteral",
        **tuning,
        hyperparameter_ranges=eta,
        warm_start=WarmStartConfig(
            warm_start_type="IdenticalDataAndAlgorithm", parents=["parent-tuning-job-1"]
        ),
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3(f"s3://{BUCKET}/code/evaluate.py"),
        inputs=[
            ProcessingInput(
                source=train.model_data,
                destination="/opt/ml/processing/model",
                input_name="input-1",
            )
        ],
        outputs=["evaluation"],
    )
    report_uri = Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"])

    def source(key: str) -> MetricsSource:
        return MetricsSource(s3_uri=f"s3://{BUCKET}/{key}")

    register = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image=image,
        model_data=train.model_data,
        inference_instances=["ml.m5.large"],
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(s3_uri=report_uri),
            bias_report=source("bias.json"),
            bias_pre_training_report=source("bias-pre.json"),
            bias_post_training_report=source("bias-post.json"),
            explainability_report=source("explain.json"),
        ),
        drift_check_baselines=DriftCheckBaselines(
            model_statistics=source("b/stats.json"),
            model_constraints=source("b/constraints.json"),
            data_statistics=source("b/dstats.json"),
            data_constraints=source("b/dconstraints.json"),
            bias_config_file=FileSource(
                s3_uri=f"s3://{BUCKET}/b/bias-config.json", content_type="application/json"
            ),
            bias_pre_training_constraints=source("b/bias-pre.json"),
            bias_post_training_constraints=source("b/bias-post.json"),
            explainability_constraints=source("b/explain.json"),
            explainability_config_file=FileSource(s3_uri=f"s3://{BUCKET}/b/explain-config.json"),
        ),
    )
    check = ConditionStep(
        name="CheckAccuracy",
        conditions=[
            ConditionGreaterThanOrEqualTo(
                left=JsonGet(s3_uri=report_uri, json_path="metrics.accuracy.value"), right=0.8
            )
        ],
        if_steps=[register],
    )
    return PipelineDefinition(
        parameters=[train_uri],
        steps=[train, tune_parent, tune_warm, tune_literal, evaluate, check],
    ).to_definition(StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET))


BUCKET = "my-ml-bucket"
# The members of a default output's Join that differ from the SDK's: ours is
# [s3://<bucket>, <pipeline>, <step>, <execution id>, <output>], the SDK's
# [s3:/, <bucket>, <pipeline>, <execution id>, <step>, output, <output>]; the execution id
# is the fourth of both.
_OUR_OUTPUT_JOIN_DIFFERS = (0, 1, 2, 4)
SDK_ROLE = "arn:aws:iam::111122223333:role/SageMakerRole"


def _all_steps(steps: list[Any]) -> list[Any]:
    found = []
    for step in steps:
        found.append(step)
        if step["Type"] == "Condition":
            found += _all_steps(step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"])
    return found


def test_ported_features_render_as_the_sdk_writes_them() -> None:
    theirs = {step["Name"]: step for step in _all_steps(load("ported-features")["Steps"])}
    ours = {step["Name"]: step for step in _all_steps(_ported_features_in_our_language()["Steps"])}
    theirs["Register"] = theirs.pop("Register-RegisterModel")
    found = {
        f"{name}.{path}"
        for name, step in theirs.items()
        for path in differences(ours[name], step)
        # Listed in the parent's IfSteps too: compared once, as the step itself.
        if not (name == "CheckAccuracy" and path.startswith("Arguments.IfSteps"))
    }
    # Only the SDK defaults of docs/sdk-comparison.md differ: the debugger and profiler,
    # SkipModelValidation, ModelStep's name suffix and the evaluation's default location.
    assert found == {
        "Register.Name",
        "Train.Arguments.DebugHookConfig",
        "Train.Arguments.ProfilerConfig.DisableProfiler",
        "Train.Arguments.ProfilerConfig.S3OutputPath",
        "Register.Arguments.SkipModelValidation",
        "Evaluate.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri.Std:Join.Values",
        *(
            f"Evaluate.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri.Std:Join."
            f"Values[{index}]"
            for index in _OUR_OUTPUT_JOIN_DIFFERS
        ),
    }


def test_json_get_of_an_s3_uri_is_a_read_of_the_pipeline_role() -> None:
    plan = plan_permissions(load("ported-features"), pipeline_name="PortedFeatures")
    # The service reads the file itself when the condition is evaluated.
    assert plan.property_file_reads == [
        S3Access(BUCKET, "PortedFeatures/*/Evaluate/output/evaluation/evaluation.json")
    ]
    assert plan.unattributed_json_reads == []


def test_json_get_of_an_s3_uri_known_only_at_run_time_is_listed() -> None:
    definition = load("ported-features")
    definition["Parameters"].append({"Name": "ReportUri", "Type": "String"})
    condition = definition["Steps"][5]["Arguments"]["Conditions"][0]
    condition["LeftValue"]["Std:JsonGet"]["S3Uri"] = {"Get": "Parameters.ReportUri"}
    assert validate_definition(definition) == []

    plan = plan_permissions(definition)

    assert plan.property_file_reads == []
    assert [str(item) for item in plan.unattributed_json_reads] == [
        "step 'CheckAccuracy' field 'Arguments.Conditions[0].LeftValue.Std:JsonGet.S3Uri' "
        "(reads 'Parameters.ReportUri')"
    ]
    located = plan_permissions(definition, parameter_locations={"ReportUri": "s3://reports/*"})
    assert located.property_file_reads == [S3Access("reports", "*")]


def test_drift_check_baselines_and_bias_reports_are_read() -> None:
    reads = plan_permissions(load("ported-features"), pipeline_name="PortedFeatures").reads
    for key in ("bias-pre.json", "bias-post.json", "b/stats.json", "b/bias-config.json"):
        assert S3Access(BUCKET, key) in reads
    assert S3Access(BUCKET, "b/explain-config.json") in reads


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (
            {"Get": "Parameters.Threshold"},
            "expected an S3 URI (a String), got a Float ('Parameters.Threshold')",
        ),
        (
            # As JsonGet(s3_uri=<parameter>) writes it, and the SDK's Join(values=[…]).
            {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Threshold"}]}},
            "expected an S3 URI (a String), got a Float ('Parameters.Threshold')",
        ),
        ("my-ml-bucket/report.json", "the URI starts with 'my-ml-bucket/report.json', not 's3://'"),
        (
            {
                "Std:Join": {
                    "On": "/",
                    "Values": ["https:/", "host", {"Get": "Execution.PipelineName"}],
                }
            },
            "the URI starts with 'https://host/', not 's3://'",
        ),
        (7, "expected an S3 URI, got 7"),
        (
            {"Std:Join": {"On": "/", "Values": [{"Get": "Steps.Evaluat.Foo"}, "x.json"]}},
            "refers to step 'Evaluat', which is not in the pipeline",
        ),
    ],
    ids=[
        "number-parameter",
        "joined-number-parameter",
        "no-scheme",
        "https",
        "number",
        "unknown-step",
    ],
)
def test_fails_json_get_of_something_not_an_s3_uri(uri: Any, message: str) -> None:
    definition = load("ported-features")
    definition["Parameters"].append({"Name": "Threshold", "Type": "Float", "DefaultValue": 0.8})
    condition = definition["Steps"][5]["Arguments"]["Conditions"][0]
    condition["LeftValue"]["Std:JsonGet"]["S3Uri"] = uri

    [problem] = validate_definition(definition)

    assert problem.step == "CheckAccuracy"
    assert (problem.field or "").startswith("Arguments.Conditions[0].LeftValue.Std:JsonGet.S3Uri")
    assert problem.message == message


def test_fails_json_get_of_a_property_file_and_an_s3_uri() -> None:
    definition = load("ported-features")
    definition["Steps"][4]["PropertyFiles"] = [
        {"PropertyFileName": "Report", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    body = definition["Steps"][5]["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]
    body["PropertyFile"] = {"Get": "Steps.Evaluate.PropertyFiles.Report"}

    [problem] = validate_definition(definition)

    assert problem.field == "Arguments.Conditions[0].LeftValue.Std:JsonGet.S3Uri"
    assert problem.message == "Std:JsonGet reads a PropertyFile or an S3Uri, not both"


def test_check_step_arguments_are_checked_as_processing_job_requests() -> None:
    # Before, a check step's Arguments went unchecked: a typo failed at run time.
    definition = load("quality-and-clarify-checks")
    arguments = definition["Steps"][0]["Arguments"]
    arguments["ProcessingResources"]["ClusterConfig"]["InstanceType"] = "ml.c5.xlarg"
    arguments["AppSpecification"]["ImageUrl"] = arguments["AppSpecification"].pop("ImageUri")
    problems = {(p.step, p.field): p for p in validate_definition(definition)}
    assert set(problems) == {
        ("DataQualityCheck", "Arguments.ProcessingResources.ClusterConfig.InstanceType"),
        ("DataQualityCheck", "Arguments.AppSpecification.ImageUrl"),
        ("DataQualityCheck", "Arguments.AppSpecification.ImageUri"),
    }
    hint = problems[
        ("DataQualityCheck", "Arguments.ProcessingResources.ClusterConfig.InstanceType")
    ].hint
    assert "did you mean 'ml.c5.xlarge'" in str(hint)


def test_check_step_input_names_are_unique_as_in_processing_steps() -> None:
    definition = load("quality-and-clarify-checks")
    inputs = definition["Steps"][1]["Arguments"]["ProcessingInputs"]
    inputs[1]["InputName"] = inputs[0]["InputName"]
    [problem] = validate_definition(definition)
    assert problem.step == "DataBiasCheck"
    assert str(problem.field).startswith("Arguments.ProcessingInputs[1]")


@pytest.mark.parametrize(
    ("step", "member", "value", "message"),
    [
        (
            0,
            "CheckType",
            {"DATA_QUALITY"},
            "expected the check type as a string, got \"{'DATA_QUALITY'}\"",
        ),
        (1, "ModelPackageGroupName", {"models"}, "expected a name, got \"{'models'}\""),
    ],
)
def test_check_step_settings_json_cant_hold_are_problems(
    step: int, member: str, value: Any, message: str
) -> None:
    # A dict built in Python may hold what JSON can't (a set): json.dumps of the value for
    # the message raised a TypeError out of validate_definition.
    definition = load("quality-and-clarify-checks")
    entry = definition["Steps"][step]
    entry[member] = value
    problems = validate_definition(definition)
    assert [(problem.step, problem.field, problem.message) for problem in problems] == [
        (entry["Name"], member, message),
        (None, None, "not serialisable as JSON: Object of type set is not JSON serializable"),
    ]


@pytest.mark.parametrize(
    ("step", "member", "value", "message"),
    [
        (0, "CheckType", "DATA_BIAS", "'DATA_BIAS' is not a check of a QualityCheck step"),
        (1, "CheckType", "DATA_QUALITY", "'DATA_QUALITY' is not a check of a ClarifyCheck step"),
        (0, "CheckType", None, "a QualityCheck step needs CheckType"),
        (
            0,
            "CheckType",
            {"Get": "Parameters.SkipCheck"},
            'expected the check type as a string, got {"Get": "Parameters.SkipCheck"}',
        ),
        (0, "FailOnViolation", "true", 'expected true, false or a Boolean parameter, got "true"'),
        (
            0,
            "SkipCheck",
            {"Get": "Parameters.BaselineData"},
            "expected true, false or a Boolean parameter, got a String",
        ),
        (
            0,
            "RegisterNewBaseline",
            {"Get": "Parameters.Count"},
            "expected true, false or a Boolean parameter, got an Integer",
        ),
        (0, "SuppliedBaselineStatistics", "stats.json", "'stats.json' is not an S3 URI"),
        (1, "ModelPackageGroupName", 7, "expected a name, got 7"),
        # Were accepted and failed only when the check ran (or fell back to the registry).
        (
            0,
            "SuppliedBaselineConstraints",
            {"Get": "Parameters.SkipCheck"},
            "expected a string, got 'Parameters.SkipCheck', a Boolean",
        ),
        (
            1,
            "ModelPackageGroupName",
            "churn models",
            "'churn models' does not match the pattern "
            r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?"
            r"([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)",
        ),
        (
            1,
            "ModelPackageGroupName",
            {"Get": "Parameters.SkipCheck"},
            "expected a string, got 'Parameters.SkipCheck', a Boolean",
        ),
        (
            1,
            "ModelName",
            "",
            "'' does not match the pattern [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
        ),
    ],
)
def test_check_step_settings_are_checked(step: int, member: str, value: Any, message: str) -> None:
    definition = load("quality-and-clarify-checks")
    definition["Parameters"].append({"Name": "Count", "Type": "Integer", "DefaultValue": 1})
    entry = definition["Steps"][step]
    if value is None:
        del entry[member]
    else:
        entry[member] = value
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field, problem.message) == (entry["Name"], member, message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "expected a string, got 5 (int)"),
        (
            {"Get": "Parameters.SkipCheck"},
            "expected a string, got 'Parameters.SkipCheck', a Boolean",
        ),
        (
            {"Get": "Execution.PipelineExecutionId"},
            "'Execution.PipelineExecutionId' is not an S3 URI",
        ),
        (
            {"Std:Join": {"On": "/", "Values": ["baselines", "stats.json"]}},
            "a Std:Join beginning 'baselines/stats.json' is not an S3 URI",
        ),
    ],
)
def test_fails_supplied_baselines_that_are_never_s3_uris(value: Any, message: str) -> None:
    # Before, only a literal string was checked: these passed and failed the job at run time.
    definition = load("quality-and-clarify-checks")
    definition["Steps"][0]["SuppliedBaselineStatistics"] = value
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field, problem.message) == (
        "DataQualityCheck",
        "SuppliedBaselineStatistics",
        message,
    )


def test_supplied_baselines_from_parameters_and_check_steps_are_accepted() -> None:
    definition = load("quality-and-clarify-checks")
    quality, bias = definition["Steps"][:2]
    quality["SuppliedBaselineStatistics"] = {"Get": "Parameters.BaselineData"}
    bias["SuppliedBaselineConstraints"] = {
        "Get": "Steps.DataQualityCheck.CalculatedBaselineConstraints"
    }
    assert validate_definition(definition) == []


def test_supplied_baselines_known_only_at_deploy_time_are_not_judged() -> None:
    # A CDK token (e.g. a bucket's URL) resolves when the stack deploys.
    definition = load("quality-and-clarify-checks")
    quality, bias = definition["Steps"][:2]
    quality["SuppliedBaselineStatistics"] = "${Token[TOKEN.71]}/statistics.json"
    bias["SuppliedBaselineConstraints"] = "${Token[TOKEN.72]}"
    assert validate_definition(definition) == []


@pytest.mark.parametrize(
    ("reference", "message", "hint"),
    [
        (
            "Steps.DataQualityCheck.CalculatedBaselineStatistic",
            "the step has no property 'CalculatedBaselineStatistic'",
            "did you mean 'CalculatedBaselineStatistics'",
        ),
        (
            "Steps.DataQualityCheck.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
            "the step has no property 'ProcessingOutputConfig'",
            "'CalculatedBaselineConstraints'",
        ),
        (
            # A Clarify check calculates constraints only (the SDK's ClarifyCheckStep).
            "Steps.DataBiasCheck.CalculatedBaselineStatistics",
            "the step has no property 'CalculatedBaselineStatistics'",
            "did you mean 'CalculatedBaselineConstraints'",
        ),
    ],
)
def test_fails_check_step_properties_the_step_has_not(
    reference: str, message: str, hint: str
) -> None:
    # Before, any path under a check step passed: a typo failed the registration at run time.
    definition = load("quality-and-clarify-checks")
    metrics = definition["Steps"][2]["Arguments"]["ModelMetrics"]
    metrics["ModelDataQuality"]["Statistics"]["S3Uri"] = {"Get": reference}
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field) == (
        "Register-RegisterModel",
        "Arguments.ModelMetrics.ModelDataQuality.Statistics.S3Uri",
    )
    assert problem.message == f"'{reference}': {message}"
    assert hint in str(problem.hint)


def test_check_step_settings_from_parameters_and_literals_are_accepted() -> None:
    definition = load("quality-and-clarify-checks")
    quality, bias = definition["Steps"][:2]
    quality.update(CheckType="MODEL_QUALITY", FailOnViolation=False)
    bias.update(CheckType="MODEL_EXPLAINABILITY", ModelName="churn-model")
    # The SDK's templates leave a supplied baseline unset with an empty String parameter.
    definition["Parameters"].append({"Name": "Supplied", "Type": "String", "DefaultValue": ""})
    bias.update(SuppliedBaselineConstraints={"Get": "Parameters.Supplied"})
    bias.update(
        ModelPackageGroupName="arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn"
    )
    assert validate_definition(definition) == []


# pipeline-model.json: a PipelineModel (SKLearnModel + XGBoostModel) created and registered.


def test_pipeline_model_renders_as_the_sdk_writes_it() -> None:
    group = ParameterString(name="ModelGroup", default_value="churn-models")
    containers = [
        Container(
            image=Image.sklearn("1.2-1", scope="inference"),
            model_data=f"s3://{BUCKET}/models/preprocess/model.tar.gz",
            code=Code.from_s3(f"s3://{BUCKET}/code/preprocess.tar.gz", entry_point="preprocess.py"),
        ),
        Container(
            image=Image.xgboost("1.7-1", scope="inference"),
            model_data=f"s3://{BUCKET}/models/xgboost/model.tar.gz",
            code=Code.from_s3(f"s3://{BUCKET}/code/xgboost.tar.gz", entry_point="inference.py"),
        ),
    ]
    create = ModelStep(name="CreateModel", containers=containers)
    register = RegisterModel(
        name="Register",
        model_package_group_name=group,
        containers=containers,
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
    )
    binder = StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET)
    ours = PipelineDefinition(parameters=[group], steps=[create, register]).to_definition(binder)
    theirs = load("pipeline-model")
    theirs_steps = {step["Name"].rsplit("-", 1)[0]: step for step in theirs["Steps"]}

    found = {
        f"{step['Name']}.{path}"
        for step in ours["Steps"]
        for path in differences(step, theirs_steps[step["Name"]])
    }

    # Only the SDK defaults of docs/sdk-comparison.md differ: ModelStep's name suffix, the
    # framework models' SAGEMAKER_CONTAINER_LOG_LEVEL and SAGEMAKER_REGION, and
    # SkipModelValidation.
    containers_at = {
        "CreateModel": "Arguments.Containers",
        "Register": "Arguments.InferenceSpecification.Containers",
    }
    assert found == {
        "CreateModel.Name",
        "Register.Name",
        "Register.Arguments.SkipModelValidation",
        *(
            f"{name}.{where}[{index}].Environment.{variable}"
            for name, where in containers_at.items()
            for index in range(2)
            for variable in ("SAGEMAKER_CONTAINER_LOG_LEVEL", "SAGEMAKER_REGION")
        ),
    }
    assert ours["Parameters"] == theirs["Parameters"]


def test_registration_metadata_renders_as_the_sdk_writes_it() -> None:
    commit = ParameterString(name="CommitId", default_value="0000000")
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn-models",
        image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        model_data="s3://my-bucket/models/model.tar.gz",
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        metadata_properties=MetadataProperties(
            commit_id=commit,
            repository="https://github.com/acme/churn",
            generated_by="ci",
            project_id="p-123",
        ),
        sample_payload_url="s3://my-bucket/payloads/sample.tar.gz",
        framework="XGBOOST",
        framework_version="1.7",
        nearest_model_name="xgboost-example",
        data_input_config='{"input": [1, 30]}',
    )
    binder = StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET)
    ours = PipelineDefinition(parameters=[commit], steps=[register]).to_definition(binder)
    theirs = load("registration-metadata")
    (theirs_step,) = theirs["Steps"]

    found = set(differences(ours["Steps"][0], theirs_step))

    # The SDK defaults of docs/sdk-comparison.md: ModelStep's name suffix, SkipModelValidation.
    assert found == {"Name", "Arguments.SkipModelValidation"}
    assert ours["Parameters"] == theirs["Parameters"]


def test_pipeline_model_is_planned_per_container() -> None:
    plan = plan_permissions(load("pipeline-model"))
    assert sorted(plan.images) == [
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    ]
    assert plan.reads == [
        S3Access(BUCKET, "models/preprocess/model.tar.gz"),
        S3Access(BUCKET, "models/xgboost/model.tar.gz"),
        S3Access(BUCKET, "code/preprocess.tar.gz"),
        S3Access(BUCKET, "code/xgboost.tar.gz"),
    ]


# check-step-configs.json: each check type, as QualityCheckStep and ClarifyCheckStep write it.


def _check_steps_in_our_language() -> dict[str, Any]:
    skip = ParameterBoolean(name="SkipCheck", default_value=False)
    register = ParameterBoolean(name="RegisterNewBaseline", default_value=False)
    data = ParameterString(name="BaselineData", default_value=f"s3://{BUCKET}/baseline.csv")
    small: dict[str, Any] = {"instance_type": "ml.c5.xlarge"}
    big: dict[str, Any] = {
        "instance_type": "ml.m5.2xlarge",
        "instance_count": 2,
        "volume_size_in_gb": 50,
        "volume_kms_key": "arn:aws:kms:us-east-1:111122223333:key/vol",
        "output_kms_key": "arn:aws:kms:us-east-1:111122223333:key/out",
        "max_runtime_in_seconds": 1800,
        "network": NetworkConfig(
            enable_network_isolation=True, security_group_ids=["sg-1"], subnets=["subnet-1"]
        ),
    }
    flags: dict[str, Any] = {"skip_check": skip, "register_new_baseline": register}
    steps = [
        QualityCheckStep(
            name="DataQualityCheck",
            **small,
            **flags,
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset=data,
                dataset_format=DatasetFormat.csv(header=True),
                output_s3_uri=f"s3://{BUCKET}/dq",
            ),
            supplied_baseline_statistics=f"s3://{BUCKET}/stats.json",
            supplied_baseline_constraints=f"s3://{BUCKET}/constraints.json",
            model_package_group_name="churn",
            cache_config=CacheConfig(expire_after="PT1H"),
        ),
        QualityCheckStep(
            name="DataQualityJson",
            **big,
            quality_check_config=DataQualityCheckConfig(
                baseline_dataset=f"s3://{BUCKET}/data/json/",
                dataset_format=DatasetFormat.json(),
                output_s3_uri=f"s3://{BUCKET}/dqjson",
                record_preprocessor_script=Code.from_s3(f"s3://{BUCKET}/code/preprocess_record.py"),
                post_analytics_processor_script=Code.from_s3(f"s3://{BUCKET}/code/postprocess.py"),
            ),
            fail_on_violation=False,
            register_new_baseline=True,
        ),
        QualityCheckStep(
            name="ModelQualityCheck",
            **small,
            **flags,
            quality_check_config=ModelQualityCheckConfig(
                baseline_dataset=f"s3://{BUCKET}/predictions/",
                dataset_format=DatasetFormat.csv(header=False, output_columns_position="END"),
                output_s3_uri=f"s3://{BUCKET}/mq",
                problem_type="BinaryClassification",
                inference_attribute="prediction",
                probability_attribute="probability",
                ground_truth_attribute="label",
                probability_threshold_attribute=0.5,
            ),
            model_package_group_name="churn",
            supplied_baseline_statistics=f"s3://{BUCKET}/mq-stats.json",
            supplied_baseline_constraints=f"s3://{BUCKET}/mq-constraints.json",
        ),
        ClarifyCheckStep(
            name="DataBiasCheck",
            **small,
            **flags,
            clarify_check_config=DataBiasCheckConfig(
                dataset=data,
                # The SDK uploads the analysis config it builds next to the output.
                analysis_config=f"s3://{BUCKET}/bias/analysis_config.json",
                output_s3_uri=f"s3://{BUCKET}/bias",
            ),
            supplied_baseline_constraints=f"s3://{BUCKET}/bias-constraints.json",
            model_package_group_name="churn",
        ),
        ClarifyCheckStep(
            name="ModelBiasCheck",
            **big,
            clarify_check_config=ModelBiasCheckConfig(
                dataset=f"s3://{BUCKET}/train/",
                analysis_config=f"s3://{BUCKET}/model-bias/analysis_config.json",
                output_s3_uri=f"s3://{BUCKET}/model-bias",
                model_name="churn-model",
            ),
            model_package_group_name="churn",
        ),
        ClarifyCheckStep(
            name="ExplainabilityCheck",
            **small,
            clarify_check_config=ModelExplainabilityCheckConfig(
                dataset=f"s3://{BUCKET}/train/",
                analysis_config=f"s3://{BUCKET}/explain/analysis_config.json",
                output_s3_uri=f"s3://{BUCKET}/explain",
                model_name="churn-model",
            ),
            skip_check=True,
            register_new_baseline=True,
        ),
    ]
    return PipelineDefinition(parameters=[skip, register, data], steps=steps).to_definition(
        StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET)
    )


def test_check_steps_render_as_the_sdk_writes_them() -> None:
    theirs = load("check-step-configs")
    ours = _check_steps_in_our_language()
    assert ours["Parameters"] == theirs["Parameters"]
    ours_steps = {step["Name"]: step for step in ours["Steps"]}
    found = {
        f"{step['Name']}.{path}": difference
        for step in theirs["Steps"]
        for path, difference in differences(ours_steps[step["Name"]], step).items()
    }
    # The only difference: the SDK writes unset settings as null, the language leaves them out.
    theirs_steps = {step["Name"]: step for step in theirs["Steps"]}
    assert found
    for path, difference in found.items():
        name, member = path.split(".", 1)
        assert (difference, theirs_steps[name][member]) == ("missing in ours", None)


def test_clarify_checks_of_a_model_need_its_name() -> None:
    # The SDK writes ModelName for model bias and explainability checks: the job serves it.
    definition = load("quality-and-clarify-checks")
    bias = definition["Steps"][1]
    bias["CheckType"] = "MODEL_BIAS"
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field, problem.message) == (
        "DataBiasCheck",
        "ModelName",
        "a MODEL_BIAS check needs ModelName, the model it runs on a shadow endpoint",
    )


def test_check_step_flag_problems_hint_at_what_to_write() -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][0]["FailOnViolation"] = "yes"
    [problem] = validate_definition(definition)
    assert problem.hint is not None
    assert "ParameterBoolean" in problem.hint


@pytest.mark.parametrize(
    ("check_type", "hint"),
    [
        ("DATA_QUALTY", "did you mean 'DATA_QUALITY' or 'MODEL_QUALITY'?"),
        ("DATA_BIAS", "expected one of 'DATA_QUALITY', 'MODEL_QUALITY'"),
    ],
)
def test_check_type_problems_hint_at_the_check_meant(check_type: str, hint: str) -> None:
    definition = load("quality-and-clarify-checks")
    definition["Steps"][0]["CheckType"] = check_type
    [problem] = validate_definition(definition)
    assert problem.hint == hint


def test_heterogeneous_cluster_renders_as_the_sdk_writes_it() -> None:
    theirs = load("heterogeneous-cluster")
    gpu_count = ParameterInteger(name="GpuCount", default_value=1)
    data_type = ParameterString(name="DataInstanceType", default_value="ml.c5.xlarge")
    train = TrainingStep(
        name="TrainHetero",
        image=theirs["Steps"][0]["Arguments"]["AlgorithmSpecification"]["TrainingImage"],
        output_path=f"s3://{BUCKET}/models",
        hyperparameters={"epochs": 10},
        instance_groups=[
            InstanceGroup(name="data", instance_type=data_type, instance_count=2),
            InstanceGroup(name="gpu", instance_type="ml.p3.2xlarge", instance_count=gpu_count),
        ],
        inputs={
            "train": TrainingInput(
                s3_data=f"s3://{BUCKET}/train/", content_type="text/csv", instance_groups=["data"]
            ),
            "validation": TrainingInput(
                s3_data=f"s3://{BUCKET}/validation/", instance_groups=["data", "gpu"]
            ),
            "all": f"s3://{BUCKET}/all/",
        },
    )
    ours = PipelineDefinition(parameters=[gpu_count, data_type], steps=[train]).to_definition(
        StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET)
    )

    # Only the SDK defaults of docs/sdk-comparison.md differ.
    assert set(differences(ours, theirs)) == {
        "PipelineExperimentConfig",
        "Steps[0].Arguments.DebugHookConfig",
    }


def _hetero_arguments(definition: Any) -> Any:
    return definition["Steps"][0]["Arguments"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda arguments: arguments["ResourceConfig"].update(InstanceCount=3),
            "Arguments.ResourceConfig.InstanceGroups",
            "a heterogeneous cluster (InstanceGroups) sets each group's instance type and "
            "count, and the job sets InstanceCount too",
        ),
        (
            lambda arguments: arguments["ResourceConfig"]["InstanceGroups"][1].update(
                InstanceGroupName="data"
            ),
            "Arguments.ResourceConfig.InstanceGroups[1].InstanceGroupName",
            "instance group 'data' is already ResourceConfig.InstanceGroups[0]",
        ),
        (
            lambda arguments: arguments["InputDataConfig"][1]["DataSource"]["S3DataSource"][
                "InstanceGroupNames"
            ].append("cpu"),
            "Arguments.InputDataConfig[1].DataSource.S3DataSource.InstanceGroupNames[2]",
            "channel 'validation' goes to instance group 'cpu', which is not one of the job's "
            "InstanceGroups ('data', 'gpu')",
        ),
        (
            lambda arguments: arguments["ResourceConfig"]["InstanceGroups"].extend(
                {
                    "InstanceGroupName": f"g{index}",
                    "InstanceType": "ml.c5.xlarge",
                    "InstanceCount": 1,
                }
                for index in range(4)
            ),
            "Arguments.ResourceConfig.InstanceGroups",
            "has 6 items, more than the maximum 5",
        ),
        (
            lambda arguments: arguments["ResourceConfig"]["InstanceGroups"][0].update(
                InstanceCount=-1
            ),
            "Arguments.ResourceConfig.InstanceGroups[0].InstanceCount",
            "-1 is below the minimum 0",
        ),
        (
            lambda arguments: arguments["ResourceConfig"]["InstanceGroups"][0].update(
                InstanceCount=0
            ),
            "Arguments.ResourceConfig.InstanceGroups[0].InstanceCount",
            "instance group 'data' has no instances (InstanceCount 0)",
        ),
    ],
    ids=[
        "and-instance-count",
        "duplicate-name",
        "unknown-group",
        "six-groups",
        "negative-count",
        "no-instances",
    ],
)
def test_fails_heterogeneous_cluster_mistakes_in_json(
    change: Any, field: str, message: str
) -> None:
    definition = load("heterogeneous-cluster")
    change(_hetero_arguments(definition))

    # The first problem is the mistake's (a renamed group leaves its channel's name unknown).
    problem = validate_definition(definition)[0]

    assert (problem.step, problem.field, problem.message) == ("TrainHetero", field, message)


def test_fails_channel_groups_of_a_job_without_instance_groups() -> None:
    # What the SDK's tuner writes for such an estimator, and a training job made homogeneous:
    # the channel's groups don't exist, and the job would fail once the execution runs.
    definition = load("heterogeneous-cluster")
    arguments = _hetero_arguments(definition)
    arguments["ResourceConfig"] = {
        "VolumeSizeInGB": 30,
        "InstanceType": "ml.m5.large",
        "InstanceCount": 1,
    }

    problems = validate_definition(definition)

    assert [problem.field for problem in problems] == [
        "Arguments.InputDataConfig[0].DataSource.S3DataSource.InstanceGroupNames[0]",
        "Arguments.InputDataConfig[1].DataSource.S3DataSource.InstanceGroupNames[0]",
        "Arguments.InputDataConfig[1].DataSource.S3DataSource.InstanceGroupNames[1]",
    ]
    assert problems[0].message == (
        "channel 'train' goes to instance group 'data', but the job runs on one instance type: "
        "it has no InstanceGroups"
    )


def _distribution_hyperparameters() -> tuple[Any, dict[str, Any]]:
    definition = load("heterogeneous-distribution")
    return definition, _hetero_arguments(definition)["HyperParameters"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda hyperparameters: hyperparameters.pop("sagemaker_distribution_instance_groups"),
            "Arguments.HyperParameters['sagemaker_distributed_dataparallel_enabled']",
            "distributed training (sagemaker_distributed_dataparallel_enabled) on a "
            "heterogeneous cluster of 2 instance groups runs in one of them, and the job names "
            "none",
        ),
        (
            lambda hyperparameters: hyperparameters.update(
                sagemaker_distribution_instance_groups='["gpus"]'
            ),
            "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
            "names instance group 'gpus', which is not one of the job's InstanceGroups "
            "('data', 'gpu')",
        ),
        (
            lambda hyperparameters: hyperparameters.update(
                sagemaker_distribution_instance_groups='["gpu", "data"]'
            ),
            "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
            "names 2 instance groups; distributed training runs in one (the SDK refuses "
            'others: "Distribution should only contain one instance group name")',
        ),
    ],
    ids=["group-left-out", "unknown-group", "two-groups"],
)
def test_fails_distribution_instance_group_mistakes_in_json(
    change: Any, field: str, message: str
) -> None:
    # What the SDK refuses in validate_distribution, so only JSON written by hand has it; the
    # job would fail once the execution runs.
    definition, hyperparameters = _distribution_hyperparameters()
    change(hyperparameters)

    [problem] = validate_definition(definition)

    assert (problem.step, problem.field, problem.message) == ("TrainHetero", field, message)


def test_fails_distribution_instance_groups_of_a_job_without_groups() -> None:
    definition, _ = _distribution_hyperparameters()
    arguments = _hetero_arguments(definition)
    arguments["ResourceConfig"] = {
        "VolumeSizeInGB": 30,
        "InstanceType": "ml.p4d.24xlarge",
        "InstanceCount": 1,
    }
    for channel in arguments["InputDataConfig"]:
        channel["DataSource"]["S3DataSource"].pop("InstanceGroupNames", None)

    [problem] = validate_definition(definition)

    assert (problem.field, problem.message) == (
        "Arguments.HyperParameters['sagemaker_distribution_instance_groups']",
        "names the instance groups distributed training runs in, but the job has no InstanceGroups",
    )


def test_a_group_named_at_run_time_leaves_channel_groups_unjudged() -> None:
    definition = load("heterogeneous-cluster")
    definition["Parameters"].append({"Name": "GroupName", "Type": "String", "DefaultValue": "x"})
    group = _hetero_arguments(definition)["ResourceConfig"]["InstanceGroups"][1]
    group["InstanceGroupName"] = {"Get": "Parameters.GroupName"}

    assert validate_definition(definition) == []


def test_heterogeneous_cluster_channels_are_all_read() -> None:
    plan = plan_permissions(load("heterogeneous-cluster"))
    assert plan.unplanned_steps == []
    reads = {(access.bucket, access.key_pattern) for access in plan.reads}
    assert {(BUCKET, "train/"), (BUCKET, "validation/"), (BUCKET, "all/")} <= reads


def test_emr_retry_policies_render_as_the_sdk_writes_them() -> None:
    theirs = load("emr-retry-policies")
    running, new = theirs["Steps"]
    args = ["spark-submit", "s3://my-bucket/code/job.py"]
    steps = [
        EMRStep(
            name="SparkOnCluster",
            display_name="Spark",
            description="on a running cluster",
            cluster_id="j-1ABCDEFG2HIJK",
            jar="command-runner.jar",
            args=args,
            retry_policies=[
                StepRetryPolicy(
                    exception_types=[StepExceptionType.SERVICE_FAULT, StepExceptionType.THROTTLING],
                    interval_seconds=10,
                    backoff_rate=2.0,
                    max_attempts=3,
                )
            ],
        ),
        EMRStep(
            name="SparkOnNewCluster",
            display_name="Spark new",
            description="on a new cluster",
            cluster_config=new["Arguments"]["ClusterConfig"],
            jar="command-runner.jar",
            args=args,
            cache_config=CacheConfig(expire_after="PT1H"),
            retry_policies=[
                StepRetryPolicy(
                    exception_types=[StepExceptionType.THROTTLING], expire_after_mins=30
                )
            ],
        ),
    ]
    ours = PipelineDefinition(steps=steps).to_definition(
        StaticBinder(region="us-east-1", role_arn=SDK_ROLE, default_bucket=BUCKET)
    )
    assert set(differences(ours, theirs)) == {"PipelineExperimentConfig"}
    assert running["RetryPolicies"] == ours["Steps"][0]["RetryPolicies"]


def test_sagemaker_job_exceptions_are_still_refused_on_emr_steps() -> None:
    # An EMR step runs no SageMaker job (the SDK types its retry policies StepRetryPolicy).
    definition = load("emr-retry-policies")
    definition["Steps"][0]["RetryPolicies"][0]["ExceptionType"] = ["SageMaker.CAPACITY_ERROR"]
    [problem] = validate_definition(definition)
    assert (problem.step, problem.field, problem.message) == (
        "SparkOnCluster",
        "RetryPolicies[0].ExceptionType[0]",
        "SageMaker.CAPACITY_ERROR applies to SageMaker jobs, not to EMR steps",
    )


def test_the_code_archive_of_sdk_script_mode_training_is_read() -> None:
    # The SDK's framework estimators name their code only in the JSON-encoded hyperparameter
    # sagemaker_submit_directory ('"s3://…"', no code channel): the job downloads it with the
    # role, and the plan left it out (the job would fail with AccessDenied on its code).
    definition = load("heterogeneous-distribution")
    hyperparameters = _hetero_arguments(definition)["HyperParameters"]
    assert hyperparameters["sagemaker_submit_directory"] == '"s3://my-bucket/code/train.tar.gz"'
    reads = {(access.bucket, access.key_pattern) for access in plan_permissions(definition).reads}
    assert ("my-bucket", "code/train.tar.gz") in reads

    arguments = _hetero_arguments(definition)
    tuning = {
        "Name": "Tune",
        "Type": "Tuning",
        "Arguments": {
            "TrainingJobDefinitions": [
                {"StaticHyperParameters": {"sagemaker_submit_directory": '"s3://b/t1.tar.gz"'}}
            ],
            "TrainingJobDefinition": {
                "RoleArn": arguments["RoleArn"],
                "StaticHyperParameters": {"sagemaker_submit_directory": '"s3://b/t2.tar.gz"'},
            },
        },
    }
    definition["Steps"].append(tuning)
    reads = {(access.bucket, access.key_pattern) for access in plan_permissions(definition).reads}
    assert {("b", "t1.tar.gz"), ("b", "t2.tar.gz")} <= reads


def test_multi_algorithm_tuning_renders_as_the_sdk_writes_it() -> None:
    role, bucket = "arn:aws:iam::111122223333:role/sm", "my-bucket"
    train = ParameterString(name="TrainData", default_value=f"s3://{bucket}/train/")
    tune = TuningStep(
        name="TuneAlgorithms",
        # The SDK lists the estimators sorted by name; the language keeps the given order.
        training_job_definitions=[
            TrainingJobDefinition(
                name="custom",
                image="111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest",
                instance_type="ml.c5.xlarge",
                instance_count=2,
                volume_size_in_gb=50,
                output_path=f"s3://{bucket}/tune",
                inputs={"train": train},
                static_hyperparameters={"epochs": 10},
                environment={"MODE": "tune"},
                objective_metric_name="val:auc",
                metric_definitions={"val:auc": "val_auc=([0-9.]+)"},
                hyperparameter_ranges={
                    "lr": ContinuousParameter(
                        min_value=1e-5, max_value=1e-2, scaling_type="Logarithmic"
                    ),
                    "optimizer": CategoricalParameter(values=["adam", "sgd"]),
                },
            ),
            TrainingJobDefinition(
                name="xgboost",
                image=Image.xgboost("1.7-1"),
                instance_type="ml.m5.xlarge",
                output_path=f"s3://{bucket}/tune",
                inputs={"train": TrainingInput(s3_data=train, content_type="text/csv")},
                static_hyperparameters={"num_round": 50, "objective": "binary:logistic"},
                max_runtime_in_seconds=3600,
                objective_metric_name="validation:auc",
                hyperparameter_ranges={
                    "eta": ContinuousParameter(min_value=0.01, max_value=0.3),
                    "max_depth": IntegerParameter(min_value=3, max_value=9),
                },
            ),
        ],
        strategy="Random",
        max_jobs=6,
        max_parallel_jobs=2,
        random_seed=7,
    )
    winner = tune.properties.BestTrainingJob.TrainingJobDefinitionName
    check = ConditionStep(
        name="CheckWinner",
        conditions=[ConditionEquals(left=winner, right="xgboost")],
        else_steps=[FailStep(name="NotXgboost", error_message="custom won")],
    )
    binder = StaticBinder(region="us-east-1", role_arn=role, default_bucket=bucket)

    ours = PipelineDefinition(parameters=[train], steps=[tune, check]).to_definition(binder)

    theirs = load("multi-algorithm-tuning")
    assert [step["Name"] for step in ours["Steps"]] == [step["Name"] for step in theirs["Steps"]]
    for mine, sdk in zip(ours["Steps"], theirs["Steps"], strict=True):
        assert differences(mine, sdk) == {}, mine["Name"]
    assert ours["Parameters"] == theirs["Parameters"]


ABALONE_XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3"
ABALONE_SKLEARN = (
    "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3"
)


def _abalone_in_our_language() -> dict[str, Any]:
    """AWS's abalone pipeline as a new user ports it, with the short forms of the README."""
    bucket = "my-bucket"
    processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    processing_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.xlarge")
    training_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    input_data = ParameterString(
        name="InputData", default_value=f"s3://{bucket}/abalone/abalone-dataset.csv"
    )
    batch_data = ParameterString(
        name="BatchData", default_value=f"s3://{bucket}/abalone/abalone-dataset-batch"
    )
    mse_threshold = ParameterFloat(name="MseThreshold", default_value=6.0)
    # Image.xgboost and Image.sklearn list recent versions only: the example's are older.
    xgboost = Image.from_uri(ABALONE_XGBOOST)
    process = ProcessingStep(
        name="AbaloneProcess",
        image=Image.from_uri(ABALONE_SKLEARN),
        code=Code.from_s3(f"s3://{bucket}/abalone/code/preprocessing.py"),
        instance_type=processing_type,
        instance_count=processing_count,
        inputs={"input": input_data},
        outputs=["train", "validation", "test"],
    )
    train = TrainingStep(  # the built-in algorithm: an image and no code
        name="AbaloneTrain",
        image=xgboost,
        instance_type=training_type,
        instance_count=1,
        output_path=f"s3://{bucket}/AbaloneTrain",
        inputs={
            name: TrainingInput(s3_data=process.output(name), content_type="text/csv")
            for name in ("train", "validation")
        },
        hyperparameters={
            "objective": "reg:linear",
            "num_round": 50,
            "max_depth": 5,
            "eta": 0.2,
            "gamma": 4,
            "min_child_weight": 6,
            "subsample": 0.7,
        },
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="AbaloneEval",
        image=xgboost,
        code=Code.from_s3(f"s3://{bucket}/abalone/code/evaluation.py"),
        instance_type=processing_type,
        instance_count=1,
        inputs={"model": train.model_data, "test": process.output("test")},
        outputs=["evaluation"],
        property_files=[report],
    )
    create_model = ModelStep(name="AbaloneCreateModel", image=xgboost, model_data=train.model_data)
    transform = TransformStep(
        name="AbaloneTransform",
        model_name=create_model.properties.ModelName,
        input_data=batch_data,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        output_path=f"s3://{bucket}/AbaloneTransform",
    )
    register = RegisterModel(
        name="AbaloneRegisterModel",
        model_package_group_name="AbaloneModelPackageGroupName",
        image=xgboost,
        model_data=train.model_data,
        inference_instances=["ml.t2.medium", "ml.m5.xlarge"],
        transform_instances=["ml.m5.xlarge"],
        approval_status=approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"]),
                content_type="application/json",
            )
        ),
    )
    mse = JsonGet(step=evaluate, property_file=report, json_path="regression_metrics.mse.value")
    check = ConditionStep(
        name="AbaloneMSECond",
        conditions=[ConditionLessThanOrEqualTo(left=mse, right=mse_threshold)],
        if_steps=[register, create_model, transform],
        else_steps=[
            FailStep(
                name="AbaloneMSEFail",
                error_message=Join(on=" ", values=["Execution failed due to MSE >", mse_threshold]),
            )
        ],
    )
    parameters = [
        processing_count,
        processing_type,
        training_type,
        approval,
        input_data,
        batch_data,
        mse_threshold,
    ]
    binder = StaticBinder(
        region="us-east-1",
        role_arn="arn:aws:iam::111122223333:role/SageMakerExecutionRole",
        default_bucket=bucket,
    )
    return PipelineDefinition(
        parameters=parameters, steps=[process, train, evaluate, check]
    ).to_definition(binder)


def test_abalone_renders_as_the_sdk_writes_it() -> None:
    # AWS's canonical example, the pipeline most teams port first.
    sdk = load("sdk-abalone")
    theirs = {step["Name"]: step for step in _all_steps(sdk["Steps"])}
    for suffixed in ("AbaloneRegisterModel-RegisterModel", "AbaloneCreateModel-CreateModel"):
        theirs[suffixed.rsplit("-", 1)[0]] = theirs.pop(suffixed)
    ours_definition = _abalone_in_our_language()
    ours = {step["Name"]: step for step in _all_steps(ours_definition["Steps"])}
    assert sorted(ours) == sorted(theirs)
    found = {
        f"{name}.{path}"
        for name, step in theirs.items()
        for path in differences(ours[name], step)
        # Branch steps are compared once, as steps.
        if not (name == "AbaloneMSECond" and path.startswith("Arguments.IfSteps"))
    }
    outputs = {"AbaloneProcess": ["train", "validation", "test"], "AbaloneEval": ["evaluation"]}
    # Only the SDK defaults of docs/sdk-comparison.md differ: ModelStep's name suffix (and
    # the Transform step's reference to the suffixed name), the debugger and profiler, the
    # empty Bias and Explainability reports, SkipModelValidation, the names the SDK gives
    # inputs without one (the short form names them by key) and the default output locations.
    assert found == {
        "AbaloneRegisterModel.Name",
        "AbaloneCreateModel.Name",
        "AbaloneTransform.Arguments.ModelName.Get",
        "AbaloneTrain.Arguments.DebugHookConfig",
        "AbaloneTrain.Arguments.ProfilerConfig.DisableProfiler",
        "AbaloneTrain.Arguments.ProfilerConfig.S3OutputPath",
        "AbaloneRegisterModel.Arguments.ModelMetrics.Bias",
        "AbaloneRegisterModel.Arguments.ModelMetrics.Explainability",
        "AbaloneRegisterModel.Arguments.SkipModelValidation",
        "AbaloneProcess.Arguments.ProcessingInputs[0].InputName",
        "AbaloneEval.Arguments.ProcessingInputs[0].InputName",
        "AbaloneEval.Arguments.ProcessingInputs[1].InputName",
        *(
            f"{name}.Arguments.ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri.Std:Join."
            f"Values{position}"
            for name, names in outputs.items()
            for index in range(len(names))
            for position in ("", *(f"[{value}]" for value in _OUR_OUTPUT_JOIN_DIFFERS))
        ),
    }
    assert ours["AbaloneTransform"]["Arguments"]["ModelName"] == {
        "Get": "Steps.AbaloneCreateModel.ModelName"
    }
    assert ours_definition["Parameters"] == sdk["Parameters"]
    assert "PipelineExperimentConfig" not in ours_definition
    assert set(sdk) - set(ours_definition) == {"PipelineExperimentConfig"}


# -- AWS's tuning-step and train-register-deploy examples ---------------------------------

ABALONE_ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"


def _ours_and_theirs(
    sdk_name: str, ours_definition: dict[str, Any], suffixed: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both definitions' steps by name, the SDK's ``ModelStep`` suffixes taken off."""
    theirs = {step["Name"]: step for step in _all_steps(load(sdk_name)["Steps"])}
    for name in suffixed:
        theirs[name.rsplit("-", 1)[0]] = theirs.pop(name)
    ours = {step["Name"]: step for step in _all_steps(ours_definition["Steps"])}
    assert sorted(ours) == sorted(theirs)
    return ours, theirs


def _tuning_step_example_in_our_language() -> dict[str, Any]:
    """AWS's tuning-step example as a new user ports it (README and docs only)."""
    bucket, prefix = "my-bucket", "tuning-step-example"
    processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    training_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    input_data = ParameterString(
        name="InputDataUrl",
        default_value="s3://sagemaker-sample-files/datasets/tabular/uci_abalone/abalone.csv",
    )
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    cache = CacheConfig(expire_after="30d")
    xgboost = Image.from_uri(ABALONE_XGBOOST)
    # The example's three splits share one destination (see the module docstring).
    destination = Join(
        on="/",
        values=[
            "s3:/",
            bucket,
            prefix,
            ExecutionVariables.PIPELINE_EXECUTION_ID,
            "PreprocessAbaloneDataForHPO",
        ],
    )
    process = ProcessingStep(
        name="PreprocessAbaloneDataForHPO",
        image=Image.from_uri(ABALONE_SKLEARN),
        code=Code.from_s3(f"s3://{bucket}/{prefix}/code/preprocess.py"),
        instance_type="ml.m5.xlarge",
        instance_count=processing_count,
        arguments=["--input-data", input_data],
        outputs=[
            ProcessingOutput(
                output_name=name, source=f"/opt/ml/processing/{name}", destination=destination
            )
            for name in ("train", "validation", "test")
        ],
    )
    tuning: dict[str, Any] = {
        "image": xgboost,
        "instance_type": training_type,
        "instance_count": 1,
        "output_path": f"s3://{bucket}/{prefix}/AbaloneTrain",
        "inputs": {
            name: TrainingInput(s3_data=process.output(name), content_type="text/csv")
            for name in ("train", "validation")
        },
        "static_hyperparameters": {
            "eval_metric": "rmse",
            "objective": "reg:squarederror",
            "num_round": 50,
            "max_depth": 5,
            "eta": 0.2,
            "gamma": 4,
            "min_child_weight": 6,
            "subsample": 0.7,
            "silent": 0,
        },
        # The built-in algorithm emits validation:rmse itself: no metric_definitions.
        "objective_metric_name": "validation:rmse",
        "objective_type": "Minimize",
        "hyperparameter_ranges": {
            name: ContinuousParameter(min_value=0.01, max_value=10, scaling_type="Logarithmic")
            for name in ("alpha", "lambda")
        },
        "strategy": "Random",
        "max_jobs": 3,
        "max_parallel_jobs": 3,
        "cache_config": cache,
    }
    tune = TuningStep(name="HPTuning", **tuning)
    warm = TuningStep(
        name="HPTuningWarmStart",
        warm_start=WarmStartConfig(warm_start_type="IdenticalDataAndAlgorithm", parents=[tune]),
        **tuning,
    )
    best = ModelStep(name="CreateBestModel", image=xgboost, model_data=tune.top_model_s3_uri(0))
    second = ModelStep(
        name="CreateSecondBestModel", image=xgboost, model_data=tune.top_model_s3_uri(1)
    )
    report = PropertyFile(
        name="BestTuningModelEvaluationReport", output_name="evaluation", path="evaluation.json"
    )
    evaluate = ProcessingStep(
        name="EvaluateTopModel",
        image=xgboost,
        code=Code.from_s3(f"s3://{bucket}/{prefix}/code/evaluate.py"),
        instance_type="ml.m5.xlarge",
        inputs={"model": tune.top_model_s3_uri(0), "test": process.output("test")},
        outputs=["evaluation"],
        property_files=[report],
        cache_config=cache,
    )
    register = RegisterModel(
        name="RegisterBestAbaloneModel",
        model_package_group_name="tuning-job-model-packages",
        image=xgboost,
        model_data=tune.top_model_s3_uri(0),
        inference_instances=["ml.t2.medium", "ml.m5.large"],
        transform_instances=["ml.m5.large"],
        approval_status=approval,
    )
    mse = JsonGet(step=evaluate, property_file=report, json_path="regression_metrics.mse.value")
    check = ConditionStep(
        name="CheckMSEAbaloneEvaluation",
        conditions=[ConditionLessThanOrEqualTo(left=mse, right=6.0)],
        if_steps=[register],
    )
    binder = StaticBinder(region="us-east-1", role_arn=ABALONE_ROLE, default_bucket=bucket)
    return PipelineDefinition(
        parameters=[processing_count, training_type, input_data, approval],
        steps=[process, tune, warm, best, second, evaluate, check],
    ).to_definition(binder)


@pytest.mark.parametrize(
    ("bucket", "problem"),
    [
        ("my-bucket/tuning-step-example/AbaloneTrain", False),  # the tuner's output path
        ("my-bucket/tuning-step-example/AbaloneTrain/", False),
        ("my-bucket", True),  # the default bucket, as SDK users pass it
        ("other-bucket/tuning-step-example/AbaloneTrain", True),
    ],
)
def test_a_tuned_model_uri_must_be_under_the_tuning_jobs_output_path(
    bucket: str, problem: bool
) -> None:
    # get_top_model_s3_uri(top_k, s3_bucket, prefix) is told where the jobs wrote; told
    # wrong, the Model step finds no model.tar.gz when it runs.
    definition = load("sdk-tuning-step")
    [model] = [
        step for step in definition["Steps"] if step["Name"] == "CreateBestModel-CreateModel"
    ]
    model["Arguments"]["PrimaryContainer"]["ModelDataUrl"]["Std:Join"]["Values"][1] = bucket

    found = [(p.step, p.field, p.message) for p in validate_definition(definition)]

    assert found == (
        [
            (
                "CreateBestModel-CreateModel",
                "Arguments.PrimaryContainer.ModelDataUrl",
                f"this URI looks for a file of tuning step 'HPTuning''s training job under "
                f"'s3://{bucket}', but its training jobs write under "
                "'s3://my-bucket/tuning-step-example/AbaloneTrain' (their "
                "OutputDataConfig.S3OutputPath): the file won't be there when the step runs",
            )
        ]
        if problem
        else []
    )


def test_tuning_step_example_renders_as_the_sdk_writes_it() -> None:
    ours_definition = _tuning_step_example_in_our_language()
    ours, theirs = _ours_and_theirs(
        "sdk-tuning-step",
        ours_definition,
        (
            "CreateBestModel-CreateModel",
            "CreateSecondBestModel-CreateModel",
            "RegisterBestAbaloneModel-RegisterModel",
        ),
    )
    found = {
        f"{name}.{path}"
        for name, step in theirs.items()
        for path in differences(ours[name], step)
        if not (name == "CheckMSEAbaloneEvaluation" and path.startswith("Arguments.IfSteps"))
    }
    top_models = {
        "CreateBestModel.Arguments.PrimaryContainer.ModelDataUrl",
        "CreateSecondBestModel.Arguments.PrimaryContainer.ModelDataUrl",
        "EvaluateTopModel.Arguments.ProcessingInputs[0].S3Input.S3Uri",
        "RegisterBestAbaloneModel.Arguments.InferenceSpecification.Containers[0].ModelDataUrl",
    }
    # Only what docs/sdk-comparison.md lists: ModelStep's name suffix, SkipModelValidation,
    # the names the SDK gives inputs without one, the default output location, and
    # top_model_s3_uri's Join, which starts with the output path where the SDK's starts
    # with "s3:/" and the s3_bucket given to get_top_model_s3_uri (the same URI).
    assert found == {
        "CreateBestModel.Name",
        "CreateSecondBestModel.Name",
        "RegisterBestAbaloneModel.Name",
        "RegisterBestAbaloneModel.Arguments.SkipModelValidation",
        "EvaluateTopModel.Arguments.ProcessingInputs[0].InputName",
        "EvaluateTopModel.Arguments.ProcessingInputs[1].InputName",
        *(
            "EvaluateTopModel.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri."
            f"Std:Join.Values{position}"
            for position in ("", *(f"[{value}]" for value in _OUR_OUTPUT_JOIN_DIFFERS))
        ),
        *(
            f"{where}.Std:Join.Values{position}"
            for where in top_models
            for position in ("", "[0]", "[1]", "[2]")
        ),
    }
    for where in top_models:
        name, path = where.split(".", 1)
        mine, sdk = _at(ours[name], path), _at(theirs[name], path)
        assert (
            _joined(mine)
            == _joined(sdk)
            == ("s3://my-bucket/tuning-step-example/AbaloneTrain/<job>/output/model.tar.gz")
        )
    assert ours_definition["Parameters"] == load("sdk-tuning-step")["Parameters"]


def _at(entry: Any, path: str) -> Any:
    """The member of ``entry`` at a dotted path with ``[i]`` indexes."""
    for part in path.replace("[", ".[").split("."):
        entry = entry[int(part[1:-1])] if part.startswith("[") else entry[part]
    return entry


def _joined(value: Any) -> str:
    """A ``Std:Join`` of literals and one ``TrainingJobName`` property, as text."""
    join = value["Std:Join"]
    parts = [part if isinstance(part, str) else "<job>" for part in join["Values"]]
    return str(join["On"].join(parts))


TF_TRAINING = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.4.1-cpu-py37"
TF_INFERENCE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.4.1-cpu"
DEPLOY_FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:deploy-pipeline-model"


def _pipeline_model_example_in_our_language() -> dict[str, Any]:
    """AWS's train-register-deploy pipeline model, with a Lambda deploying the version."""
    bucket, prefix = "my-bucket", "pipeline-model-example"
    code = f"s3://{bucket}/{prefix}/code"
    training_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    processing_type = ParameterString(name="ProcessingInstanceType", default_value="ml.m5.large")
    processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    input_data = ParameterString(name="InputData", default_value=f"s3://{bucket}/{prefix}/data/raw")
    approval = ParameterString(name="ModelApprovalStatus", default_value="Approved")
    epochs = ParameterString(name="TrainingEpochs", default_value="100")
    threshold = ParameterFloat(name="AccuracyMseThreshold", default_value=0.75)
    sklearn = Image.from_uri(ABALONE_SKLEARN)
    tf_training = Image.from_uri(TF_TRAINING)
    process = ProcessingStep(
        name="PreprocessData",
        image=sklearn,
        code=Code.from_s3(f"{code}/preprocess.py"),
        instance_type="ml.m5.large",
        instance_count=processing_count,
        inputs={"input": input_data},
        outputs=["scaler_model", "train", "test"],
    )
    train = TrainingStep(
        name="TrainTensorflowModel",
        image=tf_training,
        code=Code.from_s3(f"{code}/train.tar.gz", entry_point="train.py"),
        instance_type=training_type,
        instance_count=1,
        output_path=f"s3://{bucket}/{prefix}/model/",
        inputs={
            name: TrainingInput(s3_data=process.output(name), content_type="text/csv")
            for name in ("train", "test")
        },
        hyperparameters={"epochs": epochs},
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="EvaluateModelPerformance",
        image=tf_training,
        code=Code.from_s3(f"{code}/evaluate.py"),
        instance_type=processing_type,
        instance_count=1,
        inputs={"model": train.model_data, "test": process.output("test")},
        outputs=["evaluation"],
        property_files=[report],
    )
    register = RegisterModel(
        name="PipelineModel",
        model_package_group_name="PipelineModelPackageGroup",
        containers=[  # the scaler first: a request passes through them in order
            Container(
                image=sklearn,
                model_data=Join(on="/", values=[process.output("scaler_model"), "model.tar.gz"]),
                code=Code.from_s3(f"{code}/preprocess.tar.gz", entry_point="preprocess.py"),
            ),
            Container(image=Image.from_uri(TF_INFERENCE), model_data=train.model_data),
        ],
        inference_instances=["ml.m5.large", "ml.m5.xlarge"],
        transform_instances=["ml.m5.xlarge"],
        approval_status=approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"]),
                content_type="application/json",
            )
        ),
    )
    deploy = LambdaStep(
        name="DeployPipelineModel",
        function_arn=DEPLOY_FUNCTION,
        inputs={
            "model_package_arn": register.properties.ModelPackageArn,
            "endpoint_config_name": "pipeline-model-endpoint-config",
            "endpoint_name": "pipeline-model-endpoint",
        },
        outputs=[
            StepOutput(output_name=name, output_type=OutputType.STRING)
            for name in ("statusCode", "body", "other_key")
        ],
    )
    mse = JsonGet(step=evaluate, property_file=report, json_path="regression_metrics.mse.value")
    check = ConditionStep(
        name="MSE-Lower-Than-Threshold-Condition",
        conditions=[ConditionLessThanOrEqualTo(left=mse, right=threshold)],
        if_steps=[register, deploy],
    )
    binder = StaticBinder(region="us-east-1", role_arn=ABALONE_ROLE, default_bucket=bucket)
    parameters = [
        training_type,
        processing_type,
        processing_count,
        input_data,
        approval,
        epochs,
        threshold,
    ]
    return PipelineDefinition(
        parameters=parameters, steps=[process, train, evaluate, check]
    ).to_definition(binder)


def test_pipeline_model_example_renders_as_the_sdk_writes_it() -> None:
    ours_definition = _pipeline_model_example_in_our_language()
    ours, theirs = _ours_and_theirs(
        "sdk-pipeline-model-deploy", ours_definition, ("PipelineModel-RegisterModel",)
    )
    found = {
        f"{name}.{path}"
        for name, step in theirs.items()
        for path in differences(ours[name], step)
        if not (
            name == "MSE-Lower-Than-Threshold-Condition" and path.startswith("Arguments.IfSteps")
        )
    }
    train = "TrainTensorflowModel.Arguments"
    scaler = "PipelineModel.Arguments.InferenceSpecification.Containers[0]"
    # The SDK defaults of docs/sdk-comparison.md (the name suffix, and the Lambda step's
    # reference to the suffixed name; input names; the training job's debugger, profiler,
    # metrics, code and hyperparameters, TensorFlow's model_dir included; the framework
    # model's environment; the empty reports; SkipModelValidation) and what the example's
    # step.arguments[…] fixed when the pipeline was defined: the outputs of PreprocessData
    # and EvaluateModelPerformance, the scaler's model data and the evaluation report are
    # all at one job's location, named by a timestamp of the definition.
    assert found == {
        "PipelineModel.Name",
        "DeployPipelineModel.Arguments.model_package_arn.Get",
        "PreprocessData.Arguments.ProcessingInputs[0].InputName",
        "EvaluateModelPerformance.Arguments.ProcessingInputs[0].InputName",
        "EvaluateModelPerformance.Arguments.ProcessingInputs[1].InputName",
        f"{train}.AlgorithmSpecification.EnableSageMakerMetricsTimeSeries",
        f"{train}.DebugHookConfig",
        f"{train}.ProfilerConfig.DisableProfiler",
        f"{train}.ProfilerConfig.S3OutputPath",
        f"{train}.InputDataConfig",
        *(
            f"{train}.HyperParameters.{name}"
            for name in (
                "model_dir",
                "sagemaker_container_log_level",
                "sagemaker_program",
                "sagemaker_region",
                "sagemaker_submit_directory",
            )
        ),
        f"{scaler}.Environment.SAGEMAKER_CONTAINER_LOG_LEVEL",
        f"{scaler}.Environment.SAGEMAKER_REGION",
        "PipelineModel.Arguments.ModelMetrics.Bias",
        "PipelineModel.Arguments.ModelMetrics.Explainability",
        "PipelineModel.Arguments.SkipModelValidation",
        *(
            f"PreprocessData.Arguments.ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri"
            for index in range(3)
        ),
        "EvaluateModelPerformance.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri",
        f"{scaler}.ModelDataUrl",
        "PipelineModel.Arguments.ModelMetrics.ModelQuality.Statistics.S3Uri",
    }
    # The SDK's: where a job named when the pipeline was defined would have written.
    assert theirs["PipelineModel"]["Arguments"]["InferenceSpecification"]["Containers"][0][
        "ModelDataUrl"
    ].startswith("s3://my-bucket/sklearn-housing-data-process-")
    # Ours: what this execution's PreprocessData wrote.
    assert ours["PipelineModel"]["Arguments"]["InferenceSpecification"]["Containers"][0][
        "ModelDataUrl"
    ] == {
        "Std:Join": {
            "On": "/",
            "Values": [
                {
                    "Get": "Steps.PreprocessData.ProcessingOutputConfig.Outputs['scaler_model']"
                    ".S3Output.S3Uri"
                },
                "model.tar.gz",
            ],
        }
    }
    assert ours["DeployPipelineModel"]["Arguments"]["model_package_arn"] == {
        "Get": "Steps.PipelineModel.ModelPackageArn"
    }
    assert ours_definition["Parameters"] == load("sdk-pipeline-model-deploy")["Parameters"]


# -- @step functions and notebook jobs ------------------------------------------------------


def _function_build(definition: Any, step: str) -> str:
    """The ``--func_step_s3_dir`` the SDK wrote for a function step (its build's timestamp)."""
    for entry in _all_steps(definition["Steps"]):
        if entry["Name"] == step:
            arguments = entry["Arguments"]["AlgorithmSpecification"]["ContainerArguments"]
            return str(arguments[arguments.index("--func_step_s3_dir") + 1])
    raise AssertionError(f"no step {step!r}")


def test_function_steps_read_their_pickled_function_and_arguments() -> None:
    # The SDK's runtime unpickles <base>/<step>/<build>/{function,arguments}/payload.pkl,
    # named by ContainerArguments only: no channel carries them. Before, the step role could
    # read the pre-execution channel beside them but not them, so every function step failed.
    definition = load("sdk-function-steps")
    plan = plan_permissions(definition, pipeline_name="churn-function-steps")
    for step in ("Preprocess", "Train", "Evaluate", "Register"):
        build = _function_build(definition, step)
        for payload in ("function", "arguments"):
            key = f"churn-function-steps/{step}/{build}/{payload}/"
            assert S3Access("my-bucket", key) in plan.reads, key
    assert [str(item) for item in plan.unattributed] == [
        "step 'Split' field 'Arguments.ProcessingInputs[0].S3Input.S3Uri' "
        "(reads 'Parameters.InputData')"
    ]
    # Built from a parameter: parameter_locations can declare it.
    assert [item.parameters for item in plan.unattributed] == [("InputData",)]


def test_function_steps_read_the_results_they_take_and_write_their_exception() -> None:
    plan = plan_permissions(load("sdk-function-steps"), pipeline_name="churn-function-steps")
    # Train takes Preprocess's result (the runtime reads it from Preprocess's S3OutputPath)
    # and Split's output location (the function reads it, as a ProcessingInput would).
    assert S3Access("my-bucket", "churn-function-steps/*/Preprocess/results") in plan.reads
    assert S3Access("my-bucket", "churn-function-steps/*/Split/output/train") in plan.reads
    # Register and the Fail message read Evaluate's result: the runtime with the step role,
    # the JsonGet with the pipeline role.
    assert S3Access("my-bucket", "churn-function-steps/*/Evaluate/results") in plan.reads
    assert (
        S3Access("my-bucket", "churn-function-steps/*/Evaluate/results/results.json")
        in plan.property_file_reads
    )
    # A function that raises has the runtime write the exception beside its results.
    for step in ("Preprocess", "Train", "Evaluate", "Register"):
        assert S3Access("my-bucket", f"churn-function-steps/*/{step}/exception/") in plan.writes
        assert S3Access("my-bucket", f"churn-function-steps/*/{step}/results") in plan.writes
    # Preprocess's own result is read by no one but the steps that take it.
    assert not any("/Register/results" in access.key_pattern for access in plan.reads)


def test_function_step_arguments_that_name_no_location_are_not_reported() -> None:
    # Epochs (a number) and the execution id are data: nothing to grant or warn about. A
    # parameter declared as a location is granted as one.
    definition = load("sdk-function-steps")
    plan = plan_permissions(definition, parameter_locations={"Epochs": "s3://my-bucket/epochs/*"})
    assert S3Access("my-bucket", "epochs/*") in plan.reads
    assert len(plan.unattributed) == 1


def test_spark_function_steps_read_their_submitted_files_and_write_event_logs() -> None:
    plan = plan_permissions(load("sdk-function-steps-spark"))
    assert S3Access("my-bucket", "deps/lib.zip") in plan.reads
    assert S3Access("my-bucket", "spark-logs") in plan.writes
    assert S3Access("my-bucket", "churn-spark-functions/sm_rf_spark_conf/configuration.json") in (
        plan.reads
    )


def test_notebook_jobs_read_their_staged_notebook_and_write_their_output() -> None:
    definition = load("sdk-notebook-jobs")
    plan = plan_permissions(definition, pipeline_name="churn-notebooks")
    staged = {
        entry["Name"]: entry["Arguments"]["InputDataConfig"][0]["DataSource"]["S3DataSource"][
            "S3Uri"
        ]
        for entry in definition["Steps"]
        if entry["Type"] == "Training"
    }
    for step, uri in staged.items():
        assert S3Access("my-bucket", uri.removeprefix("s3://my-bucket/")) in plan.reads, step
    assert plan.writes == [
        S3Access("my-bucket", "notebook-jobs/churn-notebooks/*/ChurnReport"),
        S3Access("my-bucket", "churn-notebooks/*/Publish"),
    ]
    # The SDK keeps each notebook job's TrainingJobName (its notebook job name): a custom
    # job-name prefix, as with use_custom_job_prefix.
    names = [entry["Arguments"]["TrainingJobName"] for entry in definition["Steps"][:2]]
    assert names[0] == "churn-report"
    assert plan.job_name_prefixes["Training"] == [f"{name}-" for name in names]
    # Archive reads what the report notebook's job wrote.
    assert S3Access("my-bucket", "notebook-jobs/churn-notebooks/*/ChurnReport") in plan.reads
    assert plan.unattributed == []


def test_a_training_job_with_the_same_arguments_is_no_function_step() -> None:
    # What makes a function step is the SDK's job driver (and its bootstrap channel), not
    # option names a training script may share.
    definition = load("sdk-function-steps")
    [train] = [entry for entry in definition["Steps"] if entry["Name"] == "Train"]
    train["Arguments"]["AlgorithmSpecification"]["ContainerEntrypoint"] = ["python3", "train.py"]
    train["Arguments"]["InputDataConfig"] = train["Arguments"]["InputDataConfig"][1:]
    plan = plan_permissions(definition)
    assert not any("/Train/exception" in access.key_pattern for access in plan.writes)
    assert not any(
        f"/Train/{_function_build(definition, 'Train')}/function" in access.key_pattern
        for access in plan.reads
    )
    assert S3Access("my-bucket", "churn-function-steps/*/Evaluate/exception/") in plan.writes


# ---------------------------------------------------------------------------------------------
HF_SOURCE = "s3://my-bucket/hf-pipeline/code"


def _huggingface_example_in_our_language() -> dict[str, Any]:
    """The Hugging Face pipeline example as a new user ports it (README and docs only)."""
    processing_type = ParameterString(name="ProcessingInstanceType", default_value="ml.g4dn.xlarge")
    processing_count = ParameterInteger(name="ProcessingInstanceCount", default_value=1)
    training_type = ParameterString(name="TrainingInstanceType", default_value="ml.p3.2xlarge")
    epochs = ParameterString(name="Epochs", default_value="1")
    eval_batch_size = ParameterInteger(name="EvalBatchSize", default_value=32)
    train_batch_size = ParameterInteger(name="TrainBatchSize", default_value=16)
    learning_rate = ParameterFloat(name="LearningRate", default_value=3e-5)
    threshold = ParameterFloat(name="ThresholdAccuracy", default_value=0.8)
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    cache = CacheConfig(expire_after="30d")
    # HuggingFace(transformers_version="4.28", pytorch_version="2.0", py_version="py310").
    training_image = Image.huggingface("4.28", pytorch_version="2.0", py_version="py310")
    process = ProcessingStep(  # HuggingFaceProcessor(…).run(code=, source_dir=)
        name="ProcessDataForTraining",
        image=training_image,
        code=Code.from_s3(
            f"{HF_SOURCE}/preprocessing/sourcedir.tar.gz", entry_point="preprocessing.py"
        ),
        instance_type="ml.g4dn.xlarge",
        instance_count=processing_count,
        arguments=["--dataset_name", "imdb", "--model_id", "distilbert-base-uncased"],
        outputs=["train", "test"],
        cache_config=cache,
    )
    train = TrainingStep(
        name="TrainHuggingFaceModel",
        image=training_image,
        code=Code.from_s3(f"{HF_SOURCE}/train.tar.gz", entry_point="train.py"),
        instance_type="ml.p3.2xlarge",
        instance_count=1,
        output_path="s3://my-bucket/hf-pipeline/models",
        inputs={"train": process.output("train"), "test": process.output("test")},
        hyperparameters={
            "epochs": epochs,
            "eval_batch_size": eval_batch_size,
            "train_batch_size": train_batch_size,
            "learning_rate": learning_rate,
            "model_id": "distilbert-base-uncased",
            "fp16": True,
        },
        metric_definitions={
            "eval_loss": "eval_loss.*=\\D*(.*?)$",
            "eval_accuracy": "eval_accuracy.*=\\D*(.*?)$",
        },
        cache_config=cache,
    )
    report = PropertyFile(
        name="HuggingFaceEvaluationReport", output_name="evaluation", path="evaluation.json"
    )
    evaluate = ProcessingStep(
        name="HuggingfaceEvalLoss",
        # image_uris.retrieve("huggingface", …, instance_type="ml.m5.xlarge",
        # image_scope="inference"): the CPU inference image.
        image=Image.huggingface(
            "4.28", pytorch_version="2.0", py_version="py310", scope="inference"
        ),
        code=Code.from_s3(f"{HF_SOURCE}/evaluate.py"),
        instance_type=processing_type,
        instance_count=1,
        inputs={"model": train.model_data, "test": process.output("test")},
        outputs=["evaluation"],
        property_files=[report],
        cache_config=cache,
    )
    register = RegisterModel(  # HuggingFaceModel(…).register(…) in a ModelStep
        name="HuggingFaceRegisterModel",
        model_package_group_name="HuggingFaceModelPackageGroup",
        # The SDK picks the image for inference_instances[0], a GPU instance here.
        image=Image.huggingface(
            "4.28", pytorch_version="2.0", py_version="py310", scope="inference", processor="gpu"
        ),
        model_data=train.model_data,
        content_types=["application/json"],
        response_types=["application/json"],
        inference_instances=["ml.g4dn.xlarge", "ml.m5.xlarge"],
        transform_instances=["ml.g4dn.xlarge", "ml.m5.xlarge"],
        approval_status=approval,
        model_metrics=ModelMetrics(
            model_statistics=MetricsSource(
                s3_uri=Join(on="/", values=[evaluate.output("evaluation"), "evaluation.json"]),
            )
        ),
        framework="PYTORCH",
        framework_version="2.0",
    )
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="eval_accuracy")
    check = ConditionStep(
        name="CheckHuggingfaceEvalAccuracy",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=threshold)],
        if_steps=[register],
        else_steps=[
            FailStep(
                name="AccuracyTooLow",
                error_message=Join(on=" ", values=["Evaluation accuracy below", threshold]),
            )
        ],
    )
    binder = StaticBinder(
        region="us-east-1",
        role_arn="arn:aws:iam::111122223333:role/SageMakerExecutionRole",
        default_bucket="my-bucket",
    )
    parameters = [
        processing_type,
        processing_count,
        training_type,
        epochs,
        eval_batch_size,
        train_batch_size,
        learning_rate,
        threshold,
        approval,
    ]
    return PipelineDefinition(
        parameters=parameters, steps=[process, train, evaluate, check]
    ).to_definition(binder)


def test_huggingface_example_renders_as_the_sdk_writes_it() -> None:
    ours_definition = _huggingface_example_in_our_language()
    ours, theirs = _ours_and_theirs(
        "sdk-huggingface", ours_definition, ("HuggingFaceRegisterModel-RegisterModel",)
    )
    found = {
        f"{name}.{path}"
        for name, step in theirs.items()
        for path in differences(ours[name], step)
        if not (name == "CheckHuggingfaceEvalAccuracy" and path.startswith("Arguments.IfSteps"))
    }
    process, train = "ProcessDataForTraining.Arguments", "TrainHuggingFaceModel.Arguments"
    evaluate = "HuggingfaceEvalLoss.Arguments"
    register = "HuggingFaceRegisterModel.Arguments"
    container = f"{register}.InferenceSpecification.Containers[0]"
    # Only what docs/sdk-comparison.md lists: ModelStep's name suffix; the image tags (the
    # language writes the full versions the aliases stand for); FrameworkProcessor's
    # runproc.sh (ours unpacks the archive with /bin/sh -c, the code input only); input
    # names and default output locations; the training job's SDK defaults (debugger,
    # profiler, metrics time series, the log level, region and JSON-quoted hyperparameters)
    # and its code as a channel; the framework model's environment, the empty reports and
    # SkipModelValidation.
    assert found == {
        "HuggingFaceRegisterModel.Name",
        f"{process}.AppSpecification.ImageUri",
        f"{train}.AlgorithmSpecification.TrainingImage",
        f"{evaluate}.AppSpecification.ImageUri",
        f"{container}.Image",
        f"{process}.AppSpecification.ContainerEntrypoint",
        *(f"{process}.AppSpecification.ContainerEntrypoint[{index}]" for index in range(2)),
        f"{process}.ProcessingInputs",
        f"{process}.ProcessingInputs[0].S3Input.LocalPath",
        f"{evaluate}.ProcessingInputs[0].InputName",
        f"{evaluate}.ProcessingInputs[1].InputName",
        *(
            f"{step}.ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri.Std:Join.Values" + item
            for step, count in ((process, 2), (evaluate, 1))
            for index in range(count)
            for item in ("", *(f"[{value}]" for value in _OUR_OUTPUT_JOIN_DIFFERS))
        ),
        f"{train}.AlgorithmSpecification.EnableSageMakerMetricsTimeSeries",
        f"{train}.DebugHookConfig",
        f"{train}.ProfilerConfig.DisableProfiler",
        f"{train}.ProfilerConfig.S3OutputPath",
        f"{train}.InputDataConfig",
        *(
            f"{train}.HyperParameters.{name}"
            for name in (
                "model_id",
                "sagemaker_container_log_level",
                "sagemaker_program",
                "sagemaker_region",
                "sagemaker_submit_directory",
            )
        ),
        *(
            f"{container}.Environment.{name}"
            for name in (
                "SAGEMAKER_CONTAINER_LOG_LEVEL",
                "SAGEMAKER_PROGRAM",
                "SAGEMAKER_REGION",
                "SAGEMAKER_SUBMIT_DIRECTORY",
            )
        ),
        f"{register}.ModelMetrics.Bias",
        f"{register}.ModelMetrics.Explainability",
        f"{register}.SkipModelValidation",
    }
    # The same images as image_uris.retrieve for the same versions: GPU training (the
    # processor and the estimator), the CPU inference image the evaluation asked for
    # (instance_type="ml.m5.xlarge") and the GPU one HuggingFaceModel.register picked for
    # inference_instances[0] (ml.g4dn.xlarge); only the versions in the tag are spelt out.
    registry = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch"
    images = {
        f"{process}.AppSpecification.ImageUri": (
            f"{registry}-training:{{}}-gpu-py310-cu118-ubuntu20.04"
        ),
        f"{train}.AlgorithmSpecification.TrainingImage": (
            f"{registry}-training:{{}}-gpu-py310-cu118-ubuntu20.04"
        ),
        f"{evaluate}.AppSpecification.ImageUri": (
            f"{registry}-inference:{{}}-cpu-py310-ubuntu20.04"
        ),
        f"{container}.Image": f"{registry}-inference:{{}}-gpu-py310-cu118-ubuntu20.04",
    }
    for path, template in images.items():
        name, _, rest = path.partition(".")
        assert _at(theirs[name], rest) == template.format("2.0-transformers4.28")
        assert _at(ours[name], rest) == template.format("2.0.0-transformers4.28.1")
    # What HuggingFaceModel.register writes for Inference Recommender, given here.
    name = "HuggingFaceRegisterModel"
    for definition in (ours, theirs):
        assert _at(definition[name], f"{container}.Framework".removeprefix(f"{name}.")) == "PYTORCH"
    assert ours_definition["Parameters"] == load("sdk-huggingface")["Parameters"]


def test_check_steps_in_the_two_branches_of_one_condition_may_share_an_output() -> None:
    # Only one branch runs: the two checks never both write there.
    definition = load("quality-and-clarify-checks")
    first = copy.deepcopy(definition["Steps"][1])
    second = copy.deepcopy(first)
    second["Name"] = "OtherBiasCheck"
    arguments: dict[str, Any] = {
        "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
        "IfSteps": [first],
        "ElseSteps": [second],
    }
    condition = {"Name": "Choose", "Type": "Condition", "Arguments": arguments}
    definition["Steps"][1:2] = [condition]
    assert [p for p in validate_definition(definition) if "same location" in p.message] == []
    # In one branch together, both run: refused.
    arguments["IfSteps"] = [first, second]
    arguments["ElseSteps"] = []
    assert [p.step for p in validate_definition(definition) if "same location" in p.message] == [
        "OtherBiasCheck"
    ]
