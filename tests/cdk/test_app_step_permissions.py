"""Each step of each synthesized pipeline gets exactly what it needs from its roles.

For every ``AWS::SageMaker::Pipeline`` of every template, the definition is decoded and
its ``RoleArn`` followed to the role and every policy attached to it. Then, per step:

* the pipeline role may Create/Describe/Stop the step's job on ``pipelines-*`` job ARNs
  (and not on other jobs), tag it, pass the step role to SageMaker (and only under
  ``iam:PassedToService``) and let the job use its volume key;
* a RegisterModel step may create versions in its group only as PendingManualApproval;
* a JsonGet on a property file may read that file;
* the step role may read each input location, write each output location, use the
  buckets' and outputs' KMS keys, let the job's volumes use their key (kms:CreateGrant, as
  the SageMaker guide's policies for a processing, training or tuning job's role say), and
  write its logs;
* the pipeline role allows nothing that the pipeline's step types don't explain.

Not checked: who reads a registered model's artifacts and metrics (whoever deploys or
reviews it, with their own role).

Expectations are this test's own tables, not the construct library's: they say what
SageMaker needs. Locations are sample S3 keys worked out from the definition (execution
ids become ``x1``); a parameter's values come from its default and from what the
template's triggers pass (an S3 event rule passes keys under its prefix), so the step
role must cover every location a run can actually be started with.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.template import pipeline_definitions
from tests.cdk.assembly import (
    Statement,
    allowed,
    as_list,
    flatten,
    principal_statements,
    ref_target,
    reference_stacks,
    stack_environment,
    stack_test_id,
)
from tests.cdk.conftest import SynthesizedApp, cdk_context, synthesize_reference_app

SAGEMAKER = "sagemaker.amazonaws.com"
PENDING = "PendingManualApproval"


@dataclass(frozen=True)
class JobStep:
    """What a job step needs: its job's IAM resource type, the API calls the service
    makes with the pipeline role, where its role, keys, inputs and outputs are, and its
    log group."""

    resource_type: str
    actions: tuple[str, ...]
    role: str
    volume_keys: tuple[str, ...] = ()
    output_key: str | None = None
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    log_group: str | None = None


PROCESSING = JobStep(
    "processing-job",
    (
        "sagemaker:CreateProcessingJob",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:StopProcessingJob",
    ),
    role="RoleArn",
    volume_keys=("ProcessingResources.ClusterConfig.VolumeKmsKeyId",),
    output_key="ProcessingOutputConfig.KmsKeyId",
    inputs=("ProcessingInputs[*].S3Input",),
    outputs=("ProcessingOutputConfig.Outputs[*].S3Output.S3Uri",),
    log_group="/aws/sagemaker/ProcessingJobs",
)
JOB_STEPS: dict[str, JobStep] = {
    "Processing": PROCESSING,
    # A check step runs one processing job; its Arguments are that job's request. (The
    # app's DataQualityCheck supplies no baseline and names no group: nothing else to read.)
    "QualityCheck": PROCESSING,
    "Training": JobStep(
        "training-job",
        (
            "sagemaker:CreateTrainingJob",
            "sagemaker:DescribeTrainingJob",
            "sagemaker:StopTrainingJob",
        ),
        role="RoleArn",
        volume_keys=("ResourceConfig.VolumeKmsKeyId",),
        output_key="OutputDataConfig.KmsKeyId",
        inputs=("InputDataConfig[*].DataSource.S3DataSource",),
        outputs=("OutputDataConfig.S3OutputPath", "CheckpointConfig.S3Uri"),
        log_group="/aws/sagemaker/TrainingJobs",
    ),
    "Tuning": JobStep(
        "hyper-parameter-tuning-job",
        (
            "sagemaker:CreateHyperParameterTuningJob",
            "sagemaker:DescribeHyperParameterTuningJob",
            "sagemaker:StopHyperParameterTuningJob",
            "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
        ),
        role="TrainingJobDefinition.RoleArn",
        volume_keys=("TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",),
        output_key="TrainingJobDefinition.OutputDataConfig.KmsKeyId",
        inputs=("TrainingJobDefinition.InputDataConfig[*].DataSource.S3DataSource",),
        outputs=("TrainingJobDefinition.OutputDataConfig.S3OutputPath",),
        log_group="/aws/sagemaker/TrainingJobs",
    ),
    "Transform": JobStep(
        "transform-job",
        (
            "sagemaker:CreateTransformJob",
            "sagemaker:DescribeTransformJob",
            "sagemaker:StopTransformJob",
        ),
        role="",  # runs with the model's role
        volume_keys=("TransformResources.VolumeKmsKeyId",),
        output_key="TransformOutput.KmsKeyId",
        log_group="/aws/sagemaker/TransformJobs",
    ),
    "Model": JobStep(
        "model", ("sagemaker:CreateModel", "sagemaker:DescribeModel"), role="ExecutionRoleArn"
    ),
}
# Per step type, every pipeline-role action it can explain.
EXPLAINED: dict[str, set[str]] = {
    **{
        kind: {*job.actions, "sagemaker:AddTags", "iam:PassRole"}
        | ({"kms:CreateGrant", "kms:DescribeKey"} if job.volume_keys else set())
        for kind, job in JOB_STEPS.items()
    },
    "RegisterModel": {
        "sagemaker:CreateModelPackage",
        "sagemaker:DescribeModelPackage",
        "sagemaker:AddTags",
    },
    # JsonGet: the service reads property files with the pipeline role.
    "Condition": {"s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt"},
    "Fail": set(),
    # A SealStep: the pipeline role invokes the sealing function, which copies (its own role).
    "Lambda": {"lambda:InvokeFunction"},
}


class UnattributableError(Exception):
    """A location the test can't work out from the definition and the triggers."""


