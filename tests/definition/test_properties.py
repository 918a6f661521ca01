"""Typed step properties: paths from botocore's Describe* shapes, checked at attribute access."""

from __future__ import annotations

import copy
import pickle

import pytest

from cdk_sagemaker_pipelines.definition import (
    CallbackStep,
    ConditionEquals,
    ConditionStep,
    EMRStep,
    FailStep,
    LambdaStep,
    ModelStep,
    OutputType,
    PipelineDefinitionError,
    ProcessingOutput,
    ProcessingStep,
    Properties,
    PropertyPathError,
    RegisterModel,
    Step,
    StepOutput,
    TrainingStep,
    TransformStep,
    TuningStep,
    validate_definition,
)
from cdk_sagemaker_pipelines.definition._render import RenderContext

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:f"
QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/q"

processing = ProcessingStep(
    name="Prep",
    image=IMAGE,
    outputs=[
        ProcessingOutput(output_name="train", source="/opt/ml/processing/train"),
        ProcessingOutput(output_name="test", source="/opt/ml/processing/test"),
    ],
)
training = TrainingStep(name="Train", image=IMAGE)
tuning = TuningStep(name="Tune", image=IMAGE, objective_metric_name="m", hyperparameter_ranges={})
model = ModelStep(name="Model", image=IMAGE)
register = RegisterModel(name="Register", image=IMAGE, model_package_group_name="g")
transform = TransformStep(name="Score", model_name="m", input_data="s3://b/in")
emr = EMRStep(name="Spark", cluster_id="j-1", jar="command-runner.jar")
condition = ConditionStep(name="Gate", conditions=[ConditionEquals(left=1, right=1)])
lambda_step = LambdaStep(
    name="Prep-Lambda",
    function_arn=FUNCTION,
    outputs=[
        StepOutput(output_name="uri"),
        StepOutput(output_name="rows", output_type=OutputType.INTEGER),
        StepOutput(output_name="score", output_type=OutputType.FLOAT),
        StepOutput(output_name="ok", output_type=OutputType.BOOLEAN),
    ],
)
callback = CallbackStep(
    name="Approve",
    sqs_queue_url=QUEUE,
    outputs=[StepOutput(output_name="approved", output_type=OutputType.BOOLEAN)],
)


