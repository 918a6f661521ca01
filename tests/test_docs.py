"""The user docs (README.md, docs/) agree with the code they describe."""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import functools
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from cdk_sagemaker_pipelines import definition
from cdk_sagemaker_pipelines.cli import build_parser
from cdk_sagemaker_pipelines.local import LocalConfig, ResourceMap
from cdk_sagemaker_pipelines.local import runner as local_runner
from cdk_sagemaker_pipelines.local.resources import can_serve
from tests.conftest import REPO, ROLE, cached_example_root
from tests.test_packaging import app_pins, declared_ranges

README = REPO / "README.md"
CHANGELOG = REPO / "CHANGELOG.md"
# CONTRIBUTING.md is where a contributor looks first, CHANGELOG.md where an adopter does,
# SECURITY.md where someone who found a vulnerability does:
# their links are checked too.
DOCS = [
    README,
    REPO / "CONTRIBUTING.md",
    CHANGELOG,
    REPO / "SECURITY.md",
    *sorted((REPO / "docs").glob("*.md")),
]
LOCAL_RUNNER = REPO / "docs" / "local-runner.md"
# The reference guides the README's overview points to (their text was the README's).
OWN_PROJECT = REPO / "docs" / "own-project.md"
LANGUAGE = REPO / "docs" / "language.md"
REVIEW_TOOLS = REPO / "docs" / "review-tools.md"
CONSTRUCTS = REPO / "docs" / "constructs.md"
REFERENCE_APP = REPO / "docs" / "reference-app.md"
UPGRADING = REPO / "docs" / "upgrading.md"
LIMITATIONS = REPO / "docs" / "limitations.md"
ARCHITECTURE = REPO / "docs" / "architecture.md"
MODEL_MONITORING = REPO / "docs" / "model-monitoring.md"
REFERENCE = [
    README,
    OWN_PROJECT,
    LANGUAGE,
    REVIEW_TOOLS,
    CONSTRUCTS,
    REFERENCE_APP,
    UPGRADING,
    LIMITATIONS,
    ARCHITECTURE,
    MODEL_MONITORING,
]
OUR_PACKAGES = ("cdk_sagemaker_pipelines", "example_project", "examples", "stacks")


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every (nested) subcommand by its command line: 'run', 'registry approve', …"""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in subcommands(sub).items()})
    return found


def local_runner_parser() -> argparse.ArgumentParser:
    """A parser with the local runner's subcommands only (the review tools have their own docs)."""
    from cdk_sagemaker_pipelines.local.cli import register

    parser = argparse.ArgumentParser(prog="smpipe")
    register(parser.add_subparsers())
    return parser


def long_options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_docs_point_only_at_files_in_the_repository(doc: Path) -> None:
    # A path beginning /work/ (this machine's checkouts), not a runner's records' …/work/.
    assert re.search(r"(?<![\w.-])/work/", doc.read_text()) is None


def test_readme_example_is_examples_seed_pipeline() -> None:
    example = (REPO / "examples" / "seed_pipeline.py").read_text()
    body = example[example.index("from cdk_sagemaker_pipelines") :]
    body = body.replace('if __name__ == "__main__":\n    print(', "print(")
    assert body in code_blocks(README.read_text(), "python")


def test_local_runner_synopsis_lists_every_option_of_every_subcommand() -> None:
    synopsis = next(
        block
        for block in code_blocks(LOCAL_RUNNER.read_text(), "text")
        if block.startswith("smpipe run")
    )
    documented: dict[str, set[str]] = {}
    command = ""
    for line in synopsis.splitlines():
        if line.startswith("smpipe "):
            words = line.split()
            command = " ".join(w for w in words[1:3] if re.fullmatch(r"[a-z]+", w))
        documented.setdefault(command, set()).update(re.findall(r"--[a-z][a-z0-9-]*", line))
    parsers = subcommands(local_runner_parser())
    assert documented.keys() == parsers.keys() - {"registry"}
    for command, options in documented.items():
        assert options == long_options(parsers[command]), command


def test_review_tools_graph_synopsis_lists_every_option() -> None:
    text = REVIEW_TOOLS.read_text()
    section = text[text.index("## Draw a pipeline") :]
    synopsis = code_blocks(section, "sh")[0]
    documented = set(re.findall(r"--[a-z][a-z0-9-]*", synopsis))
    assert documented == long_options(subcommands(build_parser())["graph"])


