"""LineageStep writes what the SageMaker SDK v2 writes for its own.

``sdk_lineage/sdk-lineage.json`` holds sagemaker 2.257.7's definition of a pipeline of its
``LineageStep`` (see its README and ``generate_sdk_lineage.py``), whose actions, artifacts
and contexts come from ``Action.create``, ``Artifact.create`` and ``Context.create`` under a
``PipelineSession``. The language builds each step the same way and must write the same
entry, validate the SDK's definition as the service would, derive its grants and convert it
back to Python.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import (
    ExecutionVariables,
    Join,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    LineageEntityReference,
    LineageStep,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    StaticBinder,
    Step,
    StepExceptionType,
    StepRetryPolicy,
    UnknownArgumentError,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition.permissions import plan_permissions

DATA = json.loads((Path(__file__).parent / "sdk_lineage" / "sdk-lineage.json").read_text())
SDK_STEPS = {entry["Name"]: entry for entry in DATA["definition"]["Steps"]}
ROLE = "arn:aws:iam::111122223333:role/SageMakerRole"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
MODEL_URI = "s3://my-bucket/model/model.tar.gz"
DATASET_ARN = "arn:aws:sagemaker:us-east-1:111122223333:artifact/0123456789abcdef0123456789abcdef"
RUN_NAME = ParameterString(name="RunName", default_value="churn-run")
TAGS = {"team": "churn"}
BINDER = StaticBinder(region="us-east-1", role_arn=ROLE)

MODEL = ModelStep(name="CreateModel-CreateModel", image=IMAGE, model_data=MODEL_URI, role=ROLE)
EVERY_OPTION = LineageStep(
    name="LineageEveryOption",
    display_name="Record lineage",
    description="The run, its model and the project",
    depends_on=[MODEL],
    actions=[
        LineageAction(
            action_name="training-run",
            source_uri="s3://my-bucket/runs/churn",
            source_type="S3ETag",
            action_type="ModelTraining",
            description="Trains the churn model",
            status="Completed",
            properties={"framework": "sklearn", "version": "1.2"},
            tags=TAGS,
        ),
        LineageAction(
            action_name="approval",
            source_uri="s3://my-bucket/approvals/churn",
            action_type="ModelApproval",
        ),
    ],
    artifacts=[
        LineageArtifact(
            artifact_name="trained-model",
            source_uri=MODEL_URI,
            source_types={"S3ETag": "0123abcd", "Custom": "v1"},
            artifact_type="Model",
            properties={"accuracy": "0.91"},
            tags=TAGS,
        )
    ],
    contexts=[
        LineageContext(
            context_name="churn-project",
            source_uri="s3://my-bucket/projects/churn",
            source_type="Project",
            context_type="Project",
            description="The churn project",
            properties={"owner": "ml-team"},
            tags=TAGS,
        )
    ],
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
PARAMETERS = LineageStep(
    name="LineageParameters",
    actions=[
        LineageAction(
            action_name=RUN_NAME,
            source_uri=Join(
                on="/", values=["s3://my-bucket/runs", ExecutionVariables.PIPELINE_EXECUTION_ID]
            ),
            action_type="ModelDeployment",
        )
    ],
    artifacts=[
        LineageArtifact(
            artifact_name="deployed-model",
            source_uri=MODEL.properties.PrimaryContainer.ModelDataUrl,
            artifact_type="Model",
        )
    ],
    associations=[
        LineageAssociation(
            source=LineageEntityReference(name="deployed-model", type="Artifact"),
            destination=LineageEntityReference(name=RUN_NAME, type="Action"),
            association_type="ContributedTo",
        )
    ],
)

# SDK step name -> the language's step.
CASES: dict[str, Callable[[], Step]] = {
    "CreateModel-CreateModel": lambda: MODEL,
    "LineageMinimal": lambda: LineageStep(
        name="LineageMinimal",
        artifacts=[LineageArtifact(source_uri=MODEL_URI, artifact_type="Model")],
    ),
    "LineageEveryOption": lambda: EVERY_OPTION,
    "LineageParameters": lambda: PARAMETERS,
    "LineageAssociationsOnly": lambda: LineageStep(
        name="LineageAssociationsOnly",
        associations=[
            LineageAssociation(
                source=LineageEntityReference(
                    arn=EVERY_OPTION.properties.ArtifactArns["trained-model"]
                ),
                destination=LineageEntityReference(
                    arn=PARAMETERS.properties.ArtifactArns["deployed-model"]
                ),
                association_type="DerivedFrom",
            ),
            LineageAssociation(
                source=LineageEntityReference(arn=EVERY_OPTION.properties.ActionArns["approval"]),
                destination=LineageEntityReference(
                    arn=EVERY_OPTION.properties.ContextArns["churn-project"]
                ),
                association_type="AssociatedWith",
            ),
        ],
    ),
}


def test_the_sdk_file_covers_every_case() -> None:
    assert DATA["sdk"] == "sagemaker 2.257.7"
    assert set(SDK_STEPS) == set(CASES)
    assert {entry["Type"] for entry in SDK_STEPS.values()} == {"Model", "Lineage"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_step_renders_as_the_sdk_writes_it(name: str) -> None:
    definition = PipelineDefinition(steps=[CASES[name]()], parameters=[RUN_NAME])
    compiled = {entry["Name"]: entry for entry in definition.to_definition(BINDER)["Steps"]}
    assert compiled[name] == SDK_STEPS[name]


def test_the_whole_pipeline_compiles_to_the_sdks_definition() -> None:
    steps = [build() for build in CASES.values()]
    ours = PipelineDefinition(steps=steps, parameters=[RUN_NAME]).to_definition(BINDER)
    theirs = DATA["definition"]
    assert ours["Parameters"] == theirs["Parameters"]
    assert {e["Name"]: e for e in ours["Steps"]} == {e["Name"]: e for e in theirs["Steps"]}


def test_requests_keep_the_sdks_member_order() -> None:
    # The SDK writes each request in the order of its create()'s keywords; so does the
    # language, so a definition reads the same in a diff of the two.
    (action, _) = EVERY_OPTION.to_request()["Arguments"]["Actions"]
    assert list(action) == [
        "ActionName",
        "Source",
        "ActionType",
        "Description",
        "Status",
        "Properties",
        "Tags",
    ]
    assert list(EVERY_OPTION.to_request()["Arguments"]) == [
        "Actions",
        "Artifacts",
        "Contexts",
        "Associations",
    ]


def test_the_sdks_definition_is_valid_and_converts_back_to_lineage_steps() -> None:
    definition = DATA["definition"]
    assert validate_definition(definition) == []
    source = convert_definition(definition)  # proves itself: it compiles to the input
    for name in ("LineageStep(", "LineageAction(", "LineageArtifact(", "LineageContext("):
        assert name in source
    assert 'LineageEntityReference(name="training-run", type="Action")' in source
    namespace: dict[str, Any] = {}
    exec(compile(source, "<converted>", "exec"), namespace)
    steps = {step.name: step for step in namespace["definition"].steps}
    every = steps["LineageEveryOption"]
    assert isinstance(every, LineageStep)
    assert every.artifacts[0].source_types == {"S3ETag": "0123abcd", "Custom": "v1"}
    assert every.actions[0].tags == TAGS


def test_tags_the_sdk_writes_as_a_dict_are_refused_naming_step_and_field() -> None:
    # Action.create(tags={...}) as its docstring types them: the SDK writes the dict as it is,
    # which CreateAction's request refuses; the language writes tags= as {Key, Value} items.
    step = DATA["quirks"]["LineageDictTags"]
    problems = validate_definition({"Version": "2020-12-01", "Steps": [step]})
    assert [(p.step, p.field, p.message) for p in problems] == [
        (
            "LineageDictTags",
            "Arguments.Actions[0].Tags",
            "expected a list, got {'team': 'churn'} (dict)",
        )
    ]
    ours = LineageStep(
        name="LineageDictTags",
        actions=[
            LineageAction(
                action_name="run",
                source_uri="s3://my-bucket/runs/churn",
                action_type="ModelTraining",
                tags=TAGS,
            )
        ],
    ).to_request()
    assert ours["Arguments"]["Actions"][0]["Tags"] == [{"Key": "team", "Value": "churn"}]


def test_the_sdks_definition_gets_its_grants_derived() -> None:
    plan = plan_permissions(DATA["definition"])
    assert plan.unplanned_steps == []
    assert plan.lineage_grants["sagemaker:CreateAction"] == [
        ("action", "training-run"),
        ("action", "approval"),
        ("action", "*"),  # the parameter's value: any action, warned
    ]
    # An artifact's ARN names a hash of its source: any artifact.
    assert plan.lineage_grants["sagemaker:CreateArtifact"] == [("artifact", "*")]
    assert plan.lineage_grants["sagemaker:CreateContext"] == [("context", "churn-project")]
    assert plan.lineage_grants["sagemaker:AddAssociation"] == [
        ("action", "training-run"),
        ("artifact", "*"),
        ("", DATASET_ARN),
        ("context", "churn-project"),
        ("action", "*"),
        ("action", "approval"),  # read from LineageEveryOption's ActionArns['approval']
    ]
    assert plan.lineage_tagged == [
        ("action", "training-run"),
        ("artifact", "*"),
        ("context", "churn-project"),
    ]
    assert plan.open_lineage_names == [
        ("LineageParameters", "Arguments.Actions[0].ActionName"),
        ("LineageParameters", "Arguments.Associations[0].Destination.Name"),
    ]


RETRY = StepRetryPolicy(exception_types=[StepExceptionType.SERVICE_FAULT], max_attempts=3)
ARTIFACT = LineageArtifact(source_uri=MODEL_URI, artifact_type="Model")


@pytest.mark.parametrize(
    ("case", "build"),
    [
        (
            "retry-policies",
            lambda: LineageStep(  # type: ignore[call-arg]
                name="L", artifacts=[ARTIFACT], retry_policies=[RETRY]
            ),
        ),
        (
            "cache-config",
            lambda: LineageStep(  # type: ignore[call-arg]
                name="L", artifacts=[ARTIFACT], cache_config=None
            ),
        ),
    ],
)
def test_fails_what_the_sdk_refuses_naming_the_step_and_argument(
    case: str, build: Callable[[], Step]
) -> None:
    # The SDK's own refusal is a TypeError of the same keyword.
    sdk_error = DATA["errors"][case]
    keyword = sdk_error.rsplit("'", 2)[-2]
    with pytest.raises(
        UnknownArgumentError, match=rf"LineageStep 'L' takes no argument '{keyword}'"
    ):
        build()


@pytest.mark.parametrize(
    ("case", "build", "message"),
    [
        (
            "nothing",
            lambda: LineageStep(name="L"),
            "LineageStep 'L': give at least one of actions=, artifacts=, contexts= or "
            "associations=: a Lineage step of none records nothing",
        ),
        (
            "unknown-sibling",
            lambda: LineageStep(
                name="L",
                artifacts=[
                    LineageArtifact(
                        artifact_name="model", source_uri=MODEL_URI, artifact_type="Model"
                    )
                ],
                associations=[
                    LineageAssociation(
                        source=LineageEntityReference(name="model", type="Artifact"),
                        destination=LineageEntityReference(name="modle", type="Context"),
                    )
                ],
            ),
            "LineageStep 'L': field 'associations[0].destination': names Context 'modle', "
            "which this step does not create (this step creates no contexts; an entity created "
            "elsewhere is named by its ARN: another Lineage step's ContextArns['<name>'])",
        ),
        (
            "reference-name-and-arn",
            lambda: LineageEntityReference(name="model", type="Artifact", arn=DATASET_ARN),
            "LineageEntityReference: give arn= (any entity), or name= and type= (an entity "
            "of the same step), not both",
        ),
        (
            "reference-unknown-type",
            lambda: LineageEntityReference(name="model", type="Dataset"),
            "LineageEntityReference: field 'type': 'Dataset' is no type of entity a Lineage "
            "step creates (expected 'Action', 'Artifact', 'Context')",
        ),
    ],
)
def test_fails_what_the_sdk_refuses_when_built(
    case: str, build: Callable[[], object], message: str
) -> None:
    assert DATA["errors"][case].startswith("ValueError: ")  # the SDK refuses it too
    with pytest.raises(PipelineDefinitionError) as raised:
        build()
    assert str(raised.value) == message
