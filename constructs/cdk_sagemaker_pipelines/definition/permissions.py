"""What a pipeline needs to run, read off its definition: permissions as data.

``plan_permissions(definition)`` walks a compiled definition (ours or any JSON) and returns
a ``PermissionPlan``: the API actions per step type on ``pipelines-*`` job ARNs, the roles
passed, the S3 locations each job reads and writes (bucket and key pattern), the property
files and other JSON files the service itself reads for ``JsonGet``, KMS keys, images,
Lambda functions, SQS queues, EMR clusters and model package groups. Locations it can't
attribute (a free-form parameter, a Lambda output) are listed as ``unattributed`` so the
caller can say so. The CDK ``Pipeline`` construct turns the plan into IAM statements; it
has no ``aws_cdk`` here.

Example::

    plan = plan_permissions(definition.to_definition(binder), pipeline_name="churn")
    plan.job_actions["Training"]  # ('sagemaker:CreateTrainingJob', ...)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from ._errors import Problem
from ._job_conditions import REQUEST_KEY_FIELDS, request_condition_values
from ._lineage_names import ASSOCIATION_RESOURCE_TYPES, KIND_OF_ARNS, LINEAGE_KINDS
from ._sdk_jobs import function_step_job
from ._seal_entries import is_seal_entry
from ._service_model import partition_of
from ._shape_check import is_expression
from ._tokens import is_token
from .entries import walk_steps

JOB_NAME_PREFIX = "pipelines-"
# Job types whose service-generated names can't have the pipelines-<execution id>-<step>-
# <token> form of the others: HyperParameterTuningJobName and AutoMLJobName take at most 32
# characters, and "pipelines-" with a 12-character execution id already takes 23. No document
# or published example says how the service names them, so their ARNs are granted without a
# name prefix (all of the type in the account and region): a job the role can't start would
# fail every execution.
UNPREFIXED_JOB_TYPES = frozenset({"Tuning", "AutoML"})
# The name member of each job request. Pipelines names the job itself; a name given in the
# definition is a custom prefix ("<prefix>-<execution id>-<token>-<attempt>" instead of
# "pipelines-…"), what the SDK writes with PipelineDefinitionConfig(use_custom_job_prefix=
# True). See "Customize access management for Pipelines jobs" in the SageMaker guide.
JOB_NAME_FIELDS: dict[str, str] = {
    "Processing": "ProcessingJobName",
    "Training": "TrainingJobName",
    "Tuning": "HyperParameterTuningJobName",
    "Transform": "TransformJobName",
    "AutoML": "AutoMLJobName",
    "Model": "ModelName",
    "RegisterModel": "ModelPackageName",
    # Check steps run a processing job (see CHECK_STEP_TYPES).
    "QualityCheck": "ProcessingJobName",
    "ClarifyCheck": "ProcessingJobName",
}

# Per step type: (IAM resource type, actions the service calls with the pipeline's role).
JOB_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
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
    "AutoML": (
        "automl-job",
        (
            "sagemaker:CreateAutoMLJob",
            "sagemaker:DescribeAutoMLJob",
            "sagemaker:StopAutoMLJob",
            # A read of the same jobs, as ListTrainingJobsForHyperParameterTuningJob is for a
            # tuning step: the guide doesn't say whether the step lists the candidates.
            "sagemaker:ListCandidatesForAutoMLJob",
            # The V2 API's actions are IAM actions of their own; which of the two APIs the
            # service calls for an AutoML step isn't documented, so both are allowed (on the
            # same jobs).
            "sagemaker:CreateAutoMLJobV2",
            "sagemaker:DescribeAutoMLJobV2",
        ),
    ),
    "Model": ("model", ("sagemaker:CreateModel", "sagemaker:DescribeModel")),
}
# Check steps (the SDK's QualityCheckStep and ClarifyCheckStep) run one processing job each:
# their Arguments are its CreateProcessingJob request, and the step metadata names its
# CheckJobArn. They are planned as Processing steps, plus the baselines they compare with.
CHECK_STEP_TYPES = frozenset({"QualityCheck", "ClarifyCheck"})
# The baseline files a check step may be given, read by its job.
CHECK_BASELINE_FIELDS: dict[str, tuple[str, ...]] = {
    "QualityCheck": ("SuppliedBaselineStatistics", "SuppliedBaselineConstraints"),
    "ClarifyCheck": ("SuppliedBaselineConstraints",),
}
# Clarify checks of a model run it on a shadow endpoint that the job creates and deletes.
CLARIFY_MODEL_CHECK_TYPES = frozenset({"MODEL_BIAS", "MODEL_EXPLAINABILITY"})
# The name prefix of that endpoint and its configuration when the analysis configuration's
# predictor sets no endpoint_name_prefix (the Clarify guide's "Analysis configuration
# files": "The default value is sm-clarify"; the SDK's ModelConfig writes none by default).
CLARIFY_ENDPOINT_NAME_PREFIX = "sm-clarify"
# What the Clarify job does with the shadow endpoint, as the job's role: it creates the
# endpoint configuration and the endpoint, waits for it (describing it), sends the dataset's
# records to it and deletes both when the analysis is done. The same actions on
# endpoint-config/sm-clarify-config* and endpoint/sm-clarify-* are what AWS's MLOps
# Workload Orchestrator solution grants its Clarify monitors; AddTags because a
# configuration created with tags (the analysis config's `tags`, or an environment that
# tags everything) needs it: "not authorized to perform: sagemaker:AddTags on resource:
# …:endpoint-config/sm-clarify-config-…" is the failure otherwise.
CLARIFY_SHADOW_ENDPOINT_ACTIONS = (
    "sagemaker:AddTags",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:DescribeEndpointConfig",
    "sagemaker:DeleteEndpointConfig",
    "sagemaker:CreateEndpoint",
    "sagemaker:DescribeEndpoint",
    "sagemaker:InvokeEndpoint",
    "sagemaker:DeleteEndpoint",
)
# The deployment steps (the SDK's EndpointConfigStep, EndpointStep and InferenceComponentStep):
# the pipeline role creates the hosting resource each names (see DEPLOY_ACTIONS).
DEPLOY_STEP_TYPES = frozenset({"EndpointConfig", "Endpoint", "InferenceComponent"})
# The step types whose permissions the plan derives; any other (a type a newer SDK writes)
# is listed in ``unplanned_steps``.
PLANNED_STEP_TYPES = frozenset(
    {
        *JOB_ACTIONS,
        *CHECK_STEP_TYPES,
        *DEPLOY_STEP_TYPES,
        "Lineage",
        "RegisterModel",
        "Lambda",
        "Callback",
        "EMR",
        "Condition",
        "Fail",
    }
)
# What the pipeline role calls for a deployment step, per IAM resource type it names. The
# service creates the resource, or updates it when it exists ("the pipeline chooses
# create-vs-update based on endpoint existence": the SDK's EndpointStep, and
# InferenceComponentStep for its component), and describes it until it is ready.
# CreateEndpoint and UpdateEndpoint are authorized on the endpoint and on the configuration
# it deploys (as aws-cdk-lib's SageMakerCreateEndpoint and SageMakerUpdateEndpoint tasks
# grant them), DescribeEndpointConfig reads that configuration first (CreateEndpoint's API
# reference recommends it). An inference component's actions are granted on the endpoint
# and the model it names as well as on the component: a statement an action's resource
# types don't list never matches, so that is no wider.
DEPLOY_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "EndpointConfig": {
        "endpoint-config": ("sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig"),
    },
    "Endpoint": {
        "endpoint": (
            "sagemaker:CreateEndpoint",
            "sagemaker:UpdateEndpoint",
            "sagemaker:DescribeEndpoint",
        ),
        "endpoint-config": (
            "sagemaker:CreateEndpoint",
            "sagemaker:UpdateEndpoint",
            "sagemaker:DescribeEndpointConfig",
        ),
    },
    "InferenceComponent": {
        "inference-component": (
            "sagemaker:CreateInferenceComponent",
            "sagemaker:UpdateInferenceComponent",
            "sagemaker:DescribeInferenceComponent",
        ),
        "endpoint": ("sagemaker:CreateInferenceComponent", "sagemaker:UpdateInferenceComponent"),
        "model": ("sagemaker:CreateInferenceComponent", "sagemaker:UpdateInferenceComponent"),
    },
}


def _action_resource_types() -> dict[str, frozenset[str]]:
    """Each action of ``JOB_ACTIONS`` and ``DEPLOY_ACTIONS`` → the resource types it takes."""
    found: dict[str, set[str]] = {}
    for resource_type, actions in JOB_ACTIONS.values():
        for action in actions:
            found.setdefault(action.lower(), set()).add(resource_type)
    for by_type in DEPLOY_ACTIONS.values():
        for resource_type, actions in by_type.items():
            for action in actions:
                found.setdefault(action.lower(), set()).add(resource_type)
    return {action: frozenset(types) for action, types in found.items()}


# The SageMaker resource types IAM authorizes each job and deployment action on (lower-case
# action → types), from the tables above: a statement naming CreateTrainingJob on a
# processing-job ARN matches no request. An action not listed (AddTags takes every type)
# says nothing.
ACTION_RESOURCE_TYPES: dict[str, frozenset[str]] = _action_resource_types()
# The resource types a deployment step creates (tagged as it is created: AddTags).
DEPLOY_CREATED = {
    "EndpointConfig": "endpoint-config",
    "Endpoint": "endpoint",
    "InferenceComponent": "inference-component",
}
# The rollback alarms of an Endpoint step's deployments (CreateEndpoint's and
# UpdateEndpoint's DeploymentConfig): "Ensure that your IAM execution role has permission to
# perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify"
# (SageMaker guide, Auto-Rollback Configuration and Monitoring), the endpoint's execution
# role: its models' (a Model step's ExecutionRoleArn), or its configuration's for an
# endpoint of inference components. No document asks anything more of the caller (the
# pipeline role) than UpdateEndpoint itself.
ROLLBACK_ALARM_FIELD = "DeploymentConfig.AutoRollbackConfiguration.Alarms[*].AlarmName"
ROLLBACK_ALARM_ACTIONS = ("cloudwatch:DescribeAlarms",)
# Where an endpoint configuration names the models its endpoint runs (as their roles).
_ENDPOINT_MODEL_FIELDS = (
    "ProductionVariants[*].ModelName",
    "ShadowProductionVariants[*].ModelName",
)
# The properties of a Model step that name its model: a step given one may run it, as the
# model's execution role (see ``model_roles``).
_MODEL_NAME_PROPERTIES = frozenset({"ModelName", "ModelArn"})
# Where a step names the model whose role runs its job (a Transform step) or its endpoint
# (an EndpointConfig step: captured data, asynchronous results).
_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "Transform": ("ModelName",),
    "EndpointConfig": _ENDPOINT_MODEL_FIELDS,
}
# The step types that run nothing as a model's role: a model they name is data to them (a
# condition's operand, a failure message, a lineage association's end).
_RUNS_NO_MODEL_TYPES = frozenset({"Condition", "Fail", "Lineage"})
# The members of the deployment requests that name resources, per step type: resource type
# and field. What an Endpoint step deploys and where a component goes are often another
# step's properties (see ``_Planner._deployed_name``).
_DEPLOY_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "EndpointConfig": (("endpoint-config", "EndpointConfigName"),),
    "Endpoint": (("endpoint", "EndpointName"), ("endpoint-config", "EndpointConfigName")),
    "InferenceComponent": (
        ("inference-component", "InferenceComponentName"),
        ("endpoint", "EndpointName"),
        ("model", "Specification.ModelName"),
    ),
}
# What the pipeline role calls for a Lineage step (the SDK's LineageStep), per IAM resource
# type: the Create* call of each entity on its ARN, AddAssociation on both ends of each
# association (the Service Authorization Reference lists action, artifact, context,
# experiment and experiment-trial-component for it; a statement of a type the call doesn't
# name never matches, so ends are granted by their own type), AddTags on what is created
# with tags (CreateAction, CreateArtifact and CreateContext list it as a dependent action).
LINEAGE_CREATE_ACTIONS = {
    kind.resource_type: f"sagemaker:{kind.create}" for kind in LINEAGE_KINDS.values()
}
LINEAGE_ASSOCIATE_ACTION = "sagemaker:AddAssociation"
# The step property that names what each resource-creating step type creates.
_NAME_PROPERTIES = {
    "EndpointConfig": "EndpointConfigName",
    "Endpoint": "EndpointName",
    "InferenceComponent": "InferenceComponentName",
    "Model": "ModelName",
}
# A training job's Debugger and profiler rules run as processing jobs SageMaker starts for
# it: no document says with which role, nor all that they read (the hook's and profiler's
# outputs) and write (each rule's S3OutputPath), so nothing is derived for them (warned).
DEBUGGER_RULE_FIELDS = ("DebugRuleConfigurations", "ProfilerRuleConfigurations")
# What the role an AutoML job runs with (its RoleArn) calls itself, beyond the data, keys and
# logs of any job: "CreateAutoMLJob API: Execution Role Permissions" (SageMaker guide, How to
# use SageMaker AI execution roles) lists iam:PassRole to SageMaker and these actions, which
# Autopilot uses on the models and endpoints it creates for its candidates. Per IAM resource
# type; ListTags, listed there too, is on any SageMaker resource.
AUTOML_ROLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "model": ("sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel"),
    "endpoint-config": (
        "sagemaker:CreateEndpointConfig",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:DeleteEndpointConfig",
    ),
    "endpoint": (
        "sagemaker:CreateEndpoint",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DeleteEndpoint",
        "sagemaker:InvokeEndpoint",
    ),
}
AUTOML_ROLE_LIST_TAGS = "sagemaker:ListTags"
REGISTER_ACTIONS = ("sagemaker:CreateModelPackage",)
DESCRIBE_PACKAGE_ACTIONS = ("sagemaker:DescribeModelPackage",)
PENDING_APPROVAL = "PendingManualApproval"

# Where each job type reads (R) and writes (W) S3 data, as paths into its Arguments.
_S3_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Processing": (
        ("R", "ProcessingInputs[*].S3Input.S3Uri"),
        ("W", "ProcessingOutputConfig.Outputs[*].S3Output.S3Uri"),
    ),
    "Training": (
        ("R", "InputDataConfig[*].DataSource.S3DataSource.S3Uri"),
        # Script mode's code archive: the SDK's framework estimators name it here (JSON-encoded)
        # with no code channel; the language's path into its code channel is skipped.
        ("R", "HyperParameters.sagemaker_submit_directory"),
        ("W", "OutputDataConfig.S3OutputPath"),
        # Checkpoints are synced both ways: a resumed job (a spot restart) copies them back
        # from S3 ("Checkpoints in Amazon SageMaker AI", developer guide).
        ("W", "CheckpointConfig.S3Uri"),
        ("R", "CheckpointConfig.S3Uri"),
        # What the job uploads besides its model (CreateTrainingJob: "Path to Amazon S3
        # storage location for" debugger tensors, TensorBoard output, and system and
        # framework metrics). The SDK's estimators write DebugHookConfig and ProfilerConfig
        # by default, usually at the output path; tensorboard_output_config= and
        # profiler_config= name locations of their own.
        ("W", "DebugHookConfig.S3OutputPath"),
        ("W", "TensorBoardOutputConfig.S3OutputPath"),
        ("W", "ProfilerConfig.S3OutputPath"),
    ),
    "Tuning": (
        ("R", "TrainingJobDefinition.InputDataConfig[*].DataSource.S3DataSource.S3Uri"),
        ("R", "TrainingJobDefinition.StaticHyperParameters.sagemaker_submit_directory"),
        ("R", "TrainingJobDefinitions[*].StaticHyperParameters.sagemaker_submit_directory"),
        ("W", "TrainingJobDefinition.OutputDataConfig.S3OutputPath"),
        ("W", "TrainingJobDefinition.CheckpointConfig.S3Uri"),
        ("R", "TrainingJobDefinition.CheckpointConfig.S3Uri"),
        # A tuning job of several algorithms (the SDK's HyperparameterTuner.create).
        ("R", "TrainingJobDefinitions[*].InputDataConfig[*].DataSource.S3DataSource.S3Uri"),
        ("W", "TrainingJobDefinitions[*].OutputDataConfig.S3OutputPath"),
        ("W", "TrainingJobDefinitions[*].CheckpointConfig.S3Uri"),
        ("R", "TrainingJobDefinitions[*].CheckpointConfig.S3Uri"),
    ),
    "Transform": (
        ("R", "TransformInput.DataSource.S3DataSource.S3Uri"),
        ("W", "TransformOutput.S3OutputPath"),
        ("W", "DataCaptureConfig.DestinationS3Uri"),
    ),
    "AutoML": (
        ("R", "InputDataConfig[*].DataSource.S3DataSource.S3Uri"),
        ("R", "AutoMLJobConfig.CandidateGenerationConfig.FeatureSpecificationS3Uri"),
        # Autopilot writes its data splits, candidate definitions and models here, and the
        # jobs it runs read them back (its processing, training and transform jobs).
        ("W", "OutputDataConfig.S3OutputPath"),
        ("R", "OutputDataConfig.S3OutputPath"),
    ),
    "Model": (
        ("R", "PrimaryContainer.ModelDataUrl"),
        # The model's containers (running with this role) download their inference code.
        ("R", "PrimaryContainer.Environment.SAGEMAKER_SUBMIT_DIRECTORY"),
        # A model of several containers (an inference pipeline) lists them in Containers.
        ("R", "Containers[*].ModelDataUrl"),
        # Uncompressed model data (ModelDataSource) instead of a model.tar.gz URL.
        ("R", "PrimaryContainer.ModelDataSource.S3DataSource.S3Uri"),
        ("R", "Containers[*].ModelDataSource.S3DataSource.S3Uri"),
        ("R", "Containers[*].Environment.SAGEMAKER_SUBMIT_DIRECTORY"),
    ),
    # What an endpoint writes, as its model's role: captured requests and responses, and
    # an asynchronous endpoint's results and failures.
    "EndpointConfig": (
        ("W", "DataCaptureConfig.DestinationS3Uri"),
        ("W", "AsyncInferenceConfig.OutputConfig.S3OutputPath"),
        ("W", "AsyncInferenceConfig.OutputConfig.S3FailurePath"),
    ),
    "RegisterModel": (
        ("R", "InferenceSpecification.Containers[*].ModelDataUrl"),
        ("R", "InferenceSpecification.Containers[*].ModelDataSource.S3DataSource.S3Uri"),
        ("R", "ModelMetrics.*.*.S3Uri"),
        ("R", "DriftCheckBaselines.*.*.S3Uri"),
    ),
}
# A Model step's containers that are registered versions (CreateModel's ModelPackageName).
_MODEL_PACKAGE_FIELDS = ("PrimaryContainer.ModelPackageName", "Containers[*].ModelPackageName")
# What a model of a registered version reads, as its role, of the version's containers
# (CreateModelPackage's InferenceSpecification): their model data and serving code.
_REGISTERED_CONTAINER_READS = (
    "InferenceSpecification.Containers[*].ModelDataUrl",
    "InferenceSpecification.Containers[*].ModelDataSource.S3DataSource.S3Uri",
    "InferenceSpecification.Containers[*].Environment.SAGEMAKER_SUBMIT_DIRECTORY",
)
_REGISTERED_IMAGES = "InferenceSpecification.Containers[*].Image"
# What the pipeline role needs on a version to create a model of it: CreateModel on the
# model package besides the model (as AWS's cross-account deployment guide grants it on the
# group's versions) and DescribeModelPackage, which reads its containers.
MODEL_FROM_PACKAGE_ACTIONS = ("sagemaker:CreateModel", "sagemaker:DescribeModelPackage")
# The S3 data sources of each job type whose S3DataType may make S3Uri a manifest: a file
# listing the objects to read (ManifestFile), or JSON lines naming them (AugmentedManifestFile).
_S3_DATA_SOURCES: dict[str, tuple[str, ...]] = {
    "Processing": ("ProcessingInputs[*].S3Input",),
    "Training": ("InputDataConfig[*].DataSource.S3DataSource",),
    "Tuning": (
        "TrainingJobDefinition.InputDataConfig[*].DataSource.S3DataSource",
        "TrainingJobDefinitions[*].InputDataConfig[*].DataSource.S3DataSource",
    ),
    "Transform": ("TransformInput.DataSource.S3DataSource",),
    "AutoML": ("InputDataConfig[*].DataSource.S3DataSource",),
}
_MANIFEST_TYPES = frozenset({"ManifestFile", "AugmentedManifestFile"})
# The key an AutoML job's own role grants to the volumes of the jobs it runs (see
# PermissionPlan.automl_volume_keys).
AUTOML_VOLUME_KEY_FIELD = "AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId"
# The volume keys of the jobs that run with the role their request passes (processing, check,
# training and tuning jobs): "If you specify a volume KMS key in the resource configuration
# of your processing [training, hyperparameter tuning] job", the SageMaker guide's policy for
# that role adds kms:CreateGrant ("How to use SageMaker AI execution roles"). A transform
# job runs as its model's role, which the guide gives no such statement.
JOB_VOLUME_KEY_FIELDS = (
    "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    "ResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinitions[*].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinitions[*].ResourceConfig.VolumeKmsKeyId",
)
_KMS_FIELDS = (
    "ProcessingResources.ClusterConfig.VolumeKmsKeyId",
    "ProcessingOutputConfig.KmsKeyId",
    "ResourceConfig.VolumeKmsKeyId",
    "OutputDataConfig.KmsKeyId",
    "TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
    "TrainingJobDefinitions[*].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinitions[*].ResourceConfig.VolumeKmsKeyId",
    "TrainingJobDefinitions[*].OutputDataConfig.KmsKeyId",
    "TransformResources.VolumeKmsKeyId",
    "TransformOutput.KmsKeyId",
    "DataCaptureConfig.KmsKeyId",
    # OutputDataConfig.KmsKeyId, listed above, is an AutoML job's output key too.
    AUTOML_VOLUME_KEY_FIELD,
)
# The keys of _KMS_FIELDS (and _ENDPOINT_CONFIG_KMS_FIELDS) that encrypt what a job or
# endpoint writes to S3 (not its volumes): whoever reads that data needs them too (see
# _Planner.run with ``steps``).
_OUTPUT_KMS_FIELDS = (
    "ProcessingOutputConfig.KmsKeyId",
    "OutputDataConfig.KmsKeyId",
    "TrainingJobDefinition.OutputDataConfig.KmsKeyId",
    "TrainingJobDefinitions[*].OutputDataConfig.KmsKeyId",
    "TransformOutput.KmsKeyId",
    "DataCaptureConfig.KmsKeyId",
    # An asynchronous endpoint's results (an EndpointConfig step's).
    "AsyncInferenceConfig.OutputConfig.KmsKeyId",
)
# An endpoint configuration's keys: its instances' storage volumes (CreateEndpoint's caller
# needs kms:CreateGrant on it "only if the associated EndpointConfig has a KmsKeyId
# specified", SageMaker API permissions reference) and an asynchronous endpoint's results
# (DataCaptureConfig.KmsKeyId is in _KMS_FIELDS).
_ENDPOINT_CONFIG_KMS_FIELDS = ("KmsKeyId", "AsyncInferenceConfig.OutputConfig.KmsKeyId")
# The SNS topics an asynchronous endpoint notifies of each result: its execution role (its
# models' roles) publishes to them ("your IAM role must have sns:Publish permissions",
# SageMaker's asynchronous inference guide, Check prediction results).
ASYNC_NOTIFICATION_TOPIC_FIELDS = (
    "AsyncInferenceConfig.OutputConfig.NotificationConfig.SuccessTopic",
    "AsyncInferenceConfig.OutputConfig.NotificationConfig.ErrorTopic",
)
_IMAGE_FIELDS = (
    "AppSpecification.ImageUri",
    "AlgorithmSpecification.TrainingImage",
    "TrainingJobDefinition.AlgorithmSpecification.TrainingImage",
    "TrainingJobDefinitions[*].AlgorithmSpecification.TrainingImage",
    "PrimaryContainer.Image",
    "Containers[*].Image",
    "InferenceSpecification.Containers[*].Image",
)
# Roles a step's request passes to SageMaker. An EMR step's ExecutionRoleArn is no such role:
# it is the step's EMR runtime role (see _plan_emr).
_ROLE_FIELDS = (
    "RoleArn",
    "TrainingJobDefinition.RoleArn",
    "TrainingJobDefinitions[*].RoleArn",
    "ExecutionRoleArn",
)
_VPC_FIELDS = (
    "NetworkConfig.VpcConfig",
    "VpcConfig",
    "TrainingJobDefinition.VpcConfig",
    "TrainingJobDefinitions[*].VpcConfig",
    "AutoMLJobConfig.SecurityConfig.VpcConfig",
)
# The EventBridge rules SageMaker creates (with the pipeline role) to follow EMR steps: the
# step's state on a running cluster, the cluster's state for a cluster the step creates.
# Names as in the AWS managed policy AmazonSageMakerPipelinesIntegrations.
EMR_STEP_STATUS_RULE = "SageMakerPipelineExecutionEMRStepStatusUpdateRule"
EMR_CLUSTER_STATUS_RULE = "SageMakerPipelineExecutionEMRClusterStatusUpdateRule"
# The SageMaker guide's EMR step section names the cluster rule without "Update"; granted too,
# as the two documents disagree and a missing grant only shows when a cluster-creating step runs.
EMR_CLUSTER_STATUS_RULE_AS_DOCUMENTED = "SageMakerPipelineExecutionEMRClusterStatusRule"


@dataclass(frozen=True, slots=True)
class S3Access:
    """Access to objects under ``key_pattern`` (IAM wildcards) in ``bucket`` (may be a token).

    ``key_pattern`` is empty for the whole bucket.

    Example::

        S3Access(bucket="my-bucket", key_pattern="my-pipeline/Preprocess/*/train")
    """

    bucket: str
    key_pattern: str

    @property
    def objects(self) -> str:
        """The object part of the resource ARN: ``bucket/pattern*``."""
        pattern = self.key_pattern
        if not pattern:
            return f"{self.bucket}/*"
        if pattern.endswith("*"):
            return f"{self.bucket}/{pattern}"
        return f"{self.bucket}/{pattern}*"

    @property
    def list_prefixes(self) -> tuple[str, ...]:
        """``s3:prefix`` values that let a job list this location."""
        pattern = self.key_pattern
        if not pattern:
            return ()
        base = pattern.rstrip("*")
        return (base + "*",)


@dataclass(frozen=True, slots=True)
class Unattributed:
    """A value whose S3 location can't be known before the pipeline runs.

    ``parameters`` are the pipeline parameters it is built from (``parameter_locations``
    can declare where they point); a value of none comes from another step at run time (a
    ``JsonGet``, a Lambda or Callback output).

    Example::

        for item in plan_permissions(definition).unattributed:
            print(item.step, item.field, item.value, item.access)  # … 'Parameters.InputData' read
    """

    step: str
    field: str
    value: str
    access: str  # "read" or "write"
    parameters: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"step '{self.step}' field '{self.field}' ({self.access}s {self.value})"


@dataclass(frozen=True, slots=True)
class ParameterUse:
    """Which part of an S3 location a parameter's value fills, and where.

    ``part`` is ``"uri"`` when the value starts the location (it must be a whole URI),
    ``"bucket"`` when it follows ``s3://``, ``"key"`` when it follows ``s3://<bucket>/``
    and ``"part"`` anywhere else. For a key, ``bucket`` is the bucket it lies in: a name
    (maybe a CDK token), ``Parameters.<name>`` for a bucket parameter, or ``None`` when
    another expression gives it.

    Example::

        ParameterUse("InputDataKey", "Prep", "Arguments.ProcessingInputs[0].S3Input.S3Uri",
                     part="key", bucket="my-data")  # s3://my-data/<InputDataKey>
    """

    parameter: str
    step: str
    field: str
    part: str
    bucket: str | None = None

    @property
    def where(self) -> str:
        """``step 'Prep' field '…'``, for messages."""
        return f"step '{self.step}' field '{self.field}'"


@dataclass(slots=True)
class PermissionPlan:
    """Everything a pipeline's roles need, as data; see ``plan_permissions``.

    Example::

        plan = plan_permissions(definition, pipeline_name="my-pipeline")
        plan.reads, plan.writes, plan.kms_keys, plan.unattributed
    """

    step_types: set[str] = field(default_factory=set)
    job_actions: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # Per job step type, the name prefixes of its jobs: ``pipelines-`` or custom ones.
    job_name_prefixes: dict[str, list[Any]] = field(default_factory=dict)
    # Per job step type, each step's request values of SageMaker's condition keys
    # (``request_condition_values``): what the pipeline role's Deny conditions enforce.
    job_condition_values: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    passed_roles: list[Any] = field(default_factory=list)
    # (step, field, role) of each role a job runs with (its RoleArn, a model's
    # ExecutionRoleArn), expressions included: a caller attaches the step permissions to one
    # role and says which steps run as another.
    job_roles: list[tuple[str, str, Any]] = field(default_factory=list)
    # (step, field, URI) of inputs given as a manifest (S3DataType ManifestFile or
    # AugmentedManifestFile): the job reads the manifest, which is granted, and the objects
    # it lists, which only the file names.
    manifest_inputs: list[tuple[str, str, Any]] = field(default_factory=list)
    # (step, model) of Transform steps of a model no Model step of the pipeline creates (a
    # name, or an expression other than a Model step's ModelName): their jobs run as that
    # model's execution role, which the plan doesn't know.
    external_model_transforms: list[tuple[str, Any]] = field(default_factory=list)
    # (step, field, model package) of Model steps whose container is a registered version
    # (``ModelPackageName``): the pipeline role creates the model from it; the version's
    # model data and image, which the model's role reads and pulls, only it names.
    model_packages: list[tuple[str, str, Any]] = field(default_factory=list)
    # (step, field, RegisterModel step) of those whose version a RegisterModel step of the
    # pipeline registers (its ``ModelPackageArn``): that step's containers are the version's,
    # so their model data, code and images are planned as the Model step's own.
    pipeline_model_packages: list[tuple[str, str, str]] = field(default_factory=list)
    reads: list[S3Access] = field(default_factory=list)
    writes: list[S3Access] = field(default_factory=list)
    property_file_reads: list[S3Access] = field(default_factory=list)
    # What SealSteps copy (read by the sealing function, not by a job role) and where their
    # copies go (written by it alone), per seal step.
    sealed_reads: list[S3Access] = field(default_factory=list)
    sealed_writes: list[S3Access] = field(default_factory=list)
    # What SealSteps' manifests list (the sealing function lists, reads no object).
    manifest_lists: list[S3Access] = field(default_factory=list)
    seal_steps: list[str] = field(default_factory=list)
    kms_keys: list[Any] = field(default_factory=list)
    images: list[Any] = field(default_factory=list)
    # (step, field, image) of each image a job or model names (URIs, and expressions known
    # only at run time): a caller grants the repositories it can name and says which it
    # can't.
    image_uses: list[tuple[str, str, Any]] = field(default_factory=list)
    lambda_functions: list[Any] = field(default_factory=list)
    sqs_queue_urls: list[Any] = field(default_factory=list)
    # Clusters EMR steps run on: ids, or ``*`` for clusters known only at run time.
    emr_clusters: list[Any] = field(default_factory=list)
    # (cluster, runtime role or None) per EMR step: AddJobFlowSteps is granted per role.
    emr_submissions: list[tuple[Any, Any]] = field(default_factory=list)
    # EMR steps that create their own cluster (Arguments.ClusterConfig).
    emr_new_cluster_steps: list[str] = field(default_factory=list)
    # ServiceRole of the clusters EMR steps create (names or ARNs): passed to EMR.
    emr_service_roles: list[Any] = field(default_factory=list)
    # (step, field, value) of roles a created cluster passes that no ARN can be derived for
    # (JobFlowRole names an instance profile, not its role).
    emr_underived_roles: list[tuple[str, str, Any]] = field(default_factory=list)
    model_package_groups: list[Any] = field(default_factory=list)
    # (step, why) of registrations no statement can scope to a group: a ModelPackageGroupName
    # given as an expression, or none (an unversioned model package the service names).
    open_registrations: list[tuple[str, str]] = field(default_factory=list)
    approval_statuses: list[tuple[str, Any]] = field(default_factory=list)
    uses_vpc: bool = False
    # Subnets and security groups of the jobs' VpcConfig (``*`` for run-time values).
    vpc_subnets: list[Any] = field(default_factory=list)
    vpc_security_groups: list[Any] = field(default_factory=list)
    unattributed: list[Unattributed] = field(default_factory=list)
    # JSON files JsonGet reads by S3Uri (with the pipeline role) whose location is known
    # only at run time.
    unattributed_json_reads: list[Unattributed] = field(default_factory=list)
    parameter_uses: list[ParameterUse] = field(default_factory=list)
    # (step, field) of job-name prefixes known only at run time: their jobs' ARNs are ``*``.
    open_job_name_prefixes: list[tuple[str, str]] = field(default_factory=list)
    # (step, type) of steps whose permissions the plan leaves out: types it doesn't know
    # (PLANNED_STEP_TYPES).
    unplanned_steps: list[tuple[str, str]] = field(default_factory=list)
    # What deployment steps create and use: per (step type, IAM resource type), the names
    # (IAM patterns, maybe tokens; ``*`` for a name known only at run time) of the
    # resources that DEPLOY_ACTIONS[step type][resource type] are granted on.
    deploy_grants: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    # Per resource type, the names of the resources deployment steps create (AddTags).
    deployed: dict[str, list[Any]] = field(default_factory=dict)
    # (step, field) of deployment names known only at run time (a parameter, another step's
    # output): the statements allow any resource of that type in the account and region.
    open_deploy_names: list[tuple[str, str]] = field(default_factory=list)
    # What Lineage steps create and associate: per IAM action (LINEAGE_CREATE_ACTIONS,
    # LINEAGE_ASSOCIATE_ACTION), the (resource type, name) of each resource it is granted on:
    # a name pattern (maybe a token; ``<prefix>*`` or ``*`` for a name known only at run
    # time; ``*`` for any artifact, whose ARN names a hash of its source, not its name), or
    # resource type ``""`` and a whole ARN (maybe a token) an association names.
    lineage_grants: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    # The (resource type, name) of the entities Lineage steps create with tags (AddTags).
    lineage_tagged: list[tuple[str, Any]] = field(default_factory=list)
    # (step, field) of lineage names and association ARNs known only at run time (a
    # parameter, another step's output) that no prefix narrows: granted on any resource of
    # the type (of the lineage types, for an ARN) in the account and region.
    open_lineage_names: list[tuple[str, str]] = field(default_factory=list)
    # (step, configuration) of Endpoint steps deploying a configuration no EndpointConfig step
    # of the pipeline creates: its KMS key, if it has one, is not known.
    external_endpoint_configs: list[tuple[str, Any]] = field(default_factory=list)
    # (step, model) of EndpointConfig steps that write S3 data (captured requests, async
    # results) with a model no Model step of the pipeline creates: that model's role writes.
    external_model_endpoints: list[tuple[str, Any]] = field(default_factory=list)
    # The SNS topics asynchronous endpoints notify of their results (ARNs, maybe tokens), to
    # which their execution role publishes (ASYNC_NOTIFICATION_TOPIC_FIELDS); a topic given
    # as an expression is known only at run time, and left out.
    notification_topics: list[Any] = field(default_factory=list)
    # The CloudWatch alarms Endpoint steps' deployments roll back on (ROLLBACK_ALARM_FIELD),
    # which the endpoints' execution role describes: names (maybe tokens), ``<literal
    # start>*`` for one joined at run time, ``*`` for one known only at run time.
    rollback_alarms: list[Any] = field(default_factory=list)
    # (step, field) of rollback alarm names known only at run time that no literal start
    # narrows: any alarm of the account and region.
    open_rollback_alarms: list[tuple[str, str]] = field(default_factory=list)
    # (Endpoint step, step, role) of the execution roles an endpoint watching rollback alarms
    # runs as: the ExecutionRoleArn of each Model step whose model its configuration serves,
    # or of the EndpointConfig step of an endpoint of inference components.
    rollback_alarm_roles: list[tuple[str, str, Any]] = field(default_factory=list)
    # (Endpoint step, what, value) of endpoints watching rollback alarms whose execution role
    # the definition doesn't say: what is "configuration" (one no EndpointConfig step of the
    # pipeline creates) or "model" (one no Model step creates), value its name.
    external_rollback_endpoints: list[tuple[str, str, Any]] = field(default_factory=list)
    # (step, field) of training jobs' Debugger and profiler rules (DEBUGGER_RULE_FIELDS).
    debugger_rules: list[tuple[str, str]] = field(default_factory=list)
    # The roles AutoML jobs run with (their RoleArn): each passes itself to the jobs, models
    # and endpoints Autopilot creates for it (see AUTOML_ROLE_ACTIONS).
    automl_roles: list[Any] = field(default_factory=list)
    # AutoML jobs' volume keys: the job's role lets the volumes of its jobs use them.
    automl_volume_keys: list[Any] = field(default_factory=list)
    # Processing, check, training and tuning jobs' volume keys (JOB_VOLUME_KEY_FIELDS): the
    # role each job runs with lets its volumes use them.
    job_volume_keys: list[Any] = field(default_factory=list)
    # (step, model package group) of check steps that compare with the baselines of the
    # group's latest approved version: the service's lookups and the files those baselines
    # name aren't derived.
    registry_baseline_checks: list[tuple[str, Any]] = field(default_factory=list)
    # (step, model name) of Clarify checks of a model: the job runs it on a shadow endpoint.
    shadow_endpoint_checks: list[tuple[str, Any]] = field(default_factory=list)
    # The name prefixes of those shadow endpoints and their configurations (Clarify's
    # default, CLARIFY_ENDPOINT_NAME_PREFIX): the job's role manages <prefix>* of both.
    shadow_endpoint_prefixes: list[str] = field(default_factory=list)
    # (step, field, kind) of roles, keys and EMR clusters given as expressions: known
    # only at run time, so no statement can name them.
    run_time_resources: list[tuple[str, str, str]] = field(default_factory=list)
    # (step, field) of EMR cluster ids given as expressions: the steps may run on any
    # cluster of the account and region.
    open_emr_clusters: list[tuple[str, str]] = field(default_factory=list)
    # (step, field) of VpcConfig subnets or security groups given as expressions: the jobs'
    # network interfaces may go in any subnet and security group of the account and region.
    open_vpc_configs: list[tuple[str, str]] = field(default_factory=list)


def _may_overlap(first: S3Access, second: S3Access) -> bool:
    """Whether some object may be in both locations (their key patterns, ``*`` any text).

    A pattern without a trailing ``*`` is a prefix (see ``S3Access.objects``). Buckets are
    compared as written: a token is the same bucket only as the same token.

    Example::

        _may_overlap(S3Access("b", "churn/Train/*/model"), S3Access("b", "churn/"))  # True
    """
    if first.bucket != second.bucket:
        return False
    left, right = first.objects, second.objects
    # Cheap first: a key both match starts with each one's text before its first *, so
    # one of those must start the other (step-first outputs, p/Prep/ and p/Eval/, part here).
    head, other = left.split("*", 1)[0], right.split("*", 1)[0]
    if not (head.startswith(other) or other.startswith(head)):
        return False
    # Both patterns walked at once (their product automaton): a * takes nothing, or a
    # character the other pattern takes. States (i, j): left[i:] and right[j:] still to match.
    seen: set[tuple[int, int]] = set()
    pending = [(0, 0)]
    while pending:
        i, j = pending.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i] == "*":
            pending.append((i + 1, j))
            if j < len(right):
                pending.append((i, j + 1))
        elif j < len(right) and right[j] == "*":
            pending.append((i, j + 1))
            if i < len(left):
                pending.append((i + 1, j))
        elif i < len(left) and j < len(right) and left[i] == right[j]:
            pending.append((i + 1, j + 1))
    return False


def _job_name_prefix(kind: str, arguments: Any) -> Any:
    """``pipelines-``, or ``<custom prefix>-`` (``*`` when known only at run time).

    Tuning and AutoML jobs get no prefix (see ``UNPREFIXED_JOB_TYPES``).
    """
    custom = arguments.get(JOB_NAME_FIELDS[kind]) if isinstance(arguments, Mapping) else None
    if custom is None:
        return "" if kind in UNPREFIXED_JOB_TYPES else JOB_NAME_PREFIX
    return f"{custom}-" if isinstance(custom, str) else ""


def _add(items: list[Any], value: Any) -> None:
    if value not in items:
        items.append(value)


def _select(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield (concrete path, value) for a path with ``[*]`` and ``.*`` wildcards."""
    parts = re.findall(r"[^.\[\]]+|\[\*\]", path)

    def walk(current: Any, index: int, where: str) -> Iterator[tuple[str, Any]]:
        if index == len(parts):
            if current is not None:
                yield where, current
            return
        part = parts[index]
        if part == "[*]":
            if isinstance(current, list):
                for position, item in enumerate(current):
                    yield from walk(item, index + 1, f"{where}[{position}]")
        elif part == "*":
            if isinstance(current, Mapping) and not is_expression(current):
                for key, item in current.items():
                    yield from walk(item, index + 1, f"{where}.{key}")
        elif isinstance(current, Mapping) and not is_expression(current) and part in current:
            yield from walk(current[part], index + 1, f"{where}.{part}" if where else part)

    yield from walk(value, 0, "")