def test_review_tools_graph_is_what_smpipe_graph_prints_for_the_readme_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cdk_sagemaker_pipelines.cli import main
    from examples.seed_pipeline import BINDER, pipeline

    path = tmp_path / "pipeline.json"
    path.write_text(pipeline.to_json(BINDER))
    assert main(["graph", str(path), "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed in REVIEW_TOOLS.read_text()
    assert code_blocks(printed, "mermaid") == code_blocks(REVIEW_TOOLS.read_text(), "mermaid")


def test_local_runner_lists_every_local_config_option() -> None:
    text = LOCAL_RUNNER.read_text()
    listed = text[text.index("`LocalConfig` options") :]
    for field in dataclasses.fields(LocalConfig):
        assert f"- `{field.name}`:" in listed, field.name


@pytest.mark.parametrize("doc", [README, LANGUAGE], ids=lambda path: path.name)
def test_validation_example_is_real_output(doc: Path) -> None:
    from cdk_sagemaker_pipelines.definition import (
        ConditionGreaterThanOrEqualTo,
        ConditionStep,
        PipelineDefinition,
        PipelineValidationError,
        ProcessingStep,
        StaticBinder,
        TrainingStep,
    )

    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
    prep = ProcessingStep(name="Prep", image=image, instance_type="m5.large")
    train = TrainingStep(name="Train", image=image)
    check = ConditionStep(
        name="Check",
        conditions=[
            ConditionGreaterThanOrEqualTo(left=train.properties.TrainingJobStatus, right=1)
        ],
        if_steps=[prep],
    )
    binder = StaticBinder(role_arn="arn:aws:iam::111122223333:role/R", default_bucket="b")
    with pytest.raises(PipelineValidationError) as caught:
        PipelineDefinition(steps=[check]).compile(binder)
    example = next(
        block
        for block in code_blocks(doc.read_text(), "text")
        if block.startswith("pipeline definition has")
    )
    assert example == f"{caught.value}\n"


def test_language_reference_quotes_the_messages_the_code_raises() -> None:
    from cdk_sagemaker_pipelines.definition import (
        PipelineDefinitionError,
        ProcessingStep,
        PropertyPathError,
        TrainingStep,
    )

    readme = LANGUAGE.read_text()
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image:latest"
    with pytest.raises(PropertyPathError) as path_error:
        _ = ProcessingStep(name="Prep", image=image).properties.ProcessingOutputConfig.Output  # type: ignore[attr-defined]
    with pytest.raises(PipelineDefinitionError) as type_error:
        TrainingStep(name="Train", image=image, instance_count="1")  # type: ignore[arg-type]
    for error in (path_error.value, type_error.value):
        assert f"`{error}`" in readme


def test_reference_names_every_warning_id_and_only_those() -> None:
    # The README and the guides its reference moved to (the warnings sit where each
    # construct, step or limitation is described), together.
    sources = (REPO / "constructs" / "cdk_sagemaker_pipelines" / "cdk").glob("*.py")
    raised = {
        found
        for source in sources
        for found in re.findall(r'f"\{WARNING_PREFIX\}:([a-z0-9-]+)"', source.read_text())
    }
    documented = {
        found
        for doc in REFERENCE
        for found in re.findall(r"`cdk-sagemaker-pipelines:([a-z0-9-]+)`", doc.read_text())
    }
    assert raised, "no warning ids found in the constructs"
    assert documented == raised


def changing_a_deployed_app() -> dict[str, str]:
    """docs/upgrading.md's "Changing a deployed app": each change (a heading) with its effect."""
    text = UPGRADING.read_text()
    section = text[
        text.index("\n### What each change does\n") : text.index("\n### Removing an environment\n")
    ]
    changes = re.findall(r"^#### ([^\n]+)\n\n(.*?)(?=^#### |\Z)", section, re.S | re.M)
    assert len(changes) > 15
    # As rendered: the effect's line breaks are spaces.
    return {change: " ".join(effect.split()) for change, effect in changes}


# The construct prop behind each property whose change replaces a stateful resource of the
# reference app (the ImmutableProperties its inventory gives a value, i.e. that the constructs
# set), and the words of the change in docs/upgrading.md's entry that says what it does.
REPLACING_PROPS = {
    "PipelineName": ("`pipeline_name`",),
    "ModelPackageGroupName": ("registry", "`model_package_group_name`"),
    "ModelPackageGroupDescription": ("registry", "`description`"),
    # The sealing function's log group is named after its construct path.
    "LogGroupName": ("`Pipeline` moved", "renamed"),
}


def test_constructs_say_what_changing_each_prop_that_replaces_a_stateful_resource_does() -> None:
    inventory = json.loads((REPO / "tests" / "cdk" / "stateful_resources.json").read_text())
    set_by_the_constructs = {
        name
        for stack in inventory["stacks"].values()
        for resource in stack["resources"].values()
        for name, value in resource["ImmutableProperties"].items()
        if value is not None
    }
    assert set_by_the_constructs == set(REPLACING_PROPS)
    changes = changing_a_deployed_app()
    undocumented = [
        prop
        for prop, words in REPLACING_PROPS.items()
        if not any(all(word in change for word in words) for change in changes)
    ]
    assert undocumented == []


def test_architecture_names_existing_paths() -> None:
    text = ARCHITECTURE.read_text()
    tree = code_blocks(text[text.index("## Layout") :], "")[0]
    parents: list[str] = []
    checked = 0
    for line in tree.splitlines():
        # "  name/   what it is", "a.py, b.json   …"; wrapped descriptions don't match.
        entry = re.match(r"( *)([\w.-]+/?(?:, [\w.-]+/?)*)(?: {2,}|$)", line)
        if entry is None or len(entry[1]) > 12:
            continue
        del parents[len(entry[1]) // 2 :]
        names = entry[2].split(", ")
        for name in names:
            path = REPO.joinpath(*parents, name)
            assert path.exists(), f"docs/architecture.md names {path.relative_to(REPO)}"
            checked += 1
        if names[-1].endswith("/"):
            parents.append(names[-1].rstrip("/"))
    assert checked > 15


def test_sdk_comparison_line_counts_are_what_its_command_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    comparison = (REPO / "docs" / "sdk-comparison.md").read_text()
    command = re.search(r"^python3 - <<'EOF'\n(.*?)^EOF\n", comparison, re.S | re.M)
    assert command is not None
    monkeypatch.chdir(REPO)  # the command reads its files from the repository root
    exec(compile(command[1], "docs/sdk-comparison.md", "exec"), {"__name__": "__count__"})
    printed = capsys.readouterr().out
    shown = comparison[comparison.index(command[0]) :]
    assert f"```text\n{printed}```" in shown
    ours, sdk = (int(n) for n in re.findall(r"(\d+) pipeline-building lines", printed))
    readme = " ".join(README.read_text().split())  # as rendered: line breaks are spaces
    assert f"{ours} lines of pipeline code where the SageMaker SDK needs {sdk}" in readme
    assert f"| Ours, `examples/seed_pipeline.py` | **{ours}** |" in comparison
    assert f"| SDK v2, above | **{sdk}** |" in comparison


def _run_sdk_harness(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run docs/sdk-comparison.md's offline harness on ``script``, with a stand-in of the
    two ``sagemaker`` modules it patches (the SDK itself isn't in the project's venv)."""
    comparison = (REPO / "docs" / "sdk-comparison.md").read_text()
    harness = next(b for b in re.findall(r"```python\n(.*?)```", comparison, re.S) if "runpy" in b)
    (tmp_path / "run_offline.py").write_text(harness)
    (tmp_path / "pipeline_script.py").write_text(textwrap.dedent(script))
    telemetry = tmp_path / "stubs" / "sagemaker" / "telemetry"
    telemetry.mkdir(parents=True)
    (telemetry.parent / "__init__.py").write_text("")
    (telemetry.parent / "session.py").write_text("class Session:\n    pass\n")
    (telemetry / "__init__.py").write_text("")
    (telemetry / "telemetry_logging.py").write_text("")
    environment = {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "stubs"),
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "dummy",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [sys.executable, "run_offline.py", "pipeline_script.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_sdk_harness_lists_the_uploads_of_local_code_instead_of_failing(
    tmp_path: Path,
) -> None:
    # The SDK uploads a script given as a local file (code="preprocess.py") with PutObject
    # while it builds the definition: teams' scripts do, and offline that must not fail.
    result = _run_sdk_harness(
        tmp_path,
        """
        import botocore.session

        s3 = botocore.session.get_session().create_client("s3", region_name="us-east-1")
        s3.put_object(Bucket="my-bucket", Key="Seed/code/abc/preprocess.py", Body=b"")
        print('{"Version": "2020-12-01"}')
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == '{"Version": "2020-12-01"}'
    assert "not uploaded (offline): s3://my-bucket/Seed/code/abc/preprocess.py" in result.stderr


def test_the_sdk_harness_reports_a_failing_script_on_stderr(tmp_path: Path) -> None:
    # Not on stdout, whose last line the documented command saves as the definition.
    result = _run_sdk_harness(
        tmp_path,
        """
        import botocore.session

        s3 = botocore.session.get_session().create_client("s3", region_name="us-east-1")
        s3.list_buckets()
        """,
    )
    assert result.returncode == 1
    assert "AWS call blocked: ListBuckets" in result.stderr
    assert "network attempts: ['s3.ListBuckets']" in result.stderr
    assert "Traceback" not in result.stdout


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    """The anchors of ``path``'s headings, outside code blocks: read once per file.

    Many links lead to a few long documents (benchmarks.md links to its own sections):
    parsing the target again for each link was most of these tests' time.
    """
    prose = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return frozenset(_anchor(heading) for heading in re.findall(r"^#+ (.+)$", prose, re.M))


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_relative_links_point_at_existing_files_and_headings(doc: Path) -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", doc.read_text())
    checked = 0
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        assert path.exists(), f"{doc.name} links to {link}"
        if anchor:
            assert anchor in _anchors(path), f"{doc.name}: {link}"
        checked += 1
    assert checked or not links


CONTENTS = [doc for doc in DOCS if "**Contents:**" in doc.read_text()]


@pytest.mark.parametrize("doc", CONTENTS, ids=lambda path: path.name)
def test_contents_lists_link_every_section(doc: Path) -> None:
    # A section missing from a document's contents list is one a reader skimming it never
    # finds. Sections and their subsections (## and ###) are listed; #### are asides.
    prose = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.S | re.M)
    contents = prose[prose.index("**Contents:**") :].split("\n\n", 1)[0]
    listed = set(re.findall(r"\]\(#([^)]+)\)", contents))
    sections = {_anchor(heading) for heading in re.findall(r"^#{2,3} (.+)$", prose, re.M)}
    assert sections - listed == set(), f"{doc.name}'s contents leave out sections"


def _doc_python(doc: Path, containing: str) -> str:
    (block,) = [b for b in code_blocks(doc.read_text(), "python") if containing in b]
    return block


def _seed_example() -> dict[str, Any]:
    """The names the README's first example defines, as the later examples use them."""
    namespace: dict[str, Any] = {}
    example = _doc_python(README, "BINDER = StaticBinder(")
    exec(example.replace("print(pipeline.to_json(BINDER, indent=2))\n", ""), namespace)
    return namespace


def test_language_check_step_example_compiles() -> None:
    namespace = _seed_example()
    namespace["config_bucket"] = "my-config-bucket"
    # "RegisterModel(..., model_metrics=…)": the seed example's registration, with metrics.
    registration = (
        'registered = RegisterModel(\n    name="RegisterChecked",\n'
        '    model_package_group_name="churn-models",\n'
        '    image=Image.sklearn("1.2-1", scope="inference"),\n'
        "    model_data=train.model_data,\n"
    )
    example = _doc_python(LANGUAGE, "QualityCheckStep(")
    assert "RegisterModel(\n    ...,\n" in example
    exec(example.replace("RegisterModel(\n    ...,\n", registration), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"], namespace["skip_check"]],
        steps=[namespace["registered"]],
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert steps["DataQualityCheck"]["Type"] == "QualityCheck"
    assert steps["DataBiasCheck"]["Type"] == "ClarifyCheck"
    metrics = steps["RegisterChecked"]["Arguments"]["ModelMetrics"]
    assert metrics["Bias"]["PreTrainingReport"]["S3Uri"] == {
        "Get": "Steps.DataBiasCheck.CalculatedBaselineConstraints"
    }


def test_language_bias_threshold_example_compiles() -> None:
    namespace = _seed_example()
    namespace["config_bucket"] = "my-config-bucket"
    # The check example's registration (RegisterModel(..., …)) is not this test's concern.
    namespace["RegisterModel"] = lambda *_, **__: None
    exec(_doc_python(LANGUAGE, "QualityCheckStep("), namespace)
    exec(_doc_python(LANGUAGE, "bias_gate = ConditionStep("), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"], namespace["max_dpl"]],
        steps=[namespace["bias_gate"]],
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    (condition,) = steps["DataBiasWithinThreshold"]["Arguments"]["Conditions"]
    assert condition["LeftValue"]["Std:JsonGet"] == {
        "S3Uri": {
            "Std:Join": {
                "On": "",
                "Values": [{"Get": "Steps.DataBiasCheck.CalculatedBaselineConstraints"}],
            }
        },
        "Path": "pre_training_bias_metrics.facets.gender[0].metrics[1].value",
    }
    assert [step["Name"] for step in steps["DataBiasWithinThreshold"]["Arguments"]["IfSteps"]] == [
        "Train"
    ]
    # The message the section quotes for a filter in the path.
    filtered = namespace["JsonGet"](
        s3_uri=namespace["data_bias"].properties.CalculatedBaselineConstraints,
        json_path="pre_training_bias_metrics.facets.gender[0].metrics[?(@.name=='DPL')].value",
    )
    gate = namespace["ConditionStep"](
        name="Filtered",
        conditions=[namespace["ConditionLessThanOrEqualTo"](left=filtered, right=0.1)],
    )
    with pytest.raises(definition.PipelineValidationError, match="is not a valid JsonPath"):
        namespace["PipelineDefinition"](steps=[gate]).to_definition(namespace["BINDER"])


def test_language_asset_file_example_compiles_and_lists_its_upload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = _seed_example()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ml" / "config").mkdir(parents=True)
    (tmp_path / "ml" / "config" / "feature_schema.json").write_text("{}")
    exec(_doc_python(LANGUAGE, "S3Location.from_asset("), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["validate"]]
    )
    binder = dataclasses.replace(namespace["BINDER"], code_prefix="s3://my-bucket/code")
    steps = {step["Name"]: step for step in pipeline.to_definition(binder)["Steps"]}
    schema = steps["ValidateFeatures"]["Arguments"]["ProcessingInputs"][0]
    assert schema["S3Input"]["S3Uri"] == "s3://my-bucket/code/feature_schema.json"
    assert binder.uploads(pipeline) == {
        "s3://my-bucket/code/feature_schema.json": str(tmp_path / "ml/config/feature_schema.json")
    }


def test_local_runner_run_of_your_own_pipeline_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "rows.csv").write_text("1,2\n")
    (tmp_path / "ml").mkdir()
    (tmp_path / "ml" / "prep.py").write_text(
        "import os, shutil\n"
        "os.makedirs('/opt/ml/processing/train', exist_ok=True)\n"
        "shutil.copy('/opt/ml/processing/raw/rows.csv', '/opt/ml/processing/train/')\n"
    )
    (tmp_path / "ml" / "pipeline.py").write_text(
        "from pathlib import Path\n"
        "from cdk_sagemaker_pipelines.definition import (\n"
        "    Code, Image, PipelineDefinition, ProcessingStep\n"
        ")\n"
        "def build_pipeline():\n"
        "    prep = ProcessingStep(\n"
        "        name='Prep', image=Image.sklearn('1.2-1'),\n"
        "        code=Code.from_asset(Path(__file__).parent / 'prep.py'),\n"
        "        inputs={'raw': 's3://my-bucket/raw'}, outputs=['train'],\n"
        "    )\n"
        "    return PipelineDefinition(steps=[prep])\n"
    )
    for module in ("ml", "ml.pipeline"):  # the module this test writes, not another one
        monkeypatch.delitem(sys.modules, module, raising=False)

    exec(_doc_python(LOCAL_RUNNER, "ResourceMap(s3={**binder.uploads(pipeline)"), {})

    assert capsys.readouterr().out == "Succeeded None\n"


def test_language_inference_pipeline_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, "containers = ["), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["model"], namespace["register"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert len(steps["CreateModel"]["Arguments"]["Containers"]) == 2
    specification = steps["RegisterModel"]["Arguments"]["InferenceSpecification"]
    assert len(specification["Containers"]) == 2


def test_language_own_container_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, 'name="BuildFeatures"'), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["train_custom"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    app = steps["BuildFeatures"]["Arguments"]["AppSpecification"]
    assert app["ContainerEntrypoint"] == ["python3", "/app/build_features.py"]
    assert app["ContainerArguments"] == ["--days", "30"]
    # No code= means no code input: the image's own program runs.
    assert [i["InputName"] for i in steps["BuildFeatures"]["Arguments"]["ProcessingInputs"]] == [
        "raw"
    ]
    training = steps["TrainCustom"]["Arguments"]
    assert training["AlgorithmSpecification"]["TrainingImage"].endswith("/trainer:2.0")
    assert "sagemaker_program" not in training.get("HyperParameters", {})


def test_language_large_model_serving_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, "Image.djl_lmi("), namespace)
    pipeline = namespace["PipelineDefinition"](steps=[namespace["model"], namespace["register"]])
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    image = steps["CreateModel"]["Arguments"]["PrimaryContainer"]["Image"]
    assert image.endswith("/djl-inference:0.33.0-lmi15.0.0-cu128")
    specification = steps["Register"]["Arguments"]["InferenceSpecification"]
    assert ":2.7.0-tgi3.3.6-gpu-" in specification["Containers"][0]["Image"]


def test_language_automl_example_compiles() -> None:
    namespace = _seed_example()
    # The example sits in the language reference's list of steps: its fence is indented.
    blocks = re.findall(r"^( +)```python\n(.*?)^\1```", LANGUAGE.read_text(), re.S | re.M)
    (example,) = [textwrap.dedent(body) for _, body in blocks if "AutoMLStep(" in body]
    exec(example, namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["score"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert steps["AutoML"]["Type"] == "AutoML"
    assert steps["BestModel"]["Arguments"]["PrimaryContainer"]["ModelDataUrl"] == {
        "Get": "Steps.AutoML.BestCandidate.InferenceContainers[0].ModelDataUrl"
    }


def test_language_tuning_example_compiles() -> None:
    namespace = _seed_example()
    # As its first comment says: the first example's Preprocess, with a validation output.
    example = _doc_python(LANGUAGE, "tune.top_model_s3_uri(0)")
    assert example.count('outputs=["train", "validation", "test"]') == 1
    exec(
        'prep = ProcessingStep(name="Preprocess", image=sklearn, inputs={"input": input_data},\n'
        '    code=Code.from_s3("s3://my-bucket/code/preprocess.py"),\n'
        '    outputs=["train", "validation", "test"])',
        namespace,
    )
    exec(example, namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["score"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert list(steps) == ["Preprocess", "Tune", "CreateModel", "BatchScore"]
    model_data = steps["CreateModel"]["Arguments"]["PrimaryContainer"]["ModelDataUrl"]
    best_job = {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"}
    assert best_job in model_data["Std:Join"]["Values"]
    assert steps["BatchScore"]["Arguments"]["ModelName"] == {"Get": "Steps.CreateModel.ModelName"}


def test_language_deploy_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, "deploy = EndpointStep("), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["deploy"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert list(steps) == ["Preprocess", "Train", "CreateModel", "CreateEndpointConfig", "Deploy"]
    assert steps["Deploy"]["Arguments"] == {
        "EndpointName": "churn",
        "EndpointConfigName": {"Get": "Steps.CreateEndpointConfig.EndpointConfigName"},
    }
    variant = steps["CreateEndpointConfig"]["Arguments"]["ProductionVariants"][0]
    assert variant["ModelName"] == {"Get": "Steps.CreateModel.ModelName"}
    assert variant["InitialInstanceCount"] == 2
    # The message the language reference quotes, from validation of a literal name.
    bad = namespace["EndpointStep"](
        name="Deploy",
        endpoint_name="churn",
        endpoint_config_name="churn",
        depends_on=[namespace["config"]],
    )
    with pytest.raises(definition.PipelineValidationError) as raised:
        namespace["PipelineDefinition"](
            parameters=[namespace["input_data"]], steps=[bad]
        ).to_definition(namespace["BINDER"])
    (problem,) = raised.value.problems
    quoted = re.search(
        r"\(`('churn' is the name EndpointConfig step[^`]*)`\)", LANGUAGE.read_text()
    )
    assert quoted is not None
    assert " ".join(quoted[1].split()) in problem.message


def test_language_lineage_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, "lineage = LineageStep("), namespace)
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"], namespace["threshold"]],
        steps=[namespace["lineage"]],
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    arguments = steps["RecordLineage"]["Arguments"]
    assert arguments["Artifacts"][0]["Source"]["SourceUri"] == {
        "Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"
    }
    model = {
        "Std:Join": {"On": "-", "Values": ["churn-model", {"Get": "Execution.PipelineExecutionId"}]}
    }
    assert arguments["Artifacts"][0]["ArtifactName"] == model
    assert arguments["Associations"][0]["Destination"] == {"Name": model, "Type": "Artifact"}
    # The message the language reference quotes, from a misspelt literal name.
    step, artifact = namespace["LineageStep"], namespace["LineageArtifact"]
    reference, association = namespace["LineageEntityReference"], namespace["LineageAssociation"]
    with pytest.raises(definition.PipelineDefinitionError) as raised:
        step(
            name="RecordLineage",
            artifacts=[
                artifact(artifact_name="churn-model", source_uri="s3://b/m", artifact_type="M")
            ],
            associations=[
                association(
                    source=reference(arn="arn:aws:sagemaker:us-east-1:111122223333:action/a"),
                    destination=reference(name="churn-modle", type="Artifact"),
                )
            ],
        )
    quoted = re.search(r"\(`(LineageStep 'RecordLineage':[^`]*)`\)", LANGUAGE.read_text())
    assert quoted is not None
    assert " ".join(quoted[1].split()).removesuffix(" …)") in str(raised.value)


def test_language_lambda_and_callback_example_compiles() -> None:
    namespace = _seed_example()
    exec(_doc_python(LANGUAGE, "review.properties.OutputParameters"), namespace)
    steps = {
        step["Name"]: step
        for step in namespace["pipeline"].to_definition(namespace["BINDER"])["Steps"]
    }
    assert list(steps) == ["Preprocess", "CountRows", "ReviewData", "DataApproved"]
    rows = {"Get": "Steps.CountRows.OutputParameters['rows']"}
    assert steps["CountRows"]["OutputParameters"] == [
        {"OutputName": "rows", "OutputType": "Integer"}
    ]
    assert steps["ReviewData"]["Arguments"]["rows"] == rows
    assert steps["ReviewData"]["SqsQueueUrl"].endswith("/data-review")
    gate = steps["DataApproved"]["Arguments"]
    assert gate["Conditions"] == [
        {
            "Type": "Equals",
            "LeftValue": {"Get": "Steps.ReviewData.OutputParameters['approved']"},
            "RightValue": True,
        }
    ]
    assert [step["Name"] for step in gate["IfSteps"]] == ["Train"]
    (rejected,) = gate["ElseSteps"]
    assert rows in rejected["Arguments"]["ErrorMessage"]["Std:Join"]["Values"]
    # The message the language reference quotes.
    message = "step 'CountRows': OutputParameters has no entry 'row' (did you mean 'rows'?)"
    assert f"`{message}`" in LANGUAGE.read_text()
    with pytest.raises(definition.PropertyPathError, match=re.escape(message)):
        namespace["count"].properties.OutputParameters["row"]


def test_language_raw_step_example_compiles() -> None:
    namespace = _seed_example()
    sdk = REPO / "tests" / "definition" / "sdk_generated" / "sdk-notebook-jobs.json"
    namespace["sdk_definition"] = json.loads(sdk.read_text())
    exec(_doc_python(LANGUAGE, "RawStep.from_json("), namespace)
    # The notebook job's parameters, as the SDK's pipeline declares them.
    notebook_parameters = [
        definition.ParameterString(name="Threshold", default_value="0.8"),
        definition.ParameterString(name="NotebookInstanceType", default_value="ml.m5.xlarge"),
    ]
    pipeline = definition.PipelineDefinition(
        parameters=[namespace["input_data"], *notebook_parameters],
        steps=[namespace["register_unversioned"], namespace["archive"]],
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(namespace["BINDER"])["Steps"]}
    assert list(steps) == ["ChurnReport", "Archive", "Preprocess", "Train", "RegisterUnversioned"]
    containers = steps["RegisterUnversioned"]["Arguments"]["InferenceSpecification"]["Containers"]
    assert containers[0]["ModelDataUrl"] == {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    report = steps["Archive"]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"]
    assert report == {"Get": "Steps.ChurnReport.OutputDataConfig.S3OutputPath"}
    # The message the section quotes.
    step = namespace["RawStep"](name="Report", type="Trainig", arguments={})
    with pytest.raises(definition.PipelineValidationError) as caught:
        namespace["PipelineDefinition"](steps=[step]).compile(namespace["BINDER"])
    [line] = str(caught.value).splitlines()[1:]
    assert f"`{line.removeprefix('- ')}`" in LANGUAGE.read_text().replace("\n  ", " ")


def test_docs_pytest_examples_pass(tmp_path: Path, example_runs: Any) -> None:
    # One runner directory whose cache already holds the example's steps (from the session's
    # run of the example project): the examples run as a user's second run would, hitting it.
    cached_example_root(example_runs, tmp_path)
    blocks = [_doc_python(README, "def test_a_threshold_above_the_accuracy_fails")] + [
        block
        for block in code_blocks(LOCAL_RUNNER.read_text(), "python")
        # The tutorial's pipeline has a test of its own, in the tutorial's project.
        if "def test_" in block and "from pipeline import build_pipeline" not in block
    ]
    tests = []
    for block in blocks:
        namespace: dict[str, Any] = {}
        exec(block, namespace)
        tests += [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 3
    for test in tests:
        test(tmp_path)


def test_review_tools_diff_example_is_real_output() -> None:
    """docs/review-tools.md's `smpipe diff` example: the example pipeline, with its changes."""
    from cdk_sagemaker_pipelines.review import diff_definitions, render_text
    from example_project.local import local_definition
    from example_project.pipeline import PipelineSettings

    base = local_definition()
    branch = local_definition(PipelineSettings(accuracy_threshold=0.8))
    steps = {entry["Name"]: entry for entry in branch["Steps"]}
    steps["Train"]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = 7200
    explain = {**steps["Evaluate"], "Name": "Explain", "Description": "SHAP values"}
    explain["Arguments"] = {
        **explain["Arguments"],
        "ProcessingInputs": [
            entry
            for entry in explain["Arguments"]["ProcessingInputs"]
            if entry["InputName"] == "model"
        ],
    }
    del explain["PropertyFiles"]
    branch["Steps"].insert(3, explain)
    labels = ("/tmp/base:dev-breast-cancer-training", "cdk.out:dev-breast-cancer-training")

    example = next(
        block
        for block in code_blocks(REVIEW_TOOLS.read_text(), "text")
        if block.startswith("/tmp/base")
    )
    assert example == render_text(diff_definitions(base, branch), labels)


def test_review_tools_diff_commands_use_options_smpipe_diff_has() -> None:
    text = REVIEW_TOOLS.read_text()
    section = text[text.index("## Diff two definitions") :]
    commands = [
        line for line in code_blocks(section, "sh")[0].splitlines() if "smpipe diff" in line
    ]
    used = {option for line in commands for option in re.findall(r"--[a-z][a-z-]*", line)}
    options = long_options(subcommands(build_parser())["diff"])
    assert used
    assert used <= options
    for option in options:
        assert f"`{option}`" in section or option in used, option


def test_operating_the_reference_app_uses_real_commands_and_options() -> None:
    # A runbook read at 3 am is pasted, not read closely: each aws call must be an
    # operation of the service's model with its options, each smpipe command a real one.
    from cdk_sagemaker_pipelines.definition._service_model import service_model

    def kebab(name: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()

    text = REFERENCE_APP.read_text()
    section = text[text.index("## Operating it") : text.index("## Reviewing infrastructure")]
    lines = [
        line
        for block in code_blocks(section, "sh")
        for line in block.replace("\\\n", " ").splitlines()
        if not line.startswith("#")
    ]
    model = service_model("sagemaker")
    operations = {kebab(name): operation for name, operation in model["operations"].items()}
    called = [line for line in lines if line.startswith("aws sagemaker ")]
    assert len(called) >= 7
    for line in called:
        shape = model["shapes"][operations[line.split()[2]]["input"]["shape"]]
        used = {option[2:] for option in re.findall(r"--[a-z][a-z-]*", line)} - {"query"}
        assert used <= {kebab(name) for name in shape["members"]}, line
        # The CLI fills the idempotency token (ClientRequestToken) itself.
        required = {kebab(name) for name in shape.get("required", [])}
        assert required - {"client-request-token"} <= used, line
    (run,) = [line for line in lines if line.startswith("smpipe run ")]
    used = set(re.findall(r"--[a-z][a-z0-9-]*", run))
    assert used <= long_options(subcommands(build_parser())["run"]), used
    # The stand-in name the local runner gives the prod data bucket (a token at synth).
    assert "--s3-map s3://prod-mlops-artifacts-data/incoming=" in run


def test_readme_review_commands_use_options_the_subcommands_have() -> None:
    section = README.read_text()
    section = section[section.index("## Review tools") : section.index("## CDK constructs")]
    parsers = subcommands(build_parser())
    commands = [
        match
        for block in code_blocks(section, "sh")
        for match in re.findall(r"smpipe (graph|diff|access)\b([^\n]*)", block)
    ]
    assert {name for name, _ in commands} == {"graph", "diff", "access"}
    for name, arguments in commands:
        used = set(re.findall(r"--[a-z][a-z-]*", arguments))
        assert used <= long_options(parsers[name]), (name, used)


def test_changelog_names_the_version_and_every_new_warning_id() -> None:
    # Nothing is released yet: every change is under Unreleased, which names the version it
    # will be. A new warning is something each user's synth shows: the changelog says so.
    from cdk_sagemaker_pipelines import __version__

    changelog = CHANGELOG.read_text()
    headings = re.findall(r"^## (.+)$", changelog, re.M)
    assert headings[0] == "Unreleased"
    unreleased = changelog[changelog.index("## Unreleased") :]
    assert f"as {__version__} (the package's `__version__`)" in unreleased
    upgrading = UPGRADING.read_text()
    table = upgrading[
        upgrading.index("### New warnings at synth") : upgrading.index("### New errors")
    ]
    ids = {
        warning
        for row in table.splitlines()
        if row.startswith("| `")
        for warning in re.findall(r"`([a-z-]+)`", row.split(" | ")[0])
    }
    assert len(ids) >= 10
    assert {warning for warning in ids if f"`{warning}`" not in unreleased} == set()


def test_pull_request_review_commands_use_options_the_subcommands_have() -> None:
    guide = (REPO / "docs" / "pull-request-review.md").read_text()
    blocks = code_blocks(guide, "yaml") + code_blocks(guide, "sh")
    parsers = subcommands(build_parser())
    commands = [
        match
        for block in blocks
        for match in re.findall(r"smpipe (graph|diff|access|validate|run)\b([^\n|>]*)", block)
    ]
    assert {name for name, _ in commands} == {"graph", "diff", "access"}
    for name, arguments in commands:
        used = set(re.findall(r"--[a-z][a-z-]*", arguments))
        assert used <= long_options(parsers[name]), (name, used)


def test_pull_request_review_gates_the_access_of_every_environment() -> None:
    # smpipe access without --pipeline compares every pipeline: a comment or gate on dev
    # alone would let a change that widens only prod's roles through unseen.
    guide = (REPO / "docs" / "pull-request-review.md").read_text()
    (workflow,) = code_blocks(guide, "yaml")
    assert "smpipe access /tmp/base.out cdk.out --markdown >> review.md" in workflow
    assert "--pipeline" not in workflow.split("smpipe access", 1)[1].splitlines()[0]
    assert "`smpipe access /tmp/base.out cdk.out --fail-on-widening`" in guide


# docs/getting-started.md: a tutorial whose files and commands the tests run as written.
GETTING_STARTED = REPO / "docs" / "getting-started.md"
# Where the tutorial's shown outputs were made: tracebacks there name its files.
TUTORIAL_HOME = "/home/me/first-pipeline"
SAVE_AS = r"[Ss]ave this\s+as\s+`([\w./-]+)`:\n\n"
TUTORIAL_FILE = re.compile(SAVE_AS + r"```\w*\n(.*?)^```", re.S | re.M)
FENCED_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# The execution ids in the tutorial's outputs: 12 lowercase letters and digits, a digit and a
# letter among them (12 digits are an account id, 000000000000 in an agnostic stack's ARNs).
EXECUTION_ID = re.compile(r"\b(?=[a-z]*[0-9])(?=[0-9]*[a-z])[0-9a-z]{12}\b")


def tutorial_section(number: int) -> str:
    """The tutorial's section '## <number>. …', up to the next one."""
    text = GETTING_STARTED.read_text()
    start = text.index(f"\n## {number}. ")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _normalised(text: str, home: str, execution_ids: set[str]) -> list[str]:
    """Lines as compared: what differs from run to run masked, runs of spaces as one."""
    text = text.replace(home, TUTORIAL_HOME)
    for execution_id in execution_ids:
        text = text.replace(execution_id, "<id>")
    text = re.sub(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b", "<time>", text)
    text = re.sub(r"\b\d+\.\d+s\b", "<seconds>", text)
    return [" ".join(line.split()) for line in text.splitlines()]


def assert_shown_in_printed(shown: str, printed: str, home: Path, execution_ids: set[str]) -> None:
    """The lines a tutorial shows ('...' for lines left out) come, in order, in what printed."""
    shown_ids = set(EXECUTION_ID.findall(shown))
    wanted = [line for line in _normalised(shown, TUTORIAL_HOME, shown_ids) if line != "..."]
    lines = iter(_normalised(printed, str(home), execution_ids))
    missing = [line for line in wanted if not any(line == got for got in lines)]
    assert missing == [], f"the tutorial shows lines this run did not print:\n{printed}"


class ReadsOutput(Protocol):
    """What ``TutorialShell.follow`` reads the commands' output with: ``capsys``, ``Printed``."""

    def readouterr(self) -> tuple[str, str]:
        """What was printed (stdout, stderr) since the last call."""
        ...


class Printed:
    """``capsys`` for a module-scoped fixture: what ``sys.stdout`` and ``sys.stderr`` write.

    Example::

        printed = Printed()
        with printed.capture():
            print("hello")
        printed.readouterr()  # ("hello\n", "")
    """

    def __init__(self) -> None:
        self._out, self._err = io.StringIO(), io.StringIO()

    @contextlib.contextmanager
    def capture(self) -> Iterator[Printed]:
        """Within it, what is printed is kept here."""
        with contextlib.redirect_stdout(self._out), contextlib.redirect_stderr(self._err):
            yield self

    def readouterr(self) -> tuple[str, str]:
        """What was printed (stdout, stderr) since the last call, as ``capsys`` returns it."""
        printed = self._out.getvalue(), self._err.getvalue()
        for stream in (self._out, self._err):
            stream.seek(0)
            stream.truncate()
        return printed


class TutorialShell:
    """A reader's terminal in a fresh project directory, run in this process.

    ``python FILE`` runs the file as a script, ``smpipe …`` the command line;
    ``commands`` maps other commands (``cdk synth``) to what stands in for them.
    """

    def __init__(self, home: Path, commands: dict[str, Callable[[], int]] | None = None) -> None:
        self.home = home
        self.commands = commands or {}

    def run(self, command: str) -> int:
        """Run one command line; returns its exit code, printing as it would."""
        import runpy
        import traceback

        from cdk_sagemaker_pipelines.cli import main

        words = command.split()
        if command in self.commands:
            return self.commands[command]()
        if words[0] == "smpipe":
            return main(words[1:])
        assert words[0] == "python", f"no stand-in for {command!r}"
        assert len(words) == 2, f"no stand-in for {command!r}"
        sys.modules.pop("pipeline", None)  # a new interpreter imports the edited file
        try:
            runpy.run_path(str(self.home / words[1]), run_name="__main__")
        except Exception as error:
            print("".join(traceback.format_exception(error)), end="")
            return 1
        return 0

    @property
    def execution_ids(self) -> set[str]:
        executions = self.home / ".smpipe" / "executions"
        return {path.name for path in executions.iterdir()} if executions.is_dir() else set()

    def follow(self, section: str, capsys: ReadsOutput) -> list[str]:
        """Do what ``section`` says, block by block; returns the commands it ran.

        A ``sh`` block's commands run; the ``text`` (or ``mermaid``) blocks right after it
        are what they print, and one showing a failure (a traceback, a Failed execution)
        means the last command fails. A ``python`` block that isn't a file to save is an
        edit of ``pipeline.py``'s line with the same key, undone after the next commands.
        """
        blocks = [
            (language, body, section[: found.start()])
            for found in FENCED_BLOCK.finditer(section)
            for language, body in [found.groups()]
        ]
        ran: list[str] = []
        undo: str | None = None
        for index, (language, body, before) in enumerate(blocks):
            if language == "python" and not re.search(SAVE_AS + r"\Z", before):
                undo = self._edit_pipeline(body)
            if language != "sh":
                continue
            commands = [" ".join(line.split()) for line in body.replace("\\\n", " ").splitlines()]
            outputs = itertools.takewhile(
                lambda block: block[0] in ("text", "mermaid"), blocks[index + 1 :]
            )
            shown = "".join(output for _, output, _ in outputs)
            capsys.readouterr()
            statuses = [self.run(command) for command in commands]
            printed = "".join(capsys.readouterr())
            failure = "Traceback (most recent call last)" in shown or "): Failed in" in shown
            assert statuses == [0] * (len(statuses) - 1) + [1 if failure else 0], (
                commands,
                printed,
            )
            assert_shown_in_printed(shown, printed, self.home, self.execution_ids)
            ran += commands
            if undo is not None:
                (self.home / "pipeline.py").write_text(undo)
                undo = None
        return ran

    def _edit_pipeline(self, line: str) -> str:
        path = self.home / "pipeline.py"
        original = path.read_text()
        key = line.strip().split(":")[0] + ":"
        (old,) = [old for old in original.splitlines() if old.strip().startswith(key)]
        path.write_text(original.replace(old, line.rstrip("\n")))
        return original


@contextlib.contextmanager
def tutorial_project(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TutorialShell]:
    """``home`` with the tutorial's files written, as the working directory."""
    for name, body in TUTORIAL_FILE.findall(GETTING_STARTED.read_text()):
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(body)
    monkeypatch.chdir(home)
    monkeypatch.syspath_prepend(str(home))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    try:
        yield TutorialShell(home)
    finally:
        sys.modules.pop("pipeline", None)  # the tutorial's module, not one of the project


def test_getting_started_saves_the_files_its_commands_use() -> None:
    files = dict(TUTORIAL_FILE.findall(GETTING_STARTED.read_text()))
    assert set(files) == {
        *("make_data.py", "ml/prepare.py", "ml/train.py", "ml/evaluate.py", "pipeline.py"),
        *("compile_pipeline.py", "app.py", "cdk.json", "show_synth.py"),
    }


@pytest.fixture(scope="module")
def getting_started_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """docs/getting-started.md's sections 2 to 4 done as written: the project, the commands.

    Its ``smpipe run`` trains the tutorial's pipeline; the docs' other code that runs that
    pipeline reuses those steps (``reuse_tutorial_runs``) rather than train it again.
    """
    home = tmp_path_factory.mktemp("getting-started") / "first-pipeline"
    home.mkdir()
    printed = Printed()
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        tutorial_project(home, monkeypatch) as shell,
        printed.capture(),
    ):
        ran = [
            command
            for number in (2, 3, 4)
            for command in shell.follow(tutorial_section(number), printed)
        ]
    return home, ran


def test_getting_started_builds_validates_and_runs_the_pipeline_as_written(
    getting_started_run: tuple[Path, list[str]],
) -> None:
    _, ran = getting_started_run  # each command's output checked as it ran
    assert ran == [
        "python make_data.py",
        "python compile_pipeline.py",
        "smpipe validate pipeline.json",
        "python compile_pipeline.py",  # with the deliberate mistake
        "smpipe run pipeline.json --resources resources.json",
        "smpipe registry list",
        "smpipe run pipeline.json --resources resources.json --param AccuracyThreshold=0.99",
    ]


def reuse_tutorial_runs(
    home: Path, root: Path, monkeypatch: pytest.MonkeyPatch, *, default_name: bool = True
) -> None:
    """Let a runner in ``root`` reuse the steps the tutorial's runs in ``home`` trained.

    The cache is kept per pipeline name, as SageMaker's is. The pytest example of the
    docs gives no pipeline name, so it runs as the runner's default: with ``default_name``
    that default is the tutorial's name (its resources file's), only to save the test
    its training. The notebook page names the tutorial's pipeline itself, as a reader's
    kernel reuses the tutorial's runs only then: its test passes ``default_name=False``.
    Their steps are cache hits, which read no data: the tests check that their mappings
    lead to it (``can_serve``); the tutorial's run read it.
    """
    for part in ("cache", "executions"):  # the cached steps' outputs are the executions'
        shutil.copytree(home / ".smpipe" / part, root / part)
    if default_name:
        name = ResourceMap.load(home / "resources.json").pipeline_name
        assert name is not None
        monkeypatch.setattr(local_runner, "DEFAULT_PIPELINE_NAME", name)


def test_local_runner_pytest_example_runs_the_tutorials_pipeline(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    getting_started_run: tuple[Path, list[str]],
) -> None:
    # docs/local-runner.md's test for a pipeline of your own, in the tutorial's project:
    # the ResourceMap it builds finds the scripts and the data, and its assertions hold.
    import runpy

    (block,) = [
        block
        for block in code_blocks(LOCAL_RUNNER.read_text(), "python")
        if "from pipeline import build_pipeline" in block
    ]
    home = tmp_path / "first-pipeline"
    home.mkdir()
    (runner_root := tmp_path / "runner").mkdir()
    reuse_tutorial_runs(getting_started_run[0], runner_root, monkeypatch)
    with tutorial_project(home, monkeypatch):
        runpy.run_path(str(home / "make_data.py"), run_name="__main__")
        test_file = home / "tests" / "test_pipeline.py"
        test_file.parent.mkdir()
        test_file.write_text(block)
        tests = runpy.run_path(str(test_file))
        tests["test_a_strict_threshold_takes_the_else_branch"](runner_root)
        assert can_serve(tests["DATA"])  # where the test maps the data, the data is
    assert (runner_root / "executions").is_dir()


NOTEBOOKS = REPO / "docs" / "notebooks.md"


def test_notebooks_cells_run_in_the_tutorials_project(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    getting_started_run: tuple[Path, list[str]],
) -> None:
    # docs/notebooks.md's cells, in order, in one namespace as a kernel keeps it; but for
    # IPython's magics and shell lines, pandas (not a dependency) and a second cdk.out,
    # which need what this session doesn't have. What a cell shows is what the page shows.
    text = NOTEBOOKS.read_text()
    skipped = ("%load_ext", "!cdk", "import pandas", 'load_source("cdk.out"')
    cells = [
        cell
        for cell in code_blocks(text, "python")
        if not any(marker in cell for marker in skipped)
    ]
    assert len(cells) == 7
    import runpy

    # The page's pipeline name, not a patched default: the page says its steps are cache
    # hits of the tutorial's run, as they are in a reader's kernel.
    home = getting_started_run[0]
    reuse_tutorial_runs(home, tmp_path / ".smpipe", monkeypatch, default_name=False)
    namespace: dict[str, Any] = {}
    with tutorial_project(tmp_path, monkeypatch):
        runpy.run_path(str(tmp_path / "make_data.py"), run_name="__main__")
        for cell in cells:
            exec(compile(cell, "docs/notebooks.md", "exec"), namespace)
        # Where the cells map S3 (the scripts, the data), this project has the files.
        assert all(can_serve(Path(path)) for path in namespace["resources"].s3.values())
    shown, compared = re.findall(r"^````text\n(.*?)^````", text, re.S | re.M)
    graph = namespace["pipeline"]._repr_markdown_()
    for line in shown.splitlines():
        assert line == "    ..." or line in graph.splitlines(), line
    assert namespace["pipeline"].validate(namespace["binder"]) == []
    result = namespace["result"]
    assert result.succeeded, result.failure_reason
    assert result.record.pipeline_name == ResourceMap.load(home / "resources.json").pipeline_name
    assert f"pipeline_name={result.record.pipeline_name!r}" in text  # the repr shown
    assert result._repr_markdown_().startswith(f"**Execution `{result.execution_id}`")
    assert result.step("Prepare").cache_hit is not None  # the second run, with progress
    # The comparison of the two runs is the page's, but for the executions' ids.
    comparison = namespace["earlier"].compare(result)._repr_markdown_()
    ids = re.compile(r"\b[a-z0-9]{12}\b")
    assert ids.sub("ID", compared) == ids.sub("ID", comparison)


def test_own_project_installs_the_cdk_cli_and_node_this_repository_tests() -> None:
    # An app of your own on the machine's Node.js (20 on many, end of life for jsii) gets an
    # end-of-life banner on every synth: docs/own-project.md installs package.json's CLI and
    # Node.js and points jsii at that Node.js, as this repository's scripts/env.sh does.
    section = OWN_PROJECT.read_text()
    package = json.loads((REPO / "package.json").read_text())
    tested = package["devDependencies"]
    commands = "\n".join(code_blocks(section, "sh"))
    assert f"npm install aws-cdk@{tested['aws-cdk']} node@{tested['node']}" in commands
    # npm 12 runs no install script package.json doesn't allow: node's fetches Node.js.
    assert package["allowScripts"] == {"node": True}
    allow = "npm pkg set allowScripts.node=true --json"
    assert allow in commands
    assert commands.index(allow) < commands.index("npm install aws-cdk@")
    assert 'JSII_NODE="$PWD/node_modules/.bin/node"' in commands
    env_sh = (REPO / "scripts" / "env.sh").read_text()
    assert 'JSII_NODE="$_root/node_modules/.bin/node"' in env_sh


def test_own_project_snapshot_test_imports_the_app_before_aws_cdk() -> None:
    # Importing aws_cdk starts jsii's Node.js: an app.py that picks the project's Node.js
    # (prepare_jsii_node, as the doc suggests) must be imported first, or the test runs on
    # the machine's Node.js (20 on many: the end-of-life banner on every run).
    (block,) = [
        block
        for block in code_blocks(OWN_PROJECT.read_text(), "python")
        if "TemplateSnapshot" in block
    ]
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        for node in ast.parse(block).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    first_cdk = min(i for i, name in enumerate(imported) if name and name.startswith("aws_cdk"))
    assert imported.index("app") < first_cdk


def test_own_project_states_the_ranges_and_the_versions_tested() -> None:
    # The table a team reads before installing: each requirement's range as pyproject.toml
    # declares it, tested on its floor and on requirements.txt's pin.
    section = OWN_PROJECT.read_text()
    rows: dict[str, tuple[SpecifierSet, list[str]]] = {
        canonicalize_name(name): (SpecifierSet(spec), [v.strip() for v in tested.split(",")])
        for name, spec, tested in re.findall(
            r"^\| ([\w-]+)(?: \(`cdk`\))? \| `([^`]+)` \| ([^|]+?) \|$", section, re.M
        )
    }
    ranges, pins = declared_ranges(), app_pins()
    assert {name: spec for name, (spec, _) in rows.items()} == ranges
    for name, spec in ranges.items():
        (floor,) = [s.version for s in spec if s.operator == ">="]
        assert rows[name][1] == sorted({floor, pins[name]}, key=Version), name


EXTENDING = REPO / "docs" / "extending.md"


def extending_block(marker: str) -> str:
    """The Python block of docs/extending.md that contains ``marker``."""
    (block,) = [b for b in code_blocks(EXTENDING.read_text(), "python") if marker in b]
    return block


def _flat(text: str) -> str:
    """``text`` with its line breaks as spaces, as a quoted message reads in the doc."""
    return " ".join(text.split())


def test_extending_step_defaults_keep_the_checks_and_name_the_teams_step() -> None:
    from cdk_sagemaker_pipelines.definition import (
        Image,
        PipelineDefinition,
        PipelineDefinitionError,
        PipelineValidationError,
        StaticBinder,
    )

    namespace: dict[str, Any] = {}
    exec(extending_block("def acme_training("), namespace)
    doc = _flat(EXTENDING.read_text())
    image = Image.sklearn("1.2-1")
    cases: list[tuple[Callable[[], Any], str]] = [
        (
            lambda: namespace["acme_training"](name="Train", image=image, instance_count="1"),
            "TrainingStep 'Train': field 'instance_count' expects int or Expression, got str '1'",
        ),
        (
            lambda: namespace["AcmeTrainingStep"](name="Train", image=image, instance_count="1"),
            "AcmeTrainingStep 'Train': field 'instance_count' expects int or Expression, "
            "got str '1'",
        ),
        (
            lambda: namespace["acme_processing"](name="Prep", image=image, instance_count="1"),
            "ProcessingStep 'Prep': field 'instance_count' expects int or Expression, got str '1'",
        ),
    ]
    for build, message in cases:
        with pytest.raises(PipelineDefinitionError) as raised:
            build()
        assert str(raised.value) == message
    assert (
        "`TrainingStep 'Train': field 'instance_count' expects int or Expression, got str '1'`"
        in doc
    )
    assert "`AcmeTrainingStep 'Train': field 'instance_count' …`" in doc

    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    wrong = namespace["acme_training"](name="Train", image=image, tags={"team": 3})
    with pytest.raises(PipelineValidationError) as raised:
        PipelineDefinition(steps=[wrong]).compile(binder)
    (problem,) = raised.value.problems
    assert f"`{_flat(str(problem)).removeprefix('- ')}`".startswith(
        "`step 'Train' field 'Arguments.Tags[1].Value' (tags=): expected a string, got 3 (int)"
    )
    assert (
        "`step 'Train' field 'Arguments.Tags[1].Value' (tags=): expected a string, "
        "got 3 (int)`" in doc
    )

    # The company's settings reach the definition, the team's given ones win.
    steps = [
        namespace["acme_training"](
            name="Train",
            image=image,
            tags={"team": "churn"},
        ),
        namespace["acme_processing"](name="Prep", image=image),
        namespace["AcmeTrainingStep"](name="Fit", image=image, instance_type="ml.c5.xlarge"),
    ]
    compiled = {
        step["Name"]: step
        for step in PipelineDefinition(steps=steps).to_definition(binder)["Steps"]
    }
    train, prep, fit = compiled["Train"], compiled["Prep"], compiled["Fit"]
    assert train["Arguments"]["Tags"] == [
        {"Key": "cost-center", "Value": "ml-42"},
        {"Key": "team", "Value": "churn"},
    ]
    assert train["Arguments"]["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert train["CacheConfig"] == {"Enabled": True, "ExpireAfter": "P7D"}
    assert prep["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"] == (
        "ml.m5.xlarge"
    )
    assert fit["Arguments"]["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"
    assert [policy["MaxAttempts"] for policy in fit["RetryPolicies"]] == [3, 5]


def test_extending_step_subclass_takes_what_the_step_class_takes() -> None:
    # A field redeclared with a narrower type than TrainingStep's refused a parameter.
    from cdk_sagemaker_pipelines.definition import (
        Image,
        ParameterString,
        PipelineDefinition,
        StaticBinder,
    )

    namespace: dict[str, Any] = {}
    exec(extending_block("class AcmeTrainingStep("), namespace)
    kind = ParameterString(name="TrainingInstanceType", default_value="ml.m5.2xlarge")
    acme_training_step = namespace["AcmeTrainingStep"]
    fit = acme_training_step(name="Fit", image=Image.sklearn("1.2-1"), instance_type=kind)
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    (step,) = PipelineDefinition(parameters=[kind], steps=[fit]).to_definition(binder)["Steps"]
    assert step["Arguments"]["ResourceConfig"]["InstanceType"] == {
        "Get": "Parameters.TrainingInstanceType"
    }


def test_extending_rule_finds_long_runtimes_in_branches_and_tuning_jobs() -> None:
    from cdk_sagemaker_pipelines.checks import run_rules
    from tests.checks.helpers import condition, definition, step

    namespace: dict[str, Any] = {}
    exec(extending_block("MAX_RUNTIME_RULE = Rule("), namespace)
    day, week = {"MaxRuntimeInSeconds": 86400}, {"MaxRuntimeInSeconds": 604800}
    tune = step(
        "Tune",
        "Tuning",
        TrainingJobDefinitions=[{"StoppingCondition": day}, {"StoppingCondition": week}],
    )
    parameter = {"MaxRuntimeInSeconds": {"Get": "Parameters.MaxRuntime"}}
    checked = definition(
        step("Short", "Training", StoppingCondition=day),
        condition("Gate", [step("Train", "Training", StoppingCondition=parameter)], [tune]),
    )
    results = run_rules([namespace["MAX_RUNTIME_RULE"]], checked)
    assert [(result.finding_id, result.finding.field) for result in results] == [
        ("ACME-MaxRuntime[Train]", "Arguments.StoppingCondition.MaxRuntimeInSeconds"),
        (
            "ACME-MaxRuntime[Tune]",
            "Arguments.TrainingJobDefinitions[1].StoppingCondition.MaxRuntimeInSeconds",
        ),
    ]


def test_extending_blocks_compose_and_name_their_collisions() -> None:
    from cdk_sagemaker_pipelines.definition import (
        ConditionGreaterThanOrEqualTo,
        ConditionStep,
        FailStep,
        ParameterString,
        PipelineDefinition,
        PipelineValidationError,
        StaticBinder,
    )

    namespace: dict[str, Any] = {}
    exec(extending_block("def train_and_evaluate("), namespace)
    build = namespace["train_and_evaluate"]
    binder = StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    data = ParameterString(name="InputData", default_value="s3://my-bucket/raw/")
    first, second = build("A", data), build("B", data)
    pick = ConditionStep(
        name="Pick",
        conditions=[ConditionGreaterThanOrEqualTo(left=first.accuracy, right=second.accuracy)],
        if_steps=[FailStep(name="AWins")],
        else_steps=[FailStep(name="BWins")],
    )
    names = [
        step["Name"]
        for step in PipelineDefinition(parameters=[data], steps=[pick]).to_definition(binder)[
            "Steps"
        ]
    ]
    assert {"APrep", "ATrain", "AEvaluate", "BPrep", "BTrain", "BEvaluate", "Pick"} == set(names)
    # The same block twice, and a second parameter object of the same name.
    again = build("A", data)
    other = ParameterString(name="InputData", default_value="s3://other/")
    doc = _flat(EXTENDING.read_text())
    cases = [
        (
            PipelineDefinition(parameters=[data], steps=[first.evaluate, again.evaluate]),
            "step name 'ATrain' is used twice: ",
        ),
        (
            PipelineDefinition(
                parameters=[data], steps=[first.evaluate, build("C", other).evaluate]
            ),
            "steps use parameter 'InputData' as String with default 's3://other/', but it is "
            "declared as String with default ",
        ),
    ]
    for pipeline, quoted in cases:
        with pytest.raises(PipelineValidationError) as raised:
            pipeline.compile(binder)
        assert quoted in str(raised.value)
        assert f"`{quoted}…`" in doc


def test_extending_binder_gives_every_job_the_company_key_and_network() -> None:
    from cdk_sagemaker_pipelines.definition import (
        Image,
        NetworkConfig,
        PipelineDefinition,
        PipelineDefinitionError,
        ProcessingStep,
        TrainingStep,
    )

    namespace: dict[str, Any] = {}
    exec(extending_block("class AcmeBinder("), namespace)
    binder = namespace["AcmeBinder"](region="us-east-1", role_arn=ROLE, default_bucket="b")
    image = Image.sklearn("1.2-1")
    own = NetworkConfig(enable_network_isolation=True)
    steps = [
        TrainingStep(name="Train", image=image),
        ProcessingStep(name="Prep", image=image, outputs=["out"], network=own),
    ]
    compiled = {
        step["Name"]: step["Arguments"]
        for step in PipelineDefinition(steps=steps).to_definition(binder)["Steps"]
    }
    train, prep = compiled["Train"], compiled["Prep"]
    key = namespace["ACME_KEY"]
    assert (train["ResourceConfig"]["VolumeKmsKeyId"], train["OutputDataConfig"]["KmsKeyId"]) == (
        key,
        key,
    )
    assert train["VpcConfig"] == {"SecurityGroupIds": ["sg-0abc"], "Subnets": ["subnet-0abc"]}
    assert train["EnableInterContainerTrafficEncryption"] is True
    # A step's own network wins; the keys still apply.
    assert prep["NetworkConfig"] == {"EnableNetworkIsolation": True}
    assert prep["ProcessingOutputConfig"]["KmsKeyId"] == key
    # The subclass is checked as StaticBinder is.
    with pytest.raises(PipelineDefinitionError, match=r"^AcmeBinder: field 'region' expects str"):
        namespace["AcmeBinder"](region=1)


def test_batch_scoring_blocks_are_the_tested_examples() -> None:
    # docs/batch-scoring.md quotes example_project/batch_scoring.py and
    # examples/batch_scoring_stack.py (synthesized by tests/cdk/test_batch_scoring.py): a
    # stale excerpt would teach what no longer runs. Lines are compared without indentation.
    docs = (REPO / "docs" / "batch-scoring.md").read_text()
    sources = "\n".join(
        line.strip()
        for path in ("example_project/batch_scoring.py", "examples/batch_scoring_stack.py")
        for line in (REPO / path).read_text().splitlines()
    )
    # "Getting the results downstream" shows a call of the library's API instead, run by
    # tests/cdk/test_docs.py against a Pipeline.
    downstream = docs[docs.index("## Getting the results downstream") : docs.index("## The stack")]
    blocks = re.findall(r"^```python\n(.*?)^```", docs.replace(downstream, ""), re.S | re.M)
    assert len(blocks) == 3
    for block in blocks:
        for line in block.splitlines():
            if line.strip():
                assert line.strip().split("  #")[0].rstrip() in sources, line


def test_batch_scoring_runs_locally_from_the_stack_it_builds() -> None:
    # Was: `smpipe run scoring.json --resources scoring.resources.json`, files the page
    # never writes; the run from the synthesized stack is what a reader has after synth.
    docs = (REPO / "docs" / "batch-scoring.md").read_text()
    section = docs[docs.index("## Running it locally") : docs.index("## Limits")]
    (block,) = code_blocks(section, "sh")
    command = block.replace("\\\n", " ")
    assert command.startswith("smpipe run --assembly cdk.out --pipeline MyStack/Scoring/Pipeline")
    used = set(re.findall(r"--[a-z][a-z0-9-]*", command))
    assert used == {"--assembly", "--pipeline", "--s3-map", "--callback-output"}
    assert used <= long_options(subcommands(build_parser())["run"])
    assert "--callback-output ResolveModel.ModelPackageArn=" in command
    # The example's docstring says what it does: its concurrency is not reserved.
    example = (REPO / "examples" / "batch_scoring_stack.py").read_text()
    assert "concurrency reserved" not in example
    assert "reserved_concurrent_executions" not in example


def test_sdk_comparison_compile_back_and_compare_finds_no_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/sdk-comparison.md "Migrating an SDK pipeline": convert, compile the draft back
    # with the two commands shown, and smpipe diff says the draft is the SDK's definition.
    from cdk_sagemaker_pipelines.cli import main

    comparison = (REPO / "docs" / "sdk-comparison.md").read_text()
    (block,) = [b for b in code_blocks(comparison, "sh") if "smpipe diff sdk.json back.json" in b]
    compile_back, diff = block.strip().splitlines()
    prefix = 'python -c "'
    assert compile_back.startswith(prefix)
    assert compile_back.endswith('" > back.json')
    code = compile_back[len(prefix) : -len('" > back.json')]
    source = REPO / "tests" / "definition" / "sdk_generated" / "sdk-abalone.json"
    (tmp_path / "sdk.json").write_text(source.read_text())
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["convert", "sdk.json", "-o", "pipeline.py"]) == 0
    sys.modules.pop("pipeline", None)
    capsys.readouterr()
    exec(compile(code, "docs/sdk-comparison.md", "exec"), {"__name__": "__main__"})
    (tmp_path / "back.json").write_text(capsys.readouterr().out)
    sys.modules.pop("pipeline", None)
    assert diff.split() == ["smpipe", "diff", "sdk.json", "back.json"]
    assert main(diff.split()[1:]) == 0
    assert capsys.readouterr().out.strip() == "sdk.json → back.json: no changes"


AUDIT = REPO / "docs" / "audit.md"


def _audit_commands(program: str) -> list[str]:
    """``program``'s command lines in docs/audit.md: in its code blocks, and inline."""
    return _doc_commands(AUDIT, program)


def _doc_commands(doc: Path, program: str) -> list[str]:
    """``program``'s command lines in ``doc``: in its ``sh`` and ``text`` blocks, and inline."""
    text = doc.read_text()
    blocks = [block for language in ("sh", "text") for block in code_blocks(text, language)]
    lines = [
        line.removeprefix("$ ")
        for block in blocks
        for line in block.replace("\\\n", " ").splitlines()
        if line.removeprefix("$ ").startswith(f"{program} ")
    ]
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    inline = [" ".join(span.split()) for span in re.findall(rf"`({program} [^`]+)`", prose)]
    return lines + inline


def test_audit_aws_commands_are_operations_with_their_options() -> None:
    # An auditor pastes these into an account: each must be an operation of its service,
    # with options of its request and the required ones given.
    import shlex

    from cdk_sagemaker_pipelines.definition._service_model import service_model

    def kebab(name: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()

    commands = _audit_commands("aws")
    assert len(commands) >= 12
    for command in commands:
        service, operation = shlex.split(command)[1:3]
        model = service_model({"s3api": "s3"}.get(service, service))
        operations = {kebab(name): value for name, value in model["operations"].items()}
        assert operation in operations, command
        shape = model["shapes"][operations[operation]["input"]["shape"]]
        used = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", command)) - {"query", "output"}
        assert used <= {kebab(name) for name in shape["members"]}, command
        assert {kebab(name) for name in shape.get("required", [])} <= used, command


def test_audit_smpipe_commands_parse() -> None:
    import shlex

    commands = _audit_commands("smpipe")
    assert {shlex.split(command)[1] for command in commands} >= {
        "access",
        "diff",
        "registry",
        "show",
    }
    names = subcommands(build_parser())
    for command in commands:
        words = shlex.split(command)[1:]
        if " ".join(words) in names:  # a command named in the prose ("`smpipe show` prints")
            continue
        build_parser().parse_args(words)  # exits on a wrong option or a missing argument


def test_audit_lineage_example_records_commit_execution_and_sealed_input() -> None:
    namespace = _seed_example()
    exec(_doc_python(AUDIT, "metadata_properties=MetadataProperties("), namespace)
    binder = definition.StaticBinder(
        region="us-east-1",
        role_arn=ROLE,
        default_bucket="my-bucket",
        seal_function_arn="arn:aws:lambda:us-east-1:111122223333:function:seal",
    )
    pipeline = namespace["PipelineDefinition"](
        parameters=[namespace["input_data"]], steps=[namespace["register"]]
    )
    steps = {step["Name"]: step for step in pipeline.to_definition(binder)["Steps"]}
    arguments = steps["RegisterModel"]["Arguments"]
    assert arguments["MetadataProperties"] == {
        "CommitId": namespace["COMMIT"],
        "Repository": "https://github.com/acme/breast-cancer",
        "GeneratedBy": {"Get": "Execution.PipelineExecutionArn"},
    }
    assert arguments["CustomerMetadataProperties"] == {
        "input_data": {"Get": "Parameters.InputData"},
        "sealed_input": {"Get": "Steps.SealInput.OutputParameters['data']"},
    }
    assert steps["SealInput"]["Arguments"]["Artifacts"] == {"data": {"Get": "Parameters.InputData"}}


MULTI_ACCOUNT = REPO / "docs" / "multi-account.md"
# The CDK CLI's own table of its commands and options (package.json pins the CLI).
CDK_CLI_OPTIONS = REPO / "node_modules" / "aws-cdk" / "lib" / "cli" / "cli-type-registry.json"
# The walkthrough's tooling account: the one every target account trusts.
TOOLING_ACCOUNT = "111111111111"
# The AWS CLI's options of every command, none a member of the operation's request.
AWS_CLI_GLOBAL_OPTIONS = {"profile", "region", "query", "output"}


def multi_account_environments() -> dict[str, Any]:
    """The ``environments`` of docs/multi-account.md's ``cdk.json`` snippet."""
    blocks = [json.loads(block) for block in code_blocks(MULTI_ACCOUNT.read_text(), "json")]
    (environments,) = [block["environments"] for block in blocks if "environments" in block]
    return dict(environments)


def test_multi_account_cdk_commands_are_the_clis_with_the_snippets_accounts() -> None:
    # A walkthrough is pasted a command at a time into four accounts' shells: each cdk
    # command must take its options, bootstrap the snippet's accounts trusting the tooling
    # one, and deploy every environment, a model source before the environment serving it.
    import shlex

    if not CDK_CLI_OPTIONS.exists():
        pytest.skip("no CDK CLI: run ./scripts/bootstrap.sh")
    registry = json.loads(CDK_CLI_OPTIONS.read_text())
    environments = multi_account_environments()
    accounts = {name: settings["account"] for name, settings in environments.items()}
    assert len({*accounts.values(), TOOLING_ACCOUNT}) == 4  # one account each
    commands = [shlex.split(line, comments=True) for line in _doc_commands(MULTI_ACCOUNT, "cdk")]
    assert {words[1] for words in commands} == {"bootstrap", "synth", "deploy"}
    for words in commands:
        options = {*registry["globalOptions"], *registry["commands"][words[1]]["options"]}
        used = {word[2:].partition("=")[0] for word in words if word.startswith("--")}
        assert used <= options, words
    bootstrapped = {}
    # Not a bootstrap named in the prose ("`cdk bootstrap` stops"): the commands run.
    for words in (words for words in commands if words[1] == "bootstrap" and words[2:]):
        (target,) = (word for word in words if word.startswith("aws://"))
        profile = words[words.index("--profile") + 1]
        bootstrapped[profile] = target
        if profile != "tooling":
            # The CLI refuses --trust without execution policies.
            assert words[words.index("--trust") + 1] == TOOLING_ACCOUNT, words
            assert "--cloudformation-execution-policies" in words, words
    assert bootstrapped == {
        **{name: f"aws://{accounts[name]}/{env['region']}" for name, env in environments.items()},
        "tooling": f"aws://{TOOLING_ACCOUNT}/eu-west-1",
    }
    text = MULTI_ACCOUNT.read_text()
    for block in code_blocks(text, "sh"):
        deployed = re.findall(r'^cdk deploy "([a-z][a-z0-9-]*)/\*"', block, re.M)
        if deployed:
            assert deployed == list(environments), block  # every one, in cdk.json's order
            for name, settings in environments.items():
                source = settings.get("model_source")
                assert source is None or deployed.index(source) < deployed.index(name)


def test_multi_account_aws_commands_are_operations_run_in_the_right_account() -> None:
    import shlex

    from cdk_sagemaker_pipelines.definition._service_model import service_model

    def kebab(name: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()

    environments = multi_account_environments()
    commands = [shlex.split(line, comments=True) for line in _doc_commands(MULTI_ACCOUNT, "aws")]
    assert len(commands) >= 6
    for words in commands:
        if words[1:] == ["configure", "sso"]:  # sets the profiles up: no account's yet
            continue
        service, operation = words[1:3]
        profile = words[words.index("--profile") + 1]
        settings = environments[profile]
        if service == "s3":  # the high-level s3 commands are no API operations
            assert operation == "cp", words
        else:
            model = service_model(service)
            operations = {kebab(name): value for name, value in model["operations"].items()}
            assert operation in operations, words
            shape = model["shapes"][operations[operation]["input"]["shape"]]
            used = {word[2:] for word in words if word.startswith("--")} - AWS_CLI_GLOBAL_OPTIONS
            assert used <= {kebab(name) for name in shape["members"]}, words
            # The CLI fills the idempotency token (ClientRequestToken) itself.
            required = {kebab(name) for name in shape.get("required", [])}
            assert required - {"client-request-token"} <= used, words
        # Names are the profile's environment's; a version may be its model source's too.
        for word in words[3:]:
            named = re.match(r"(dev|staging|prod)-", word)
            assert named is None or named.group(1) == profile, words
            arn = re.match(r"arn:aws:sagemaker:([a-z0-9-]+):(\d{12}):model-package/", word)
            if arn:
                source = environments.get(settings.get("model_source") or "", {})
                assert arn.group(1) == settings["region"], words
                assert arn.group(2) in (settings["account"], source.get("account")), words
