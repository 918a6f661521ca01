"""How pipelines show in a notebook: ``_repr_markdown_`` (a Mermaid graph) and short reprs.

Jupyter calls these methods itself; the tests call them directly, without IPython.
"""

from __future__ import annotations

from cdk_sagemaker_pipelines.definition import (
    ConditionGreaterThanOrEqualTo,
    JsonGet,
    ParameterFloat,
    PipelineDefinition,
    PropertyFile,
)
from cdk_sagemaker_pipelines.review import mermaid
from tests.definition.catalogue_helpers import BINDER, condition, fail, processing, training
from tests.test_layers import modules_loaded_by

THRESHOLD = ParameterFloat(name="Threshold", default_value=0.8)


def tutorial_like() -> PipelineDefinition:
    """Prep → Train → Evaluate → Check (if: nothing, else: TooLow); only Check is listed."""
    prep = processing("Prep")
    train = training(
        "Train",
        instance_type="ml.m5.large",
        instance_count=1,
        inputs={"train": prep.output("out")},
    )
    report = PropertyFile(name="Report", output_name="out", path="report.json")
    evaluate = processing("Evaluate", inputs={"model": train.model_data}, property_files=[report])
    accuracy = JsonGet(step=evaluate, property_file=report, json_path="accuracy")
    check = condition(
        "Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=accuracy, right=THRESHOLD)],
        else_steps=[fail("TooLow")],
    )
    return PipelineDefinition(parameters=[THRESHOLD], steps=[check])


GRAPH = """\
flowchart TD
    Prep["Prep<br/>Processing"]
    Train["Train<br/>Training"]
    Evaluate["Evaluate<br/>Processing"]
    Check{"Check<br/>Condition"}
    TooLow(["TooLow<br/>Fail"])
    Prep --> Train
    Train --> Evaluate
    Evaluate --> Check
    Check -->|else| TooLow
"""


def test_a_pipeline_shows_its_graph_without_a_binder() -> None:
    # No binder: roles, buckets and the image's region are missing, and it still draws,
    # in the order the compiled definition has (not the order steps were found in).
    assert tutorial_like()._repr_markdown_() == (
        f"**PipelineDefinition**: 5 steps, parameters `Threshold`\n\n```mermaid\n{GRAPH}```\n"
    )


def test_the_graph_is_the_one_smpipe_graph_draws_of_the_compiled_definition() -> None:
    pipeline = tutorial_like()
    assert mermaid(pipeline.to_definition(BINDER)) == GRAPH
    compiled = pipeline.compile(BINDER)
    assert compiled._repr_markdown_() == (
        f"**CompiledPipeline**: 5 steps, parameters `Threshold`\n\n```mermaid\n{GRAPH}```\n"
    )


def test_a_pipeline_with_problems_still_draws() -> None:
    # A typo'd instance type and a step whose name is taken: drawn all the same.
    broken = processing("Prep", instance_type="m5.large")
    other = processing("Prep", depends_on=[broken])
    text = PipelineDefinition(steps=[other])._repr_markdown_()
    assert text == (
        "**PipelineDefinition**: 2 steps\n\n```mermaid\nflowchart TD\n"
        '    Prep["Prep<br/>Processing"]\n'
        '    Prep_2["Prep<br/>Processing"]\n'
        "    Prep -.-> Prep_2\n```\n"
    )


def test_a_compiled_pipeline_names_its_steps_instead_of_printing_the_definition() -> None:
    compiled = tutorial_like().compile(BINDER)
    assert repr(compiled) == "CompiledPipeline(5 steps: Prep, Train, Evaluate, Check, TooLow)"


def test_importing_the_language_loads_no_review_tool(package_python_env: dict[str, str]) -> None:
    # The graph is drawn in the language itself (definition/_mermaid.py, which the review
    # tools re-export), imported when a notebook first shows one.
    review = "cdk_sagemaker_pipelines.review"
    assert modules_loaded_by(package_python_env, "cdk_sagemaker_pipelines.definition", review) == []