@dataclass(frozen=True)
class Location:
    """An S3 location as an IAM pattern (``*`` for run-time parts)."""

    bucket: str
    key: str
    literal: bool  # written out in the definition (one object), not computed at run time

    @property
    def sample_key(self) -> str:
        return self.key.replace("*", "x1")


@dataclass(frozen=True)
class Arns:
    """ARNs as the stack renders them (partition, region and account placeholders)."""

    partition: str
    region: str
    account: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region, account = (self.region, self.account) if regional else ("", "")
        return f"arn:{self.partition}:{service}:{region}:{account}:{resource}"

    def s3(self, bucket: str, key: str | None = None) -> str:
        return self.arn("s3", bucket if key is None else f"{bucket}/{key}", regional=False)


@dataclass
class Pipeline:
    """One synthesized pipeline with its roles' statements."""

    stack: str
    logical_id: str
    name: str
    definition: dict[str, Any]
    role: str
    statements: list[Statement]
    template: Mapping[str, Any]
    arns: Arns

    def steps(self) -> Iterator[Mapping[str, Any]]:
        pending = list(self.definition.get("Steps") or [])
        while pending:
            step = pending.pop(0)
            yield step
            arguments = step.get("Arguments") or {}
            if step.get("Type") == "Condition":
                pending += list(arguments.get("IfSteps") or [])
                pending += list(arguments.get("ElseSteps") or [])


def _select(value: Any, path: str) -> list[Any]:
    """Values at a dotted path with ``[*]`` for every list item."""
    found = [value]
    for part in path.split("."):
        many = part.endswith("[*]")
        name = part.removesuffix("[*]")
        found = [item.get(name) for item in found if isinstance(item, Mapping)]
        if many:
            found = [entry for item in found if isinstance(item, list) for entry in item]
        found = [item for item in found if item is not None]
    return found


def _pipelines(app: SynthesizedApp, stack: str) -> list[Pipeline]:
    account, region = stack_environment(app, stack)
    # A stack pinned to an account and region renders some ARNs with literals and others
    # (bucket ARNs, say) with pseudo parameters: resolve them as CloudFormation will.
    template = _resolve_pseudo_parameters(
        app.templates[stack],
        {
            "AWS::Partition": None if region is None else _partition(region),
            "AWS::Region": region,
            "AWS::AccountId": account,
        },
    )
    arns = Arns(
        partition="${Ref:AWS::Partition}" if region is None else _partition(region),
        region=region or "${Ref:AWS::Region}",
        account=account or "${Ref:AWS::AccountId}",
    )
    found: list[Pipeline] = []
    for logical_id, definition in pipeline_definitions(template):
        properties = template["Resources"][logical_id]["Properties"]
        role = ref_target(properties["RoleArn"])
        assert role is not None, f"{stack} {logical_id}: RoleArn is not a role of the stack"
        found.append(
            Pipeline(
                stack,
                logical_id,
                str(properties["PipelineName"]),
                definition,
                role,
                principal_statements(template, role),
                template,
                arns,
            )
        )
    return found


