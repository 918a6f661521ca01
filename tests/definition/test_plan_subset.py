"""``plan_permissions(..., steps=...)``: the plan of some steps, read off the whole definition."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_sagemaker_pipelines.definition import (
    Code,
    ConditionEquals,
    ConditionStep,
    DataCaptureConfig,
    EndpointConfigStep,
    EndpointStep,
    FailStep,
    Image,
    InferenceComponentStep,
    Join,
    LambdaStep,
    ModelStep,
    ParameterString,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    ProductionVariant,
    RegisterModel,
    StaticBinder,
    TrainingStep,
    TransformStep,
)
from cdk_sagemaker_pipelines.definition.permissions import (
    ModelRoles,
    PermissionPlan,
    S3Access,
    _may_overlap,
    _Planner,
    model_roles,
    plan_permissions,
    plan_role_permissions,
)
from tests.conftest import ROLE

SERVING_IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/churn-serve:1"
PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"


def _compiled() -> dict[str, Any]:
    """Prep (raw input, one output) → Train (reads Prep's output), into my-bucket."""
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        inputs={"raw": "s3://raw-data/incoming/"},
        outputs=["train"],
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    return PipelineDefinition(steps=[train]).to_definition(binder)


def test_a_subset_plan_has_only_its_steps_reads_and_writes() -> None:
    definition = _compiled()
    prep_output = S3Access("my-bucket", "churn/Prep/*/train")

    prep = plan_permissions(definition, pipeline_name="churn", steps=frozenset({"Prep"}))
    train = plan_permissions(definition, pipeline_name="churn", steps=frozenset({"Train"}))

    assert prep.reads == [
        S3Access("raw-data", "incoming/"),
        S3Access("code-bucket", "prep.py"),
    ]
    assert prep.writes == [prep_output]
    # Train's reference to Prep's output resolves to that very location (not unattributed),
    # though Prep itself isn't planned.
    assert prep_output in train.reads
    assert S3Access("raw-data", "incoming/") not in train.reads
    assert prep_output not in train.writes
    assert train.unattributed == []
    assert (prep.step_types, train.step_types) == ({"Processing"}, {"Training"})


def test_the_subsets_of_every_step_add_up_to_the_whole_plan() -> None:
    definition = _compiled()
    whole = plan_permissions(definition, pipeline_name="churn")
    subsets = plan_permissions(definition, pipeline_name="churn", steps=["Prep", "Train"])
    assert subsets == whole
    assert plan_permissions(definition, pipeline_name="churn", steps=None) == whole


def test_fails_a_step_the_definition_lacks() -> None:
    with pytest.raises(ValueError, match=r"no step named 'Prepp' in the definition"):
        plan_permissions(_compiled(), steps=frozenset({"Prepp"}))


def test_a_subset_plan_gets_the_output_keys_of_the_other_steps_it_reads() -> None:
    # Prep's output (its key) → Train; Report writes elsewhere with a key of its own. (Under
    # the same pipeline prefix it would count: IAM's * in "churn/*/Report" takes any text.)
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        outputs=["train"],
        volume_kms_key="prep-volume",
        output_kms_key="prep-out",
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        output_kms_key="train-out",
    )
    report = ProcessingStep(
        name="Report",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/report.py"),
        outputs=[
            ProcessingOutput(
                output_name="report",
                source="/opt/ml/processing/report",
                destination="s3://report-bucket/churn/",
            )
        ],
        output_kms_key="report-out",
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[train, report]).to_definition(binder)

    def keys(*steps: str) -> list[Any]:
        return plan_permissions(definition, pipeline_name="churn", steps=steps).kms_keys

    # Prep's volume key is no key of its output: not Train's.
    assert keys("Train") == ["train-out", "prep-out"]
    assert keys("Prep") == ["prep-volume", "prep-out"]
    assert keys("Report") == ["report-out"]


