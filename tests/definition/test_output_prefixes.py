"""Outputs whose locations are text prefixes of each other, in one step or across steps."""

from __future__ import annotations

from typing import Any

from cdk_sagemaker_pipelines.definition import (
    Code,
    Image,
    Join,
    PipelineDefinition,
    ProcessingOutput,
    ProcessingStep,
    StaticBinder,
)
from cdk_sagemaker_pipelines.definition._output_prefixes import (
    OutputPrefixOverlap,
    location_text,
    output_prefix_overlaps,
    takes_keys_of,
)

BINDER = StaticBinder(
    region="us-east-1", role_arn="arn:aws:iam::111122223333:role/r", default_bucket="out"
)


def evaluate(*outputs: str | ProcessingOutput) -> ProcessingStep:
    return ProcessingStep(
        name="Evaluate",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code/evaluate.py"),
        outputs=list(outputs),
    )


def reader(name: str, uri: Any) -> ProcessingStep:
    return ProcessingStep(
        name=name,
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code/read.py"),
        inputs={"data": uri},
    )


def test_default_outputs_whose_names_start_with_each_other_overlap_naming_the_readers():
    step = evaluate("evaluation", "evaluation_report", "model", "model_metrics", "metrics")
    steps = [
        step,
        reader("Register", step.output("evaluation")),
        reader("Publish", step.output("model")),
        # A Join naming one object of the output downloads no prefix: not a reader.
        reader("Report", Join(on="/", values=[step.output("evaluation"), "summary.json"])),
    ]
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    assert output_prefix_overlaps(definition) == [
        OutputPrefixOverlap(
            "Evaluate", "evaluation", "evaluation_report", "evaluation_report", ("Register",)
        ),
        OutputPrefixOverlap("Evaluate", "model", "model_metrics", "model_metrics", ("Publish",)),
    ]


def test_each_output_a_location_extends_is_found_not_only_the_next_one():
    # Sorted, "model/x" sits between "model" and "model_b": the scan goes past it.
    definition = PipelineDefinition(
        steps=[
            evaluate(
                ProcessingOutput("a", "/opt/ml/processing/a", "s3://b/p/model"),
                ProcessingOutput("b", "/opt/ml/processing/b", "s3://b/p/model/x"),
                ProcessingOutput("c", "/opt/ml/processing/c", "s3://b/p/model_b"),
                ProcessingOutput("d", "/opt/ml/processing/d", "s3://b/p/model_bc"),
            )
        ]
    ).to_definition(BINDER)
    assert [(o.shorter, o.longer, o.lands_as) for o in output_prefix_overlaps(definition)] == [
        ("a", "c", "model_b"),
        ("a", "d", "model_bc"),
        ("c", "d", "model_bc"),
    ]


def test_distinct_names_folders_and_outputs_of_other_steps_do_not_overlap():
    first = evaluate("train", "test", "validation")
    other = ProcessingStep(
        name="Evaluate2",  # another step's "train": under its own step folder
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code/evaluate.py"),
        outputs=["training"],
    )
    folders = ProcessingStep(
        name="Split",
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code/split.py"),
        outputs=[
            ProcessingOutput("a", "/opt/ml/processing/a", "s3://b/p/evaluation/data"),
            ProcessingOutput("b", "/opt/ml/processing/b", "s3://b/p/evaluation_report"),
            ProcessingOutput("c", "/opt/ml/processing/c", "s3://b/q/"),
            ProcessingOutput("d", "/opt/ml/processing/d", "s3://b/q/x"),
        ],
    )
    definition = PipelineDefinition(steps=[first, other, folders]).to_definition(BINDER)
    assert output_prefix_overlaps(definition) == []


def test_a_location_ending_in_a_run_time_value_is_not_compared():
    execution_id = {"Get": "Execution.PipelineExecutionId"}
    assert location_text({"Std:Join": {"On": "/", "Values": ["s3://b", execution_id]}}) is None
    assert location_text({"Get": "Parameters.Out"}) is None
    # The same run-time piece compares equal; another one doesn't.
    first = location_text({"Std:Join": {"On": "/", "Values": ["s3://b", execution_id, "x"]}})
    other = location_text(
        {"Std:Join": {"On": "/", "Values": ["s3://b", {"Get": "Parameters.P"}, "xy"]}}
    )
    same = location_text({"Std:Join": {"On": "/", "Values": ["s3://b", execution_id, "xy"]}})
    assert first is not None
    assert other is not None
    assert same is not None
    assert (takes_keys_of(first, same), takes_keys_of(first, other)) == (True, False)


