# mypy: ignore-errors
"""Generate ``sdk-lineage.json``: what the SageMaker SDK v2 writes for its ``LineageStep``.

Not part of the project (which never imports the SDK) nor of its tests: run it with the
interpreter of an environment that has ``sagemaker`` (2.257.7 for the checked-in file),
offline (placeholder credentials; telemetry patched out; every socket connection and AWS API
call refused, and none is attempted)::

    SAGEMAKER_SUPPRESS_V2_WARNING=1 /tmp/sdk-venv/bin/python \
        tests/definition/sdk_lineage/generate_sdk_lineage.py \
        > tests/definition/sdk_lineage/sdk-lineage.json

It prints ``{"sdk": <version>, "definition": <pipeline.definition()>, "quirks": {<case>:
<a step entry>}, "errors": {<case>: <the SDK's error>}}``: one pipeline of a ``ModelStep``
and ``LineageStep`` steps (``sagemaker/workflow/lineage_step.py``) whose actions, artifacts
and contexts come from ``Action.create``, ``Artifact.create`` and ``Context.create`` under a
``PipelineSession`` (each step's name says what it was given); under ``quirks``, entries the
SDK writes as it is given them though the service's request shapes refuse them (tags given
as a dict); under ``errors``, what the SDK refuses (retry policies, caching, an association
naming an entity the step doesn't create, a step of nothing, arguments of another
producer). ``tests/definition/test_sdk_lineage.py`` builds the same steps in the language and
compares the entries.
"""

import json
import sys
from pathlib import Path

# Placeholder credentials and no logging before the SDK loads; no network, no AWS calls.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sdk_offline import BLOCKED, offline_session

# isort: split

import sagemaker
from sagemaker.lineage.action import Action
from sagemaker.lineage.artifact import Artifact
from sagemaker.lineage.context import Context
from sagemaker.model import Model
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.lineage_step import (
    LineageAssociation,
    LineageEntityReference,
    LineageStep,
)
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.retry import StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.workflow.steps import CacheConfig

REGION, ROLE, BUCKET = "us-east-1", "arn:aws:iam::111122223333:role/SageMakerRole", "my-bucket"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
DATASET_ARN = "arn:aws:sagemaker:us-east-1:111122223333:artifact/0123456789abcdef0123456789abcdef"
session = offline_session(REGION, BUCKET)

RUN_NAME = ParameterString(name="RunName", default_value="churn-run")
MODEL_URI = f"s3://{BUCKET}/model/model.tar.gz"
RETRY = StepRetryPolicy(exception_types=[StepExceptionTypeEnum.SERVICE_FAULT], max_attempts=3)
CACHE = CacheConfig(enable_caching=True, expire_after="P30D")
TAGS = [{"Key": "team", "Value": "churn"}]

model = Model(image_uri=IMAGE, model_data=MODEL_URI, role=ROLE, sagemaker_session=session)
model_step = ModelStep(name="CreateModel", step_args=model.create(instance_type="ml.m5.large"))

