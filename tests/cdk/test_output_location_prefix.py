"""The Pipeline's warning of outputs whose locations are prefixes of each other."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

from cdk_sagemaker_pipelines.cdk import Pipeline
from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
)
from tests.cdk.conftest import new_stack
from tests.cdk.helpers import literal_definition

NAME = "churn-training"
WARNING = "cdk-sagemaker-pipelines:output-location-prefix"


def evaluate_and_register(*outputs: str | ProcessingOutput) -> PipelineDefinition:
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/evaluate.py"),
        outputs=list(outputs),
    )
    register = ProcessingStep(
        name="Register",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/register.py"),
        inputs={"evaluation": evaluate.output(str(getattr(outputs[0], "output_name", outputs[0])))},
    )
    return PipelineDefinition(steps=[evaluate, register])


def warnings_of(pipeline: Pipeline) -> list[str]:
    found = Annotations.from_stack(cdk.Stack.of(pipeline)).find_warning(
        f"/{pipeline.node.path}", Match.string_like_regexp(".*output-location-prefix.*")
    )
    return [str(warning.entry.data) for warning in found]


def test_outputs_whose_names_start_with_each_other_are_warned_naming_step_outputs_reader():
    stack = new_stack()
    warned = Pipeline(
        stack,
        "Training",
        definition=evaluate_and_register("evaluation", "evaluation_report"),
        pipeline_name=NAME,
    )
    distinct = Pipeline(
        stack,
        "Distinct",
        definition=evaluate_and_register("evaluation", "report"),
        pipeline_name=NAME + "-distinct",
    )
    assert warnings_of(warned) == [
        "Step 'Evaluate': the location of output 'evaluation' is a prefix of that of output "
        "'evaluation_report', and SageMaker reads an S3Prefix input as every key that starts "
        "with its URI: step(s) 'Register' read it, and so download both ('evaluation_report' "
        "as 'evaluation_report/…' in the input directory). Rename one output so that neither name "
        "starts with the other (evaluation and report, not evaluation and "
        "evaluation_report), or end its location in a folder "
        f"(destination=…/evaluation/data). [ack: {WARNING}]"
    ]
    assert warnings_of(distinct) == []


def test_literal_uris_of_one_step_are_warned_and_a_folder_boundary_is_not():
    definition: dict[str, Any] = literal_definition()
    (prep,) = definition["Steps"]
    (train,) = prep["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    prep["Arguments"]["ProcessingOutputConfig"]["Outputs"] = [
        {**train, "OutputName": name, "S3Output": {**train["S3Output"], "S3Uri": uri}}
        for name, uri in [
            ("train", "s3://out-bucket/data/train"),
            ("training", "s3://out-bucket/data/training"),
            ("nested", "s3://out-bucket/data/train/nested"),
        ]
    ]
    stack = new_stack()
    pipeline = Pipeline(stack, "Training", definition=definition, pipeline_name=NAME)
    assert [warning.split(", and SageMaker")[0] for warning in warnings_of(pipeline)] == [
        "Step 'Prep': the location of output 'train' is a prefix of that of output 'training'"
    ]
    assert (
        "a step reading it would download both ('training' as 'training/…'"
        in (warnings_of(pipeline)[0])
    )


def test_literal_destinations_of_different_steps_are_warned_as_across_steps():
    evaluate = ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/evaluate.py"),
        outputs=[ProcessingOutput("evaluation", "/opt/ml/processing/e", "s3://out-bucket/eval")],
    )
    report = ProcessingStep(
        name="Report",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/report.py"),
        outputs=[ProcessingOutput("report", "/opt/ml/processing/r", "s3://out-bucket/eval_report")],
    )
    register = ProcessingStep(
        name="Register",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code-bucket/scripts/register.py"),
        inputs={"evaluation": evaluate.output("evaluation")},
    )
    stack = new_stack()
    pipeline = Pipeline(
        stack,
        "Training",
        definition=PipelineDefinition(steps=[evaluate, report, register]),
        pipeline_name=NAME,
    )
    assert warnings_of(pipeline) == [
        "Across steps: the location of output 'evaluation' of step 'Evaluate' is a prefix of "
        "that of output 'report' of step 'Report', and SageMaker reads an S3Prefix input as "
        "every key that starts with its URI: step(s) 'Register' read it, and so download both "
        "('report' as 'eval_report/…' in the input directory). Give one output a destination "
        "that the other's doesn't start with (…/evaluation and …/report, not …/evaluation and "
        "…/evaluation_report), or end it in a folder (destination=…/evaluation/data). "
        f"[ack: {WARNING}]"
    ]


def test_the_warning_is_acknowledged_like_the_others():
    stack = new_stack()
    acknowledged = Pipeline(
        stack,
        "Training",
        definition=evaluate_and_register("model", "model_metrics"),
        pipeline_name=NAME,
    )
    other = Pipeline(
        stack,
        "Other",
        definition=evaluate_and_register("model", "model_metrics"),
        pipeline_name=NAME + "-other",
    )
    cdk.Annotations.of(acknowledged).acknowledge_warning(
        WARNING, "the reader expects the metrics next to the model"
    )
    assert (len(warnings_of(acknowledged)), len(warnings_of(other))) == (0, 1)