@pytest.mark.parametrize(
    ("prop", "path", "value_type"),
    [
        (
            processing.properties.ProcessingOutputConfig.Outputs["train"].S3Output.S3Uri,
            "Steps.Prep.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
            "String",
        ),
        (
            processing.properties.ProcessingResources.ClusterConfig.InstanceCount,
            "Steps.Prep.ProcessingResources.ClusterConfig.InstanceCount",
            "Integer",
        ),
        (
            processing.properties.Environment["MODE"],
            "Steps.Prep.Environment['MODE']",
            "String",
        ),
        (
            training.properties.ModelArtifacts.S3ModelArtifacts,
            "Steps.Train.ModelArtifacts.S3ModelArtifacts",
            "String",
        ),
        (
            training.properties.FinalMetricDataList["val:acc"].Value,
            "Steps.Train.FinalMetricDataList['val:acc'].Value",
            "Float",
        ),
        (
            training.properties.FinalMetricDataList[0].Timestamp,
            "Steps.Train.FinalMetricDataList[0].Timestamp",
            "Timestamp",
        ),
        (
            training.properties.HyperParameters["epochs"],
            "Steps.Train.HyperParameters['epochs']",
            "String",
        ),
        (
            training.properties.EnableNetworkIsolation,
            "Steps.Train.EnableNetworkIsolation",
            "Boolean",
        ),
        (
            training.properties.BillableTimeInSeconds,
            "Steps.Train.BillableTimeInSeconds",
            "Integer",
        ),
        (
            tuning.properties.TrainingJobSummaries[0].TrainingJobName,
            "Steps.Tune.TrainingJobSummaries[0].TrainingJobName",
            "String",
        ),
        (
            tuning.properties.TrainingJobSummaries[2].TunedHyperParameters["lr"],
            "Steps.Tune.TrainingJobSummaries[2].TunedHyperParameters['lr']",
            "String",
        ),
        (
            tuning.properties.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value,
            "Steps.Tune.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value",
            "Float",
        ),
        (
            tuning.properties.HyperParameterTuningJobStatus,
            "Steps.Tune.HyperParameterTuningJobStatus",
            "String",
        ),
        (model.properties.ModelName, "Steps.Model.ModelName", "String"),
        (
            model.properties.PrimaryContainer.Image,
            "Steps.Model.PrimaryContainer.Image",
            "String",
        ),
        (register.properties.ModelPackageArn, "Steps.Register.ModelPackageArn", "String"),
        (
            register.properties.ModelApprovalStatus,
            "Steps.Register.ModelApprovalStatus",
            "String",
        ),
        (
            transform.properties.TransformOutput.S3OutputPath,
            "Steps.Score.TransformOutput.S3OutputPath",
            "String",
        ),
        (emr.properties.Status.State, "Steps.Spark.Status.State", "String"),
        (condition.properties.Outcome, "Steps.Gate.Outcome", "Boolean"),
        (
            lambda_step.properties.OutputParameters["uri"],
            "Steps.Prep-Lambda.OutputParameters['uri']",
            "String",
        ),
        (
            lambda_step.properties.OutputParameters["rows"],
            "Steps.Prep-Lambda.OutputParameters['rows']",
            "Integer",
        ),
        (
            lambda_step.properties.OutputParameters["score"],
            "Steps.Prep-Lambda.OutputParameters['score']",
            "Float",
        ),
        (
            lambda_step.properties.OutputParameters["ok"],
            "Steps.Prep-Lambda.OutputParameters['ok']",
            "Boolean",
        ),
        (
            callback.properties.OutputParameters["approved"],
            "Steps.Approve.OutputParameters['approved']",
            "Boolean",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and value.startswith("Steps.") else None,
)
def test_typed_leaf_renders_a_get_and_knows_its_type(
    prop: Properties, path: str, value_type: str
) -> None:
    assert prop.to_request() == {"Get": path}
    assert prop.is_leaf
    assert prop.value_type == value_type


@pytest.mark.parametrize(
    "prop",
    [
        training.properties.ModelArtifacts,
        training.properties.FinalMetricDataList,
        training.properties.HyperParameters,
        processing.properties.ProcessingOutputConfig.Outputs,
        tuning.properties.BestTrainingJob,
        lambda_step.properties.OutputParameters,
    ],
)
def test_containers_have_no_value_type(prop: Properties) -> None:
    assert not prop.is_leaf
    assert prop.value_type is None


def test_sdk_alias_outputs_means_output_parameters() -> None:
    assert lambda_step.properties.Outputs["rows"].to_request() == {
        "Get": "Steps.Prep-Lambda.OutputParameters['rows']"
    }
    assert lambda_step.properties.Outputs["rows"].value_type == "Integer"
    assert callback.properties.Outputs["approved"].to_request() == {
        "Get": "Steps.Approve.OutputParameters['approved']"
    }


def test_outputs_alias_does_not_shadow_a_real_outputs_member() -> None:
    # ProcessingOutputConfig has a real ``Outputs`` list; nothing is renamed there.
    prop = processing.properties.ProcessingOutputConfig.Outputs[0].OutputName

    assert prop.to_request() == {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs[0].OutputName"}


def test_rendering_with_a_context_records_the_step() -> None:
    ctx = RenderContext()

    training.properties.ModelArtifacts.S3ModelArtifacts.to_request(ctx)
    training.properties.TrainingJobName.to_request(ctx)

    assert ctx.referenced_steps == [training]


def test_property_knows_its_step_and_path() -> None:
    prop = training.properties.FinalMetricDataList["acc"].Value

    assert prop.step is training
    assert prop.path == "FinalMetricDataList['acc'].Value"
    assert repr(prop) == "Properties(Steps.Train.FinalMetricDataList['acc'].Value)"


def test_dir_lists_the_members() -> None:
    assert dir(training.properties.ModelArtifacts) == ["S3ModelArtifacts"]
    assert dir(condition.properties) == ["Outcome"]
    assert dir(lambda_step.properties) == ["OutputParameters"]


def test_hasattr_works_for_members() -> None:
    assert hasattr(training.properties, "TrainingJobName")
    assert not hasattr(training.properties, "TrainingJobNam")
    assert not hasattr(training.properties.ModelArtifacts, "S3ModelArtifact")
    assert hasattr(lambda_step.properties, "Outputs")


def test_properties_are_read_only() -> None:
    with pytest.raises(AttributeError, match="properties are read-only"):
        training.properties.TrainingJobName = "x"  # type: ignore[misc, assignment]


def test_a_deep_copy_of_steps_refers_to_the_copies_of_the_steps_it_reads() -> None:
    # Used to fail: copy set the read-only properties' slots ("properties are read-only").
    reads = ModelStep(
        name="Deploy", image=IMAGE, model_data=training.properties.ModelArtifacts.S3ModelArtifacts
    )
    copied_training, copied = copy.deepcopy((training, reads))
    model_data = copied.model_data
    assert isinstance(model_data, Properties)
    assert model_data.step is copied_training
    assert model_data.to_request() == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    assert copy.copy(model_data) is model_data  # immutable


def test_steps_that_read_other_steps_properties_pickle() -> None:
    # Used to fail as deepcopy did: unpickling set the read-only properties' slots.
    reads = ModelStep(
        name="Deploy", image=IMAGE, model_data=training.properties.ModelArtifacts.S3ModelArtifacts
    )
    loaded_training, loaded = pickle.loads(pickle.dumps((training, reads)))
    model_data = loaded.model_data
    assert isinstance(model_data, Properties)
    assert model_data.step is loaded_training
    assert model_data.to_request() == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}


# Failing cases: each names the step, what is wrong and, where possible, a fix.


def test_fails_misspelled_member_suggests_the_closest() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Prep': ProcessingOutputConfig has no property 'Output' "
        r"\(did you mean 'Outputs'\?\)$",
    ):
        processing.properties.ProcessingOutputConfig.Output  # type: ignore[attr-defined]  # noqa: B018


def test_fails_misspelled_top_level_member_suggests_the_closest() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': the step has no property 'ModelArtifact' "
        r"\(did you mean 'ModelArtifacts'\?\)$",
    ):
        training.properties.ModelArtifact  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize(
    ("step", "path", "message"),
    [
        (
            processing,
            "ModelArtifacts",
            "step 'Prep': the step has no property 'ModelArtifacts' (ModelArtifacts is a "
            "property of Training steps; a Processing step's outputs are "
            "ProcessingOutputConfig.Outputs['<name>'].S3Output.S3Uri (step.output(name) in "
            "Python))",
        ),
        (
            # Before: "did you mean 'OutputDataConfig'", the prefix, not where the model is.
            training,
            "ProcessingOutputConfig",
            "step 'Train': the step has no property 'ProcessingOutputConfig' "
            "(ProcessingOutputConfig is a property of Processing steps; a Training step's "
            "model is ModelArtifacts.S3ModelArtifacts (step.model_data in Python))",
        ),
        (
            tuning,
            "ModelArtifacts",
            "step 'Tune': the step has no property 'ModelArtifacts' (ModelArtifacts is a "
            "property of Training steps; a Tuning step's best job is "
            "BestTrainingJob.TrainingJobName, and step.top_model_s3_uri(0) in Python is "
            "where it wrote its model)",
        ),
        (
            # Before: "did you mean 'ModelArn'", which is not the model's data either.
            model,
            "ModelArtifacts",
            "step 'Model': the step has no property 'ModelArtifacts' (ModelArtifacts is a "
            "property of Training steps; a Model step's model is ModelName (for "
            "TransformStep(model_name=…)))",
        ),
        (
            training,
            "BestTrainingJob",
            "step 'Train': the step has no property 'BestTrainingJob' (BestTrainingJob is a "
            "property of Tuning steps; a Training step's model is "
            "ModelArtifacts.S3ModelArtifacts (step.model_data in Python))",
        ),
        (
            model,
            "ModelPackageArn",
            "step 'Model': the step has no property 'ModelPackageArn' (ModelPackageArn is a "
            "property of RegisterModel steps; a Model step's model is ModelName (for "
            "TransformStep(model_name=…)))",
        ),
        (
            transform,
            "OutputParameters",
            "step 'Score': the step has no property 'OutputParameters' (OutputParameters is a "
            "property of Lambda and Callback steps; a Transform step's output is "
            "TransformOutput.S3OutputPath)",
        ),
        (
            condition,
            "ModelArtifacts",
            "step 'Gate': the step has no property 'ModelArtifacts' (ModelArtifacts is a "
            "property of Training steps; a Condition step's only property is Outcome)",
        ),
    ],
)
def test_fails_a_property_of_another_step_type_names_it_and_this_steps_results(
    step: Step, path: str, message: str
) -> None:
    # The SDK habit of reading ModelArtifacts.S3ModelArtifacts off whatever step came before
    # got a list of members or a misleading close match.
    with pytest.raises(PropertyPathError) as caught:
        getattr(step.properties, path)

    assert str(caught.value) == message