# What names a role in ``plan_role_permissions``: a step name, a role, anything hashable.
RoleKey = TypeVar("RoleKey", bound=Hashable)


class _StepOutputs:
    """Each step's S3 writes and output keys, planned once for every plan that asks.

    A plan of some steps reads the output keys of the others that write where they read
    (``_Planner._plan_keys_of_other_steps_outputs``): the plans of a pipeline's roles
    (``plan_role_permissions``) share one, so each step is planned once, not once per role.
    """

    def __init__(self, scratch: _Planner) -> None:
        self._scratch = scratch  # plans no step of its own (``planned=()``)
        self._found: dict[str, tuple[tuple[S3Access, ...], tuple[Any, ...]]] = {}

    def of(self, step: Mapping[str, Any]) -> tuple[tuple[S3Access, ...], tuple[Any, ...]]:
        """(writes, output keys) of ``step``; keys known only at run time are left out."""
        name = str(step["Name"])
        found = self._found.get(name)
        if found is None:
            self._scratch.plan = PermissionPlan()
            self._scratch._plan_step(step)
            arguments = step.get("Arguments") or {}
            keys = [
                key
                for path in _OUTPUT_KMS_FIELDS
                for _, key in _select(arguments, path)
                if not is_expression(key)  # one known only at run time is reported
            ]
            found = self._found[name] = (tuple(self._scratch.plan.writes), tuple(keys))
        return found