# One artifact, nothing else: the least a step records (an artifact's name is optional).
lineage_minimal = LineageStep(
    name="LineageMinimal",
    artifacts=Artifact.create(
        source_uri=MODEL_URI, artifact_type="Model", sagemaker_session=session
    ),
)
# Every argument of each kind's create(), associations by name and type and by ARN.
lineage_every_option = LineageStep(
    name="LineageEveryOption",
    display_name="Record lineage",
    description="The run, its model and the project",
    depends_on=[model_step],
    actions=[
        Action.create(
            action_name="training-run",
            source_uri=f"s3://{BUCKET}/runs/churn",
            source_type="S3ETag",
            action_type="ModelTraining",
            description="Trains the churn model",
            status="Completed",
            properties={"framework": "sklearn", "version": "1.2"},
            tags=TAGS,
            sagemaker_session=session,
        ),
        Action.create(
            action_name="approval",
            source_uri=f"s3://{BUCKET}/approvals/churn",
            action_type="ModelApproval",
            sagemaker_session=session,
        ),
    ],
    artifacts=[
        Artifact.create(
            artifact_name="trained-model",
            source_uri=MODEL_URI,
            source_types=[
                {"SourceIdType": "S3ETag", "Value": "0123abcd"},
                {"SourceIdType": "Custom", "Value": "v1"},
            ],
            artifact_type="Model",
            properties={"accuracy": "0.91"},
            tags=TAGS,
            sagemaker_session=session,
        ),
    ],
    contexts=Context.create(
        context_name="churn-project",
        source_uri=f"s3://{BUCKET}/projects/churn",
        source_type="Project",
        context_type="Project",
        description="The churn project",
        properties={"owner": "ml-team"},
        tags=TAGS,
        sagemaker_session=session,
    ),
    associations=[
        LineageAssociation(
            source=LineageEntityReference(name="training-run", type="Action"),
            destination=LineageEntityReference(name="trained-model", type="Artifact"),
            association_type="Produced",
        ),
        LineageAssociation(
            source=LineageEntityReference(arn=DATASET_ARN),
            destination=LineageEntityReference(name="training-run", type="Action"),
            association_type="ContributedTo",
        ),
        LineageAssociation(
            source=LineageEntityReference(name="trained-model", type="Artifact"),
            destination=LineageEntityReference(name="churn-project", type="Context"),
        ),
    ],
)
# Values known only at run time: a parameter, the execution, another step's property.
lineage_parameters = LineageStep(
    name="LineageParameters",
    actions=Action.create(
        action_name=RUN_NAME,
        source_uri=Join(
            on="/", values=[f"s3://{BUCKET}/runs", ExecutionVariables.PIPELINE_EXECUTION_ID]
        ),
        action_type="ModelDeployment",
        sagemaker_session=session,
    ),
    artifacts=Artifact.create(
        artifact_name="deployed-model",
        source_uri=model_step.properties.PrimaryContainer.ModelDataUrl,
        artifact_type="Model",
        sagemaker_session=session,
    ),
    associations=[
        LineageAssociation(
            source=LineageEntityReference(name="deployed-model", type="Artifact"),
            destination=LineageEntityReference(name=RUN_NAME, type="Action"),
            association_type="ContributedTo",
        ),
    ],
)
# Associations only, between what other steps recorded (their ARN properties).
lineage_associations_only = LineageStep(
    name="LineageAssociationsOnly",
    associations=[
        LineageAssociation(
            source=LineageEntityReference(
                arn=lineage_every_option.properties.ArtifactArns["trained-model"]
            ),
            destination=LineageEntityReference(
                arn=lineage_parameters.properties.ArtifactArns["deployed-model"]
            ),
            association_type="DerivedFrom",
        ),
        LineageAssociation(
            source=LineageEntityReference(
                arn=lineage_every_option.properties.ActionArns["approval"]
            ),
            destination=LineageEntityReference(
                arn=lineage_every_option.properties.ContextArns["churn-project"]
            ),
            association_type="AssociatedWith",
        ),
    ],
)

STEPS = [
    model_step,
    lineage_minimal,
    lineage_every_option,
    lineage_parameters,
    lineage_associations_only,
]

# Tags given to create() as a dict, as its docstring says ("tags (dict)"): the SDK writes the
# dict as it is, where CreateAction's request takes a list of {Key, Value}.
QUIRKS = {
    "LineageDictTags": LineageStep(
        name="LineageDictTags",
        actions=Action.create(
            action_name="run",
            source_uri=f"s3://{BUCKET}/runs/churn",
            action_type="ModelTraining",
            tags={"team": "churn"},
            sagemaker_session=session,
        ),
    ),
}


def _error(make):
    try:
        make()
    except (TypeError, ValueError) as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())}"
    return None


def _artifact():
    return Artifact.create(source_uri=MODEL_URI, artifact_type="Model", sagemaker_session=session)


# The SDK's refusals: what the step takes, and what its associations may name.
ERRORS = {
    "retry-policies": lambda: LineageStep(name="L", artifacts=_artifact(), retry_policies=[RETRY]),
    "cache-config": lambda: LineageStep(name="L", artifacts=_artifact(), cache_config=CACHE),
    "nothing": lambda: LineageStep(name="L"),
    "unknown-sibling": lambda: LineageStep(
        name="L",
        artifacts=Artifact.create(
            artifact_name="model",
            source_uri=MODEL_URI,
            artifact_type="Model",
            sagemaker_session=session,
        ),
        associations=[
            LineageAssociation(
                source=LineageEntityReference(name="model", type="Artifact"),
                destination=LineageEntityReference(name="modle", type="Context"),
            )
        ],
    ),
    "reference-name-and-arn": lambda: LineageEntityReference(
        name="model", type="Artifact", arn=DATASET_ARN
    ),
    "reference-unknown-type": lambda: LineageEntityReference(name="model", type="Dataset"),
    "artifact-of-an-action": lambda: LineageStep(
        name="L",
        artifacts=Action.create(
            action_name="run",
            source_uri=MODEL_URI,
            action_type="ModelTraining",
            sagemaker_session=session,
        ),
    ),
}

pipeline = Pipeline(
    name="lineage-steps", parameters=[RUN_NAME], steps=STEPS, sagemaker_session=session
)
result = {
    "sdk": f"sagemaker {sagemaker.__version__}",
    "definition": json.loads(pipeline.definition()),
    "quirks": {name: json.loads(json.dumps(step.to_request())) for name, step in QUIRKS.items()},
    "errors": {case: _error(make) for case, make in ERRORS.items()},
}
if BLOCKED:
    sys.exit(f"the SDK tried to reach AWS: {BLOCKED}")
json.dump(result, sys.stdout, indent=1, sort_keys=True)
print()