def test_fails_a_property_of_another_step_type_in_a_definition_json_names_it() -> None:
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {"Name": "Prep", "Type": "Lambda", "FunctionArn": FUNCTION, "Arguments": {}},
            {
                "Name": "Fail",
                "Type": "Fail",
                "Arguments": {
                    "ErrorMessage": {"Get": "Steps.Prep.ModelArtifacts.S3ModelArtifacts"}
                },
            },
        ],
    }

    (problem,) = validate_definition(definition)

    assert (problem.step, problem.field) == ("Fail", "Arguments.ErrorMessage")
    assert problem.message.endswith("the step has no property 'ModelArtifacts'")
    assert problem.hint == (
        "ModelArtifacts is a property of Training steps; a Lambda step's outputs are "
        "OutputParameters['<name>'], declared with outputs="
    )


def test_fails_unknown_member_without_a_close_match_lists_members() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Gate': the step has no property 'Zzz' \(members: 'Outcome'\)$",
    ):
        condition.properties.Zzz  # type: ignore[attr-defined]  # noqa: B018


def test_fails_property_path_error_is_a_definition_error_and_an_attribute_error() -> None:
    with pytest.raises(PropertyPathError) as caught:
        training.properties.Nope  # type: ignore[attr-defined]  # noqa: B018

    assert isinstance(caught.value, PipelineDefinitionError)
    assert isinstance(caught.value, AttributeError)


