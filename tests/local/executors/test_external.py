"""Lambda, Callback and EMR steps."""

from __future__ import annotations

import json
import re
import tarfile
from typing import Any

import pytest

from cdk_sagemaker_pipelines.cli import main
from cdk_sagemaker_pipelines.definition import (
    AutoMLStep,
    CallbackStep,
    ClarifyCheckStep,
    ConditionEquals,
    ConditionLessThanOrEqualTo,
    ConditionStep,
    DataBiasCheckConfig,
    DataQualityCheckConfig,
    DatasetFormat,
    EMRStep,
    FailStep,
    Join,
    JsonGet,
    LambdaStep,
    OutputType,
    ParameterFloat,
    ParameterString,
    QualityCheckStep,
    StepOutput,
)
from cdk_sagemaker_pipelines.local import LocalRunError, LocalRunner, ResourceMap
from tests.local.conftest import Workspace, compile_steps

ARN = "arn:aws:lambda:us-east-1:111122223333:function:prep"
QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/approvals"


def lambda_step() -> tuple[LambdaStep, ParameterString]:
    env = ParameterString(name="Env", default_value="dev")
    step = LambdaStep(
        name="Prep",
        function_arn=ARN,
        inputs={"env": env, "n": 5},
        outputs=[
            StepOutput(output_name="rows", output_type=OutputType.INTEGER),
            StepOutput(output_name="ok", output_type=OutputType.BOOLEAN),
        ],
    )
    return step, env


def test_lambda_invokes_the_local_handler_with_the_resolved_event(ws: Workspace) -> None:
    ws.script(
        "prep.py",
        """
        def handler(event, context):
            assert context.get_remaining_time_in_millis() > 0
            return {"rows": event["n"] * 2, "ok": event["env"] == "prod", "extra": 1}
        """,
    )
    step, env = lambda_step()
    check = ConditionStep(
        name="Check",
        conditions=[ConditionEquals(left=step.properties.OutputParameters["rows"], right=10)],
        if_steps=[],
        else_steps=[FailStep(name="Wrong", error_message="rows")],
    )
    resources = ws.resources().merged(ResourceMap(lambdas={ARN: f"{ws.scripts}/prep.py:handler"}))
    result = ws.runner(resources=resources).run(compile_steps([check], [env]), {"Env": "prod"})
    assert result.status == "Succeeded", result.failure_reason
    assert result.properties("Prep")["OutputParameters"] == {"rows": 10, "ok": True}
    assert result.step("Prep").metadata["Lambda"] == {
        "Arn": ARN,
        "OutputParameters": [{"Name": "rows", "Value": "10"}, {"Name": "ok", "Value": "true"}],
    }
    assert result.step("Check").outcome is True


def test_fails_a_lambda_without_handler_naming_both_options(ws: Workspace) -> None:
    step, env = lambda_step()
    # stop_at_missing: past the check before the run, to the step's own failure.
    result = ws.runner(stop_at_missing=True).run(compile_steps([step], [env]))
    assert result.step("Prep").failure_reason == (
        f"function {ARN} has no local handler: map it with smpipe run --lambda "
        f"{ARN}=path/to/file.py:handler (ResourceMap(lambdas=…)), or give its outputs with "
        "--callback-output Prep.NAME=VALUE"
    )


def test_fails_a_lambda_whose_result_misses_an_output(ws: Workspace) -> None:
    ws.script("prep.py", "def handler(event, context):\n    return {'rows': 'many'}\n")
    step, env = lambda_step()
    resources = ws.resources().merged(
        ResourceMap(lambdas={"prep": f"{ws.scripts}/prep.py:handler"})
    )
    result = ws.runner(resources=resources).run(compile_steps([step], [env]))
    assert result.step("Prep").failure_reason == (
        "output 'rows' is declared Integer but the function gave 'many' (expected a whole number)"
    )