def test_a_bare_bucket_is_no_prefix_of_another_bucket():
    assert not takes_keys_of("s3://b", "s3://bucket/x")
    assert takes_keys_of("s3://b/x", "s3://b/xy")


def test_a_location_ending_in_a_slash_lands_as_its_folder():
    # A reader of "s3://b/p/eval" finds the objects of "s3://b/p/eval_report/" under
    # "eval_report/…" (SageMaker names a partial match by its full name), not
    # "eval_report//…".
    definition = PipelineDefinition(
        steps=[
            evaluate(
                ProcessingOutput("evaluation", "/opt/ml/processing/e", "s3://b/p/eval"),
                ProcessingOutput("report", "/opt/ml/processing/r", "s3://b/p/eval_report/"),
            )
        ]
    ).to_definition(BINDER)
    assert [o.lands_as for o in output_prefix_overlaps(definition)] == ["eval_report"]


def writer(name: str, *outputs: ProcessingOutput) -> ProcessingStep:
    return ProcessingStep(
        name=name,
        image=Image.sklearn("1.2-1"),
        code=Code.from_s3("s3://code/write.py"),
        outputs=list(outputs),
    )


def test_literal_locations_of_different_steps_overlap_naming_both_steps_and_the_readers():
    evaluation = writer("Eval", ProcessingOutput("eval", "/opt/ml/processing/e", "s3://b/eval"))
    report = writer(
        "Report", ProcessingOutput("report", "/opt/ml/processing/r", "s3://b/eval_report")
    )
    # Another folder and a bare bucket: no prefix of anything's keys.
    folder = writer("Folder", ProcessingOutput("f", "/opt/ml/processing/f", "s3://b/eval/data"))
    bucket = writer("Bucket", ProcessingOutput("b", "/opt/ml/processing/b", "s3://b"))
    steps = [
        evaluation,
        report,
        folder,
        bucket,
        reader("ByReference", evaluation.output("eval")),
        reader("ByLocation", "s3://b/eval"),
        reader("OfTheLonger", report.output("report")),
    ]
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    (overlap,) = output_prefix_overlaps(definition)
    # Readers in definition order (the compiled definition lists ByLocation first).
    assert overlap == OutputPrefixOverlap(
        "Eval", "eval", "report", "eval_report", ("ByLocation", "ByReference"), "Report"
    )
    assert overlap.across_steps


def test_one_step_and_across_steps_are_found_in_one_scan_by_the_shorter_steps_order():
    first = writer(
        "First",
        ProcessingOutput("model", "/opt/ml/processing/m", "s3://b/p/model"),
        ProcessingOutput("metrics", "/opt/ml/processing/x", "s3://b/p/model_metrics"),
    )
    second = writer("Second", ProcessingOutput("m", "/opt/ml/processing/m", "s3://b/p/mod"))
    definition = PipelineDefinition(steps=[first, second]).to_definition(BINDER)
    assert [
        (o.step, o.shorter, o.longer_step, o.longer, o.across_steps)
        for o in output_prefix_overlaps(definition)
    ] == [
        ("First", "model", "First", "metrics", False),
        ("Second", "m", "First", "model", True),
        ("Second", "m", "First", "metrics", True),
    ]


def test_equal_locations_and_an_output_read_by_itself_are_no_prefix():
    # Two steps writing one location is another problem (one overwrites the other), and a
    # location is no prefix of itself: nothing here is reported.
    first = writer("First", ProcessingOutput("out", "/opt/ml/processing/o", "s3://b/p/out"))
    second = writer("Second", ProcessingOutput("out", "/opt/ml/processing/o", "s3://b/p/out"))
    steps = [first, second, reader("Read", first.output("out")), reader("Again", "s3://b/p/out")]
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    assert output_prefix_overlaps(definition) == []


def test_two_steps_at_one_location_both_overlap_a_longer_one_read_at_that_location():
    steps = [
        writer("A", ProcessingOutput("out", "/opt/ml/processing/o", "s3://b/p/out")),
        writer("B", ProcessingOutput("out", "/opt/ml/processing/o", "s3://b/p/out")),
        writer("C", ProcessingOutput("outer", "/opt/ml/processing/o", "s3://b/p/outer")),
        reader("Read", "s3://b/p/out"),
    ]
    definition = PipelineDefinition(steps=steps).to_definition(BINDER)
    assert [(o.step, o.longer_step, o.readers) for o in output_prefix_overlaps(definition)] == [
        ("A", "C", ("Read",)),
        ("B", "C", ("Read",)),
    ]
