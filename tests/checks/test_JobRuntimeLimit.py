from cdk_sagemaker_pipelines.checks import COST, JobRuntimeLimit, run_rules
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import condition, definition, step

LIMIT = {"MaxRuntimeInSeconds": 3600}


def test_Compliance():
    compliant = definition(
        step("Prep", "Processing", StoppingCondition=LIMIT),
        step("Train", "Training", StoppingCondition=LIMIT),
        step("Tune", "Tuning", TrainingJobDefinition={"StoppingCondition": LIMIT}),
        step(
            "Auto",
            "AutoML",
            AutoMLJobConfig={"CompletionCriteria": {"MaxAutoMLJobRuntimeInSeconds": 7200}},
        ),
        step("Quality", "QualityCheck", StoppingCondition=LIMIT),
        step("Bias", "ClarifyCheck", StoppingCondition=LIMIT),
        # Set at run time: a parameter is a limit too.
        step("Param", "Training", StoppingCondition={"MaxRuntimeInSeconds": {"Get": "P.Max"}}),
        # CreateTransformJob has no run-time limit to set; the rest start no job.
        step("Score", "Transform"),
        step("Register", "RegisterModel"),
        step("Model", "Model"),
        step("Notify", "Lambda"),
    )
    assert JobRuntimeLimit.check(compliant) == []


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing"),
        step("Auto", "AutoML", AutoMLJobConfig={"CompletionCriteria": {"MaxCandidates": 5}}),
        condition(
            "Gate",
            [step("Train", "Training", StoppingCondition={"MaxWaitTimeInSeconds": 7200})],
            [step("Tune", "Tuning", TrainingJobDefinition={"StoppingCondition": {}})],
        ),
        step("Quality", "QualityCheck"),
        step("Bias", "ClarifyCheck"),
    )
    runtime = "Arguments.StoppingCondition.MaxRuntimeInSeconds"
    assert JobRuntimeLimit.check(noncompliant) == [
        Finding("Prep", runtime, "no run-time limit"),
        Finding(
            "Auto",
            "Arguments.AutoMLJobConfig.CompletionCriteria.MaxAutoMLJobRuntimeInSeconds",
            "no run-time limit",
        ),
        Finding("Quality", runtime, "no run-time limit"),
        Finding("Bias", runtime, "no run-time limit"),
        Finding("Train", runtime, "no run-time limit"),
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds",
            "no run-time limit",
        ),
    ]


def test_Noncompliance_tuning_of_several_definitions():
    noncompliant = definition(
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[{"StoppingCondition": LIMIT}, {"StoppingCondition": {}}],
        )
    )
    assert JobRuntimeLimit.check(noncompliant) == [
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinitions[1].StoppingCondition.MaxRuntimeInSeconds",
            "no run-time limit",
        )
    ]


def test_the_cost_pack_holds_the_rule_with_its_explanation():
    assert [rule.id for rule in COST] == ["SMP-JobRuntimeLimit"]
    [rule] = COST
    assert rule.level == "Error"
    assert "1 day" in rule.explanation
    results = run_rules(COST, definition(step("Prep", "Processing")))
    assert [result.finding_id for result in results] == ["SMP-JobRuntimeLimit[Prep]"]