def test_a_handler_given_by_name_to_a_resume_replaces_the_one_recorded_for_the_arn(
    ws: Workspace,
) -> None:
    # Was: the recorded handler, bound to the ARN, was looked up before the function's
    # name: `smpipe run --resume ID --lambda prep=fixed.py:handler` ran the old handler.
    ws.script("prep.py", "def handler(event, context):\n    raise RuntimeError('not yet')\n")
    ws.script("fixed.py", "def handler(event, context):\n    return {'rows': 1, 'ok': True}\n")
    step, env = lambda_step()
    recorded = ResourceMap(lambdas={ARN: f"{ws.scripts}/prep.py:handler"})
    failed = ws.runner(resources=ws.resources().merged(recorded)).run(compile_steps([step], [env]))
    assert failed.status == "Failed"
    fixed = ResourceMap(lambdas={"prep": f"{ws.scripts}/fixed.py:handler"})
    resumed = ws.runner(resources=fixed).resume(failed.execution_id)
    assert resumed.status == "Succeeded", resumed.failure_reason
    assert resumed.properties("Prep")["OutputParameters"] == {"rows": 1, "ok": True}


def test_lambda_outputs_may_be_supplied_instead(ws: Workspace) -> None:
    step, env = lambda_step()
    runner = ws.runner(callback_outputs={"Prep": {"rows": "3", "ok": "false"}})
    result = runner.run(compile_steps([step], [env]))
    assert result.properties("Prep")["OutputParameters"] == {"rows": 3, "ok": False}


def callback() -> CallbackStep:
    return CallbackStep(
        name="Approve",
        sqs_queue_url=QUEUE,
        inputs={"model": "s3://b/m"},
        outputs=[StepOutput(output_name="approved", output_type=OutputType.BOOLEAN)],
    )


def test_callback_outputs_come_from_supplied_values(ws: Workspace) -> None:
    step = callback()
    result = ws.runner(callback_outputs={"Approve": {"approved": "true"}}).run(
        compile_steps([step])
    )
    assert result.properties("Approve")["OutputParameters"] == {"approved": True}
    assert result.step("Approve").metadata["Callback"]["SqsQueueUrl"] == QUEUE


def test_fails_a_callback_without_values_saying_how_to_supply_them(ws: Workspace) -> None:
    result = ws.runner(stop_at_missing=True).run(compile_steps([callback()]))
    assert result.step("Approve").failure_reason == (
        "a Callback step waits for an external system, which does not exist locally; supply "
        "its outputs: --callback-output Approve.approved=VALUE (LocalConfig(callback_outputs=…))"
    )


def test_fails_a_callback_missing_one_value_saying_how_to_supply_it(ws: Workspace) -> None:
    runner = ws.runner(callback_outputs={"Approve": {}}, stop_at_missing=True)
    result = runner.run(compile_steps([callback()]))
    assert result.step("Approve").failure_reason == (
        "no value for output 'approved': add --callback-output Approve.approved=VALUE "
        "(LocalConfig(callback_outputs={'Approve': {'approved': …}}))"
    )


@pytest.mark.parametrize(
    ("supplied", "message"),
    [
        (
            {"Approve": {"aproved": "true"}},
            "callback_outputs (--callback-output): Callback step 'Approve' declares no output "
            "'aproved' (did you mean 'approved'?)",
        ),
        (
            {"Approve": {"approved": "true", "reviewer": "me"}},
            "callback_outputs (--callback-output): Callback step 'Approve' declares no output "
            "'reviewer' (its outputs: approved)",
        ),
        (
            {"Approve": {"approved": "maybe"}},
            "callback_outputs (--callback-output): step 'Approve': output 'approved' is "
            "declared Boolean but --callback-output gave 'maybe' (expected true or false)",
        ),
        (
            {"Prep": {"rows": "3", "okay": "true"}},
            "callback_outputs (--callback-output): Lambda step 'Prep' declares no output 'okay' "
            "(did you mean 'ok'?)",
        ),
    ],
    ids=["misspelled", "undeclared", "wrong-type", "lambda"],
)
def test_fails_supplied_outputs_a_step_does_not_declare_before_anything_runs(
    ws: Workspace, supplied: dict[str, dict[str, str]], message: str
) -> None:
    # Were found only when the step's turn came, after every step before it had run: a
    # misspelled name as "no value for output 'approved'", an undeclared one not at all.
    step, env = lambda_step()
    runner = ws.runner(callback_outputs=supplied)
    with pytest.raises(LocalRunError, match=re.escape(message)):
        runner.run(compile_steps([callback(), step], [env]))
    assert runner.executions() == []


