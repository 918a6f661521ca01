from cdk_sagemaker_pipelines.checks import JobVolumeEncryption
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import KEY, condition, definition, step


def test_Compliance():
    compliant = definition(
        step("Prep", "Processing", ProcessingResources={"ClusterConfig": {"VolumeKmsKeyId": KEY}}),
        step("Train", "Training", ResourceConfig={"VolumeKmsKeyId": KEY}),
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinition={"HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": KEY}},
        ),
        # Older SDKs render a tuning job's resources as ResourceConfig.
        step(
            "TuneOld", "Tuning", TrainingJobDefinition={"ResourceConfig": {"VolumeKmsKeyId": KEY}}
        ),
        step("Score", "Transform", TransformResources={"VolumeKmsKeyId": KEY}),
        step("Key", "Training", ResourceConfig={"VolumeKmsKeyId": {"Get": "Parameters.Key"}}),
        # Steps without volumes are not applicable.
        step("Register", "RegisterModel"),
        step("Notify", "Lambda"),
        step("Stop", "Fail"),
    )
    assert JobVolumeEncryption.check(compliant) == []


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing", ProcessingResources={"ClusterConfig": {}}),
        condition(
            "Check",
            [step("Train", "Training", ResourceConfig={"VolumeKmsKeyId": ""})],
            [step("Tune", "Tuning", TrainingJobDefinition={"ResourceConfig": {}})],
        ),
        step("Score", "Transform"),
    )
    assert JobVolumeEncryption.check(noncompliant) == [
        # Top-level steps first, then branch steps.
        Finding("Prep", "Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId", "no KMS key"),
        Finding("Score", "Arguments.TransformResources.VolumeKmsKeyId", "no KMS key"),
        Finding("Train", "Arguments.ResourceConfig.VolumeKmsKeyId", "no KMS key"),
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinition.HyperParameterTuningResourceConfig.VolumeKmsKeyId",
            "no KMS key",
        ),
    ]


def test_Compliance_automl():
    # Autopilot's processing, training and transform jobs use the AutoML job's volume key.
    compliant = definition(
        step("AutoML", "AutoML", AutoMLJobConfig={"SecurityConfig": {"VolumeKmsKeyId": KEY}})
    )
    assert JobVolumeEncryption.check(compliant) == []


def test_Noncompliance_automl():
    noncompliant = definition(
        step(
            "AutoML",
            "AutoML",
            AutoMLJobConfig={"SecurityConfig": {"EnableInterContainerTrafficEncryption": False}},
        ),
        condition("Gate", [step("Other", "AutoML")], []),
    )
    field = "Arguments.AutoMLJobConfig.SecurityConfig.VolumeKmsKeyId"
    assert JobVolumeEncryption.check(noncompliant) == [
        Finding("AutoML", field, "no KMS key"),
        Finding("Other", field, "no KMS key"),
    ]


def test_Compliance_tuning_of_several_definitions():
    # A tuning job of several algorithms (TrainingJobDefinitions) has no TrainingJobDefinition:
    # each definition's jobs have volumes of their own, each with its key.
    resources = {"HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": KEY}}
    compliant = definition(
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[resources, {"ResourceConfig": {"VolumeKmsKeyId": KEY}}],
        )
    )
    assert JobVolumeEncryption.check(compliant) == []


def test_Noncompliance_tuning_of_several_definitions():
    keyed = {"HyperParameterTuningResourceConfig": {"VolumeKmsKeyId": KEY}}
    noncompliant = definition(
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[keyed, {"HyperParameterTuningResourceConfig": {}}],
        )
    )
    assert JobVolumeEncryption.check(noncompliant) == [
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinitions[1].HyperParameterTuningResourceConfig.VolumeKmsKeyId",
            "no KMS key",
        )
    ]
