"""Job tags: ``JobDefaults.tags`` / ``StaticBinder(job_tags=)`` on every job a step starts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    ClarifyCheckStep,
    Code,
    ComputeResourceRequirements,
    ConditionEquals,
    ConditionStep,
    ContinuousParameter,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    Image,
    JobDefaults,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    PipelineDefinitionError,
    PipelineValidationError,
    ProcessingStep,
    QualityCheckStep,
    RegisterModel,
    StaticBinder,
    TrainingJobDefinition,
    TrainingStep,
    TransformStep,
    TuningStep,
    UnknownArgumentError,
)
from cdk_sagemaker_pipelines.definition.entries import walk_steps
from cdk_sagemaker_pipelines.definition.jobs import merge_tags, tag_problems, with_job_tags
from tests.conftest import ROLE
from tests.definition.deployments import components_deployment

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
TAGS = {"cost-centre": "CC-1234", "team": "ml"}
AS_LIST = [{"Key": "cost-centre", "Value": "CC-1234"}, {"Key": "team", "Value": "ml"}]


def every_job_step_type(own_tags: list[dict[str, str]] | None = None) -> PipelineDefinition:
    """A step of every type that starts a job, in condition branches too, and a model.

    ``own_tags``: Train's own ``Tags``. The CDK tests (tests/cdk/test_pipeline.py) use it too.
    """
    prep = ProcessingStep(name="Prep", image=IMAGE, entrypoint=["python3", "x.py"], outputs=["o"])
    train = TrainingStep(
        name="Train",
        image=IMAGE,
        inputs={"train": prep.output("o")},
        extra_arguments={"Tags": own_tags} if own_tags is not None else None,
    )
    model_data = train.properties.ModelArtifacts.S3ModelArtifacts
    tune = TuningStep(
        name="Tune",
        image=IMAGE,
        inputs={"train": prep.output("o")},
        objective_metric_name="val:acc",
        metric_definitions={"val:acc": "acc=(.*)"},
        hyperparameter_ranges={"eta": ContinuousParameter(0.1, 0.5)},
    )
    model = ModelStep(name="Model", image=IMAGE, model_data=model_data)
    score = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://b/i"
    )
    automl = AutoMLStep(name="Auto", inputs="s3://b/auto.csv", target_attribute_name="y")
    quality = QualityCheckStep(
        name="Quality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_statistics="s3://b/statistics.json",
        supplied_baseline_constraints="s3://b/constraints.json",
    )
    bias = ClarifyCheckStep(
        name="Bias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://b/train/", analysis_config="s3://b/analysis_config.json"
        ),
        supplied_baseline_constraints="s3://b/bias.json",
    )
    register = RegisterModel(
        name="Register", model_package_group_name="churn", image=IMAGE, model_data=model_data
    )
    mode = ParameterString("Mode", default_value="a")
    branch = ConditionStep(
        name="Branch",
        conditions=[ConditionEquals(left=mode, right="a")],
        if_steps=[ProcessingStep(name="Again", image=IMAGE, entrypoint=["python3", "y.py"])],
        else_steps=[ProcessingStep(name="Otherwise", image=IMAGE, entrypoint=["python3", "z.py"])],
    )
    return PipelineDefinition(
        parameters=[mode],
        steps=[prep, train, tune, model, score, automl, quality, bias, register, branch],
    )


def all_steps_by_name(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition's step entries by name, condition branches' included."""
    return {spec.name: spec.entry for spec in walk_steps(definition["Steps"])}


def _compiled(pipeline: PipelineDefinition, **binder: Any) -> dict[str, Any]:
    binder_ = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="b", **binder)
    return pipeline.to_definition(binder_)


def test_job_tags_go_on_every_job_and_model_but_not_on_model_versions() -> None:
    steps = all_steps_by_name(_compiled(every_job_step_type(), job_tags=TAGS))
    for name in ("Prep", "Train", "Tune", "Score", "Auto", "Quality", "Bias", "Again", "Otherwise"):
        assert steps[name]["Arguments"]["Tags"] == AS_LIST, name
    # A model is tagged as it is created (an SCP may require tags on sagemaker:CreateModel);
    # a version in a model group takes the group's tags.
    assert steps["Model"]["Arguments"]["Tags"] == AS_LIST
    assert "Tags" not in steps["Register"]["Arguments"]