def test_emr_steps_take_supplied_properties_or_fail(ws: Workspace) -> None:
    step = EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar")
    # stop_at_missing: past the check before the run, to the step's own failure.
    failed = ws.runner(stop_at_missing=True).run(compile_steps([step]))
    assert failed.step("Spark").failure_reason == (
        "EMR steps run on another AWS service, which the local runner can't reach; mark it "
        "done by supplying its properties, e.g. --callback-output Spark.Status.State=COMPLETED"
    )
    done = ws.runner(callback_outputs={"Spark": {"Status.State": "COMPLETED"}}).run(
        compile_steps([step])
    )
    assert done.properties("Spark") == {"Status": {"State": "COMPLETED"}}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            ARN + "x",
            f"lambdas (--lambda): no Lambda step of the pipeline calls '{ARN}x' (did you mean "
            f"'{ARN}'?); its Lambda steps call {ARN} (step 'Prep')",
        ),
        (
            "perp",
            "lambdas (--lambda): no Lambda step of the pipeline calls 'perp' (did you mean "
            f"'prep'?); its Lambda steps call {ARN} (step 'Prep')",
        ),
    ],
    ids=["arn", "name"],
)
def test_fails_a_lambda_handler_no_step_calls_before_anything_runs(
    ws: Workspace, key: str, message: str
) -> None:
    # Was ignored: the step meant then failed unbound ("has no local handler") after every
    # step before it had run.
    ws.script("prep.py", "def handler(event, context):\n    return {}\n")
    step, env = lambda_step()
    runner = ws.runner(
        resources=ws.resources().merged(
            ResourceMap(lambdas={ARN: f"{ws.scripts}/prep.py:handler", key: "prep.py:handler"})
        )
    )
    with pytest.raises(LocalRunError, match=re.escape(message)):
        runner.run(compile_steps([step], [env]))
    assert runner.executions() == []


@pytest.mark.parametrize("layout", ["file", "directory"])
def test_fails_a_lambda_handler_whose_module_lacks_its_function_before_anything_runs(
    ws: Workspace, layout: str
) -> None:
    # Was found when the step's turn came, as the handler's AlgorithmError.
    module = ws.script(
        "lambdas/prep.py",
        """
        import json

        try:
            from helpers import clean
        except ImportError:
            clean = None

        def handler(event, context):
            return {}
        """,
    )
    spec = f"{module}:handle" if layout == "file" else f"{module.parent}:prep.handle"
    step, env = lambda_step()
    runner = ws.runner(resources=ws.resources().merged(ResourceMap(lambdas={"prep": spec})))

    with pytest.raises(LocalRunError) as raised:
        runner.run(compile_steps([step], [env]))

    assert str(raised.value) == (
        f"lambdas (--lambda): 'prep', called by step 'Prep': {module} defines no function "
        "'handle' (did you mean 'handler'?); give FILE.py:function or "
        "DIRECTORY:module.function"
    )
    assert runner.executions() == []
    # Names bound in a try block or by an import are not judged missing.
    for function in ("clean", "json"):
        ws.runner(
            resources=ws.resources().merged(ResourceMap(lambdas={"prep": f"{module}:{function}"})),
            callback_outputs={"Prep": {"rows": "1", "ok": "true"}},
        ).run(compile_steps([step], [env]))


def test_lambda_handlers_bind_by_arn_alias_or_name_and_unknown_arns_are_not_judged(
    ws: Workspace,
) -> None:
    ws.script("prep.py", "def handler(event, context):\n    return {'rows': 1, 'ok': True}\n")
    handler = f"{ws.scripts}/prep.py:handler"
    aliased = LambdaStep(name="Aliased", function_arn=f"{ARN}:live", inputs={"n": 1})
    for key in (ARN, f"{ARN}:live", "prep"):
        runner = ws.runner(resources=ws.resources().merged(ResourceMap(lambdas={key: handler})))
        result = runner.run(compile_steps([aliased]))
        assert result.status == "Succeeded", (key, result.failure_reason)
    # A function named by a parameter is known only at run time: any handler may be its.
    function = ParameterString(name="Function", default_value=ARN)
    dynamic = LambdaStep(name="Dynamic", function_arn=function, inputs={"n": 1})
    runner = ws.runner(resources=ws.resources().merged(ResourceMap(lambdas={"other": handler})))
    result = runner.run(compile_steps([dynamic], [function]))
    reason = result.step("Dynamic").failure_reason
    assert reason is not None
    assert reason.startswith(f"function {ARN} has no local handler")


