"""``smpipe convert``: exit codes, output, errors naming step and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from tests.conftest import REPO
from tests.convert.test_convert import training_definition


def write(tmp_path: Path, name: str, definition: Any) -> str:
    path = tmp_path / name
    path.write_text(definition if isinstance(definition, str) else json.dumps(definition))
    return str(path)


def test_prints_the_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", write(tmp_path, "pipeline.json", training_definition())]) == 0
    out = capsys.readouterr().out
    assert out.startswith('"""The pipeline of pipeline.json, in the definition language.')
    assert 'train = TrainingStep(\n    name="Train",' in out
    assert out.endswith("definition = PipelineDefinition(steps=[train])\n")


def test_writes_the_module_to_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path, "pipeline.json", training_definition())
    target = tmp_path / "pipeline.py"
    assert main(["convert", source, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert "definition = PipelineDefinition(steps=[train])" in target.read_text()


def test_reads_a_create_pipeline_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {"PipelineDefinitionBody": json.dumps(training_definition())}
    assert main(["convert", write(tmp_path, "request.json", request)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith('"""The pipeline of request.json')  # no settings: no comment
    assert err == ""


def test_names_the_settings_of_a_create_pipeline_request_it_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {
        "PipelineName": "churn",
        "PipelineDisplayName": "Churn",
        "PipelineDescription": "nightly\ntraining",
        "RoleArn": "arn:aws:iam::111122223333:role/pipeline",
        "ParallelismConfiguration": {"MaxParallelExecutionSteps": 5},
        "Tags": [{"Key": "team", "Value": "ml"}],
        "ClientRequestToken": "token",
        "PipelineDefinition": json.dumps(training_definition()),
    }
    assert main(["convert", write(tmp_path, "request.json", request)]) == 0
    out, err = capsys.readouterr()
    plain = tmp_path / "plain.json"
    assert main(["convert", write(tmp_path, "plain.json", training_definition())]) == 0
    head = (
        '# smpipe convert: "request.json" holds pipeline settings beside its\n'
        "# definition, which this module leaves out. Give them to the CDK Pipeline construct:\n"
        '#   PipelineName: Pipeline(..., pipeline_name="churn")\n'
        '#   PipelineDisplayName: Pipeline(..., display_name="Churn")\n'
        '#   PipelineDescription: Pipeline(..., description="nightly\\ntraining")\n'
        '#   RoleArn: Pipeline(..., role=iam.Role.from_role_arn(self, "PipelineRole", '
        '"arn:aws:iam::111122223333:role/pipeline"))\n'
        "#   ParallelismConfiguration: Pipeline(..., max_parallel_execution_steps=5)\n"
        '#   Tags: Pipeline(..., tags={"team": "ml"})\n'
    )
    assert out == head + capsys.readouterr().out.replace("plain.json", "request.json")
    assert plain.exists()
    assert err == (
        f"smpipe convert: {tmp_path / 'request.json'}: the module leaves out the pipeline's "
        "settings PipelineName, PipelineDisplayName, PipelineDescription, RoleArn, "
        "ParallelismConfiguration, Tags: give them to the CDK Pipeline construct "
        "(pipeline_name=, display_name=, description=, role=, max_parallel_execution_steps=, "
        "tags=; see the comment atop the module)\n"
    )
    compile(out, "request.py", "exec")  # the comment doesn't break the module


def test_a_null_parallelism_configuration_is_no_dropped_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # describe-pipeline's response holds "ParallelismConfiguration": null when none is set.
    response = {
        "ParallelismConfiguration": None,
        "PipelineDefinition": json.dumps(training_definition()),
    }
    assert main(["convert", write(tmp_path, "response.json", response)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith('"""The pipeline of response.json')
    assert err == ""


def test_dropped_settings_are_python_literals_or_named_cloudformation_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    properties = {
        "PipelineName": {"Ref": "PipelineNameParameter"},
        "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
        "PipelineDescription": "caf\u00e9 \U0001f600",
        "PipelineDefinition": {"PipelineDefinitionBody": json.dumps(training_definition())},
    }
    assert main(["convert", write(tmp_path, "resource.json", properties)]) == 0
    out = capsys.readouterr().out
    assert (
        "#   PipelineName: Pipeline(..., pipeline_name=... (a CloudFormation reference in the "
        'template: {"Ref": "PipelineNameParameter"}))\n'
    ) in out
    assert (
        "#   RoleArn: Pipeline(..., role=... (a CloudFormation reference in the template: "
        '{"Fn::GetAtt": ["Role", "Arn"]}))\n'
    ) in out
    # Not JSON's "\ud83d\ude00": two lone surrogates as a Python literal.
    line = '#   PipelineDescription: Pipeline(..., description="caf\\u00e9 \\U0001f600")\n'
    assert line in out
    literal = line.split("description=")[1].rstrip(")\n")
    assert eval(literal) == "caf\u00e9 \U0001f600"  # a copy-paste gives the string
    compile(out, "resource.py", "exec")


def test_fails_with_exit_1_naming_step_and_field_of_an_unsupported_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = training_definition()
    definition["Steps"].append({"Name": "Track", "Type": "Notebook", "Arguments": {}})
    target = tmp_path / "out.py"
    path = write(tmp_path, "pipeline.json", definition)
    assert main(["convert", path, "-o", str(target)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "- step 'Track' field 'Type': unknown step type 'Notebook'" in captured.err
    assert not target.exists()  # nothing written, rather than a module missing a step


def test_fails_with_exit_1_and_the_validate_problems_of_an_invalid_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = training_definition()
    definition["Steps"][0]["Type"] = "Trainng"
    assert main(["convert", write(tmp_path, "bad.json", definition)]) == 1
    err = capsys.readouterr().err
    assert "cannot convert the definition: it is not valid: 1 problem:" in err
    assert "- step 'Train' field 'Type': unknown step type 'Trainng'" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read: Expecting property name"),
        ("[1, NaN]", "cannot read: NaN is not a JSON value"),
    ],
)
def test_fails_with_exit_2_when_the_file_is_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    assert main(["convert", write(tmp_path, "x.json", content)]) == 2
    assert message in capsys.readouterr().err


def test_fails_with_exit_2_for_a_python_file_a_directory_or_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", write(tmp_path, "pipeline.py", "import x\n")]) == 2
    assert "a Python file, not a definition's JSON" in capsys.readouterr().err
    assert main(["convert", str(tmp_path)]) == 2
    assert "a directory, not a definition JSON file" in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "missing.json")]) == 2
    assert "cannot read: No such file or directory" in capsys.readouterr().err


def test_fails_with_exit_2_when_the_output_cant_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, "pipeline.json", training_definition())
    assert main(["convert", source, "-o", str(tmp_path / "no" / "such" / "dir.py")]) == 2
    assert "cannot write: No such file or directory" in capsys.readouterr().err


# docs/language.md's example of smpipe convert, in full (the guide shortens the input).
README_INPUT: dict[str, Any] = {
    "Version": "2020-12-01",
    "Metadata": {},
    "Parameters": [{"Name": "Epochs", "Type": "Integer", "DefaultValue": 5}],
    "PipelineExperimentConfig": None,
    "Steps": [
        {
            "Name": "Train",
            "Type": "Training",
            "Arguments": {
                "AlgorithmSpecification": {
                    "TrainingImage": "111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",
                    "TrainingInputMode": "File",
                },
                "OutputDataConfig": {"S3OutputPath": "s3://my-bucket/models"},
                "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
                "ResourceConfig": {
                    "VolumeSizeInGB": 30,
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                },
                "RoleArn": "arn:aws:iam::111122223333:role/SageMakerRole",
                "RetryStrategy": {"MaximumRetryAttempts": 2},
                "InputDataConfig": [
                    {
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": "s3://my-bucket/train",
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                        "ChannelName": "training",
                    }
                ],
                "HyperParameters": {
                    "epochs": {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Epochs"}]}}
                },
                "ProfilerConfig": {"DisableProfiler": True},
                "EnableNetworkIsolation": True,
            },
        },
        {
            "Name": "Done",
            "Type": "Fail",
            "Arguments": {
                "ErrorMessage": {
                    "Std:Join": {
                        "On": " ",
                        "Values": ["Trained", {"Get": "Steps.Train.TrainingJobName"}],
                    }
                }
            },
            "DependsOn": ["Train"],
        },
    ],
}


def test_language_example_is_what_smpipe_convert_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (REPO / "docs" / "language.md").read_text()
    section = readme[readme.index("### Converting a definition to Python") :]
    shown = section[section.index("```python\n") + len("```python\n") :]
    shown = shown[: shown.index("```")]
    assert main(["convert", write(tmp_path, "sdk.json", README_INPUT)]) == 0
    printed = capsys.readouterr().out
    assert printed.endswith("\n\n" + shown)


def test_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "convert" in capsys.readouterr().out


def test_line_length_sets_the_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pipeline.json", README_INPUT)
    assert main(["convert", path]) == 0
    default = capsys.readouterr().out
    assert main(["convert", path, "--line-length", "130"]) == 0
    wide = capsys.readouterr().out
    call = (
        'FailStep(name="Done", error_message=Join(on=" ", values=["Trained", '
        "train.properties.TrainingJobName]), depends_on=[train])"
    )
    assert f"\ndone = {call}\n" in wide
    assert '\ndone = FailStep(\n    name="Done",\n' in default
    assert max(len(line) for line in default.splitlines()) <= 88


def test_fails_with_exit_2_a_line_length_under_40(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "pipeline.json", README_INPUT)
    assert main(["convert", path, "--line-length", "20"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "smpipe convert: --line-length 20: at least 40" in captured.err


def test_line_length_40_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pipeline.json", README_INPUT)
    assert main(["convert", path, "--line-length", "40"]) == 0
    assert '\ndone = FailStep(\n    name="Done",\n' in capsys.readouterr().out


def test_without_roles_leaves_the_sdk_role_to_the_binder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = REPO / "tests" / "definition" / "sdk_generated" / "sdk-abalone.json"
    out = tmp_path / "pipeline.py"
    assert main(["convert", "--without-roles", str(source), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "role=" not in text
    assert "binder = StaticBinder(role_arn=ROLE)" in text
    assert main(["convert", str(source)]) == 0
    assert "role=ROLE" in capsys.readouterr().out  # without the option, as the SDK wrote it