def test_a_steps_own_tag_wins_and_comes_first() -> None:
    own = [{"Key": "team", "Value": "fraud"}, {"Key": "owner", "Value": "ana"}]
    steps = all_steps_by_name(_compiled(every_job_step_type(own), job_tags=TAGS))
    assert steps["Train"]["Arguments"]["Tags"] == [
        {"Key": "team", "Value": "fraud"},
        {"Key": "owner", "Value": "ana"},
        {"Key": "cost-centre", "Value": "CC-1234"},
    ]


def test_without_job_tags_the_definition_is_unchanged_byte_for_byte() -> None:
    plain = json.dumps(_compiled(every_job_step_type()), sort_keys=True)
    assert json.dumps(_compiled(every_job_step_type(), job_tags={}), sort_keys=True) == plain
    assert json.dumps(_compiled(every_job_step_type(), job_tags=None), sort_keys=True) == plain
    assert '"Tags"' not in plain


def test_fails_a_job_whose_tags_pass_fifty_naming_step_and_field() -> None:
    own = [{"Key": f"own{index}", "Value": "x"} for index in range(49)]
    with pytest.raises(PipelineValidationError) as raised:
        _compiled(every_job_step_type(own), job_tags=TAGS)
    [problem] = raised.value.problems
    assert (problem.step, problem.field) == ("Train", "Arguments.Tags")
    assert problem.message == "has 51 items, more than the maximum 50"


def test_job_defaults_take_valid_tags_and_tokens_unjudged() -> None:
    assert JobDefaults(tags={"Cost Centre": "R+D/ML:1 @x=y", "ünïcode": "日本"}).tags
    assert JobDefaults(tags={"team": "${Token[TOKEN.12]}", "${Token[TOKEN.13]}": "x"}).tags
    assert JobDefaults(tags={"empty": ""}).tags == {"empty": ""}


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"aws:team": "ml"}, "key 'aws:team': the aws: prefix is reserved for AWS"),
        ({"AWS:Team": "ml"}, "key 'AWS:Team': the aws: prefix is reserved for AWS"),
        ({"": "ml"}, "key '': expected 1-128 characters"),
        ({"k" * 129: "ml"}, f"key '{'k' * 129}': expected 1-128 characters"),
        ({"team": "m" * 257}, "value of 'team': 257 characters, longer than 256"),
        ({"team#": "ml"}, "key 'team#': '#' not allowed (letters, spaces, numbers and"),
        ({"team": "a<b>"}, "value of 'team': '<>' not allowed (letters, spaces, numbers and"),
        ({f"k{index}": "v" for index in range(51)}, "51 tags, more than the 50 a SageMaker job"),
    ],
)
def test_fails_tags_sagemaker_would_refuse(tags: dict[Any, Any], message: str) -> None:
    assert any(problem.startswith(message) for problem in tag_problems(tags)), tag_problems(tags)
    with pytest.raises(PipelineDefinitionError, match="JobDefaults: tags SageMaker would refuse"):
        JobDefaults(tags=tags)
    with pytest.raises(PipelineDefinitionError, match="StaticBinder: job_tags SageMaker would"):
        StaticBinder(job_tags=tags)


def test_takes_tags_at_sagemakers_limits() -> None:
    # 50 tags, a key of 128 and a value of 256 characters: the most a job takes, not more.
    at_limits = {f"k{index}": "v" for index in range(49)} | {"k" * 128: "v" * 256}
    assert len(at_limits) == 50
    assert tag_problems(at_limits) == []
    assert JobDefaults(tags=at_limits).tags == at_limits
    assert StaticBinder(job_tags=at_limits).job_tags == at_limits


def test_fails_a_tag_value_that_is_no_string() -> None:
    assert tag_problems({"team": 1}) == [
        "tag 'team': expected a string key and a string value, got str → int"
    ]
    with pytest.raises(PipelineDefinitionError, match=r"field 'tags\['team'\]' expects str"):
        JobDefaults(tags={"team": 1})  # type: ignore[dict-item]
    with pytest.raises(PipelineDefinitionError, match=r"job_tags .*: tag 'team': expected a str"):
        StaticBinder(job_tags={"team": 1})  # type: ignore[dict-item]


def test_fails_job_tags_that_are_no_mapping_naming_the_field() -> None:
    for tags in ([("team", "ml")], "team=ml"):
        with pytest.raises(PipelineDefinitionError, match="StaticBinder: field 'job_tags' expects"):
            StaticBinder(job_tags=tags)  # type: ignore[arg-type]