def test_fails_a_lambda_handler_for_a_pipeline_without_lambda_steps(ws: Workspace) -> None:
    runner = ws.runner(resources=ws.resources().merged(ResourceMap(lambdas={ARN: "p.py:h"})))
    with pytest.raises(
        LocalRunError,
        match=re.escape(
            f"lambdas (--lambda): no Lambda step of the pipeline calls '{ARN}'; it has no "
            "Lambda step"
        ),
    ):
        runner.run(compile_steps([callback()]))


def test_check_steps_written_in_python_take_supplied_baselines_or_fail(ws: Workspace) -> None:
    # As the SDK's check steps in JSON: the runner doesn't run Clarify; a data quality
    # check runs here (test_quality_check.py), so it reads its dataset.
    quality = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data/train/", dataset_format=DatasetFormat.csv()
        ),
    )
    bias = ClarifyCheckStep(
        name="DataBias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config="s3://data/analysis_config.json"
        ),
        depends_on=[quality],
    )
    definition = compile_steps([quality, bias])
    failed = ws.runner(stop_at_missing=True).run(definition)
    assert (failed.step("DataQuality").failure_reason or "").startswith(
        "input 'baseline_dataset_input': no objects at s3://data/train/"
    )
    quality_done = {"DataQuality": {"CalculatedBaselineStatistics": "s3://b/statistics.json"}}
    clarify = ws.runner(stop_at_missing=True, callback_outputs=quality_done).run(definition)
    assert clarify.step("DataBias").failure_reason == (
        "a DATA_BIAS check runs SageMaker Clarify (its bias or SHAP analysis, and for a model "
        "check a shadow endpoint), which the local runner doesn't reproduce (it computes "
        "DATA_QUALITY baselines only); mark it done by supplying its properties, e.g. "
        "--callback-output DataBias.CalculatedBaselineConstraints=s3://…"
    )
    supplied = {
        "DataQuality": {"CalculatedBaselineStatistics": "s3://baselines/statistics.json"},
        "DataBias": {"CalculatedBaselineConstraints": "s3://baselines/bias.json"},
    }
    done = ws.runner(callback_outputs=supplied).run(definition)
    assert done.status == "Succeeded", done.failure_reason
    assert done.properties("DataBias") == {
        "CalculatedBaselineConstraints": "s3://baselines/bias.json"
    }


@pytest.mark.parametrize(("dpl", "status"), [(0.05, "Succeeded"), (0.2, "Failed")])
def test_a_bias_metric_above_its_threshold_fails_the_run(
    ws: Workspace, dpl: float, status: str
) -> None:
    # language.md's bias gate: JsonGet on the Clarify check's analysis.json, stood in for by
    # --callback-output (the runner doesn't run Clarify), then a ConditionStep.
    metrics = [
        {"name": "CI", "description": "Class Imbalance (CI)", "value": 0.3},
        {"name": "DPL", "description": "Difference in Positive Proportions", "value": dpl},
    ]
    facets = {"gender": [{"value_or_threshold": "F", "metrics": metrics}]}
    report = {"version": "1.0", "pre_training_bias_metrics": {"label": "y", "facets": facets}}
    ws.file("clarify/analysis.json", json.dumps(report))
    bias = ClarifyCheckStep(
        name="DataBias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data-bucket/train/",
            analysis_config="s3://data-bucket/analysis_config.json",
        ),
    )
    max_dpl = ParameterFloat(name="MaxDPL", default_value=0.1)
    measured = JsonGet(
        s3_uri=bias.properties.CalculatedBaselineConstraints,
        json_path="pre_training_bias_metrics.facets.gender[0].metrics[1].value",
    )
    message = Join(on=" ", values=["DPL", measured, "is above", max_dpl])
    gate = ConditionStep(
        name="BiasWithinThreshold",
        conditions=[ConditionLessThanOrEqualTo(left=measured, right=max_dpl)],
        else_steps=[FailStep(name="TooBiased", error_message=message)],
    )
    analysis = "s3://data-bucket/clarify/analysis.json"
    supplied = {"DataBias": {"CalculatedBaselineConstraints": analysis}}

    result = ws.runner(callback_outputs=supplied).run(compile_steps([gate], [max_dpl]))

    assert result.status == status, result.failure_reason
    assert result.properties("BiasWithinThreshold") == {"Outcome": status == "Succeeded"}
    if status == "Failed":
        assert result.step("TooBiased").failure_reason == "DPL 0.2 is above 0.1"