def test_the_plans_of_every_step_alone_get_the_keys_of_what_each_reads() -> None:
    # dedicated_step_roles="*": each job step planned alone. Prep → Train → Evaluate, each
    # output with a key of its own; Evaluate reads Prep's output and Train's model.
    prep = ProcessingStep(
        name="Prep",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/prep.py"),
        outputs=["train", "test"],
        output_kms_key="prep-out",
    )
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        inputs={"train": prep.output("train")},
        output_kms_key="train-out",
    )
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/evaluate.py"),
        inputs={
            "model": train.properties.ModelArtifacts.S3ModelArtifacts,
            "test": prep.output("test"),
        },
        outputs=["report"],
        output_kms_key="evaluate-out",
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[evaluate]).to_definition(binder)

    def plan(step: str) -> PermissionPlan:
        return plan_permissions(definition, pipeline_name="churn", steps=[step])

    # Prep reads no step's output: its own key alone.
    assert plan("Prep").kms_keys == ["prep-out"]
    # A step gets the keys of the steps whose outputs it reads, and no other: each step's
    # outputs lie under its own churn/<step>/ (step first), where no other step's role may
    # write. With the execution id first (churn/*/Evaluate/report*, IAM's * taking '/'),
    # Evaluate's role could write under churn/<id>/Prep/train/, and Train got its key too.
    assert plan("Train").kms_keys == ["train-out", "prep-out"]
    assert plan("Evaluate").kms_keys == ["evaluate-out", "prep-out", "train-out"]
    # Each writes its own outputs, nothing of the others.
    assert plan("Train").writes == [S3Access("my-bucket", "churn/Train/*/model")]
    assert S3Access("my-bucket", "churn/Prep/*/train") in plan("Train").reads
    assert S3Access("my-bucket", "churn/Prep/*/test") not in plan("Train").reads
    # No step left to the step role: an empty plan, no key.
    assert plan_permissions(definition, pipeline_name="churn", steps=()) == PermissionPlan()


def test_the_plans_of_several_roles_are_each_roles_plan_made_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    definition = _compiled_scoring()
    # As the CDK Pipeline plans them: a role of each step's own, and the step role's (None).
    roles: dict[str | None, frozenset[str]] = {
        step["Name"]: frozenset({step["Name"]}) for step in definition["Steps"]
    }
    roles[None] = frozenset({"Train", "Model"})
    alone = {
        role: plan_permissions(definition, pipeline_name="churn", steps=steps)
        for role, steps in roles.items()
    }
    planned: list[str] = []
    plan_step = _Planner._plan_step

    def counted(self: _Planner, step: Any) -> None:
        planned.append(str(step["Name"]))
        plan_step(self, step)

    monkeypatch.setattr(_Planner, "_plan_step", counted)
    assert plan_role_permissions(definition, roles, pipeline_name="churn") == alone
    # Each role's steps once, and each step a role leaves out at most once for all roles:
    # a plan per role of hundreds of steps would otherwise plan every other step again.
    assert len(planned) <= sum(map(len, roles.values())) + len(definition["Steps"])
    with pytest.raises(ValueError, match="no step named 'Nope' in the definition"):
        plan_role_permissions(definition, {"x": ["Nope"]})


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        (S3Access("b", "churn/Prep/*/train"), S3Access("b", "churn/Prep/*/train"), True),
        (S3Access("b", "churn/Train/*/model"), S3Access("b", "churn/"), True),
        (S3Access("b", "*/output/model.tar.gz"), S3Access("b", ""), True),
        # IAM's * takes any text, / too: an object may match both
        # (churn/<id>/Prep/train/x/Eval/report), as in the execution-id-first layout.
        (S3Access("b", "churn/*/Prep/train"), S3Access("b", "churn/*/Eval/report"), True),
        # Step first, as default outputs are bound: each under its own step's prefix.
        (S3Access("b", "churn/Prep/*/train"), S3Access("b", "churn/Eval/*/report"), False),
        (S3Access("b", "churn/Prep/*/train"), S3Access("b", "churn/Prep2/*/train"), False),
        (S3Access("b", "executions/churn/*/Prep"), S3Access("b", "models/churn/*/Train"), False),
        (S3Access("b", "in/"), S3Access("b", "out/"), False),
        (S3Access("b", "in/"), S3Access("c", "in/"), False),
        (S3Access("b", "a*c"), S3Access("b", "ab*d"), True),
    ],
)
def test_locations_overlap_where_an_object_may_be_in_both(
    first: S3Access, second: S3Access, overlap: bool
) -> None:
    assert _may_overlap(first, second) is overlap
    assert _may_overlap(second, first) is overlap