def test_merge_tags_keeps_an_expression_for_the_whole_list() -> None:
    expression = {"Get": "Parameters.Tags"}
    assert merge_tags(expression, TAGS) is expression
    assert merge_tags(None, TAGS) == AS_LIST
    assert merge_tags(None, {}) is None


def test_a_steps_tag_key_from_a_parameter_keeps_every_job_tag() -> None:
    # A key known only at run time can't be matched to a job tag's: both are sent.
    key = ParameterString("TagKey", default_value="owner")
    own = [{"Key": key, "Value": "ana"}]
    step = ProcessingStep(
        name="Prep", image=IMAGE, entrypoint=["python3", "x.py"], extra_arguments={"Tags": own}
    )
    pipeline = PipelineDefinition(parameters=[key], steps=[step])
    [entry] = _compiled(pipeline, job_tags=TAGS)["Steps"]
    assert entry["Arguments"]["Tags"] == [
        {"Key": {"Get": "Parameters.TagKey"}, "Value": "ana"},
        *AS_LIST,
    ]


def test_with_job_tags_leaves_unreadable_entries_for_validation() -> None:
    steps = [
        {"Name": "Odd", "Type": ["Training"], "Arguments": {}},
        {"Name": "Branch", "Type": {"Get": "x"}, "Arguments": {"IfSteps": []}},
        "not an entry",
    ]
    assert with_job_tags({"Steps": steps}, TAGS) == {"Steps": steps}


def test_with_job_tags_tags_a_definition_json_as_the_binder_does() -> None:
    plain = _compiled(every_job_step_type())
    original = json.dumps(plain, sort_keys=True)
    tagged = with_job_tags(plain, TAGS)
    assert json.dumps(plain, sort_keys=True) == original  # a copy: the input is untouched
    assert tagged == _compiled(every_job_step_type(), job_tags=TAGS)
    assert with_job_tags(plain, {}) == plain


def deployment_steps(own_tags: dict[str, str]) -> PipelineDefinition:
    """A configuration for components, its endpoint and a component, each with ``own_tags``."""
    model = ModelStep(name="Model", image=IMAGE, model_data="s3://b/model.tar.gz")
    component = components_deployment(
        model.properties.ModelName,
        config_tags=own_tags,
        compute_resource_requirements=ComputeResourceRequirements(min_memory_required_in_mb=1024),
        tags=own_tags,
    )
    return PipelineDefinition(steps=[component])


def test_job_tags_go_on_endpoints_their_configurations_and_components() -> None:
    # Was: only the endpoint got them, and an SCP requiring aws:RequestTag/… on every
    # sagemaker:Create* refused CreateEndpointConfig and CreateInferenceComponent. The
    # step's own tag wins on its key and comes first, compiled (add_job_tags) or tagged as
    # JSON (with_job_tags). The model gets them too.
    pipeline = deployment_steps({"team": "fraud", "owner": "ana"})
    tagged = _compiled(pipeline, job_tags=TAGS)
    assert with_job_tags(_compiled(pipeline), TAGS) == tagged
    steps = all_steps_by_name(tagged)
    assert steps["Deploy"]["Arguments"]["Tags"] == AS_LIST
    own_first = [
        {"Key": "team", "Value": "fraud"},
        {"Key": "owner", "Value": "ana"},
        {"Key": "cost-centre", "Value": "CC-1234"},
    ]
    assert steps["Config"]["Arguments"]["Tags"] == own_first
    assert steps["Component"]["Arguments"]["Tags"] == own_first
    assert steps["Model"]["Arguments"]["Tags"] == AS_LIST


def test_fails_a_configuration_or_component_whose_tags_pass_fifty_naming_step_and_field() -> None:
    # 49 of the step's own and the 2 job tags: CreateEndpointConfig's and
    # CreateInferenceComponent's TagList takes 50.
    own = {f"own{index}": "x" for index in range(49)}
    with pytest.raises(PipelineValidationError) as raised:
        _compiled(deployment_steps(own), job_tags=TAGS)
    assert sorted((p.step, p.field, p.message) for p in raised.value.problems) == [
        ("Component", "Arguments.Tags", "has 51 items, more than the maximum 50"),
        ("Config", "Arguments.Tags", "has 51 items, more than the maximum 50"),
    ]
    # 48 of their own: 50 in all, which they take.
    fifty = all_steps_by_name(
        _compiled(deployment_steps(dict(list(own.items())[:48])), job_tags=TAGS)
    )
    assert len(fifty["Config"]["Arguments"]["Tags"]) == 50


