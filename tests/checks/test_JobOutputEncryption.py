from cdk_sagemaker_pipelines.checks import JobOutputEncryption
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import KEY, condition, definition, step


def test_Compliance():
    compliant = definition(
        step("Prep", "Processing", ProcessingOutputConfig={"Outputs": [], "KmsKeyId": KEY}),
        step("Train", "Training", OutputDataConfig={"S3OutputPath": "s3://b/m", "KmsKeyId": KEY}),
        step("Tune", "Tuning", TrainingJobDefinition={"OutputDataConfig": {"KmsKeyId": KEY}}),
        step("Score", "Transform", TransformOutput={"KmsKeyId": {"Get": "Parameters.Key"}}),
        # A processing job without outputs writes nothing to S3.
        step("Check", "Processing", ProcessingResources={}),
        step("Register", "RegisterModel"),
    )
    assert JobOutputEncryption.check(compliant) == []


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing", ProcessingOutputConfig={"Outputs": []}),
        condition(
            "Gate",
            [step("Train", "Training", OutputDataConfig={"S3OutputPath": "s3://b/m"})],
            [step("Tune", "Tuning", TrainingJobDefinition={"OutputDataConfig": {"KmsKeyId": ""}})],
        ),
        step("Score", "Transform", TransformOutput={"S3OutputPath": "s3://b/o"}),
    )
    assert JobOutputEncryption.check(noncompliant) == [
        # Top-level steps first, then branch steps.
        Finding("Prep", "Arguments.ProcessingOutputConfig.KmsKeyId", "no KMS key"),
        Finding("Score", "Arguments.TransformOutput.KmsKeyId", "no KMS key"),
        Finding("Train", "Arguments.OutputDataConfig.KmsKeyId", "no KMS key"),
        Finding("Tune", "Arguments.TrainingJobDefinition.OutputDataConfig.KmsKeyId", "no KMS key"),
    ]


def test_Compliance_automl():
    compliant = definition(
        step("AutoML", "AutoML", OutputDataConfig={"S3OutputPath": "s3://b/a", "KmsKeyId": KEY})
    )
    assert JobOutputEncryption.check(compliant) == []


def test_Noncompliance_automl():
    noncompliant = definition(
        step("AutoML", "AutoML", OutputDataConfig={"S3OutputPath": "s3://b/a"}),
    )
    assert JobOutputEncryption.check(noncompliant) == [
        Finding("AutoML", "Arguments.OutputDataConfig.KmsKeyId", "no KMS key"),
    ]


def test_Compliance_tuning_of_several_definitions():
    output = {"OutputDataConfig": {"S3OutputPath": "s3://b/m", "KmsKeyId": KEY}}
    compliant = definition(step("Tune", "Tuning", TrainingJobDefinitions=[output, output]))
    assert JobOutputEncryption.check(compliant) == []


def test_Noncompliance_tuning_of_several_definitions():
    # Each definition's training jobs write their models: one without a key was missed.
    keyed = {"OutputDataConfig": {"S3OutputPath": "s3://b/m", "KmsKeyId": KEY}}
    open_ = {"OutputDataConfig": {"S3OutputPath": "s3://b/m"}}
    noncompliant = definition(step("Tune", "Tuning", TrainingJobDefinitions=[open_, keyed]))
    assert JobOutputEncryption.check(noncompliant) == [
        Finding(
            "Tune", "Arguments.TrainingJobDefinitions[0].OutputDataConfig.KmsKeyId", "no KMS key"
        )
    ]


# Endpoint configurations write captured requests and responses, and asynchronous
# inference results, to S3: each with a KmsKeyId of its own.
CAPTURE = {"DestinationS3Uri": "s3://b/capture", "InitialSamplingPercentage": 20}
ASYNC = {"OutputConfig": {"S3OutputPath": "s3://b/async"}}


def test_Compliance_endpoint_config():
    compliant = definition(
        step(
            "Keyed",
            "EndpointConfig",
            DataCaptureConfig={**CAPTURE, "KmsKeyId": KEY},
            AsyncInferenceConfig={"OutputConfig": {**ASYNC["OutputConfig"], "KmsKeyId": KEY}},
        ),
        # Capture turned off writes nothing; no capture, no asynchronous inference: neither.
        step("Off", "EndpointConfig", DataCaptureConfig={**CAPTURE, "EnableCapture": False}),
        step("Plain", "EndpointConfig", ProductionVariants=[], KmsKeyId=KEY),
        step("Async", "EndpointConfig", AsyncInferenceConfig={"ClientConfig": {}}),
        step("Deploy", "Endpoint", EndpointName="e", EndpointConfigName="c"),
    )
    assert JobOutputEncryption.check(compliant) == []


def test_Noncompliance_endpoint_config():
    noncompliant = definition(
        step("Capture", "EndpointConfig", DataCaptureConfig={**CAPTURE, "EnableCapture": True}),
        step(
            "Both",
            "EndpointConfig",
            # Capture turned on or off at run time: it may write.
            DataCaptureConfig={**CAPTURE, "EnableCapture": {"Get": "Parameters.Capture"}},
            AsyncInferenceConfig=ASYNC,
            KmsKeyId=KEY,  # the instances' volumes', not the captured data's
        ),
    )
    assert JobOutputEncryption.check(noncompliant) == [
        Finding("Capture", "Arguments.DataCaptureConfig.KmsKeyId", "no KMS key"),
        Finding("Both", "Arguments.DataCaptureConfig.KmsKeyId", "no KMS key"),
        Finding("Both", "Arguments.AsyncInferenceConfig.OutputConfig.KmsKeyId", "no KMS key"),
    ]