class _Planner:
    def __init__(
        self,
        definition: Mapping[str, Any],
        pipeline_name: str | None,
        parameter_locations: Mapping[str, str | Sequence[str]],
        planned: Collection[str] | None = None,
        outputs: _StepOutputs | None = None,
    ) -> None:
        self.definition = definition
        self.pipeline_name = pipeline_name
        self.parameter_locations = parameter_locations
        self.plan = PermissionPlan()
        # Every step, planned or not: references to other steps resolve through them.
        self.steps: dict[str, Mapping[str, Any]] = {}
        for spec in walk_steps(definition.get("Steps") or []):
            self.steps[spec.name] = spec.entry
        self.planned = planned
        # The steps left out, planned once for all the plans of some steps of a definition.
        self._outputs = outputs

    def run(self) -> PermissionPlan:
        for name, step in self.steps.items():
            if self.planned is None or name in self.planned:
                self._plan_step(step)
        if self.planned is not None:
            self._plan_keys_of_other_steps_outputs()
        return self.plan

    def _plan_keys_of_other_steps_outputs(self) -> None:
        """The output keys of the steps left out that write where the planned steps read.

        A job reading another step's output needs that step's output key (``kms:Decrypt``):
        a Model step's role reads the model a Training step encrypted with its
        ``output_kms_key``. With every step planned, the plan holds every key; a plan of
        some steps (a role that runs only their jobs) gets those of what it reads.
        """
        others = [name for name in self.steps if name not in (self.planned or ())]
        if not others or not self.plan.reads:
            return
        if self._outputs is None:
            self._outputs = _StepOutputs(
                _Planner(self.definition, self.pipeline_name, self.parameter_locations, ())
            )
        for name in others:
            writes, keys = self._outputs.of(self.steps[name])
            if keys and any(
                _may_overlap(read, write) for read in self.plan.reads for write in writes
            ):
                for key in keys:
                    _add(self.plan.kms_keys, key)

    def _plan_step(self, step: Mapping[str, Any]) -> None:
        plan, kind, name = self.plan, str(step.get("Type")), str(step["Name"])
        arguments = step.get("Arguments") or {}
        plan.step_types.add(kind)
        job_kind = "Processing" if kind in CHECK_STEP_TYPES else kind
        if job_kind in JOB_ACTIONS:
            plan.job_actions[job_kind] = JOB_ACTIONS[job_kind]
            prefix = _job_name_prefix(job_kind, arguments)
            _add(plan.job_name_prefixes.setdefault(job_kind, []), prefix)
            if job_kind in REQUEST_KEY_FIELDS:
                plan.job_condition_values.setdefault(job_kind, []).append(
                    request_condition_values(job_kind, arguments)
                )
            if (
                prefix == ""
                and isinstance(arguments, Mapping)
                and JOB_NAME_FIELDS[job_kind] in arguments
            ):
                field_path = f"Arguments.{JOB_NAME_FIELDS[job_kind]}"
                plan.open_job_name_prefixes.append((name, field_path))
        elif kind in DEPLOY_STEP_TYPES and isinstance(arguments, Mapping):
            self._plan_deployment(name, kind, arguments)
        elif kind == "Lineage" and isinstance(arguments, Mapping):
            self._plan_lineage(name, arguments)
        elif kind not in PLANNED_STEP_TYPES:
            plan.unplanned_steps.append((name, kind))
        if kind in CHECK_STEP_TYPES:
            self._plan_check(name, kind, step)
        for access, path in _S3_FIELDS.get(job_kind, ()):
            for where, selected in _select(arguments, path):
                value = _script_setting(where, selected)
                if _is_container_path(where, value):
                    continue
                self._locate(
                    name, f"Arguments.{where}", value, "read" if access == "R" else "write"
                )
                for use in _parameter_uses(name, f"Arguments.{where}", value):
                    _add(plan.parameter_uses, use)
        if kind == "Training":
            self._plan_function_step(name, arguments)
            for rules in DEBUGGER_RULE_FIELDS:
                if isinstance(arguments, Mapping) and arguments.get(rules):
                    plan.debugger_rules.append((name, f"Arguments.{rules}"))
        kms_fields: tuple[str, ...] = _KMS_FIELDS
        if kind == "EndpointConfig":
            kms_fields += _ENDPOINT_CONFIG_KMS_FIELDS
        for path in kms_fields:
            for where, value in _select(arguments, path):
                self._add_resource(plan.kms_keys, name, f"Arguments.{where}", "key", value)
        for path in (
            JOB_VOLUME_KEY_FIELDS if job_kind in ("Processing", "Training", "Tuning") else ()
        ):
            for _, key in _select(arguments, path):
                if not is_expression(key):  # one known only at run time is reported above
                    _add(plan.job_volume_keys, key)
        for path in _IMAGE_FIELDS:
            for where, value in _select(arguments, path):
                _add(plan.images, value)
                plan.image_uses.append((name, f"Arguments.{where}", value))
        for path in _ROLE_FIELDS if kind != "EMR" else ():
            for where, value in _select(arguments, path):
                self._add_resource(plan.passed_roles, name, f"Arguments.{where}", "role", value)
                plan.job_roles.append((name, f"Arguments.{where}", value))
        for path in _S3_DATA_SOURCES.get(job_kind, ()):
            for where, source in _select(arguments, path):
                if isinstance(source, Mapping) and source.get("S3DataType") in _MANIFEST_TYPES:
                    uri = source.get("S3Uri")
                    plan.manifest_inputs.append((name, f"Arguments.{where}.S3Uri", uri))
        for path in _VPC_FIELDS:
            for where, vpc_config in _select(arguments, path):
                self._plan_vpc(name, f"Arguments.{where}", vpc_config)
        if kind == "RegisterModel":
            group = arguments.get("ModelPackageGroupName")
            if isinstance(group, str):
                _add(plan.model_package_groups, group)
            else:
                # A group given as a parameter (known at run time), or none: an unversioned
                # model package, named by the service. No statement can name either.
                plan.open_registrations.append(
                    (name, "group known only at run time" if group is not None else "no group")
                )
            plan.approval_statuses.append((name, arguments.get("ModelApprovalStatus")))
        elif kind == "Model":
            for path in _MODEL_PACKAGE_FIELDS:
                for where, package in _select(arguments, path):
                    plan.model_packages.append((name, f"Arguments.{where}", package))
                    self._plan_registered_version(name, f"Arguments.{where}", package)
        elif kind == "Transform" and isinstance(arguments, Mapping):
            model = arguments.get("ModelName")
            if not self._names_a_pipeline_model(model):
                plan.external_model_transforms.append((name, model))
        elif kind == "Lambda" and is_seal_entry(step):
            self._plan_seal(name, arguments)
        elif kind == "Lambda":
            _add(plan.lambda_functions, step.get("FunctionArn"))
        elif kind == "Callback":
            _add(plan.sqs_queue_urls, step.get("SqsQueueUrl"))
        elif kind == "EMR" and isinstance(arguments, Mapping):
            self._plan_emr(name, arguments)
        elif kind == "AutoML":
            for _, role in _select(arguments, "RoleArn"):
                if not is_expression(role):  # one known only at run time is reported above
                    _add(plan.automl_roles, role)
            for _, key in _select(arguments, AUTOML_VOLUME_KEY_FIELD):
                if not is_expression(key):
                    _add(plan.automl_volume_keys, key)
        self._property_file_reads(step)

    def _plan_registered_version(self, step: str, where: str, package: Any) -> None:
        """A model of the version a RegisterModel step of this pipeline registers.

        ``ModelPackageName`` read from that step's ``ModelPackageArn``: the version's
        containers are the step's, so what the model (and the Transform jobs and endpoints
        of it) reads and pulls as its role is known: the containers' model data, serving
        code and images, planned as the Model step's (its role may be its own, not the one
        the registration is planned for; a location known only at run time is reported as
        the Model step's too, at ``where``). Any other version's are known only to it
        (``model_packages``).
        """
        reference = package.get("Get") if is_expression(package) else None
        if not isinstance(reference, str) or not reference.startswith("Steps."):
            return
        producer, _, path = reference.removeprefix("Steps.").partition(".")
        register = self.steps.get(producer)
        if register is None or register.get("Type") != "RegisterModel":
            return
        if path != "ModelPackageArn":
            return
        plan = self.plan
        registered = register.get("Arguments") or {}
        for container_path in _REGISTERED_CONTAINER_READS:
            for found, value in _select(registered, container_path):
                if not _is_container_path(found, value):  # else packed in the model data
                    self._locate(step, where, value, "read")
        for _, image in _select(registered, _REGISTERED_IMAGES):
            _add(plan.images, image)
            plan.image_uses.append((step, where, image))
        plan.pipeline_model_packages.append((step, where, producer))

    def _plan_function_step(self, name: str, arguments: Any) -> None:
        """What the SDK's runtime in a ``@step`` function's job reads and writes itself.

        Beyond its channels and output path (planned above): the pickled function and
        arguments, the exception it writes when the function raises, Spark's files, and the
        locations the function's arguments name (the results of the function steps it takes,
        read by the runtime; another step's output, read by the function as a
        ProcessingInput would be). An argument that is no known location (a number, a
        parameter without ``parameter_locations``) is data, not an S3 location: nothing is
        granted or reported for it.
        """
        job = function_step_job(arguments)
        if job is None:
            return
        for location in job.locations():
            self._locate(name, f"Arguments.{location.field}", location.uri, location.access)
        for reference in job.property_references:
            if reference.startswith(("Steps.", "Parameters.")):
                for access in self._resolve({"Get": reference}):
                    _add(self.plan.reads, access)

    def _plan_seal(self, name: str, arguments: Mapping[str, Any]) -> None:
        """A SealStep: its function (not the pipeline's step roles) reads and writes.

        The pipeline role invokes the function; the artifacts it copies and the sealed
        prefix it writes are planned apart, for the function's own role.
        """
        plan = self.plan
        plan.seal_steps.append(name)
        artifacts = arguments.get("Artifacts")
        for artifact, uri in artifacts.items() if isinstance(artifacts, Mapping) else ():
            where = f"Arguments.Artifacts.{artifact}"
            found = self._resolve(uri)
            if not found:
                shown = uri if isinstance(uri, str) else describe_value(uri)
                plan.unattributed.append(
                    Unattributed(name, where, shown, "read", _parameters_in(uri))
                )
            for location in found:
                _add(plan.sealed_reads, location)
        manifests = arguments.get("Manifests")
        for manifest, uri in manifests.items() if isinstance(manifests, Mapping) else ():
            found = self._resolve(uri)
            if not found:
                shown = uri if isinstance(uri, str) else describe_value(uri)
                plan.unattributed.append(
                    Unattributed(
                        name, f"Arguments.Manifests.{manifest}", shown, "read", _parameters_in(uri)
                    )
                )
            for location in found:
                _add(plan.manifest_lists, location)
        for location in self._resolve(arguments.get("Destination")):
            _add(plan.sealed_writes, location)

    def _plan_deployment(self, name: str, kind: str, arguments: Mapping[str, Any]) -> None:
        """The hosting resources a deployment step creates and names, and their keys."""
        plan = self.plan
        for resource_type, member in _DEPLOY_NAMES[kind]:
            value = next((found for _, found in _select(arguments, member)), None)
            if value is None:
                continue  # an optional member left out (or a missing one: validation says so)
            pattern = self._deployed_name(name, kind, f"Arguments.{member}", resource_type, value)
            _add(plan.deploy_grants.setdefault((kind, resource_type), []), pattern)
            if DEPLOY_CREATED[kind] == resource_type:
                _add(plan.deployed.setdefault(resource_type, []), pattern)
        if kind == "Endpoint":
            config = arguments.get("EndpointConfigName")
            if config is not None and self._creating_step(config, "EndpointConfig") is None:
                plan.external_endpoint_configs.append((name, config))
            self._plan_rollback_alarms(name, arguments)
        elif kind == "EndpointConfig" and any(
            True for _, path in _S3_FIELDS["EndpointConfig"] for _ in _select(arguments, path)
        ):
            # A shadow variant's model runs as its role too, and captures data as it.
            for path in _ENDPOINT_MODEL_FIELDS:
                for _, model in _select(arguments, path):
                    if not self._names_a_pipeline_model(model):
                        _add(plan.external_model_endpoints, (name, model))
        for path in ASYNC_NOTIFICATION_TOPIC_FIELDS if kind == "EndpointConfig" else ():
            for _, topic in _select(arguments, path):
                if isinstance(topic, str) and topic:  # an expression: known only at run time
                    _add(plan.notification_topics, topic)

    def _deployed_name(
        self, step: str, kind: str, where: str, resource_type: str, value: Any
    ) -> Any:
        """The IAM name pattern of a resource a deployment request names at ``where``.

        An endpoint configuration a step creates gets an execution-unique suffix on the
        name it gives (aws/sagemaker-python-sdk#6224), so its pattern is ``<name>*``; a
        model a Model step creates is named by the service (``pipelines-*``, or its custom
        prefix). A name read from such a step's properties is that step's pattern; any
        other value known only at run time is ``*``, and recorded as open.
        """
        if isinstance(value, str):
            if kind == "EndpointConfig":
                return f"{value}*"  # the configuration this step creates
            return value
        creator = self._creating_step(value, _CREATORS.get(resource_type, ""))
        if creator is not None:
            created: Any = creator.get("Arguments") or {}
            if creator.get("Type") == "Model":
                return f"{_job_name_prefix('Model', created)}*"
            member = _NAME_PROPERTIES[str(creator.get("Type"))]
            given = created.get(member) if isinstance(created, Mapping) else None
            if isinstance(given, str):
                return f"{given}*" if creator.get("Type") == "EndpointConfig" else given
            return "*"  # that step's own name is open, and recorded there
        _add(self.plan.open_deploy_names, (step, where))
        return "*"

    def _plan_rollback_alarms(self, step: str, arguments: Mapping[str, Any]) -> None:
        """The alarms an Endpoint step's deployments watch, and the roles that describe them."""
        plan = self.plan
        alarms = list(_select(arguments, ROLLBACK_ALARM_FIELD))
        if not alarms:
            return
        for where, alarm in alarms:
            pattern = _literal_start_pattern(alarm)
            if pattern is None:
                _add(plan.open_rollback_alarms, (step, f"Arguments.{where}"))
                pattern = "*"
            _add(plan.rollback_alarms, pattern)
        config_name = arguments.get("EndpointConfigName")
        config = self._creating_step(config_name, "EndpointConfig")
        if config is None:
            if config_name is not None:
                _add(plan.external_rollback_endpoints, (step, "configuration", config_name))
            return
        created: Any = config.get("Arguments") or {}
        if not isinstance(created, Mapping):
            return
        config_step = str(config.get("Name"))
        if created.get("ExecutionRoleArn") is not None:
            _add(plan.rollback_alarm_roles, (step, config_step, created["ExecutionRoleArn"]))
        for path in _ENDPOINT_MODEL_FIELDS:
            for _, model in _select(created, path):
                creator = self._creating_step(model, "Model")
                made: Any = creator.get("Arguments") if creator is not None else None
                role = made.get("ExecutionRoleArn") if isinstance(made, Mapping) else None
                if creator is None or role is None:
                    _add(plan.external_rollback_endpoints, (step, "model", model))
                else:
                    _add(plan.rollback_alarm_roles, (step, str(creator.get("Name")), role))

    def _plan_lineage(self, step: str, arguments: Mapping[str, Any]) -> None:
        """What a Lineage step creates, tags and associates (see LINEAGE_CREATE_ACTIONS)."""
        plan = self.plan
        for kind in LINEAGE_KINDS.values():
            action = LINEAGE_CREATE_ACTIONS[kind.resource_type]
            for where, entity in _select(arguments, f"{kind.member}[*]"):
                if not isinstance(entity, Mapping) or is_expression(entity):
                    continue
                grant = (
                    kind.resource_type,
                    self._lineage_name(
                        step,
                        f"Arguments.{where}.{kind.name_member}",
                        kind.resource_type,
                        entity.get(kind.name_member),
                    ),
                )
                _add(plan.lineage_grants.setdefault(action, []), grant)
                if entity.get("Tags"):
                    _add(plan.lineage_tagged, grant)
        for where, association in _select(arguments, "Associations[*]"):
            if not isinstance(association, Mapping) or is_expression(association):
                continue
            for end in ("Source", "Destination"):
                reference = association.get(end)
                if not isinstance(reference, Mapping) or is_expression(reference):
                    continue
                for grant in self._lineage_end(step, f"Arguments.{where}.{end}", reference):
                    _add(plan.lineage_grants.setdefault(LINEAGE_ASSOCIATE_ACTION, []), grant)

    def _lineage_name(self, step: str, where: str, resource_type: str, value: Any) -> Any:
        """The IAM name pattern of a lineage entity named ``value`` (``*`` if unknowable).

        An artifact's ARN names a hash of its source, not its name: any artifact. A name
        known only at run time is narrowed to the literal start of a ``Std:Join``
        (``training-run-*``), else any name, which is recorded as open.
        """
        if resource_type == "artifact":
            return "*"
        pattern = _literal_start_pattern(value)
        if pattern is not None:
            return pattern
        _add(self.plan.open_lineage_names, (step, where))
        return "*"

    def _lineage_end(self, step: str, where: str, end: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """The (resource type, name) grants of one end of an association.

        An entity of the step by name and type is that entity's; an ARN as given, or, read
        from another Lineage step's ``ActionArns['<name>']`` (``ContextArns``,
        ``ArtifactArns``), that entity's; any other ARN known only at run time may be any
        entity of the lineage types, and is recorded as open.
        """
        if "Arn" not in end:
            kind = LINEAGE_KINDS.get(str(end.get("Type")))
            if kind is None:
                return []  # validation reports it
            name = self._lineage_name(step, f"{where}.Name", kind.resource_type, end.get("Name"))
            return [(kind.resource_type, name)]
        arn = end["Arn"]
        if isinstance(arn, str):
            return [("", arn)]
        reference = arn.get("Get") if is_expression(arn) else None
        match = _LINEAGE_ARN_PROPERTY.fullmatch(reference) if isinstance(reference, str) else None
        creator = self.steps.get(match[1]) if match is not None else None
        if match is not None and creator is not None and creator.get("Type") == "Lineage":
            kind = KIND_OF_ARNS[match[2]]
            return [(kind.resource_type, "*" if kind.resource_type == "artifact" else match[3])]
        _add(self.plan.open_lineage_names, (step, f"{where}.Arn"))
        return [(resource_type, "*") for resource_type in ASSOCIATION_RESOURCE_TYPES]

    def _creating_step(self, value: Any, kind: str) -> Mapping[str, Any] | None:
        """The step of type ``kind`` whose name property ``value`` reads, if it is one."""
        reference = value.get("Get") if is_expression(value) else None
        if not isinstance(reference, str) or not reference.startswith("Steps."):
            return None
        producer, _, path = reference.removeprefix("Steps.").partition(".")
        step = self.steps.get(producer)
        if step is None or step.get("Type") != kind or path != _NAME_PROPERTIES.get(kind):
            return None
        return step

    def model_roles(self) -> ModelRoles:
        """Which steps run as the roles of the pipeline's models (see ``model_roles``)."""
        runners: dict[str, tuple[str | None, ...]] = {}
        for name, step in self.steps.items():
            found = self._model_runners(step)
            if found:
                runners[name] = found
        unattributed: dict[str, list[tuple[str, str]]] = {
            name: [] for name, step in self.steps.items() if step.get("Type") == "Model"
        }
        # Without a Model step no reference can name one: no step's entry is walked for
        # its references (a walk of the whole entry, once per step).
        naming = self.steps.items() if unattributed else ()
        for name, step in naming:
            if step.get("Type") in _RUNS_NO_MODEL_TYPES:
                continue
            runs_as = self._model_fields(step)
            # A job or endpoint running as a model's role that names that model elsewhere
            # in its request (an environment variable, a tag) runs nothing more as it.
            running = {model for _, model in runs_as}
            for where, reference in _references(step):
                producer, _, path = reference.removeprefix("Steps.").partition(".")
                if (
                    reference.startswith("Steps.")
                    and producer in unattributed
                    and path in _MODEL_NAME_PROPERTIES
                    and producer not in running
                ):
                    _add(unattributed[producer], (name, where))
        return ModelRoles(
            runners=runners,
            unattributed={model: tuple(uses) for model, uses in unattributed.items() if uses},
        )

    def _model_runners(self, step: Mapping[str, Any]) -> tuple[str | None, ...]:
        """The Model steps whose models' roles run ``step`` (``ModelRoles.runners``)."""
        kind, arguments = step.get("Type"), step.get("Arguments")
        if not isinstance(arguments, Mapping) or kind not in (*_MODEL_FIELDS, "Endpoint"):
            return ()
        if kind == "Endpoint":
            # Its deployments' rollback alarms are described as its configuration's roles.
            config = self._creating_step(arguments.get("EndpointConfigName"), "EndpointConfig")
            return self._model_runners(config) if config is not None else (None,)
        found = [model for _, model in self._model_fields(step)]
        # No model at all, or the configuration's own role (an endpoint of inference
        # components): a role the plan doesn't tie to a Model step.
        if not found or arguments.get("ExecutionRoleArn") is not None:
            found.append(None)
        return tuple(dict.fromkeys(found))

    def _model_fields(self, step: Mapping[str, Any]) -> list[tuple[str, str | None]]:
        """(field, Model step) of each place ``step`` names a model whose role runs it.

        A Transform step's ``ModelName``, an EndpointConfig step's variants' ``ModelName``:
        the Model step is None for a model no Model step of the pipeline creates.
        """
        arguments = step.get("Arguments")
        found: list[tuple[str, str | None]] = []
        for path in _MODEL_FIELDS.get(str(step.get("Type")), ()):
            for where, model in _select(arguments, path):
                creator = self._creating_step(model, "Model")
                found.append((f"Arguments.{where}", str(creator["Name"]) if creator else None))
        return found

    def _names_a_pipeline_model(self, model: Any) -> bool:
        """Whether ``model`` is the ``ModelName`` of a Model step of this pipeline."""
        reference = model.get("Get") if isinstance(model, Mapping) else None
        if not isinstance(reference, str) or not reference.startswith("Steps."):
            return False
        producer, _, path = reference.removeprefix("Steps.").partition(".")
        return path == "ModelName" and self.steps.get(producer, {}).get("Type") == "Model"

    def _plan_check(self, name: str, kind: str, step: Mapping[str, Any]) -> None:
        """The baselines a check step's job compares with, and a Clarify model's endpoint."""
        supplied = [
            (member, step.get(member))
            for member in CHECK_BASELINE_FIELDS[kind]
            if step.get(member) is not None
        ]
        for member, value in supplied:
            self._locate(name, member, value, "read")
            for use in _parameter_uses(name, member, value):
                _add(self.plan.parameter_uses, use)
        group = step.get("ModelPackageGroupName")
        # An empty String parameter is how the SDK's templates leave a supplied baseline
        # unset: its default run compares with the registry's baselines.
        given = [member for member, value in supplied if not self._empty_by_default(value)]
        if group is not None and len(given) < len(CHECK_BASELINE_FIELDS[kind]):
            # "the baseline will be fetched from the latest approved model" (the SDK's
            # QualityCheckStep/ClarifyCheckStep): what the service calls for it isn't
            # documented, and the files are known only at run time.
            self.plan.registry_baseline_checks.append((name, group))
        if kind == "ClarifyCheck" and step.get("CheckType") in CLARIFY_MODEL_CHECK_TYPES:
            self.plan.shadow_endpoint_checks.append((name, step.get("ModelName")))
            # The analysis configuration file (in S3) may set another prefix; the definition
            # can't say, so the default is granted and the Pipeline construct warns.
            _add(self.plan.shadow_endpoint_prefixes, CLARIFY_ENDPOINT_NAME_PREFIX)

    def _empty_by_default(self, value: Any) -> bool:
        """Whether ``value`` is a parameter whose default value is the empty string."""
        reference = value.get("Get") if is_expression(value) else None
        if not isinstance(reference, str) or not reference.startswith("Parameters."):
            return False
        name = reference.removeprefix("Parameters.")
        for parameter in self.definition.get("Parameters") or []:
            if isinstance(parameter, Mapping) and parameter.get("Name") == name:
                return parameter.get("DefaultValue") == ""
        return False

    def _plan_vpc(self, step: str, where: str, vpc_config: Any) -> None:
        """The subnets and security groups a job's network interfaces are created in."""
        plan = self.plan
        plan.uses_vpc = True
        config = vpc_config if isinstance(vpc_config, Mapping) else {}
        for member, found in (
            ("Subnets", plan.vpc_subnets),
            ("SecurityGroupIds", plan.vpc_security_groups),
        ):
            values = config.get(member) if not is_expression(config) else None
            for value in values if isinstance(values, list) else ["*"]:
                if value == "*" or is_expression(value):
                    _add(found, "*")
                    _add(plan.open_vpc_configs, (step, f"{where}.{member}"))
                else:
                    _add(found, value)

    def _plan_emr(self, name: str, arguments: Mapping[str, Any]) -> None:
        """A step on a running cluster (ClusterId) or on one it creates (ClusterConfig)."""
        plan = self.plan
        # A runtime role isn't passed (no iam:PassRole): the cluster's instance profile assumes
        # it, and AddJobFlowSteps is allowed per role with the elasticmapreduce:ExecutionRoleArn
        # condition ("Runtime roles for Amazon EMR steps", EMR management guide).
        runtime_role = arguments.get("ExecutionRoleArn")
        if is_expression(runtime_role):
            plan.run_time_resources.append((name, "Arguments.ExecutionRoleArn", "runtime role"))
            runtime_role = None
        if "ClusterConfig" in arguments:
            # The cluster's id is known only once the step has created it.
            plan.emr_new_cluster_steps.append(name)
            _add(plan.emr_clusters, "*")
            _add(plan.emr_submissions, ("*", runtime_role))
            config = arguments.get("ClusterConfig")
            config = config if isinstance(config, Mapping) and not is_expression(config) else {}
            service_role = config.get("ServiceRole")
            if service_role is not None:
                where = "Arguments.ClusterConfig.ServiceRole"
                kind = "emr service role"
                self._add_resource(plan.emr_service_roles, name, where, kind, service_role)
            for member in ("JobFlowRole", "AutoScalingRole"):
                if config.get(member) is not None:
                    where = f"Arguments.ClusterConfig.{member}"
                    plan.emr_underived_roles.append((name, where, config[member]))
            return
        cluster = arguments.get("ClusterId")
        if cluster is None:
            return
        self._add_resource(plan.emr_clusters, name, "Arguments.ClusterId", "cluster", cluster)
        _add(plan.emr_submissions, (cluster if not is_expression(cluster) else "*", runtime_role))

    def _add_resource(self, items: list[Any], step: str, where: str, kind: str, value: Any) -> None:
        """Add a role, key or cluster; one known only at run time is recorded instead."""
        if not is_expression(value):
            _add(items, value)
        elif kind == "cluster":
            # The SDK's usual EMRStep takes the cluster id as a parameter (a transient cluster
            # per run); no statement can name it, so the steps may use any cluster.
            _add(items, "*")
            self.plan.open_emr_clusters.append((step, where))
        else:
            self.plan.run_time_resources.append((step, where, kind))

    def _property_file_reads(self, step: Mapping[str, Any]) -> None:
        # The service reads property files itself (with the pipeline role) for JsonGet, and
        # the JSON files a JsonGet names by S3Uri.
        for where, body in _json_gets(step):
            if "PropertyFile" not in body and "S3Uri" in body:
                self._json_file_read(str(step["Name"]), f"{where}.S3Uri", body["S3Uri"])
                continue
            reference = (body.get("PropertyFile") or {}).get("Get")
            if not isinstance(reference, str):
                continue
            match = re.fullmatch(r"Steps\.([A-Za-z0-9\-_]+)\.PropertyFiles\.(.+)", reference)
            if match is None:
                continue
            producer = self.steps.get(match.group(1))
            if producer is None:
                continue
            for declared in producer.get("PropertyFiles") or []:
                if declared.get("PropertyFileName") != match.group(2):
                    continue
                outputs = (producer.get("Arguments") or {}).get("ProcessingOutputConfig") or {}
                for output in outputs.get("Outputs") or []:
                    if output.get("OutputName") == declared.get("OutputName"):
                        uri = (output.get("S3Output") or {}).get("S3Uri")
                        for location in self._resolve(uri):
                            # A trailing * stands for a part of the output's URI (an
                            # execution id): the file is under it, so the * stays.
                            pattern = location.key_pattern.rstrip("/")
                            path = f"{pattern}/{declared.get('FilePath')}".lstrip("/")
                            _add(self.plan.property_file_reads, S3Access(location.bucket, path))

    def _json_file_read(self, step: str, where: str, uri: Any) -> None:
        """The object a ``JsonGet`` reads by URI; unattributed when known only at run time."""
        locations = self._resolve(uri)
        if not locations:
            shown = uri if isinstance(uri, str) else describe_value(uri)
            self.plan.unattributed_json_reads.append(
                Unattributed(step, where, shown, "read", _parameters_in(uri))
            )
            return
        for location in locations:
            _add(self.plan.property_file_reads, location)

    def _locate(self, step: str, where: str, value: Any, access: str) -> None:
        locations = self._resolve(value)
        if not locations:
            shown = value if isinstance(value, str) else describe_value(value)
            self.plan.unattributed.append(
                Unattributed(step, where, shown, access, _parameters_in(value))
            )
            return
        target = self.plan.reads if access == "read" else self.plan.writes
        for location in locations:
            _add(target, location)

    def _resolve(self, value: Any, depth: int = 0) -> list[S3Access]:
        """S3 locations a value can take at run time; [] when unknown."""
        if depth > 20:
            return []
        if isinstance(value, str):
            parsed = _parse_s3_uri(value)
            return [parsed] if parsed else []
        if not is_expression(value):
            return []
        key = next(iter(value))
        if key == "Std:Join":
            return self._resolve_join(value[key], depth)
        if key == "Get" and isinstance(value["Get"], str):
            reference = value["Get"]
            if reference.startswith("Parameters."):
                patterns = self._patterns(reference[len("Parameters.") :])
                locations = [_parse_s3_uri(pattern) for pattern in patterns]
                found = [item for item in locations if item is not None]
                return found if len(found) == len(locations) else []
            if reference.startswith("Steps."):
                return self._resolve_step_property(reference, depth)
        return []

    def _resolve_join(self, body: Any, depth: int) -> list[S3Access]:
        """Resolve a Join piece by piece; [] if a piece is unknowable (free-form data)."""
        if not isinstance(body, Mapping) or not isinstance(body.get("Values"), list):
            return []
        separator = str(body.get("On", ""))
        pieces: list[list[str]] = []  # alternatives per piece
        for item in body["Values"]:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                pieces.append([str(item)])
                continue
            reference = item.get("Get") if is_expression(item) else None
            if reference == "Execution.PipelineName":
                pieces.append([self.pipeline_name or "*"])
            elif isinstance(reference, str) and reference.startswith("Execution."):
                pieces.append(["*"])  # execution ids and times: each run its own prefix
            elif isinstance(reference, str) and reference.startswith("Parameters."):
                patterns = self._patterns(reference[len("Parameters.") :])
                if not patterns:
                    return []
                pieces.append(patterns)
            elif isinstance(reference, str) and re.search(r"\.TrainingJobName$", reference):
                pieces.append(["*"])  # a job name the service generates
            else:
                resolved = self._resolve(item, depth + 1) if is_expression(item) else []
                if not resolved or pieces:
                    return []
                # A location followed by more parts: keep its bucket and pattern, a trailing
                # * too (a run-time part of the location, such as an execution id).
                pieces.append([f"s3://{r.bucket}/{r.key_pattern.rstrip('/')}" for r in resolved])
        found: list[S3Access] = []
        for combination in itertools.product(*pieces):
            parsed = _parse_s3_uri(separator.join(combination))
            if parsed is None:
                return []
            _add(found, parsed)
        return found

    def _patterns(self, parameter: str) -> list[str]:
        declared = self.parameter_locations.get(parameter)
        if declared is None:
            return []
        return [declared] if isinstance(declared, str) else list(declared)

    def _resolve_step_property(self, reference: str, depth: int) -> list[S3Access]:
        match = re.fullmatch(r"Steps\.([A-Za-z0-9\-_]+)\.(.+)", reference)
        if match is None:
            return []
        producer = self.steps.get(match.group(1))
        if producer is None:
            return []
        arguments = producer.get("Arguments") or {}
        path = match.group(2)
        sealed = re.fullmatch(r"OutputParameters\['([^']+)'\]", path)
        if sealed is not None and is_seal_entry(producer):
            # <Destination>/<name>/…: the copy of one artifact, under the sealed prefix.
            return [
                S3Access(location.bucket, f"{location.key_pattern.rstrip('/')}/{sealed.group(1)}/")
                for location in self._resolve(arguments.get("Destination"), depth + 1)
            ]
        output = re.fullmatch(
            r"ProcessingOutputConfig\.Outputs\['([^']+)'\]\.S3Output\.S3Uri", path
        )
        if output is not None:
            for item in (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
                if item.get("OutputName") == output.group(1):
                    return self._resolve((item.get("S3Output") or {}).get("S3Uri"), depth + 1)
            return []
        index = re.fullmatch(r"ProcessingOutputConfig\.Outputs\[(\d+)\]\.S3Output\.S3Uri", path)
        if index is not None:
            outputs = (arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []
            position = int(index.group(1))
            if position < len(outputs):
                return self._resolve(
                    (outputs[position].get("S3Output") or {}).get("S3Uri"), depth + 1
                )
            return []
        sources = {
            "ModelArtifacts.S3ModelArtifacts": "OutputDataConfig.S3OutputPath",
            "OutputDataConfig.S3OutputPath": "OutputDataConfig.S3OutputPath",
            "TrainingJobDefinition.OutputDataConfig.S3OutputPath": (
                "TrainingJobDefinition.OutputDataConfig.S3OutputPath"
            ),
            "TransformOutput.S3OutputPath": "TransformOutput.S3OutputPath",
        }
        if path in sources:
            return self._resolve_many(arguments, sources[path], depth)
        if producer.get("Type") in CHECK_STEP_TYPES:
            return self._resolve_check_baseline(producer, path, depth)
        if producer.get("Type") == "AutoML" and path.startswith(_AUTOML_OUTPUT_PROPERTIES):
            # Autopilot writes its candidates' models, reports and notebooks under the job's
            # S3OutputPath (<path>/<job name>/…).
            return self._resolve_many(arguments, "OutputDataConfig.S3OutputPath", depth)
        if producer.get("Type") == "Tuning" and (
            path.startswith("BestTrainingJob.") or path.startswith("TrainingJobSummaries")
        ):
            return self._resolve_many(
                arguments, "TrainingJobDefinition.OutputDataConfig.S3OutputPath", depth
            )
        return []

    def _resolve_check_baseline(
        self, check: Mapping[str, Any], path: str, depth: int
    ) -> list[S3Access]:
        """Where a check step's baseline properties point.

        ``CalculatedBaseline*`` are files its job writes to its output. ``BaselineUsedFor
        DriftCheck*`` is the supplied baseline, or the calculated one when the step registers
        a new baseline ("Baseline calculation, drift detection and lifecycle with ClarifyCheck
        and QualityCheck steps", SageMaker guide); without a supplied one it may be the
        registry's, known only at run time.
        """
        calculated = self._resolve_many(
            check.get("Arguments") or {}, "ProcessingOutputConfig.Outputs[*].S3Output.S3Uri", depth
        )
        kind = re.fullmatch(
            r"(CalculatedBaseline|BaselineUsedForDriftCheck)(Statistics|Constraints)", path
        )
        if kind is None:
            return []
        if kind.group(1) == "CalculatedBaseline":
            return calculated
        supplied = check.get(f"SuppliedBaseline{kind.group(2)}")
        if supplied is not None:
            found = self._resolve(supplied, depth + 1)
            return found + calculated if found and calculated else []
        return calculated if check.get("RegisterNewBaseline") is True else []

    def _resolve_many(self, arguments: Any, path: str, depth: int) -> list[S3Access]:
        found: list[S3Access] = []
        for _, value in _select(arguments, path):
            found += self._resolve(value, depth + 1)
        return found


# ``Steps.<Lineage step>.ActionArns['<name>']`` (ArtifactArns, ContextArns): the step, the
# property, the entity's name.
_LINEAGE_ARN_PROPERTY = re.compile(
    r"Steps\.([A-Za-z0-9\-_]+)\.(ActionArns|ArtifactArns|ContextArns)\['([^']*)'\]"
)

# The step type that creates each hosting resource type a deployment request may name.
_CREATORS = {
    "endpoint-config": "EndpointConfig",
    "endpoint": "Endpoint",
    "inference-component": "InferenceComponent",
    "model": "Model",
}

# AutoML step properties that locate what the job wrote: its best candidate's model data
# and reports (BestCandidateProperties is the SDK's), its notebooks.
_AUTOML_OUTPUT_PROPERTIES = ("BestCandidate.", "BestCandidateProperties.", "AutoMLJobArtifacts.")


def _references(value: Any) -> Iterator[tuple[str, str]]:
    """(field, reference) of every ``Get`` in a step entry, its branches left out."""
    for where, reference in _one_member_objects(value, "Get", str):
        yield where, cast(str, reference)


def _json_gets(value: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(field, body) of every ``Std:JsonGet`` in a step entry, its branches left out."""
    for where, body in _one_member_objects(value, "Std:JsonGet", Mapping):
        yield f"{where}.Std:JsonGet", cast(Mapping[str, Any], body)


def _one_member_objects(
    value: Any, member: str, kind: type | tuple[type, ...], where: str = ""
) -> Iterator[tuple[str, Any]]:
    """(field, body) of every ``{member: body}`` in a step entry with a ``kind`` body.

    The functions of the definition (``Get``, ``Std:JsonGet``) are objects of one member.
    A step's branches (``IfSteps``, ``ElseSteps``) are steps of their own: left out.
    """
    if isinstance(value, Mapping):
        body = value.get(member) if len(value) == 1 else None
        if isinstance(body, kind):
            yield where, body
            return
        for key, item in value.items():
            if key in ("IfSteps", "ElseSteps"):
                continue
            yield from _one_member_objects(
                item, member, kind, f"{where}.{key}" if where else str(key)
            )
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _one_member_objects(item, member, kind, f"{where}[{index}]")


# Stand-ins, in the text of a location, for values known only at run time.
_PARAMETER_MARK = "\x00P:{}\x00"
_OTHER_MARK = "\x00?\x00"


def _pieces(value: Any, depth: int = 0) -> list[str]:
    """A location as text: literals as they are, parameters and other values as marks."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    if depth > 20 or not is_expression(value):
        return [_OTHER_MARK]
    key = next(iter(value))
    body = value[key]
    if key == "Get" and isinstance(body, str) and body.startswith("Parameters."):
        return [_PARAMETER_MARK.format(body[len("Parameters.") :])]
    if key == "Std:Join" and isinstance(body, Mapping) and isinstance(body.get("Values"), list):
        separator = str(body.get("On", ""))
        found: list[str] = []
        for index, item in enumerate(body["Values"]):
            if index and separator:
                found.append(separator)
            found += _pieces(item, depth + 1)
        return found
    return [_OTHER_MARK]


def _literal_start_pattern(value: Any) -> str | None:
    """An IAM name pattern for a resource named ``value``: ``None`` if nothing narrows it.

    A string (maybe a token) is itself; a ``Std:Join`` that starts with literal text is
    ``<that text>*``; anything else known only at run time is ``None``.
    """
    if isinstance(value, str):
        return value
    pieces = _pieces(value)
    prefix = ""
    for piece in pieces:
        if piece.startswith("\x00"):
            break
        prefix += piece
    if prefix and len(pieces) > 1:
        return f"{prefix}*"
    return None


def _parameter_uses(step: str, where: str, value: Any) -> list[ParameterUse]:
    """The parameters in a location value, each with the part of the URI it fills."""
    pieces = _pieces(value)
    uses: list[ParameterUse] = []
    for index, piece in enumerate(pieces):
        parameter = re.fullmatch(r"\x00P:(.*)\x00", piece, re.DOTALL)
        if parameter is None:
            continue
        before = "".join(pieces[:index])
        in_key = re.fullmatch(r"s3://([^/]*)/.*", before, re.DOTALL)
        bucket: str | None = None
        if not before:
            part = "uri"
        elif before == "s3://":
            part = "bucket"
        elif in_key is not None:
            part = "key"
            named = re.fullmatch(r"\x00P:(.*)\x00", in_key.group(1), re.DOTALL)
            if named is not None:
                bucket = f"Parameters.{named.group(1)}"
            elif in_key.group(1) and "\x00" not in in_key.group(1):
                bucket = in_key.group(1)
        else:
            part = "part"
        uses.append(ParameterUse(parameter.group(1), step, where, part, bucket))
    return uses


def parameter_location_problems(
    plan: PermissionPlan, parameter_locations: Mapping[str, str | Sequence[str]]
) -> list[Problem]:
    """Patterns in ``parameter_locations`` that don't fit how the definition uses the parameter.

    A parameter that is a whole location takes URI patterns (``s3://bucket/curated/*``);
    one joined into a location takes patterns of the part it fills (``curated/*``). A URI
    given for a part would be granted as ``<bucket>/s3://…``, which no request matches.
    """
    problems: list[Problem] = []
    for parameter, declared in parameter_locations.items():
        patterns = [declared] if isinstance(declared, str) else list(declared)
        # One report per way of use: as a whole location, or joined into one.
        seen: set[bool] = set()
        for use in plan.parameter_uses:
            whole = use.part == "uri"
            if use.parameter != parameter or whole in seen:
                continue
            seen.add(whole)
            for pattern in patterns:
                problem = _pattern_problem(use, pattern)
                if problem is not None:
                    problems.append(problem)
    return problems


def _pattern_problem(use: ParameterUse, pattern: str) -> Problem | None:
    name = use.parameter
    if use.part == "uri":
        if _parse_s3_uri(pattern) is not None:
            return None
        return Problem(
            None,
            "parameter_locations",
            f"{name!r}: {pattern!r} is not an S3 URI with a bucket name, but {use.where} "
            f"uses {name} as a whole S3 location, so its patterns must be URIs",
            f"write the URIs it may take, e.g. 's3://<bucket>/{pattern.lstrip('/')}'"
            if not pattern.startswith("s3://")
            else "name the bucket: s3://<bucket>/<key pattern>",
        )
    if not pattern.startswith("s3://"):
        return None
    parsed = _parse_s3_uri(pattern)
    what = {
        "bucket": "the bucket (and key) after 's3://'",
        "key": "the key after 's3://<bucket>/'",
    }.get(use.part, "a part of it")
    hint = "give only the part it fills"
    if use.part == "key" and parsed is not None:
        hint = f"give only the key it fills, e.g. {parsed.key_pattern!r}"
        if use.bucket is not None and not use.bucket.startswith("Parameters."):
            if is_token(use.bucket):
                hint += "; the definition sets the bucket"
            elif use.bucket != parsed.bucket:
                hint += f"; the definition sets the bucket: {use.bucket!r}, not {parsed.bucket!r}"
    elif use.part == "bucket":
        hint = f"give only what follows 's3://', e.g. {pattern[len('s3://') :]!r}"
    # Only a bucket the definition names is shown: a token's or a parameter's isn't known.
    bucket = use.bucket or "<bucket>"
    if bucket.startswith("Parameters.") or is_token(bucket):
        bucket = "<bucket>"
    outcome = {
        "key": f"the step role would be granted {bucket + '/' + pattern!r}, which no request "
        "matches",
        "bucket": f"the location would be {'s3://' + pattern!r}, which names no bucket",
    }.get(use.part, "the location would hold 's3://' twice")
    return Problem(
        None,
        "parameter_locations",
        f"{name!r}: {pattern!r} is a whole S3 URI, but {use.where} joins {name} into a "
        f"location as {what}: {outcome}",
        hint,
    )


def _script_setting(where: str, value: Any) -> Any:
    """A ``sagemaker_submit_directory`` hyperparameter as the training toolkit reads it.

    The SDK's framework estimators JSON-encode every hyperparameter
    (``'"s3://bucket/code/sourcedir.tar.gz"'``); the toolkit decodes them.
    """
    encoded = isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"'
    if encoded and where.endswith("sagemaker_submit_directory"):
        return value[1:-1]
    return value


def _is_container_path(where: str, value: Any) -> bool:
    """A submit directory inside the container: code packed in the model or in a channel.

    ``/opt/ml/model/code`` is where SageMaker unpacks the model's own ``code/``; the model
    data grant already covers it, and it is no S3 location to grant or warn about. A
    training job's ``/opt/ml/input/data/code/…`` is in its code channel, read as a channel.
    """
    return (
        where.lower().endswith("sagemaker_submit_directory")
        and isinstance(value, str)
        and not value.startswith("s3://")
    )


def _parse_s3_uri(uri: str) -> S3Access | None:
    match = re.fullmatch(r"s3://([^/]+)/?(.*)", uri)
    if match is None or match.group(1) in ("", "*"):
        return None
    return S3Access(match.group(1), match.group(2))


def describe_value(value: Any) -> str:
    """A definition value for a message: ``'Parameters.X'`` for a reference, else its repr."""
    if is_expression(value):
        key = next(iter(value))
        if key == "Get":
            return f"'{value['Get']}'"
        # Name what the expression is built from: the parameter to declare a location for.
        names = ", ".join(f"'{reference}'" for reference in get_references(value))
        return f"a {key} expression of {names}" if names else f"a {key} expression"
    return repr(value)


def get_references(value: Any) -> list[str]:
    """The ``Get`` references in ``value``, each once, in order.

    Any JSON value: a whole step entry too (the review tools' graph reads its edges so).
    Walked without recursion, so no nesting depth is too deep.

    Example::

        get_references({"Std:Join": {"On": "/", "Values": [{"Get": "Parameters.Bucket"},
                                                           {"Get": "Steps.Prep.Outcome"}]}})
        # ['Parameters.Bucket', 'Steps.Prep.Outcome']
    """
    found: dict[str, None] = {}
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            reference = item.get("Get") if len(item) == 1 else None
            if isinstance(reference, str):
                found[reference] = None
            else:
                pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return list(found)


def _parameters_in(value: Any) -> tuple[str, ...]:
    """The names of the pipeline parameters ``value`` is built from."""
    prefix = "Parameters."
    return tuple(
        reference[len(prefix) :]
        for reference in get_references(value)
        if reference.startswith(prefix)
    )


def plan_permissions(
    definition: Mapping[str, Any],
    *,
    pipeline_name: str | None = None,
    parameter_locations: Mapping[str, str | Sequence[str]] | None = None,
    steps: Collection[str] | None = None,
) -> PermissionPlan:
    """Read off a compiled definition what its roles need (see the module docstring).

    ``pipeline_name`` resolves ``Execution.PipelineName`` in locations;
    ``parameter_locations`` gives, per parameter that names S3 data, the values it may
    take as an IAM pattern: a URI (``"s3://bucket/incoming/*"``) or, for a parameter
    joined into a URI, its part (``"incoming/*"``). Locations built from such parameters
    become attributable.

    ``steps``: the names of the steps to plan (branch steps included), for a role that
    runs only their jobs; ``None`` for every step. The whole definition is still read, so
    a planned step's reference to another step's output resolves to that output's
    location. A name that is no step of the definition raises ``ValueError``.

    Example::

        plan_permissions(definition, pipeline_name="churn", steps=frozenset({"Prep"}))
    """
    planner = _Planner(definition, pipeline_name, parameter_locations or {}, steps)
    unknown = sorted(set(steps or ()) - set(planner.steps))
    if unknown:
        raise ValueError(f"no step named {', '.join(map(repr, unknown))} in the definition")
    return planner.run()


def resolve_locations(
    definition: Mapping[str, Any],
    value: Any,
    *,
    pipeline_name: str | None = None,
    parameter_locations: Mapping[str, str | Sequence[str]] | None = None,
) -> list[S3Access]:
    """The S3 locations ``value`` (a literal URI or an expression) may take at run time.

    Resolved as the planner resolves a step's fields: a literal, a Join of literals and
    execution variables, a parameter by its ``parameter_locations``, another step's
    property by that step's fields. ``[]`` when unknown.

    Example::

        resolve_locations(definition, "s3://b/models/churn/m.tar.gz")
        # [S3Access("b", "models/churn/m.tar.gz")]
    """
    planner = _Planner(definition, pipeline_name, parameter_locations or {}, ())
    return planner._resolve(value)


def step_output_keys(arguments: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(field, key) of each key a step's arguments give what it writes to S3 (not volumes).

    Keys known only at run time (an expression) are left out.

    Example::

        step_output_keys({"ProcessingOutputConfig": {"KmsKeyId": "arn:…:key/k"}})
        # [("ProcessingOutputConfig.KmsKeyId", "arn:…:key/k")]
    """
    return [
        (where, key)
        for path in _OUTPUT_KMS_FIELDS
        for where, key in _select(arguments, path)
        if not is_expression(key)
    ]


def step_writes(
    definition: Mapping[str, Any],
    steps: Iterable[str],
    *,
    pipeline_name: str | None = None,
    parameter_locations: Mapping[str, str | Sequence[str]] | None = None,
) -> dict[str, tuple[S3Access, ...]]:
    """Where each of ``steps`` writes in S3, planned alone, whichever role runs it.

    Cheaper than a plan per step: only the step's own writes are planned, not what its
    reads need. Names not in the definition are left out.

    Example::

        step_writes(definition, ["Prep"], pipeline_name="churn")
        # {"Prep": (S3Access("b", "executions/churn/Prep/*/train"), …)}
    """
    planner = _Planner(definition, pipeline_name, parameter_locations or {}, ())
    outputs = _StepOutputs(planner)
    return {name: outputs.of(planner.steps[name])[0] for name in steps if name in planner.steps}


def plan_role_permissions(
    definition: Mapping[str, Any],
    roles: Mapping[RoleKey, Collection[str]],
    *,
    pipeline_name: str | None = None,
    parameter_locations: Mapping[str, str | Sequence[str]] | None = None,
) -> dict[RoleKey, PermissionPlan]:
    """``plan_permissions(definition, steps=…)`` for each role's steps, in one pass.

    The same plans as one call per role, but the steps each role leaves out (whose output
    keys a role needs where it reads what they write) are planned once for all: a pipeline
    giving each of its hundreds of steps a role of its own plans in linear time, not
    quadratic. A name that is no step of the definition raises ``ValueError``.

    Example::

        plans = plan_role_permissions(definition, {"Prep": ["Prep"], "Train": ["Train"]})
        plans["Train"].kms_keys  # Train's keys, and Prep's output key if Train reads it
    """
    locations = parameter_locations or {}
    outputs = _StepOutputs(_Planner(definition, pipeline_name, locations, ()))
    known = set(outputs._scratch.steps)
    plans: dict[RoleKey, PermissionPlan] = {}
    for role, steps in roles.items():
        unknown = sorted(set(steps) - known)
        if unknown:
            raise ValueError(f"no step named {', '.join(map(repr, unknown))} in the definition")
        plans[role] = _Planner(definition, pipeline_name, locations, steps, outputs).run()
    return plans


@dataclass(frozen=True, slots=True)
class ModelRoles:
    """Which steps run as the execution roles of the models the pipeline's Model steps create.

    A model's role (its Model step's ``ExecutionRoleArn``) runs the model's containers, the
    Transform jobs of the model and the endpoints serving it. ``runners``: per Transform,
    EndpointConfig and Endpoint step, the Model steps whose models' roles run its job or
    endpoint (a Transform step's ``ModelName``; an EndpointConfig step's variants'; an
    Endpoint step's configuration's, whose roles describe its rollback alarms), ``None``
    for a role no Model step of the pipeline gives (a model it doesn't create, an endpoint
    of inference components' own role). ``unattributed``: per Model step, (step, field) of
    the other places its model is named (``ModelName``, ``ModelArn``): a Lambda step's
    input, an inference component, an expression; what runs as its role there is not known.
    Condition, Fail and Lineage steps run nothing with the model, nor does a step running
    as its role that names it elsewhere too (a Transform job's environment): left out.

    Example::

        roles = model_roles(definition)
        roles.steps_of("CreateModel")  # ('CreateModel', 'Score')
        roles.runners["Score"]  # ('CreateModel',)
    """

    runners: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)
    unattributed: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def steps_of(self, model: str) -> tuple[str, ...]:
        """The Model step ``model`` and the steps that run (partly) as its model's role."""
        return (model, *(step for step, found in self.runners.items() if model in found))

    def runs_only_as(self, step: str, models: Collection[str]) -> bool:
        """Whether ``step``'s job or endpoint runs as the roles of ``models`` and no other."""
        found = self.runners.get(step, ())
        return bool(found) and all(model is not None and model in models for model in found)


def model_roles(definition: Mapping[str, Any]) -> ModelRoles:
    """Which steps of a compiled definition run as its models' roles (see ``ModelRoles``).

    A plan of ``steps=roles.steps_of(model)`` (``plan_permissions``) is what the model's
    role needs: the model's own reads, its Transform jobs' inputs, outputs and keys, its
    endpoints' captured data and rollback alarms.

    Example::

        roles = model_roles(definition)
        plan_permissions(definition, steps=roles.steps_of("CreateModel"))
    """
    return _Planner(definition, None, {}).model_roles()


# https://sqs.<region>.<domain>/<account>/<queue>: the domain is checked against the region's.
# A queue name is 1-80 letters, digits, '-' and '_', a FIFO queue's ".fifo" counted in.
SQS_QUEUE_URL = re.compile(
    r"https://sqs\.([a-z0-9-]+)\.([a-z0-9.-]+)/(\d{12})/"
    r"([A-Za-z0-9\-_]{1,75}\.fifo|[A-Za-z0-9\-_]{1,80})"
)


def sqs_queue_arn_parts(url: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a literal SQS queue URL, else ``None``.

    The host must be the region's: ``sqs.eu-west-1.amazonaws.com``,
    ``sqs.cn-north-1.amazonaws.com.cn`` (the domain of the region's partition, from
    botocore's ``partitions.json``).

    Example::

        sqs_queue_arn_parts("https://sqs.eu-west-1.amazonaws.com/111122223333/q")
        # ('eu-west-1', '111122223333', 'q')
    """
    match = SQS_QUEUE_URL.fullmatch(url)
    if match is None or match.group(2) != partition_of(match.group(1))[1]:
        return None
    return match.group(1), match.group(3), match.group(4)