# -- A model's role: the Model step, the Transform jobs and endpoints of its model ---------

LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:deploy"


def _model(name: str, model_data: Any) -> ModelStep:
    return ModelStep(
        name=name, image=Image.sklearn("1.2-1", scope="inference"), model_data=model_data
    )


def _compiled_scoring() -> dict[str, Any]:
    """Train → Model → Score (a Transform of it) and Config → Deploy (an endpoint of it)."""
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        output_kms_key="train-out",
    )
    model = _model("Model", train.properties.ModelArtifacts.S3ModelArtifacts)
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        output_path="s3://batch-bucket/out/",
        output_kms_key="score-out",
    )
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        data_capture_config=DataCaptureConfig(
            destination="s3://capture-bucket/churn", kms_key_id="capture-key"
        ),
    )
    deploy = EndpointStep(
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name=config.properties.EndpointConfigName,
        deployment_config={
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 300}
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-errors"}]},
        },
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    return PipelineDefinition(steps=[score, deploy]).to_definition(binder)


def test_a_models_role_runs_its_transform_jobs_and_endpoints() -> None:
    definition = _compiled_scoring()
    roles = model_roles(definition)
    assert roles == ModelRoles(
        runners={"Score": ("Model",), "Config": ("Model",), "Deploy": ("Model",)}
    )
    # In the definition's order.
    assert roles.steps_of("Model") == ("Model", "Config", "Deploy", "Score")
    # Any other step runs as no model's role: its plan is its own.
    assert roles.steps_of("Train") == ("Train",)
    assert roles.runs_only_as("Score", {"Model"})
    assert not roles.runs_only_as("Score", ())
    assert not roles.runs_only_as("Train", {"Model"})


def test_the_plan_of_a_models_role_is_what_runs_as_it() -> None:
    definition = _compiled_scoring()
    steps = model_roles(definition).steps_of("Model")
    plan = plan_permissions(definition, pipeline_name="churn", steps=steps)
    # The model reads Train's model (and its key); the Transform job reads and writes the
    # batch data with its key; the endpoint writes captured data and watches an alarm.
    assert plan.reads == [
        S3Access("my-bucket", "churn/Train/*/model"),
        S3Access("batch-bucket", "in/"),
    ]
    assert plan.writes == [
        S3Access("capture-bucket", "churn"),
        S3Access("batch-bucket", "out/"),
    ]
    assert sorted(plan.kms_keys) == ["capture-key", "score-out", "train-out"]
    assert plan.rollback_alarms == ["churn-errors"]
    # The other steps' plan (a step role left with Train) has none of it.
    rest = plan_permissions(definition, pipeline_name="churn", steps=["Train"])
    assert rest.writes == [S3Access("my-bucket", "churn/Train/*/model")]
    assert rest.rollback_alarms == []
    assert not {"score-out", "capture-key"} & set(rest.kms_keys)