@pytest.mark.parametrize(
    ("supplied", "message"),
    [
        (
            {"DataQuality": {"CalculatedBaselineStatistic": "s3://baselines/statistics.json"}},
            "callback_outputs (--callback-output): step 'DataQuality': a QualityCheck step has "
            "no property 'CalculatedBaselineStatistic' (did you mean "
            "'CalculatedBaselineStatistics' or 'CalculatedBaselineConstraints'?)",
        ),
        (
            {"DataBias": {"CalculatedBaselineStatistics": "s3://baselines/statistics.json"}},
            "callback_outputs (--callback-output): step 'DataBias': a ClarifyCheck step has no "
            "property 'CalculatedBaselineStatistics' (CalculatedBaselineStatistics is a "
            "property of QualityCheck steps; did you mean 'CalculatedBaselineConstraints'?)",
        ),
        (
            # The SDK's check steps have only their baselines' URIs as properties.
            {"DataQuality": {"SkipCheck": "True"}},
            "callback_outputs (--callback-output): step 'DataQuality': a QualityCheck step has "
            "no property 'SkipCheck'",
        ),
        (
            # Was accepted, and a later step read 'notauri' as the baseline's location.
            {"DataQuality": {"CalculatedBaselineStatistics": "notauri"}},
            "callback_outputs (--callback-output): step 'DataQuality': property "
            "'CalculatedBaselineStatistics' of a QualityCheck step is the S3 URI of a baseline "
            "file (s3://bucket/key), but --callback-output gave 'notauri'",
        ),
        (
            {"DataBias": {"BaselineUsedForDriftCheckConstraints": "s3://baselines/"}},
            "callback_outputs (--callback-output): step 'DataBias': property "
            "'BaselineUsedForDriftCheckConstraints' of a ClarifyCheck step is the S3 URI of a "
            "baseline file (s3://bucket/key), but --callback-output gave 's3://baselines/'",
        ),
    ],
    ids=["misspelled", "clarify-statistics", "not-a-property", "not-a-uri", "bucket-only"],
)
def test_fails_check_step_properties_the_step_does_not_have_before_anything_runs(
    ws: Workspace, supplied: dict[str, dict[str, str]], message: str
) -> None:
    # Were accepted, and surfaced only when a later step read the property it meant.
    quality = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(
            baseline_dataset="s3://data/train/", dataset_format=DatasetFormat.csv()
        ),
    )
    bias = ClarifyCheckStep(
        name="DataBias",
        clarify_check_config=DataBiasCheckConfig(
            dataset="s3://data/train/", analysis_config="s3://data/analysis_config.json"
        ),
    )
    runner = ws.runner(callback_outputs=supplied)
    with pytest.raises(LocalRunError, match=re.escape(message)):
        runner.run(compile_steps([quality, bias]))
    assert runner.executions() == []


def automl_pipeline() -> dict[str, Any]:
    """An AutoMLStep and the ModelStep of its best candidate, compiled from Python."""
    automl = AutoMLStep(
        name="AutoML",
        inputs="s3://data-bucket/train.csv",
        target_attribute_name="label",
        problem_type="BinaryClassification",
        job_objective="F1",
    )
    return compile_steps([automl, automl.best_model("BestModel")])


BEST = "AutoML.BestCandidate.InferenceContainers[0]"
# What Autopilot's best candidate of a binary classification job gives its inference
# container: the variables the SDK's get_best_auto_ml_model passes to the model.
AUTOPILOT_ENVIRONMENT = {
    "MODEL_NAME": "model",
    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
    "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
    "SAGEMAKER_INFERENCE_SUPPORTED": "predicted_label,probability",
    "SAGEMAKER_INFERENCE_OUTPUT": "predicted_label",
    "SAGEMAKER_PROGRAM": "sagemaker_serve",
}
AUTOPILOT_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-sklearn-automl:2.5-1"


