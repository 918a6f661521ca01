from cdk_sagemaker_pipelines.checks import InterContainerEncryption
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import definition, step

VPC = {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}


def test_Compliance():
    compliant = definition(
        step(
            "Prep",
            "Processing",
            NetworkConfig={"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": True},
        ),
        step("Train", "Training", VpcConfig=VPC, EnableInterContainerTrafficEncryption=True),
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinition={"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": True},
        ),
        # Outside a VPC the rule does not apply.
        step("Isolated", "Training", EnableNetworkIsolation=True),
        step("Model", "Model", VpcConfig=VPC),
    )
    assert InterContainerEncryption.check(compliant) == []


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing", NetworkConfig={"VpcConfig": VPC}),
        step("Train", "Training", VpcConfig=VPC, EnableInterContainerTrafficEncryption=False),
        step("Tune", "Tuning", TrainingJobDefinition={"VpcConfig": VPC}),
    )
    assert InterContainerEncryption.check(noncompliant) == [
        Finding(
            "Prep", "Arguments.NetworkConfig.EnableInterContainerTrafficEncryption", "cleartext"
        ),
        Finding("Train", "Arguments.EnableInterContainerTrafficEncryption", "cleartext"),
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinition.EnableInterContainerTrafficEncryption",
            "cleartext",
        ),
    ]


def test_Compliance_automl():
    compliant = definition(
        step(
            "AutoML",
            "AutoML",
            AutoMLJobConfig={
                "SecurityConfig": {"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": True}
            },
        ),
        # Outside a VPC the rule does not apply (the SDK writes False there).
        step(
            "Open",
            "AutoML",
            AutoMLJobConfig={"SecurityConfig": {"EnableInterContainerTrafficEncryption": False}},
        ),
    )
    assert InterContainerEncryption.check(compliant) == []


def test_Noncompliance_automl():
    noncompliant = definition(
        step(
            "AutoML",
            "AutoML",
            AutoMLJobConfig={
                "SecurityConfig": {"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": False}
            },
        ),
    )
    assert InterContainerEncryption.check(noncompliant) == [
        Finding(
            "AutoML",
            "Arguments.AutoMLJobConfig.SecurityConfig.EnableInterContainerTrafficEncryption",
            "cleartext",
        ),
    ]


def test_Compliance_tuning_of_several_definitions():
    encrypted = {"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": True}
    compliant = definition(step("Tune", "Tuning", TrainingJobDefinitions=[encrypted, {}]))
    assert InterContainerEncryption.check(compliant) == []


def test_Noncompliance_tuning_of_several_definitions():
    encrypted = {"VpcConfig": VPC, "EnableInterContainerTrafficEncryption": True}
    noncompliant = definition(
        step("Tune", "Tuning", TrainingJobDefinitions=[encrypted, {"VpcConfig": VPC}])
    )
    assert InterContainerEncryption.check(noncompliant) == [
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinitions[1].EnableInterContainerTrafficEncryption",
            "cleartext",
        )
    ]