def test_steps_of_a_role_no_model_step_gives_run_as_no_pipeline_model() -> None:
    # An endpoint configuration serving a model of the pipeline and another runs as both
    # roles; a Transform of another model, and an endpoint of inference components (its
    # configuration's own role), as none of the pipeline's models.
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    both = EndpointConfigStep(
        name="Both",
        endpoint_config_name="both",
        production_variants=[
            ProductionVariant(variant_name=variant, model_name=name, instance_type="ml.m5.large")
            for variant, name in (("Ours", model.properties.ModelName), ("Theirs", "existing"))
        ],
    )
    components = EndpointConfigStep(
        name="Components",
        endpoint_config_name="components",
        production_variants=[ProductionVariant(instance_type="ml.m5.large")],
    )
    hosting = EndpointStep(
        name="Hosting",
        endpoint_name="components",
        endpoint_config_name=components.properties.EndpointConfigName,
    )
    outside = TransformStep(
        name="Outside", model_name="existing", input_data="s3://batch-bucket/outside/"
    )
    elsewhere = EndpointStep(
        name="Elsewhere", endpoint_name="elsewhere", endpoint_config_name="existing-config"
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[both, hosting, outside, elsewhere]).to_definition(binder)
    roles = model_roles(definition)
    assert roles.runners == {
        "Both": ("Model", None),
        "Components": (None,),
        "Hosting": (None,),
        "Outside": (None,),
        "Elsewhere": (None,),
    }
    assert roles.steps_of("Model") == ("Model", "Both")
    assert not roles.runs_only_as("Both", {"Model"})
    assert roles.unattributed == {}


def test_a_model_named_where_its_role_cant_be_told_is_unattributed() -> None:
    # A Lambda step given the model's name, an inference component of it, a Transform of an
    # expression of it: what runs as its role there is unknown. A condition on it and a
    # failure message naming it run nothing with it.
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    handoff = LambdaStep(
        name="Handoff", function_arn=LAMBDA_ARN, inputs={"Model": model.properties.ModelArn}
    )
    component = InferenceComponentStep(
        name="Component",
        inference_component_name="churn",
        endpoint_name="components",
        model_name=model.properties.ModelName,
    )
    joined = TransformStep(
        name="Joined",
        model_name=Join(on="", values=[model.properties.ModelName]),
        input_data="s3://batch-bucket/in/",
    )
    fail = FailStep(name="Fail", error_message=Join(on=" ", values=[model.properties.ModelName]))
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=model.properties.ModelName, right="x")],
        else_steps=[fail],
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[handoff, component, joined, check]).to_definition(binder)
    roles = model_roles(definition)
    assert roles.unattributed == {
        "Model": (
            ("Component", "Arguments.Specification.ModelName"),
            ("Handoff", "Arguments.Model"),
            ("Joined", "Arguments.ModelName.Std:Join.Values[0]"),
        )
    }
    # The Transform of an expression is a model no Model step creates, to the planner.
    assert roles.runners == {"Joined": (None,)}


def test_a_model_of_a_version_the_pipeline_registers_reads_and_pulls_what_it_holds() -> None:
    # Was: a Model step of the version a RegisterModel step of the pipeline registers
    # (model_package_name=register.properties.ModelPackageArn) was planned no read of the
    # version's model data and code, nor pull of its image: the step role got them through
    # the registration only, so the model's own role ("*" gives one since Model steps take
    # dedicated roles) was denied them when the model and its Transform jobs ran.
    train = TrainingStep(
        name="Train",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/train.py"),
        output_kms_key="train-out",
    )
    register = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.from_uri(SERVING_IMAGE),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        code=Code.from_s3("s3://code-bucket/serve.py"),
    )
    model = ModelStep(name="Model", model_package_name=register.properties.ModelPackageArn)
    score = TransformStep(
        name="Score", model_name=model.properties.ModelName, input_data="s3://batch-bucket/in/"
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[score]).to_definition(binder)

    plan = plan_permissions(
        definition, pipeline_name="churn", steps=model_roles(definition).steps_of("Model")
    )

    assert plan.reads[:2] == [
        S3Access("my-bucket", "churn/Train/*/model"),
        S3Access("code-bucket", "serve.py"),
    ]
    assert plan.images == [SERVING_IMAGE]
    assert plan.kms_keys == ["train-out"]  # the version's model data, Train's output
    assert plan.unattributed == []
    # The pipeline role still creates the model of it; the version's containers are known.
    field = "Arguments.PrimaryContainer.ModelPackageName"
    assert plan.model_packages == [
        ("Model", field, {"Get": "Steps.Register.ModelPackageArn"}),
    ]
    assert plan.pipeline_model_packages == [("Model", field, "Register")]
    # Model data known only at run time is reported as the model's too (its role reads it).
    uploaded = ParameterString(name="ModelData")
    given = RegisterModel(
        name="Register",
        model_package_group_name="churn",
        image=Image.from_uri(SERVING_IMAGE),
        model_data=uploaded,
    )
    of_given = ModelStep(name="Model", model_package_name=given.properties.ModelPackageArn)
    reported = PipelineDefinition(parameters=[uploaded], steps=[of_given]).to_definition(binder)
    assert {(item.step, item.field) for item in plan_permissions(reported).unattributed} == {
        ("Register", "Arguments.InferenceSpecification.Containers[0].ModelDataUrl"),
        ("Model", field),
    }
    # A version the pipeline doesn't register (a parameter, a Lambda step's output) is not.
    pinned = PipelineDefinition(
        steps=[ModelStep(name="Pinned", model_package_name=PACKAGE_ARN)]
    ).to_definition(binder)
    assert plan_permissions(pinned).pipeline_model_packages == []
    assert plan_permissions(pinned).reads == []


