"""The ``smpipe validate`` command."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    Image,
    PipelineDefinition,
    StaticBinder,
    TrainingStep,
)
from tests.conftest import ROLE, SDK_EXAMPLES


def write(tmp_path: Path, name: str, definition: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(definition))
    return str(path)


def test_validate_accepts_sdk_generated_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(SDK_EXAMPLES.glob("*.json"))
    if not files:
        pytest.skip("reference data not available")
    assert main(["validate", *map(str, files)]) == 0
    assert capsys.readouterr().out.count(": valid (") == len(files)


def test_validate_lists_every_problem_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [
            {
                "Name": "A",
                "Type": "Fail",
                "Arguments": {"ErrorMessage": "x"},
                "DependsOn": ["Nope"],
            },
            {"Name": "B", "Type": "Falil", "Arguments": {}},
        ],
    }
    assert main(["validate", write(tmp_path, "bad.json", definition)]) == 1
    out = capsys.readouterr().out
    assert "2 problems" in out
    assert (
        "- step 'A' field 'DependsOn[0]': depends on step 'Nope', which is not in the pipeline"
        in out
    )
    assert "- step 'B' field 'Type': unknown step type 'Falil' (did you mean 'Fail'?)" in out


def test_validate_reports_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["validate", str(broken), str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert "broken.json: cannot read" in err
    assert "missing.json: cannot read" in err


def test_validate_says_to_compile_a_python_file_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A newcomer's first try; JSON's "Expecting value: line 1 column 1" said nothing useful.
    source = tmp_path / "my_pipeline.py"
    source.write_text("import json\n")

    assert main(["validate", str(source)]) == 2
    assert capsys.readouterr().err == (
        f"{source}: cannot read: a Python file, not a definition's JSON: compile the pipeline "
        "first and pass the JSON it writes (the tutorial's `python compile_pipeline.py` writes "
        "pipeline.json; or print(pipeline.to_json(StaticBinder(…))) in the file, then "
        "`python my_pipeline.py > pipeline.json`)\n"
    )


def test_validate_names_log_lines_ahead_of_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `import sagemaker` logs to stdout: `python get_definition.py > sdk.json` wrote these
    # lines ahead of the SDK's JSON, and the user read "Expecting value: line 1 column 1".
    source = tmp_path / "sdk.json"
    log = "sagemaker.config INFO - Not applying SDK defaults from location: /etc/config.yaml"
    empty = {"Version": "2020-12-01", "Parameters": [], "Steps": []}
    source.write_text(f"{log}\n{log}\n{json.dumps(empty)}\n")

    assert main(["validate", str(source)]) == 2
    assert capsys.readouterr().err == (
        f"{source}: cannot read: lines 1-2 are not JSON, the definition's JSON starts on "
        f"line 3; line 1 is {log!r} (`import sagemaker` logs its sagemaker.config INFO "
        "lines to stdout): keep only the JSON, e.g. `tail -n +3 sdk.json > "
        "definition.json`, or print the definition alone (`python script.py | tail -1 > "
        "sdk.json` keeps the SDK's one-line JSON)\n"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Blank lines first: it said "line 1 is 'INFO …'".
        (
            "\n\nINFO starting\n{}\n",
            "starts on line 4; line 3 is 'INFO starting': keep only the JSON, e.g. `tail -n +4 ",
        ),
        # A top-level array: it said the JSON starts at the "{" inside, and its sed cut the "[".
        (
            "INFO starting\n[\n  {}\n]\n",
            "starts on line 2; line 1 is 'INFO starting': keep only the JSON, e.g. `tail -n +2 ",
        ),
        # An indented start, which `sed '/^{/,$p'` missed; a log line starting with "[".
        (
            '[INFO] x\nINFO y\n  {"a": 1}\n',
            "lines 1-2 are not JSON, the definition's JSON "
            "starts on line 3; line 1 is '[INFO] x': keep only the JSON, e.g. `tail -n +3 ",
        ),
        # A JSON error further down: it named only the log line.
        (
            'INFO starting\n{\n"Steps": oops\n}\n',
            "starts on line 2; line 1 is 'INFO "
            "starting'; the JSON from line 2 on is not valid either: Expecting value at line 3 "
            "column 10: keep only the JSON, e.g. `tail -n +2 ",
        ),
    ],
)
def test_validate_says_where_the_json_starts_after_leading_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    source = tmp_path / "sdk.json"
    source.write_text(text)

    assert main(["validate", str(source)]) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    ["not json\n", '[\n{"Steps": oops}\n]\n', '{"Steps":\n{oops}\n'],
)
def test_validate_keeps_the_json_error_when_no_text_leads_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    source = tmp_path / "broken.json"
    source.write_text(text)

    assert main(["validate", str(source)]) == 2
    assert "not JSON, the definition's JSON starts" not in capsys.readouterr().err


@pytest.mark.parametrize("given", ["pipeline.py", "compile_pipeline.py"])
def test_validate_names_the_tutorials_compile_script_when_there_is_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    # The tutorial's pipeline.py only defines build_pipeline: `python pipeline.py >
    # pipeline.json` would write an empty file. compile_pipeline.py writes the JSON.
    (tmp_path / "pipeline.py").write_text("def build_pipeline(): ...\n")
    (tmp_path / "compile_pipeline.py").write_text("from pipeline import build_pipeline\n")
    source = tmp_path / given

    assert main(["validate", str(source)]) == 2
    beside = "" if given == "compile_pipeline.py" else " (beside pipeline.py)"
    assert capsys.readouterr().err == (
        f"{source}: cannot read: a Python file, not a definition's JSON: run "
        f"`python compile_pipeline.py`{beside} in its folder, then pass the definition JSON "
        "it writes (pipeline.json in the tutorial)\n"
    )


def test_validate_says_what_a_directory_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--json", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    reason = (
        "a directory, not a definition JSON file (cdk synth validated the pipelines of a "
        "cdk.out; smpipe run, smpipe graph and smpipe diff read one)"
    )
    assert captured.err == f"{tmp_path}: cannot read: {reason}\n"
    assert json.loads(captured.out) == [{"file": str(tmp_path), "error": reason}]


def test_validate_says_how_to_write_a_number_given_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = TrainingStep(name="Train", image=Image.sklearn("1.2-1"))
    definition = PipelineDefinition(steps=[train]).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    definition["Steps"][0]["Arguments"]["HyperParameters"] = {"lr": 0.5}

    assert main(["validate", write(tmp_path, "number.json", definition)]) == 1
    assert (
        "- step 'Train' field 'Arguments.HyperParameters['lr']': expected a string, got 0.5 "
        '(float) (write it as text: "0.5")'
    ) in capsys.readouterr().out


def test_validate_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = {"Version": "2020-12-01", "Steps": []}
    assert main(["validate", "--json", write(tmp_path, "empty.json", definition)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report[0]["problems"] == [
        {
            "step": None,
            "field": "Steps",
            "message": "a pipeline needs a non-empty list of steps",
            "hint": None,
        }
    ]


def test_validate_does_not_import_the_local_runner(
    tmp_path: Path, package_python_env: dict[str, str]
) -> None:
    import subprocess
    import sys

    path = write(tmp_path, "d.json", {"Version": "2020-12-01", "Steps": []})
    code = (
        "import sys\n"
        "from cdk_sagemaker_pipelines.cli import main\n"
        f"main(['validate', {path!r}])\n"
        "sys.exit(2 if 'cdk_sagemaker_pipelines.local' in sys.modules else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=package_python_env
    )
    assert result.returncode == 0, result.stdout + result.stderr


FAIL_ONLY = {
    "Version": "2020-12-01",
    "Parameters": [],
    "Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}],
}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply to read"),
        ('{"Version": NaN}', "NaN is not a JSON value"),
        ('{"PipelineDefinitionBody": "{not json"}', "PipelineDefinitionBody is not valid JSON: "),
        (
            '{"PipelineDefinitionBody": 5}',
            "PipelineDefinitionBody must be the definition as JSON text, got int",
        ),
        (
            '{"Version": 1%s}' % ("0" * 5000),
            "a number has more than 4300 digits, far beyond any number a definition can hold",
        ),
        # The CloudFormation properties of a pipeline whose definition is in S3: not read
        # as the definition itself ("no Steps", "unknown member Bucket"…).
        (
            '{"PipelineName": "p", "PipelineDefinition": {"PipelineDefinitionS3Location": '
            '{"Bucket": "b", "Key": "defs/p.json"}}}',
            "the definition is in S3 at s3://b/defs/p.json, not in this file: download it "
            "(aws s3 cp s3://b/defs/p.json definition.json) and pass that file",
        ),
        (
            '{"PipelineName": "p", "PipelineDefinitionS3Location": '
            '{"Bucket": "b", "ObjectKey": "p.json", "VersionId": "v2"}}',
            "the definition is in S3 at s3://b/p.json (version v2), not in this file: download "
            "it (aws s3api get-object --bucket b --key p.json --version-id v2 definition.json) "
            "and pass that file",
        ),
    ],
    ids=[
        "deep",
        "nan",
        "body-not-json",
        "body-not-text",
        "number-of-5001-digits",
        "cloudformation-s3-location",
        "create-pipeline-s3-location",
    ],
)
def test_validate_reports_malformed_files_as_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)

    assert main(["validate", str(path)]) == 2
    assert f"bad.json: cannot read: {reason}" in capsys.readouterr().err


def test_validate_reports_a_number_beyond_a_double_as_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    text = json.dumps(FAIL_ONLY).replace(
        '"Parameters": []', '"Parameters": [{"Name": "F", "Type": "Float", "DefaultValue": 1%s}]'
    ) % ("0" * 400)
    path.write_text(text)

    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "field 'Parameters[0].DefaultValue': parameter 'F' default 1000" in out
    assert "is not a finite 64-bit number" in out


def test_validate_reports_values_nested_too_deeply_to_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested: object = "x"
    for _ in range(900):  # readable by json, deeper than the checks recurse
        nested = [nested]
    definition = json.loads(json.dumps(FAIL_ONLY))
    definition["Steps"].append(
        {"Name": "Prep", "Type": "Processing", "Arguments": {"Environment": {"A": nested}}}
    )

    assert main(["validate", write(tmp_path, "deep.json", definition)]) == 1
    assert "- step 'Prep': the definition is nested too deeply to check" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("encoding", "name", "shown"),
    [("ascii", "Prép→", "Pr\\xe9p\\u2192"), ("utf-8", "Prep\ud800", "Prep\\ud800")],
    ids=["ascii-terminal", "lone-surrogate"],
)
def test_validate_escapes_text_the_output_cannot_encode(
    tmp_path: Path, encoding: str, name: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = json.loads(json.dumps(FAIL_ONLY))
    definition["Steps"][0]["Name"] = name
    path = write(tmp_path, "named.json", definition)
    # The streams Python opens for PYTHONIOENCODING=<encoding>: strict, as for a pipe.
    written = {"stdout": io.BytesIO(), "stderr": io.BytesIO()}
    for stream, raw in written.items():
        monkeypatch.setattr(sys, stream, io.TextIOWrapper(raw, encoding=encoding))

    status = main(["validate", path])

    sys.stdout.flush()
    sys.stderr.flush()
    # Before, printing the problem raised UnicodeEncodeError: a traceback, exit code 1.
    assert status == 1
    assert written["stderr"].getvalue() == b""
    printed = written["stdout"].getvalue().decode(encoding)
    assert f"- step '{shown}' field 'Name': step name '{shown}' must be" in printed


def test_validate_reads_a_byte_order_mark_and_counts_one_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FAIL_ONLY).encode())

    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: valid (1 step)\n"


def test_a_reader_closing_the_pipe_stops_the_command_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `smpipe executions | head`: the next write fails with EPIPE. Before, Python printed a
    # BrokenPipeError traceback, and another when it flushed stdout at exit.
    read_end, write_end = os.pipe()
    os.close(read_end)
    with capsys.disabled(), os.fdopen(write_end, "w", buffering=1) as closed_pipe:
        monkeypatch.setattr(sys, "stdout", closed_pipe)
        code = main(
            [
                "validate",
                str(
                    Path(__file__).parent
                    / "definition"
                    / "sdk_generated"
                    / "custom-job-prefix.json"
                ),
            ]
        )
        monkeypatch.undo()
    assert code == 128 + signal.SIGPIPE


def test_help_ends_with_examples_of_real_commands_and_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A newcomer's `smpipe --help` listed the commands with no example of any.
    from cdk_sagemaker_pipelines.cli import build_parser

    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    examples = help_text.partition("examples:\n")[2]
    commands = [
        line.split()[1] for line in examples.splitlines() if line.strip().startswith("smpipe ")
    ]
    assert commands == ["validate", "run", "graph", "diff", "access", "convert"]
    parser = build_parser()
    for line in examples.replace("\\\n", " ").splitlines():
        words = line.partition("#")[0].split()
        if words[:1] != ["smpipe"]:
            continue
        # Every option an example uses is one its command takes (parse_known_args keeps
        # the unknown ones).
        _, unknown = parser.parse_known_args(words[1:])
        assert unknown == [], line


def test_validate_prints_the_job_warnings_without_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Pipeline's synth-time job warnings (here a checkpoint location every execution
    # shares), with their ids; a warning alone leaves the definition valid (exit 0).
    train = TrainingStep(
        name="Train", image=Image.sklearn("1.2-1"), checkpoint_s3_uri="s3://my-bucket/ckpt"
    )
    definition = PipelineDefinition(steps=[train]).to_definition(
        StaticBinder(region="us-east-1", role_arn=ROLE, default_bucket="my-bucket")
    )
    path = write(tmp_path, "shared.json", definition)
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "shared.json: valid (1 step)" in out
    assert "- warning (cdk-sagemaker-pipelines:shared-checkpoint-location): Step 'Train'" in out
    assert main(["validate", "--json", path]) == 0
    [warning] = json.loads(capsys.readouterr().out)[0]["warnings"]
    assert (warning["id"], warning["step"], warning["field"]) == (
        "cdk-sagemaker-pipelines:shared-checkpoint-location",
        "Train",
        "Arguments.CheckpointConfig.S3Uri",
    )