def _resolve_pseudo_parameters(value: Any, known: Mapping[str, str | None]) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"Ref"} and known.get(str(value["Ref"])) is not None:
            return known[str(value["Ref"])]
        return {key: _resolve_pseudo_parameters(item, known) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_pseudo_parameters(item, known) for item in value]
    return value


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


# -- where the data is ---------------------------------------------------------------


def parameter_values(pipeline: Pipeline) -> dict[str, list[str]]:
    """What each parameter can be: its default and what the stack's triggers pass."""
    values = {
        entry["Name"]: [str(entry["DefaultValue"])]
        for entry in pipeline.definition.get("Parameters") or []
        if "DefaultValue" in entry
    }
    suffix = f":pipeline/{pipeline.name}"
    for resource in pipeline.template["Resources"].values():
        properties = resource.get("Properties") or {}
        if resource["Type"] == "AWS::Events::Rule":
            targets = properties.get("Targets") or []
            pattern = properties.get("EventPattern") or {}
        elif resource["Type"] == "AWS::Scheduler::Schedule":
            targets, pattern = [properties["Target"]], {}
        else:
            continue
        for target in targets:
            if not flatten(target.get("Arn")).endswith(suffix):
                continue
            parameters = (target.get("SageMakerPipelineParameters") or {}).get(
                "PipelineParameterList"
            ) or []
            for parameter in parameters:
                values.setdefault(parameter["Name"], []).extend(
                    _event_values(str(parameter["Value"]), pattern)
                )
    return values


def _event_values(value: str, pattern: Mapping[str, Any]) -> list[str]:
    """A literal, or the values a JSON path of the event can have under the rule's pattern."""
    if not value.startswith("$."):
        return [value]
    node: Any = pattern
    for part in value[2:].split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if not isinstance(node, list):
        return ["*"]  # the pattern doesn't restrict it: any value
    values: list[str] = []
    for matcher in node:
        if isinstance(matcher, str):
            values.append(matcher)
        elif isinstance(matcher, Mapping) and set(matcher) == {"prefix"}:
            values.append(f"{matcher['prefix']}*")
        else:
            values.append("*")
    return values