def test_a_step_running_as_the_models_role_may_name_it_in_its_own_request() -> None:
    # Was: a Transform job given its own model's name (an environment variable, say) made
    # the model "named where what runs as its role can't be derived": listing the Model step
    # failed synth, and "*" left it to the step role. The job runs as that role already.
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    score = TransformStep(
        name="Score",
        model_name=model.properties.ModelName,
        input_data="s3://batch-bucket/in/",
        environment={"MODEL_NAME": model.properties.ModelName},
    )
    other = _model("Other", "s3://models-bucket/other.tar.gz")
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        tags={"other-model": other.properties.ModelName},
    )
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(steps=[score, config]).to_definition(binder)
    roles = model_roles(definition)
    assert roles.runners == {"Score": ("Model",), "Config": ("Model",)}
    # Another model named there is still one whose runner isn't known.
    assert roles.unattributed == {"Other": (("Config", "Arguments.Tags[0].Value"),)}


def test_an_asynchronous_endpoint_notifies_and_writes_with_its_models_role() -> None:
    # Was: the topics an asynchronous endpoint notifies of its results were planned for no
    # role (the endpoint's execution role, the model's, publishes to them: "your IAM role
    # must have sns:Publish permissions", SageMaker's asynchronous inference guide), and the
    # key of its results was no output key, so a step reading them got no kms:Decrypt.
    model = _model("Model", "s3://models-bucket/model.tar.gz")
    done = "arn:aws:sns:us-east-1:111122223333:scored"
    config = EndpointConfigStep(
        name="Config",
        endpoint_config_name="churn",
        model_name=model.properties.ModelName,
        instance_type="ml.m5.large",
        async_inference_config={
            "OutputConfig": {
                "S3OutputPath": "s3://async-bucket/results/",
                "KmsKeyId": "async-key",
                "NotificationConfig": {
                    "SuccessTopic": done,
                    "ErrorTopic": {"Get": "Parameters.ErrorTopic"},
                },
            }
        },
    )
    collect = ProcessingStep(
        name="Collect",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/collect.py"),
        inputs={"results": "s3://async-bucket/results/"},
        depends_on=[config],
    )
    errors = ParameterString(name="ErrorTopic")
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    definition = PipelineDefinition(parameters=[errors], steps=[collect]).to_definition(binder)
    roles = model_roles(definition)
    plans = plan_role_permissions(
        definition, {"Model": roles.steps_of("Model"), "Collect": ["Collect"]}
    )
    # A topic known only at run time can't be named: left out.
    assert plans["Model"].notification_topics == [done]
    assert plans["Collect"].notification_topics == []
    assert "async-key" in plans["Collect"].kms_keys