def test_fails_member_of_a_list_asks_for_an_index() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': FinalMetricDataList is a list, it has no member 'Value' "
        r"\(use \[index\] or \['key'\]\)$",
    ):
        training.properties.FinalMetricDataList.Value  # type: ignore[attr-defined]  # noqa: B018


def test_fails_member_of_a_value() -> None:
    with pytest.raises(
        PropertyPathError, match=r"^step 'Train': TrainingJobName is a value, it has no member 'X'$"
    ):
        training.properties.TrainingJobName.X  # type: ignore[attr-defined]  # noqa: B018


def test_fails_map_indexed_by_position() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': HyperParameters is a map: index it with a string key$",
    ):
        training.properties.HyperParameters[0]  # type: ignore[index]


def test_fails_structure_indexed() -> None:
    with pytest.raises(
        PropertyPathError, match=r"^step 'Train': ModelArtifacts can't be indexed with \['x'\]$"
    ):
        training.properties.ModelArtifacts["x"]  # type: ignore[index]


def test_fails_list_indexed_by_bool() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': FinalMetricDataList takes an int or str index, got True$",
    ):
        training.properties.FinalMetricDataList[True]


def test_fails_list_indexed_by_a_negative_position() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': FinalMetricDataList takes a position from 0, got -1 "
        r"\(the service has no negative indexing\)$",
    ):
        training.properties.FinalMetricDataList[-1]


def test_fails_list_of_values_indexed_by_key() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Prep': AppSpecification\.ContainerEntrypoint is a list of values: "
        r"index it by position$",
    ):
        processing.properties.AppSpecification.ContainerEntrypoint["python3"]  # type: ignore[index]


def test_fails_undeclared_processing_output_suggests_the_closest() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Prep': ProcessingOutputConfig\.Outputs has no entry 'tran' "
        r"\(did you mean 'train'\?\)$",
    ):
        processing.properties.ProcessingOutputConfig.Outputs["tran"]


def test_fails_processing_output_of_a_step_without_outputs() -> None:
    bare = ProcessingStep(name="Bare", image=IMAGE)

    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Bare': ProcessingOutputConfig\.Outputs has no entry 'train' "
        r"\(declared: none\)$",
    ):
        bare.properties.ProcessingOutputConfig.Outputs["train"]


def test_processing_outputs_from_extra_arguments_are_not_checked() -> None:
    raw = ProcessingStep(
        name="Raw",
        image=IMAGE,
        extra_arguments={"ProcessingOutputConfig": {"Outputs": [{"OutputName": "report"}]}},
    )

    prop = raw.properties.ProcessingOutputConfig.Outputs["report"].S3Output.S3Uri

    assert prop.to_request() == {
        "Get": "Steps.Raw.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri"
    }