def test_job_tags_work_with_code_from_s3_and_framework_images() -> None:
    step = ProcessingStep(
        name="Prep", image=Image.sklearn("1.2-1"), code=Code.from_s3("s3://code/prep.py")
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, job_tags={"team": "ml"})
    [entry] = PipelineDefinition(steps=[step]).to_definition(binder)["Steps"]
    assert entry["Arguments"]["Tags"] == [{"Key": "team", "Value": "ml"}]


# The job and model steps' own tags=: the SageMaker SDK's tags of processors, estimators,
# tuners, transformers, models, AutoML jobs and check jobs (the SDK's rendering:
# tests/definition/test_sdk_job_tags.py).

TAGGED_STEP_TYPES: dict[str, Callable[..., Any]] = {
    "Processing": lambda **tags: ProcessingStep(
        name="Prep", image=IMAGE, entrypoint=["python3", "x.py"], **tags
    ),
    "Training": lambda **tags: TrainingStep(name="Train", image=IMAGE, **tags),
    "Tuning": lambda **tags: TuningStep(
        name="Tune",
        image=IMAGE,
        objective_metric_name="val:acc",
        metric_definitions={"val:acc": "acc=(.*)"},
        hyperparameter_ranges={"eta": ContinuousParameter(0.1, 0.5)},
        **tags,
    ),
    "TuningOfSeveral": lambda **tags: TuningStep(
        name="TuneSeveral",
        training_job_definitions=[
            TrainingJobDefinition(
                name="one",
                image=IMAGE,
                objective_metric_name="val:acc",
                metric_definitions={"val:acc": "acc=(.*)"},
                hyperparameter_ranges={"eta": ContinuousParameter(0.1, 0.5)},
            )
        ],
        **tags,
    ),
    "Model": lambda **tags: ModelStep(
        name="Model", image=IMAGE, model_data="s3://b/model.tar.gz", **tags
    ),
    "Transform": lambda **tags: TransformStep(
        name="Score", model_name="m", input_data="s3://b/i", **tags
    ),
    "AutoML": lambda **tags: AutoMLStep(
        name="Auto", inputs="s3://b/auto.csv", target_attribute_name="y", **tags
    ),
    "QualityCheck": lambda **tags: QualityCheckStep(
        name="Quality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://b/train/", dataset_format=DatasetFormat.csv()
        ),
        supplied_baseline_statistics="s3://b/statistics.json",
        supplied_baseline_constraints="s3://b/constraints.json",
        **tags,
    ),
    "ClarifyCheck": lambda **tags: ClarifyCheckStep(
        name="Bias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://b/train/", analysis_config="s3://b/analysis_config.json"
        ),
        supplied_baseline_constraints="s3://b/bias.json",
        **tags,
    ),
}
RUN = ParameterString("Run", default_value="nightly")


def _entry(step: Any, **binder: Any) -> dict[str, Any]:
    [entry] = _compiled(PipelineDefinition(parameters=[RUN], steps=[step]), **binder)["Steps"]
    return dict(entry)


@pytest.mark.parametrize("kind", list(TAGGED_STEP_TYPES))
def test_a_job_steps_tags_render_as_the_requests_tags(kind: str) -> None:
    build = TAGGED_STEP_TYPES[kind]
    entry = _entry(build(tags={"team": "fraud", "run": RUN}))
    assert entry["Arguments"]["Tags"] == [
        {"Key": "team", "Value": "fraud"},
        {"Key": "run", "Value": {"Get": "Parameters.Run"}},
    ]
    # Nothing else changes, and without tags there is no Tags member.
    untagged = _entry(build())
    assert "Tags" not in untagged["Arguments"]
    assert {k: v for k, v in entry["Arguments"].items() if k != "Tags"} == untagged["Arguments"]
    assert build(tags={"team": "fraud"}).argument_for("Arguments.Tags[0].Value") == "tags"