class Locator:
    """Works out S3 locations from definition values (see the module docstring)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.steps = {step["Name"]: step for step in pipeline.steps()}
        self.parameters = parameter_values(pipeline)

    def locations(self, value: Any) -> list[Location]:
        literal = isinstance(value, str)
        found: list[Location] = []
        for uri in self._uris(value):
            match = re.fullmatch(r"s3://([^/]+)/?(.*)", uri)
            if match is None:
                raise UnattributableError(f"not an S3 location: {uri}")
            found.append(Location(match.group(1), match.group(2), literal))
        return found

    def _uris(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, body),) = value.items()
            if key == "Std:Join":
                pieces = [self._piece(item) for item in body["Values"]]
                return [str(body["On"]).join(parts) for parts in itertools.product(*pieces)]
            if key == "Get":
                return self._get(str(body))
        raise UnattributableError(f"can't tell where {value} points")

    def _piece(self, value: Any) -> list[str]:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [str(value)]
        reference = str(value.get("Get")) if isinstance(value, Mapping) else ""
        if reference == "Execution.PipelineName":
            return [self.pipeline.name]
        if reference.startswith("Execution."):
            return ["*"]  # the execution id and times: each run its own prefix
        return self._uris(value)

    def _get(self, reference: str) -> list[str]:
        if reference.startswith("Parameters."):
            name = reference.removeprefix("Parameters.")
            if name not in self.parameters:
                raise UnattributableError(f"parameter {name} has no default and no trigger sets it")
            return self.parameters[name]
        match = re.fullmatch(r"Steps\.([A-Za-z0-9_-]+)\.(.+)", reference)
        producer = self.steps.get(match.group(1)) if match else None
        if match is None or producer is None:
            raise UnattributableError(f"can't tell where {reference} points")
        arguments, path = producer.get("Arguments") or {}, match.group(2)
        output = re.fullmatch(
            r"ProcessingOutputConfig\.Outputs\['([^']+)'\]\.S3Output\.S3Uri", path
        )
        if output is not None:
            return self._uris(self.processing_output(producer, output.group(1)))
        if path == "ModelArtifacts.S3ModelArtifacts":
            # <S3OutputPath>/<training job name>/output/model.tar.gz
            return [
                f"{uri.rstrip('/')}/*/output/model.tar.gz"
                for uri in self._uris(arguments["OutputDataConfig"]["S3OutputPath"])
            ]
        raise UnattributableError(f"can't tell where {reference} points")

    @staticmethod
    def processing_output(step: Mapping[str, Any], name: str) -> Any:
        outputs = (step.get("Arguments") or {}).get("ProcessingOutputConfig") or {}
        for output in outputs.get("Outputs") or []:
            if output.get("OutputName") == name:
                return output["S3Output"]["S3Uri"]
        raise UnattributableError(f"step {step['Name']} has no output {name}")

    def property_file(self, reference: str) -> list[Location]:
        """Where ``Steps.<step>.PropertyFiles.<name>`` is written."""
        match = re.fullmatch(r"Steps\.([A-Za-z0-9_-]+)\.PropertyFiles\.(.+)", reference)
        assert match is not None, reference
        producer = self.steps[match.group(1)]
        for declared in producer.get("PropertyFiles") or []:
            if declared["PropertyFileName"] == match.group(2):
                uri = self.processing_output(producer, declared["OutputName"])
                return [
                    dataclasses.replace(
                        location, key=f"{location.key.rstrip('/')}/{declared['FilePath']}"
                    )
                    for location in self.locations(uri)
                ]
        raise UnattributableError(f"no property file {reference}")


def _bucket_key(pipeline: Pipeline, bucket: str) -> str | None:
    """The default KMS key of a bucket of this template (as a placeholder string)."""
    logical_id = ref_target(bucket)
    resource = pipeline.template["Resources"].get(logical_id or "")
    if resource is None or resource["Type"] != "AWS::S3::Bucket":
        return None  # not ours (the CDK assets bucket): its owner's policy decides
    encryption = (resource.get("Properties") or {}).get("BucketEncryption") or {}
    for rule in encryption.get("ServerSideEncryptionConfiguration") or []:
        key = (rule.get("ServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
        if key is not None:
            return flatten(key)
    return None


def _json_gets(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        body = value.get("Std:JsonGet")
        if isinstance(body, Mapping):
            yield str(body["PropertyFile"]["Get"])
        for key, item in value.items():
            if key not in ("IfSteps", "ElseSteps"):
                yield from _json_gets(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_gets(item)


# -- the checks ------------------------------------------------------------------------


def pipeline_role_problems(pipeline: Pipeline) -> list[str]:
    """What the pipeline role lacks (or allows too widely) for each step."""
    problems: list[str] = []
    arns, statements = pipeline.arns, pipeline.statements
    locator = Locator(pipeline)

    def need(what: str, action: str, resource: str, context: Mapping[str, str] | None = None):
        if not allowed(statements, action, resource, context):
            problems.append(f"{what}: the pipeline role can't {action} on {resource}")

    def refuse(what: str, action: str, resource: str, context: Mapping[str, str] | None = None):
        if allowed(statements, action, resource, context):
            problems.append(f"{what}: the pipeline role may {action} on {resource}")

    for step in pipeline.steps():
        kind, name = step["Type"], step["Name"]
        what = f"{pipeline.stack} {pipeline.name} step {name} ({kind})"
        arguments = step.get("Arguments") or {}
        job = JOB_STEPS.get(kind)
        if job is not None:
            job_arn = arns.arn("sagemaker", f"{job.resource_type}/pipelines-x1-{name}-x1")
            other_arn = arns.arn("sagemaker", f"{job.resource_type}/not-a-pipeline-job")
            for action in job.actions:
                need(what, action, job_arn)
                refuse(what, action, other_arn)
            tags = allowed(statements, "sagemaker:AddTags", job_arn)
            if not [statement for statement in tags if not statement.conditions]:
                problems.append(
                    f"{what}: the pipeline role can't sagemaker:AddTags on {job_arn} "
                    "without conditions (Create* calls tag what they create)"
                )
            for role in _select(arguments, job.role) if job.role else []:
                role_arn = flatten(role)
                need(what, "iam:PassRole", role_arn, {"iam:PassedToService": SAGEMAKER})
                refuse(what, "iam:PassRole", role_arn, {"iam:PassedToService": "ec2.amazonaws.com"})
                refuse(what, "iam:PassRole", role_arn, {})
            for path in job.volume_keys:
                for key in _select(arguments, path):
                    need(
                        what, "kms:CreateGrant", flatten(key), {"kms:GrantIsForAWSResource": "true"}
                    )
                    refuse(what, "kms:CreateGrant", flatten(key), {})
                    # DescribeKey requests carry no grant keys: it must be allowed without them.
                    need(what, "kms:DescribeKey", flatten(key), {})
        elif kind == "RegisterModel":
            group = str(arguments["ModelPackageGroupName"])
            status = {"sagemaker:ModelApprovalStatus": str(arguments.get("ModelApprovalStatus"))}
            approved = {"sagemaker:ModelApprovalStatus": "Approved"}
            for resource in (
                arns.arn("sagemaker", f"model-package-group/{group}"),
                arns.arn("sagemaker", f"model-package/{group}/1"),
            ):
                need(what, "sagemaker:CreateModelPackage", resource, status)
                refuse(what, "sagemaker:CreateModelPackage", resource, approved)
            other = arns.arn("sagemaker", "model-package-group/another-group")
            refuse(
                what,
                "sagemaker:CreateModelPackage",
                other,
                {"sagemaker:ModelApprovalStatus": PENDING},
            )
        elif kind == "Lambda":
            function = flatten(step["FunctionArn"])
            need(what, "lambda:InvokeFunction", function)
            refuse(what, "lambda:InvokeFunction", arns.arn("lambda", "function:another"))
        elif kind not in ("Condition", "Fail"):
            problems.append(f"{what}: this test has no expectations for {kind} steps yet")
        for reference in _json_gets(arguments):
            for location in locator.property_file(reference):
                need(what, "s3:GetObject", arns.s3(location.bucket, location.sample_key))
                key = _bucket_key(pipeline, location.bucket)
                if key is not None:
                    need(what, "kms:Decrypt", key)
    return problems


def step_role_problems(pipeline: Pipeline) -> list[str]:
    """What each job's role lacks for the step's data, keys and logs."""
    problems: list[str] = []
    arns = pipeline.arns
    locator = Locator(pipeline)
    for step in pipeline.steps():
        job = JOB_STEPS.get(step["Type"])
        arguments = step.get("Arguments") or {}
        roles = _select(arguments, job.role) if job is not None and job.role else []
        for role in roles:
            role_id = ref_target(role)
            assert role_id is not None, f"step {step['Name']}: role {role} is not in the stack"
            need = _requirer(
                principal_statements(pipeline.template, role_id),
                f"{pipeline.stack} {pipeline.name} step {step['Name']} role {role_id}",
                problems,
            )
            assert job is not None
            for path in job.inputs:
                for source in _select(arguments, path):
                    for location in locator.locations(source.get("S3Uri")):
                        _need_read(need, pipeline, arns, location, source.get("S3DataType"))
            output_keys: list[str | None] = [
                flatten(key) for key in _select(arguments, job.output_key or "")
            ]
            for path in job.outputs:
                for uri in _select(arguments, path):
                    for location in locator.locations(uri):
                        objects = f"{location.sample_key.rstrip('/')}/part-00000"
                        need("s3:PutObject", arns.s3(location.bucket, objects))
                        for key in output_keys or [_bucket_key(pipeline, location.bucket)]:
                            if key is not None:
                                need("kms:GenerateDataKey", key)
            # "If you specify a volume KMS key in the resource configuration of your
            # processing [training, hyperparameter tuning] job", the SageMaker guide's policy
            # for the role the job runs with adds kms:CreateGrant.
            for path in job.volume_keys:
                for key in _select(arguments, path):
                    need("kms:CreateGrant", flatten(key))
            if job.log_group:
                group = f"log-group:{job.log_group}"
                stream = f"{group}:log-stream:pipelines-x1-{step['Name']}-x1/algo-1-1700000000"
                need("logs:CreateLogGroup", arns.arn("logs", group))
                need("logs:CreateLogStream", arns.arn("logs", stream))
                need("logs:PutLogEvents", arns.arn("logs", stream))
    return problems


Need = Callable[..., None]


def _requirer(statements: list[Statement], what: str, problems: list[str]) -> Need:
    """``need(action, resource, context=None)``: records a problem unless it is allowed."""

    def need(action: str, resource: str, context: Mapping[str, str] | None = None) -> None:
        if not allowed(statements, action, resource, context):
            problems.append(f"{what}: can't {action} on {resource}")

    return need


def _need_read(need: Need, pipeline: Pipeline, arns: Arns, location: Location, data_type: Any):
    keys = [location.sample_key]
    if not location.literal or location.key.endswith("/"):
        keys.append(f"{location.sample_key.rstrip('/')}/part-00000")  # objects under a prefix
    for key in keys:
        need("s3:GetObject", arns.s3(location.bucket, key))
    if data_type in (None, "S3Prefix"):
        need("s3:ListBucket", arns.s3(location.bucket), {"s3:prefix": location.sample_key})
    bucket_key = _bucket_key(pipeline, location.bucket)
    if bucket_key is not None:
        need("kms:Decrypt", bucket_key)


def unexplained_actions(pipeline: Pipeline) -> list[str]:
    """Pipeline-role actions that no step type of the definition needs."""
    kinds = {step["Type"] for step in pipeline.steps()}
    explained = set().union(*(EXPLAINED.get(kind, set()) for kind in kinds))
    granted = {
        action
        for statement in pipeline.statements
        if statement.allows
        for action in statement.actions
    }
    problems = []
    for action in sorted(granted - explained):
        owners = sorted(kind for kind, actions in EXPLAINED.items() if action in actions)
        because = f" (needed by {', '.join(owners)} steps, which it has none of)" if owners else ""
        problems.append(
            f"{pipeline.stack} {pipeline.name}: the pipeline role allows {action}{because}"
        )
    return problems


# -- tests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipelines(reference_app: SynthesizedApp) -> dict[str, list[Pipeline]]:
    return {stack: _pipelines(reference_app, stack) for stack in reference_app.templates}


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_pipeline_role_can_run_each_step(pipelines: dict[str, list[Pipeline]], stack: str):
    assert [
        problem for pipeline in pipelines[stack] for problem in pipeline_role_problems(pipeline)
    ] == []


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_step_role_can_read_and_write_each_steps_data(
    pipelines: dict[str, list[Pipeline]], stack: str
):
    assert [
        problem for pipeline in pipelines[stack] for problem in step_role_problems(pipeline)
    ] == []


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_pipeline_role_allows_nothing_for_step_types_the_pipeline_does_not_use(
    pipelines: dict[str, list[Pipeline]], stack: str
):
    assert [
        problem for pipeline in pipelines[stack] for problem in unexplained_actions(pipeline)
    ] == []


def test_the_checks_hold_for_an_environment_pinned_to_an_account_and_region(tmp_path: Path):
    # Pinned stacks render some ARNs with literals, others with pseudo parameters.
    pinned = {"account": "123456789012", "region": "eu-west-1", "retain_data": False}
    app = synthesize_reference_app({**cdk_context(), "environments": {"qa": pinned}}, tmp_path)
    (pipeline,) = _pipelines(app, "qa/MlOps")

    assert pipeline.arns == Arns(partition="aws", region="eu-west-1", account="123456789012")
    assert pipeline_role_problems(pipeline) == []
    assert step_role_problems(pipeline) == []
    assert unexplained_actions(pipeline) == []


def test_the_checks_see_every_step_and_the_trigger_locations(pipelines: dict[str, list[Pipeline]]):
    ((pipeline,),) = [pipelines["prod/MlOps"]]
    locator = Locator(pipeline)

    assert [(step["Name"], step["Type"]) for step in pipeline.steps()] == [
        ("Preprocess", "Processing"),
        ("DataQualityCheck", "QualityCheck"),
        ("Train", "Training"),
        ("Evaluate", "Processing"),
        ("CheckAccuracy", "Condition"),
        ("SealArtifacts", "Lambda"),
        ("RegisterModel", "RegisterModel"),
        ("AccuracyTooLow", "Fail"),
    ]
    # The default, the schedule's value and the keys the S3 rule can pass.
    assert locator.parameters["InputDataKey"] == ["curated/", "incoming/*", "curated/"]
    raw = next(step for step in pipeline.steps() if step["Name"] == "Preprocess")
    data = raw["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert sorted(location.key for location in locator.locations(data)) == [
        "curated/",
        "curated/",
        "incoming/*",
    ]


def _without(pipeline: Pipeline, drop: Any) -> Pipeline:
    """The pipeline with some statements of its role removed (or changed)."""
    changed = copy.copy(pipeline)
    changed.statements = [s for s in (drop(s) for s in pipeline.statements) if s is not None]
    return changed


def test_checks_report_a_missing_job_permission_and_an_unscoped_one(
    pipelines: dict[str, list[Pipeline]],
):
    (pipeline,) = pipelines["dev/MlOps"]
    training = "sagemaker:CreateTrainingJob"

    def widen(statement: Statement) -> Statement | None:
        if training in statement.actions:
            return None
        if "sagemaker:CreateProcessingJob" in statement.actions:
            return dataclasses.replace(statement, resources=("*",))
        return statement

    problems = pipeline_role_problems(_without(pipeline, widen))

    assert any(f"step Train (Training): the pipeline role can't {training}" in p for p in problems)
    assert any(
        "the pipeline role may sagemaker:CreateProcessingJob on "
        "arn:${Ref:AWS::Partition}:sagemaker:${Ref:AWS::Region}:${Ref:AWS::AccountId}"
        ":processing-job/not-a-pipeline-job" in p
        for p in problems
    )


def test_checks_report_pass_role_and_registration_without_their_conditions(
    pipelines: dict[str, list[Pipeline]],
):
    (pipeline,) = pipelines["dev/MlOps"]

    def unconditioned(statement: Statement) -> Statement:
        if {"iam:PassRole", "sagemaker:CreateModelPackage"} & set(statement.actions):
            return dataclasses.replace(statement, conditions={})
        return statement

    problems = pipeline_role_problems(_without(pipeline, unconditioned))

    assert any("the pipeline role may iam:PassRole on ${GetAtt:" in p for p in problems)
    assert any(
        "step RegisterModel (RegisterModel): the pipeline role may sagemaker:CreateModelPackage"
        in p
        for p in problems
    )


def test_checks_report_an_action_for_a_step_type_the_pipeline_lacks(
    pipelines: dict[str, list[Pipeline]],
):
    (pipeline,) = pipelines["dev/MlOps"]
    extra = Statement("Allow", ("sagemaker:CreateTransformJob",), (), ("*",), (), {}, None)
    changed = copy.copy(pipeline)
    changed.statements = [*pipeline.statements, extra]

    assert unexplained_actions(changed) == [
        "dev/MlOps dev-breast-cancer-training: the pipeline role allows "
        "sagemaker:CreateTransformJob (needed by Transform steps, which it has none of)"
    ]


def test_checks_report_a_step_role_that_cant_read_what_a_trigger_passes(
    pipelines: dict[str, list[Pipeline]],
):
    (pipeline,) = pipelines["dev/MlOps"]
    changed = copy.copy(pipeline)
    changed.template = copy.deepcopy(pipeline.template)
    for resource in changed.template["Resources"].values():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                resources = as_list(statement.get("Resource"))
                statement["Resource"] = [r for r in resources if "incoming/" not in flatten(r)]

    problems = step_role_problems(changed)

    assert any(
        "step Preprocess role TrainingStepRole" in problem
        and "can't s3:GetObject on arn:${Ref:AWS::Partition}:s3:::${Ref:ArtifactsData" in problem
        and "/incoming/x1" in problem
        for problem in problems
    ), problems