def test_processing_outputs_by_position_are_not_checked_against_names() -> None:
    prop = processing.properties.ProcessingOutputConfig.Outputs[1].OutputName

    assert prop.to_request() == {"Get": "Steps.Prep.ProcessingOutputConfig.Outputs[1].OutputName"}


def test_fails_processing_output_position_beyond_the_declared_outputs() -> None:
    # Before, Outputs[5] of a step with two outputs compiled and failed when the pipeline ran.
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Prep': ProcessingOutputConfig\.Outputs has 2 entries, no position 5 "
        r"\(index by name instead: 'train', 'test'\)$",
    ):
        processing.properties.ProcessingOutputConfig.Outputs[5]


def test_fails_metric_position_beyond_the_defined_metrics() -> None:
    train = TrainingStep(name="Train", image=IMAGE, metric_definitions={"val:acc": "acc=(.*)"})

    assert train.properties.FinalMetricDataList[0].Value.to_request() == {
        "Get": "Steps.Train.FinalMetricDataList[0].Value"
    }
    with pytest.raises(PropertyPathError, match=r"FinalMetricDataList has 1 entry, no position 1"):
        train.properties.FinalMetricDataList[1]


def test_fails_metric_the_training_step_does_not_define() -> None:
    # The job reports only the metrics its regexes read: anything else is missing at run time.
    train = TrainingStep(
        name="Train", image=IMAGE, metric_definitions={"val:acc": "acc=(.*)", "loss": "l=(.*)"}
    )

    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': FinalMetricDataList has no entry 'val:accuracy' "
        r"\(did you mean 'val:acc'\?\)$",
    ):
        train.properties.FinalMetricDataList["val:accuracy"]
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Train': FinalMetricDataList has no entry 'f1' "
        r"\(declared: 'val:acc', 'loss'\)$",
    ):
        train.properties.FinalMetricDataList["f1"]
    assert train.properties.FinalMetricDataList["loss"].Value.to_request() == {
        "Get": "Steps.Train.FinalMetricDataList['loss'].Value"
    }


def test_metrics_of_a_step_without_metric_definitions_are_not_checked() -> None:
    # A built-in algorithm reports metrics of its own, which the API model can't list.
    prop = training.properties.FinalMetricDataList["validation:rmse"].Value

    assert prop.to_request() == {"Get": "Steps.Train.FinalMetricDataList['validation:rmse'].Value"}


def test_metrics_from_extra_arguments_are_not_checked() -> None:
    raw = TrainingStep(
        name="Raw",
        image=IMAGE,
        metric_definitions={"acc": "acc=(.*)"},
        extra_arguments={
            "AlgorithmSpecification": {"MetricDefinitions": [{"Name": "f1", "Regex": "f1=(.*)"}]}
        },
    )

    assert raw.properties.FinalMetricDataList["f1"].Value.to_request() == {
        "Get": "Steps.Raw.FinalMetricDataList['f1'].Value"
    }


def test_fails_undeclared_lambda_output_suggests_the_closest() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Prep-Lambda': OutputParameters has no entry 'row' "
        r"\(did you mean 'rows'\?\)$",
    ):
        lambda_step.properties.OutputParameters["row"]


def test_fails_undeclared_callback_output_lists_the_declared_ones() -> None:
    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Approve': OutputParameters has no entry 'zzz' \(declared: 'approved'\)$",
    ):
        callback.properties.Outputs["zzz"]


def test_fails_lambda_without_outputs_has_no_entries() -> None:
    step = LambdaStep(name="Bare", function_arn=FUNCTION)

    with pytest.raises(
        PropertyPathError,
        match=r"^step 'Bare': OutputParameters has no entry 'x' \(declared: none\)$",
    ):
        step.properties.OutputParameters["x"]


def test_fails_lambda_outputs_indexed_by_position() -> None:
    with pytest.raises(PropertyPathError, match="OutputParameters is a map"):
        lambda_step.properties.OutputParameters[0]  # type: ignore[index]


def test_fails_fail_step_has_no_properties() -> None:
    with pytest.raises(PropertyPathError, match=r"^Fail step 'Stop' has no properties"):
        FailStep(name="Stop").properties  # noqa: B018


def test_fails_properties_are_not_iterable() -> None:
    with pytest.raises(TypeError, match=r"is not iterable: index it with \[position\]"):
        list(training.properties.FinalMetricDataList)
    with pytest.raises(TypeError):
        "Value" in training.properties.FinalMetricDataList[0]  # noqa: B015