@pytest.mark.parametrize("kind", list(TAGGED_STEP_TYPES))
def test_a_job_steps_own_tags_win_over_job_tags_compiled_or_as_json(kind: str) -> None:
    step = TAGGED_STEP_TYPES[kind](tags={"team": "fraud", "run": RUN})
    expected = [
        {"Key": "team", "Value": "fraud"},
        {"Key": "run", "Value": {"Get": "Parameters.Run"}},
        {"Key": "cost-centre", "Value": "CC-1234"},
    ]
    assert _entry(step, job_tags=TAGS)["Arguments"]["Tags"] == expected
    # with_job_tags (a definition compiled elsewhere) merges the same way.
    pipeline = PipelineDefinition(parameters=[RUN], steps=[step])
    [entry] = with_job_tags(_compiled(pipeline), TAGS)["Steps"]
    assert entry["Arguments"]["Tags"] == expected


def test_extra_arguments_tags_replace_the_tags_keyword_as_a_whole() -> None:
    # The rule of any keyword extra_arguments overlaps: objects merge, lists are replaced.
    step = TrainingStep(
        name="Train",
        image=IMAGE,
        tags={"team": "fraud", "owner": "ana"},
        extra_arguments={"Tags": [{"Key": "team", "Value": "ml"}]},
    )
    assert _entry(step)["Arguments"]["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert _entry(step, job_tags=TAGS)["Arguments"]["Tags"] == [
        {"Key": "team", "Value": "ml"},
        {"Key": "cost-centre", "Value": "CC-1234"},
    ]
    assert step.argument_for("Arguments.Tags[0].Value") == "extra_arguments"


@pytest.mark.parametrize("kind", list(TAGGED_STEP_TYPES))
@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"aws:team": "ml"}, "key 'aws:team': the aws: prefix is reserved for AWS"),
        ({"team": "a<b>"}, "value of 'team': '<>' not allowed"),
        ({f"k{index}": "v" for index in range(51)}, "51 tags, more than the 50"),
        # A value from a parameter is judged at run time, but counts toward the 50.
        ({f"k{index}": RUN for index in range(51)}, "51 tags, more than the 50"),
        ({1: "ml"}, "field 'tags key 1' expects str, got int 1"),
    ],
)
def test_fails_a_job_steps_tags_sagemaker_would_refuse_naming_step_and_keyword(
    kind: str, tags: dict[Any, Any], message: str
) -> None:
    build = TAGGED_STEP_TYPES[kind]
    step = build()
    with pytest.raises(PipelineDefinitionError) as raised:
        build(tags=tags)
    text = str(raised.value)
    assert text.startswith(f"{type(step).__name__} '{step.name}': field 'tags"), text
    assert message in text


@pytest.mark.parametrize("kind", ["Processing", "Model", "QualityCheck"])
def test_fails_a_job_steps_tags_of_the_wrong_type_naming_the_field(kind: str) -> None:
    build = TAGGED_STEP_TYPES[kind]
    with pytest.raises(PipelineDefinitionError, match="field 'tags' expects a mapping"):
        build(tags=[{"Key": "team", "Value": "ml"}])
    # A value neither text nor a parameter: compiling names the member and the keyword.
    with pytest.raises(PipelineValidationError) as raised:
        _entry(build(tags={"team": 3}))
    [problem] = raised.value.problems
    assert (problem.field, problem.argument) == ("Arguments.Tags[0].Value", "tags")
    assert problem.message.startswith("expected a string, got 3 (int)")


def test_a_job_steps_tags_and_job_tags_count_together_toward_fifty() -> None:
    own = {f"own{index}": "x" for index in range(49)}
    with pytest.raises(PipelineValidationError) as raised:
        _entry(TrainingStep(name="Train", image=IMAGE, tags=own), job_tags=TAGS)
    [problem] = raised.value.problems
    assert (problem.step, problem.field, problem.argument) == ("Train", "Arguments.Tags", "tags")
    assert problem.message == "has 51 items, more than the maximum 50"


def test_a_model_version_still_takes_no_tags() -> None:
    # RegisterModel: a version in a group has the group's tags (CreateModelPackage refuses
    # them); the SDK's tags= points at the group.
    with pytest.raises(UnknownArgumentError, match="a model version in a group has the group"):
        RegisterModel(  # type: ignore[call-arg]
            name="Register",
            model_package_group_name="churn",
            image=IMAGE,
            model_data="s3://b/model.tar.gz",
            tags={"team": "ml"},
        )
    with pytest.raises(UnknownArgumentError, match=r"TuningStep\(tags=\{…\}\)"):
        TrainingJobDefinition(name="one", image=IMAGE, tags={"team": "ml"})  # type: ignore[call-arg]
