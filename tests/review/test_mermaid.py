"""The Mermaid flowchart of a definition (``review.mermaid``) and ``smpipe graph``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    ConditionGreaterThanOrEqualTo,
    ParameterInteger,
    ParameterString,
    PipelineDefinition,
)
from cdk_sagemaker_pipelines.review import mermaid
from tests.conftest import REPO, load_sdk_example
from tests.definition.catalogue_helpers import BINDER, condition, fail, processing, training
from tests.local.test_assembly import cdk_out  # noqa: F401 (a fixture)

# A node line: indent, id, then the opening of a shape.
NODE = re.compile(r"^ +(\w+)(\[|\{|\()", re.M)
EDGE = re.compile(r" +\w+ (-->|-\.->|-\.-|-->\|\w+\|) \w+")
SDK_GENERATED = sorted((REPO / "tests" / "definition" / "sdk_generated").glob("*.json"))
SDK_REFERENCE = [
    "lambda-callback-emr-tuning-model-transform-conditions",
    "process-train-evaluate-condition-register-fail",
    "training-int-parameter-hyperparameter-no-experiment",
]


def step(name: str, kind: str = "Processing", **fields: Any) -> dict[str, Any]:
    return {"Name": name, "Type": kind, "Arguments": {}, **fields}


def get(reference: str) -> dict[str, str]:
    return {"Get": reference}


def definition(*steps: dict[str, Any], parameters: Any = ()) -> dict[str, Any]:
    return {"Version": "2020-12-01", "Parameters": list(parameters), "Steps": list(steps)}


def edges(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if EDGE.fullmatch(line)]


def node_ids(text: str) -> list[str]:
    return [node for node, _shape in NODE.findall(text)]


def count_steps(entries: list[Any]) -> int:
    total = 0
    for entry in entries:
        total += 1
        if entry["Type"] == "Condition":
            total += count_steps(entry["Arguments"]["IfSteps"] + entry["Arguments"]["ElseSteps"])
    return total


def small_pipeline() -> dict[str, Any]:
    rows = ParameterInteger(name="MinRows", default_value=10)
    mode = ParameterString(name="Mode")
    prep = processing("prep-data", display_name="Prepare the data", environment={"MODE": mode})
    train = training("Train", inputs={"train": prep.output("out")})
    audit = processing("Audit", depends_on=[train])
    check = condition(
        "Check",
        conditions=[ConditionGreaterThanOrEqualTo(left=rows, right=5)],
        if_steps=[audit],
        else_steps=[fail("Stop", depends_on=[prep])],
    )
    return PipelineDefinition(parameters=[rows, mode], steps=[check]).to_definition(BINDER)


def test_draws_a_small_pipeline_written_with_the_language() -> None:
    assert mermaid(small_pipeline()) == (
        "flowchart TD\n"
        '    prep_data["prep-data<br/>Processing<br/>Prepare the data"]\n'
        '    Train["Train<br/>Training"]\n'
        '    Check{"Check<br/>Condition"}\n'
        '    Audit["Audit<br/>Processing"]\n'
        '    Stop(["Stop<br/>Fail"])\n'
        "    prep_data --> Train\n"
        "    prep_data -.-> Stop\n"
        "    Train -.-> Audit\n"
        "    Check -->|if| Audit\n"
        "    Check -->|else| Stop\n"
    )


def test_a_pipeline_of_no_steps_says_so() -> None:
    assert mermaid({"Version": "2020-12-01", "Steps": []}) == (
        'flowchart TD\n    empty["no steps"]\n'
    )
    # A step named like the placeholder keeps its own id.
    assert 'empty(["empty<br/>Fail"])' in mermaid({"Steps": [{"Name": "empty", "Type": "Fail"}]})


def test_draws_parameters_with_their_type_default_and_users_on_request() -> None:
    text = mermaid(small_pipeline(), parameters=True)

    assert text.endswith(
        "    subgraph Parameters[Parameters]\n"
        '        MinRows[/"MinRows<br/>Integer = 10"/]\n'
        '        Mode[/"Mode<br/>String"/]\n'
        "    end\n"
        "    prep_data --> Train\n"
        "    prep_data -.-> Stop\n"
        "    Train -.-> Audit\n"
        "    Check -->|if| Audit\n"
        "    Check -->|else| Stop\n"
        "    MinRows -.- Check\n"
        "    Mode -.- prep_data\n"
    )
    assert "Parameters" not in mermaid(small_pipeline())


def test_draws_the_readme_pipeline() -> None:
    from examples.seed_pipeline import BINDER as SEED_BINDER
    from examples.seed_pipeline import pipeline

    assert mermaid(pipeline.to_definition(SEED_BINDER)) == (
        "flowchart TD\n"
        '    Preprocess["Preprocess<br/>Processing"]\n'
        '    Train["Train<br/>Training"]\n'
        '    Evaluate["Evaluate<br/>Processing"]\n'
        '    CheckAccuracy{"CheckAccuracy<br/>Condition"}\n'
        '    RegisterModel["RegisterModel<br/>RegisterModel"]\n'
        '    AccuracyTooLow(["AccuracyTooLow<br/>Fail"])\n'
        "    Preprocess --> Train\n"
        "    Preprocess --> Evaluate\n"
        "    Train --> Evaluate\n"
        "    Train --> RegisterModel\n"
        "    Evaluate --> CheckAccuracy\n"
        "    CheckAccuracy -->|if| RegisterModel\n"
        "    CheckAccuracy -->|else| AccuracyTooLow\n"
    )


def test_a_property_reference_is_a_solid_arrow() -> None:
    text = mermaid(
        definition(step("A"), step("B", Arguments={"X": get("Steps.A.ProcessingJobArn")}))
    )

    assert edges(text) == ["A --> B"]


def test_a_property_file_read_with_json_get_is_a_solid_arrow() -> None:
    json_get = {"Std:JsonGet": {"PropertyFile": get("Steps.Eval.PropertyFiles.R"), "Path": "a"}}
    check = step(
        "Check",
        "Condition",
        Arguments={
            "Conditions": [{"Type": "Equals", "LeftValue": json_get, "RightValue": 1}],
            "IfSteps": [],
            "ElseSteps": [],
        },
    )

    assert edges(mermaid(definition(step("Eval"), check))) == ["Eval --> Check"]


def test_references_inside_joins_and_outside_arguments_count() -> None:
    joined = {"Std:Join": {"On": "/", "Values": ["s3://b", get("Steps.A.Outputs['x'].S3Uri")]}}
    lambda_step = step("L", "Lambda", FunctionArn=get("Steps.B.FunctionArn"), Arguments=joined)

    assert edges(mermaid(definition(step("A"), step("B"), lambda_step))) == [
        "A --> L",
        "B --> L",
    ]


def test_depends_on_is_a_dotted_arrow_unless_a_reference_links_the_steps_too() -> None:
    text = mermaid(
        definition(
            step("A"),
            step("B", DependsOn=["A"]),
            step("C", DependsOn=["A"], Arguments={"X": get("Steps.A.ProcessingJobArn")}),
        )
    )

    assert edges(text) == ["A -.-> B", "A --> C"]


def test_branches_are_labelled_arrows_drawn_once_per_branch_step() -> None:
    reads_outcome = step("Next", Arguments={"X": get("Steps.Check.Outcome")}, DependsOn=["Check"])
    check = step(
        "Check",
        "Condition",
        Arguments={"Conditions": [], "IfSteps": [reads_outcome], "ElseSteps": [step("No", "Fail")]},
    )

    text = mermaid(definition(check))

    assert node_ids(text) == ["Check", "Next", "No"]
    assert edges(text) == ["Check -->|if| Next", "Check -->|else| No"]


def test_a_condition_does_not_depend_on_what_its_branch_steps_use() -> None:
    branch_step = step("Register", Arguments={"X": get("Steps.Train.ModelArtifacts")})
    check = step(
        "Check",
        "Condition",
        Arguments={"Conditions": [], "IfSteps": [branch_step], "ElseSteps": []},
    )

    assert edges(mermaid(definition(step("Train", "Training"), check))) == [
        "Train --> Register",
        "Check -->|if| Register",
    ]


@pytest.mark.parametrize(
    ("kind", "shape"),
    [
        ("Processing", '["S<br/>Processing"]'),
        ("Tuning", '["S<br/>Tuning"]'),
        ("QualityCheck", '["S<br/>QualityCheck"]'),
        # Deployment steps are SageMaker API calls too (CreateEndpointConfig, …).
        ("EndpointConfig", '["S<br/>EndpointConfig"]'),
        ("Endpoint", '["S<br/>Endpoint"]'),
        ("InferenceComponent", '["S<br/>InferenceComponent"]'),
        ("Condition", '{"S<br/>Condition"}'),
        ("Fail", '(["S<br/>Fail"])'),
        ("Lambda", '[["S<br/>Lambda"]]'),
        ("Callback", '[["S<br/>Callback"]]'),
        ("EMR", '[["S<br/>EMR"]]'),
    ],
)
def test_each_kind_of_step_has_its_shape(kind: str, shape: str) -> None:
    assert f"    S{shape}\n" in mermaid(definition(step("S", kind)))


def test_labels_escape_what_would_break_mermaid() -> None:
    name = 'a "b" <c> #d; &e |f| [g] {h} (i) `j` é 名\n'
    text = mermaid(definition(step(name, DisplayName="<b>")))

    node, label = text.splitlines()[1].strip().split("[", 1)
    assert re.fullmatch(r"a__b___c___d___e__f___g___h___i___j_+", node)
    assert label == (
        '"a #quot;b#quot; #lt;c#gt; #35;d; #amp;e |f| [g] {h} (i) #96;j#96; é 名#10;'
        '<br/>Processing<br/>#lt;b#gt;"]'
    )


def test_long_display_names_and_defaults_are_shortened_not_names() -> None:
    name = "N" * 64
    text = mermaid(
        definition(
            step(name, DisplayName="D" * 50, Arguments={"X": get("Parameters.P")}),
            parameters=[{"Name": "P", "Type": "String", "DefaultValue": "v" * 50}],
        ),
        parameters=True,
    )

    assert f'["{name}<br/>Processing<br/>{"D" * 39}…"]' in text
    fits = mermaid(definition(step("S", DisplayName="F" * 40)))  # at the limit: kept whole
    assert f'["S<br/>Processing<br/>{"F" * 40}"]' in fits
    assert f'"P<br/>String = #quot;{"v" * 38}…"/]' in text


def test_a_display_name_that_says_nothing_more_is_left_out() -> None:
    text = mermaid(definition(step("Prep", DisplayName="Prep"), step("Train", DisplayName="")))

    assert '    Prep["Prep<br/>Processing"]\n' in text
    assert '    Train["Train<br/>Processing"]\n' in text


def test_ids_are_unique_when_names_sanitize_alike_and_avoid_mermaid_keywords() -> None:
    text = mermaid(
        definition(
            step("a-b"),
            step("a_b", Arguments={"X": get("Steps.a-b.Outcome")}),
            step("a b", DependsOn=["a_b"]),
            step("end"),
            step("end_"),
            step("Graph", DependsOn=["end"]),
        )
    )

    assert node_ids(text) == ["a_b", "a_b_2", "a_b_3", "end_", "end__2", "Graph_"]
    assert edges(text) == ["a_b --> a_b_2", "a_b_2 -.-> a_b_3", "end_ -.-> Graph_"]


def test_a_step_named_parameters_keeps_its_id_beside_the_parameters_box() -> None:
    text = mermaid(
        definition(step("Parameters"), parameters=[{"Name": "P", "Type": "String"}]),
        parameters=True,
    )

    assert node_ids(text)[0] == "Parameters"
    assert "    subgraph Parameters_2[Parameters]\n" in text


def test_references_to_a_name_given_twice_come_from_its_first_step() -> None:
    text = mermaid(
        definition(
            step("A", Arguments={"X": 1}),
            step("A", Arguments={"X": 2}),
            step("B", Arguments={"X": get("Steps.A.Outcome")}),
        )
    )

    assert node_ids(text) == ["A", "A_2", "B"]
    assert edges(text) == ["A --> B"]


MERMAID_KEYWORDS = [
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "direction",
    "style",
    "classDef",
    "class",
    "linkStyle",
    "click",
    "call",
    "href",
    "default",
    "interpolate",
    "TB",
    "TD",
    "BT",
    "RL",
    "LR",
    "BR",
    "v",
    "_self",
    "_blank",
    "_parent",
    "_top",
]


@pytest.mark.parametrize("keyword", [*MERMAID_KEYWORDS, "END", "Default", "classdef"])
def test_a_step_named_like_a_mermaid_keyword_gets_an_id_that_is_not_one(keyword: str) -> None:
    text = mermaid(definition(step(keyword), step("Next", DependsOn=[keyword])))

    assert node_ids(text) == [f"{keyword}_", "Next"]
    assert edges(text) == [f"{keyword}_ -.-> Next"]


def test_dangling_references_draw_as_marked_nodes_and_cycles_draw() -> None:
    text = mermaid(
        definition(
            step("A", Arguments={"X": get("Steps.B.ProcessingJobArn")}),
            step("B", Arguments={"X": get("Steps.A.ProcessingJobArn")}, DependsOn=["Gone"]),
            step("C", Arguments={"X": get("Steps.Lost.Outcome")}),
        )
    )

    assert '    Gone["Gone<br/>not in the definition"]\n' in text
    assert '    Lost["Lost<br/>not in the definition"]\n' in text
    assert edges(text) == ["A --> B", "B --> A", "Gone -.-> B", "Lost --> C"]
    assert text.endswith(
        "    classDef missing stroke-dasharray: 5 5\n    class Gone,Lost missing\n"
    )


def test_undeclared_parameters_are_marked_and_unused_ones_stand_alone() -> None:
    text = mermaid(
        definition(
            step("S", Arguments={"X": get("Parameters.Ghost")}),
            parameters=[
                {"Name": "Unused", "Type": "Boolean", "DefaultValue": False},
                {"Name": "Untyped"},  # the service's default type: String
                {"Name": "Greeting", "Type": "String", "DefaultValue": "grüß dich"},
            ],
        ),
        parameters=True,
    )

    assert '        Unused[/"Unused<br/>Boolean = false"/]\n' in text
    assert '        Untyped[/"Untyped<br/>String"/]\n' in text
    assert '        Greeting[/"Greeting<br/>String = #quot;grüß dich#quot;"/]\n' in text
    assert '        Ghost[/"Ghost<br/>not declared"/]\n' in text
    assert edges(text) == ["Ghost -.- S"]
    assert text.endswith("    class Ghost missing\n")


def test_undeclared_parameters_are_drawn_in_name_order() -> None:
    names = ["Kilo", "Alpha", "Mike", "Echo", "Zulu", "Bravo"]
    arguments = {name: get(f"Parameters.{name}") for name in names}

    text = mermaid(definition(step("S", Arguments=arguments)), parameters=True)

    assert node_ids(text)[1:] == sorted(names)


def test_output_does_not_depend_on_the_order_references_are_met() -> None:
    arguments = {"X": get("Steps.A.Outcome"), "Y": get("Steps.B.Outcome")}
    forward = definition(step("A"), step("B"), step("C", Arguments=arguments))
    backward = definition(
        step("A"), step("B"), step("C", Arguments=dict(reversed(arguments.items())))
    )

    assert mermaid(forward) == mermaid(backward)
    assert edges(mermaid(forward)) == ["A --> C", "B --> C"]


def test_malformed_entries_are_skipped_not_fatal() -> None:
    text = mermaid(
        {
            "Steps": [
                "junk",
                {"Type": "Processing"},
                step("A", DependsOn="B"),
                {"Name": "C", "Type": "Condition", "Arguments": {"IfSteps": {"x": 1}}},
                {"Name": "D"},
                {"Name": "", "Type": "Fail"},  # no characters to make an id of
            ],
            "Parameters": {"not": "a list"},
        },
        parameters=True,
    )

    assert node_ids(text) == ["A", "C", "D", "step"]
    assert '    D["D<br/>no Type"]\n' in text
    assert '    step(["<br/>Fail"])\n' in text
    assert edges(text) == []


def test_deeply_nested_values_draw() -> None:
    nested: Any = get("Steps.A.Outcome")
    for _ in range(5000):  # deeper than Python's recursion limit
        nested = [nested]

    assert edges(mermaid(definition(step("A"), step("B", Arguments={"X": nested})))) == ["A --> B"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
NAMES = st.sampled_from(["A", "b-c", "b_c", "end", "", 'x"y', "#1"])
REFERENCE = NAMES.map(lambda name: {"Get": f"Steps.{name}.Outcome"})
ENTRY = st.fixed_dictionaries(
    {"Name": NAMES, "Type": st.sampled_from(["Processing", "Condition", "Fail", "Lambda", 3])},
    optional={
        "Arguments": st.dictionaries(
            st.sampled_from(["X", "IfSteps", "ElseSteps", "Conditions"]),
            REFERENCE
            | JSON
            | st.lists(st.fixed_dictionaries({"Name": NAMES, "Type": st.just("Fail")})),
        ),
        "DependsOn": st.lists(NAMES) | JSON,
        "DisplayName": JSON,
    },
)


@settings(max_examples=100, deadline=None)
@given(st.lists(ENTRY | JSON, max_size=6), st.booleans())
def test_any_readable_definition_draws_with_unique_ids(steps: list[Any], parameters: bool) -> None:
    text = mermaid({"Steps": steps, "Parameters": steps}, parameters=parameters)

    ids = node_ids(text)
    assert len(ids) == len(set(ids))
    assert text.startswith("flowchart TD\n")
    for line in text.splitlines()[1:]:
        assert re.fullmatch(r" +\w+(\[|\{|\(|[ ,]).*", line) or line.strip() == "end", line
        # Quotes only open and close labels: one pair per node line.
        assert line.count('"') in (0, 2), line


@pytest.mark.parametrize("path", SDK_GENERATED, ids=lambda path: path.stem)
def test_sdk_generated_definitions_draw_a_node_per_step(path: Path) -> None:
    loaded = json.loads(path.read_text())
    text = mermaid(loaded, parameters=True)

    steps = count_steps(loaded["Steps"])
    assert len(node_ids(text)) == steps + len(loaded["Parameters"])
    assert "not in the definition" not in text
    assert "not declared" not in text


@pytest.mark.parametrize("name", SDK_REFERENCE)
def test_sdk_reference_definitions_draw_a_node_per_step(name: str) -> None:
    loaded = load_sdk_example(name)
    text = mermaid(loaded)

    assert len(node_ids(text)) == count_steps(loaded["Steps"])
    assert "not in the definition" not in text


def test_the_sdks_deployment_steps_draw_from_model_to_component() -> None:
    # The model feeds the configurations, each configuration its endpoint, the endpoint of
    # inference components the components: all drawn from property references.
    sdk = json.loads((REPO / "tests/definition/sdk_deploy/sdk-deploy.json").read_text())
    text = mermaid(sdk["definition"])
    assert '    ConfigForComponents["ConfigForComponents<br/>EndpointConfig"]\n' in text
    assert '    EndpointMinimal["EndpointMinimal<br/>Endpoint"]\n' in text
    assert (
        '    ComponentEveryOption["ComponentEveryOption<br/>InferenceComponent<br/>'
        'Inference component"]\n'
    ) in text
    assert len(node_ids(text)) == count_steps(sdk["definition"]["Steps"]) == 13
    assert edges(text) == [
        *(
            f"CreateModel_CreateModel --> {config}"
            for config in (
                "ConfigMinimal",
                "ConfigEveryOption",
                "ConfigParameters",
                "ConfigServerless",
                "ConfigAsync",
                "ConfigTwoVariants",
                "ComponentMinimal",
                "ComponentEveryOption",
            )
        ),
        "ConfigMinimal --> EndpointMinimal",
        "ConfigMinimal -.-> EndpointEveryOption",  # its DependsOn
        "ConfigEveryOption --> EndpointEveryOption",
        "ConfigForComponents --> EndpointForComponents",
        "EndpointForComponents --> ComponentMinimal",
        "EndpointForComponents --> ComponentEveryOption",
    ]


def test_sdk_reference_with_every_edge_kind() -> None:
    text = mermaid(load_sdk_example("lambda-callback-emr-tuning-model-transform-conditions"))

    assert '    PrepLambda[["PrepLambda<br/>Lambda<br/>Prep lambda"]]\n' in text
    assert edges(text) == [
        "PrepLambda --> ManualCheck",
        "PrepLambda --> Tune",
        "PrepLambda --> Gate",
        "ManualCheck -.-> Spark",
        "ManualCheck --> Gate",
        "Spark -.-> Tune",
        "Tune --> Gate",
        "Tune --> CreateBest_CreateModel",
        "Gate -->|if| CreateBest_CreateModel",
        "Gate -->|if| BatchScore",
        "Gate -->|else| Fail",
        "CreateBest_CreateModel --> BatchScore",
    ]


# smpipe graph


def write(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(content))
    return str(path)


def test_graph_prints_the_diagram(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loaded = definition(step("A"), step("B", DependsOn=["A"]))

    assert main(["graph", write(tmp_path, loaded)]) == 0
    assert capsys.readouterr().out == mermaid(loaded)


def test_graph_reads_a_create_pipeline_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = definition(step("A"))
    request = {"PipelineName": "p", "PipelineDefinitionBody": json.dumps(loaded)}

    assert main(["graph", write(tmp_path, request)]) == 0
    assert capsys.readouterr().out == mermaid(loaded)


def test_graph_markdown_parameters_and_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = definition(
        step("A", Arguments={"X": get("Parameters.P")}),
        parameters=[{"Name": "P", "Type": "String"}],
    )
    target = tmp_path / "graph.md"

    code = main(
        ["graph", write(tmp_path, loaded), "--markdown", "--parameters", "--output", str(target)]
    )

    assert code == 0
    assert capsys.readouterr().out == ""
    assert target.read_text() == f"```mermaid\n{mermaid(loaded, parameters=True)}```\n"


def test_graph_of_a_pipeline_in_a_cloud_assembly(
    cdk_out: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["graph", str(cdk_out), "--pipeline", "dev/Ml/Training"]) == 0
    assert capsys.readouterr().out == (
        "flowchart TD\n"
        '    Prep["Prep<br/>Processing"]\n'
        '    Count[["Count<br/>Lambda"]]\n'
        '    Train["Train<br/>Training"]\n'
        "    Prep --> Count\n"
        "    Prep --> Train\n"
        "    Count --> Train\n"
    )


def test_graph_says_when_mermaid_would_refuse_to_draw_the_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Mermaid draws at most 500 edges (its maxEdges) and 50,000 characters (maxTextSize) by
    # default, as GitHub runs it: a pipeline of 300 steps drawn with its parameters had 534
    # edges, and the pull request showed "Too many edges" where the diagram should be.
    uses = {"X": get("Parameters.P")}
    loaded = definition(
        *(step(f"S{index}", Arguments=uses) for index in range(501)),
        parameters=[{"Name": "P", "Type": "String"}],
    )
    path = write(tmp_path, loaded)

    assert main(["graph", path]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (mermaid(loaded), "")  # no edges without parameters

    assert main(["graph", path, "--parameters"]) == 0
    captured = capsys.readouterr()
    assert captured.out == mermaid(loaded, parameters=True)  # drawn all the same
    assert len(edges(captured.out)) == 501
    assert captured.err == (
        "smpipe graph: note: the diagram has 501 edges and 23,302 characters, more than the "
        "500 edges or 50,000 characters Mermaid draws by default: GitHub shows an error "
        "instead of it. To review it there, leave out --parameters, or render it where "
        "Mermaid's maxEdges and maxTextSize can be raised (mermaid-cli with a config file), "
        "or review the change with smpipe diff\n"
    )
    # Long names: too many characters, not edges.
    long_names = definition(*(step(f"{'S' * 60}{index:03d}") for index in range(400)))
    assert main(["graph", write(tmp_path, long_names)]) == 0
    assert "the diagram has 0 edges and 60,013 characters" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.json"], "missing.json: cannot read: No such file or directory"),
        (["{file}", "--pipeline", "P"], "--pipeline chooses a pipeline of a cloud assembly"),
        (["{tmp}/base", "--pipeline", "P"], "base is not a cloud assembly (no such directory)"),
        (["{assembly}", "--pipeline", "prod/Ml"], "no pipeline 'prod/Ml' in the assembly"),
        (["{file}", "--output", "{tmp}/no/such/dir/graph.md"], "graph.md: cannot write: No such"),
    ],
)
def test_graph_errors_exit_2_with_one_line(
    tmp_path: Path,
    cdk_out: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    file = write(tmp_path, definition(step("A")))
    filled = [a.format(file=file, assembly=cdk_out, tmp=tmp_path) for a in arguments]

    assert main(["graph", *filled]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("smpipe graph: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_graph_of_a_file_that_is_no_definition_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", write(tmp_path, [1, 2])]) == 2
    assert "not a pipeline definition (no list of Steps)" in capsys.readouterr().err


def test_a_definition_that_is_no_mapping_or_has_no_list_of_steps_is_named() -> None:
    # A path passed for the definition failed with "'str' object has no attribute 'get'";
    # Steps that aren't a list were drawn as a pipeline of no steps.
    with pytest.raises(TypeError, match=r"^mermaid: definition must be a pipeline definition"):
        mermaid("pipeline.json")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^mermaid: the definition's Steps must be a list"):
        mermaid({"Version": "2020-12-01", "Steps": {"Train": {}}})


def test_a_pipeline_definition_not_compiled_yet_is_told_how_to_compile_it() -> None:
    # A notebook draws the PipelineDefinition it just built: the error said only its type.
    pipeline = PipelineDefinition(steps=[fail("Stop")])
    with pytest.raises(TypeError) as raised:
        mermaid(pipeline)  # type: ignore[arg-type]
    assert str(raised.value).endswith(
        "got PipelineDefinition: compile it first, mermaid(pipeline.to_definition("
        "StaticBinder(region=…, role_arn=…, default_bucket=…)))"
    )
    assert "Stop" in mermaid(pipeline.to_definition(BINDER))