def test_automl_steps_written_in_python_fail_naming_a_property_to_supply(ws: Workspace) -> None:
    failed = ws.runner(stop_at_missing=True).run(automl_pipeline())
    # Every property the best model reads from the step: supplying one at a time would fail
    # the next step on the next one.
    read = [
        f"{BEST}.Image",
        *(f"{BEST}.Environment['{name}']" for name in AUTOPILOT_ENVIRONMENT),
        f"{BEST}.ModelDataUrl",
    ]
    reason = failed.step("AutoML").failure_reason
    assert reason is not None
    assert reason.startswith(
        "AutoML steps run on another AWS service, which the local runner can't reach; mark it "
        "done by supplying the properties later steps read: --callback-output "
    )
    assert sorted(re.findall(r"--callback-output (\S+)=…", reason)) == sorted(read)


def test_automl_best_candidate_is_supplied_by_path_and_feeds_the_best_model(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    # The best candidate's model: its serving code inside, as Autopilot packs it.
    serve = ws.file("model/code/sagemaker_serve", "# Autopilot's serving entry point\n")
    (ws.data / "automl").mkdir()
    with tarfile.open(ws.data / "automl" / "model.tar.gz", "w:gz") as archive:
        archive.add(serve.parent, arcname="code")
    definition = ws.root / "pipeline.json"
    definition.write_text(json.dumps(automl_pipeline()))
    resources = ws.root / "resources.json"
    resources.write_text(json.dumps({"s3": {"s3://data-bucket": "data"}}))
    supplied = [
        f"{BEST}.Image={AUTOPILOT_IMAGE}",
        f"{BEST}.ModelDataUrl=s3://data-bucket/automl/model.tar.gz",
        *(f"{BEST}.Environment['{name}']={value}" for name, value in AUTOPILOT_ENVIRONMENT.items()),
    ]
    arguments = [item for value in supplied for item in ("--callback-output", value)]

    code = main(
        ["run", str(definition), "--resources", str(resources), *arguments, "--root", str(ws.root)]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    runner = LocalRunner(ws.config(root=ws.root))
    [execution] = runner.executions()
    result = runner.execution(execution.execution_id)
    container = result.properties("AutoML")["BestCandidate"]["InferenceContainers"][0]
    assert container["Image"] == AUTOPILOT_IMAGE
    assert container["Environment"] == AUTOPILOT_ENVIRONMENT
    primary = result.properties("BestModel")["PrimaryContainer"]
    assert primary["ModelDataUrl"] == "s3://data-bucket/automl/model.tar.gz"
    assert primary["Environment"] == AUTOPILOT_ENVIRONMENT


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("BestCandidate[x", "malformed property path 'BestCandidate[x' at '[x'"),
        (
            "BestCandidate.InferenceContainer[0].Image",
            "BestCandidate has no property 'InferenceContainer' (did you mean "
            "'InferenceContainers'",
        ),
    ],
    ids=["malformed", "misspelled"],
)
def test_fails_a_supplied_automl_property_it_does_not_have_before_anything_runs(
    ws: Workspace, path: str, message: str
) -> None:
    # Found only when a later step read the property, after every step before it had run.
    runner = ws.runner(callback_outputs={"AutoML": {path: "1"}})
    with pytest.raises(LocalRunError) as raised:
        runner.run(automl_pipeline())
    assert str(raised.value).startswith(
        f"callback_outputs (--callback-output): AutoML step 'AutoML' has no property {path!r}: "
        + message
    ), str(raised.value)
    assert runner.executions() == []


def test_fails_a_misspelled_emr_property_before_anything_runs(ws: Workspace) -> None:
    step = EMRStep(name="Spark", cluster_id="j-1ABCDEFG2HIJK", jar="command-runner.jar")
    runner = ws.runner(callback_outputs={"Spark": {"Status.Sate": "COMPLETED"}})
    with pytest.raises(LocalRunError, match=r"has no property 'Status\.Sate': .*'State'"):
        runner.run(compile_steps([step]))
