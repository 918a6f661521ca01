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


# Endpoint configurations: KmsKeyId encrypts the ML storage volume of every instance of
# every variant (shadow variants too).
M5 = {"VariantName": "A", "ModelName": "m", "InstanceType": "ml.m5.large"}
G5 = {"VariantName": "B", "ModelName": "m", "InstanceType": "ml.g5.2xlarge"}
SERVERLESS = {"VariantName": "S", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048}}


def test_Compliance_endpoint_config():
    instance_type = {"Get": "Parameters.InstanceType"}
    compliant = definition(
        step("Keyed", "EndpointConfig", ProductionVariants=[M5], KmsKeyId=KEY),
        step("KeyParameter", "EndpointConfig", ProductionVariants=[M5], KmsKeyId=instance_type),
        # An NVMe instance store is encrypted by the instance's hardware and takes no key.
        step("Store", "EndpointConfig", ProductionVariants=[G5]),
        # A serverless variant has no volume.
        step("Serverless", "EndpointConfig", ProductionVariants=[SERVERLESS]),
        step("Both", "EndpointConfig", ProductionVariants=[G5, SERVERLESS]),
        # Endpoints and inference components have no volume of their own.
        step("Deploy", "Endpoint", EndpointName="e", EndpointConfigName="c"),
        step("Component", "InferenceComponent", EndpointName="e"),
    )
    assert JobVolumeEncryption.check(compliant) == []


def test_Noncompliance_an_endpoint_variant_parameter_whose_default_is_an_nvme_type():
    # Was: compliant, judged by its default, while a job's was a finding. Neither gets a
    # key (a run on the defaults would fail with one): a run overriding the parameter with
    # an EBS type deploys volumes without a key of yours, for an endpoint as for a job.
    noncompliant = definition(
        step(
            "ByDefault",
            "EndpointConfig",
            ProductionVariants=[{**M5, "InstanceType": {"Get": "Parameters.InstanceType"}}],
        ),
        parameters=[{"Name": "InstanceType", "Type": "String", "DefaultValue": "ml.g5.xlarge"}],
    )
    [finding] = JobVolumeEncryption.check(noncompliant)
    assert finding.field == "Arguments.KmsKeyId"
    assert finding.info.startswith(
        "no KMS key: the instance type is parameter 'InstanceType' (default ml.g5.xlarge, "
        "ProductionVariants[0]), an NVMe instance store that takes no key"
    )


def test_Noncompliance_endpoint_config():
    parameter = {"Get": "Parameters.InstanceType"}
    noncompliant = definition(
        step("Plain", "EndpointConfig", ProductionVariants=[M5], KmsKeyId=""),
        step(
            "ByDefault",
            "EndpointConfig",
            ProductionVariants=[{**M5, "InstanceType": parameter}, SERVERLESS],
        ),
        step(
            "Unknown",
            "EndpointConfig",
            ProductionVariants=[
                {**M5, "InstanceType": {"Get": "Steps.Pick.OutputParameters['type']"}},
                {**M5, "InstanceType": "${Ref:EndpointInstanceType}"},  # a CloudFormation one
                {**M5, "InstanceType": {"Get": "Parameters.NoDefault"}},
            ],
        ),
        step(
            "Shadow",
            "EndpointConfig",
            ProductionVariants=[G5],
            ShadowProductionVariants=[{**M5, "VariantName": "Shadow"}],
        ),
        condition("Gate", [step("Mixed", "EndpointConfig", ProductionVariants=[M5, G5])], []),
        parameters=[
            {"Name": "InstanceType", "Type": "String", "DefaultValue": "ml.c5.xlarge"},
            {"Name": "NoDefault", "Type": "String"},
        ],
    )
    assert JobVolumeEncryption.check(noncompliant) == [
        Finding(
            "Plain",
            "Arguments.KmsKeyId",
            "no KMS key for the storage volumes of ml.m5.large (ProductionVariants[0])",
        ),
        Finding(
            "ByDefault",
            "Arguments.KmsKeyId",
            "no KMS key for the storage volumes of ml.c5.xlarge (ProductionVariants[0], the "
            "default of parameter 'InstanceType')",
        ),
        Finding(
            "Unknown",
            "Arguments.KmsKeyId",
            "no KMS key for the storage volumes of "
            "ProductionVariants[0] (an instance type known only at run time), "
            "ProductionVariants[1] (an instance type known only at run time), "
            "ProductionVariants[2] (an instance type known only at run time)",
        ),
        Finding(
            "Shadow",
            "Arguments.KmsKeyId",
            "no KMS key for the storage volumes of ml.m5.large (ShadowProductionVariants[0]); "
            "none can be given while ml.g5.2xlarge (ProductionVariants[0]) keeps its storage "
            "on an NVMe instance store (CreateEndpointConfig refuses a KmsKeyId then): deploy "
            "the variants with EBS volumes with an endpoint configuration of their own",
        ),
        Finding(
            "Mixed",
            "Arguments.KmsKeyId",
            "no KMS key for the storage volumes of ml.m5.large (ProductionVariants[0]); "
            "none can be given while ml.g5.2xlarge (ProductionVariants[1]) keeps its storage "
            "on an NVMe instance store (CreateEndpointConfig refuses a KmsKeyId then): deploy "
            "the variants with EBS volumes with an endpoint configuration of their own",
        ),
    ]


def test_Compliance_jobs_on_nvme_instance_stores():
    # Was: a finding for a training job on ml.p4d.24xlarge without a volume key, which
    # SageMaker refuses for instances with local storage ("You can't request a
    # VolumeKmsKeyId when using an instance type with local storage").
    compliant = definition(
        step("Train", "Training", ResourceConfig={"InstanceType": "ml.p4d.24xlarge"}),
        step(
            "Prep",
            "Processing",
            ProcessingResources={"ClusterConfig": {"InstanceType": "ml.g5.xlarge"}},
        ),
        step("Score", "Transform", TransformResources={"InstanceType": "ml.g4dn.xlarge"}),
        step(
            "Hetero",
            "Training",
            ResourceConfig={
                "InstanceGroups": [
                    {"InstanceType": "ml.p4d.24xlarge"},
                    {"InstanceType": "ml.g5.2xlarge"},
                ]
            },
        ),
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinition={
                "HyperParameterTuningResourceConfig": {"InstanceType": "ml.p5.48xlarge"}
            },
        ),
    )
    assert JobVolumeEncryption.check(compliant) == []


def test_Noncompliance_a_parameter_instance_type_whose_default_is_an_nvme_type():
    # Was: compliant, judged by its default. The language gives such a job no key (a run
    # on the defaults would fail with one), so an override with an EBS type has none.
    noncompliant = definition(
        step(
            "ByParameter",
            "Training",
            ResourceConfig={"InstanceType": {"Get": "Parameters.GpuType"}},
        ),
        parameters=[{"Name": "GpuType", "Type": "String", "DefaultValue": "ml.p4d.24xlarge"}],
    )
    [finding] = JobVolumeEncryption.check(noncompliant)
    assert finding.field == "Arguments.ResourceConfig.VolumeKmsKeyId"
    assert finding.info.startswith(
        "no KMS key: the instance type is parameter 'GpuType' (default ml.p4d.24xlarge), an "
        "NVMe instance store that takes no key, so none is given; a run overriding it with an "
        "EBS type"
    )


def test_Noncompliance_jobs_with_an_ebs_volume_or_an_unknown_instance_type():
    noncompliant = definition(
        step("Train", "Training", ResourceConfig={"InstanceType": "ml.m5.xlarge"}),
        # One group with an EBS volume, or a type known only at run time, keeps the finding.
        step(
            "Hetero",
            "Training",
            ResourceConfig={
                "InstanceGroups": [
                    {"InstanceType": "ml.p4d.24xlarge"},
                    {"InstanceType": "ml.c5.xlarge"},
                ]
            },
        ),
        step(
            "Late",
            "Training",
            ResourceConfig={"InstanceType": {"Get": "Steps.Pick.Properties.Type"}},
        ),
    )
    findings = JobVolumeEncryption.check(noncompliant)
    assert [finding.step for finding in findings] == ["Train", "Hetero", "Late"]
    assert [findings[0].info, findings[2].info] == ["no KMS key"] * 2
    # A mixed cluster gets no key (one per ResourceConfig, refused with local storage):
    # the finding says why and what to do.
    assert findings[1].info == (
        "no KMS key for the EBS volumes of ml.c5.xlarge; none can be given while "
        "ml.p4d.24xlarge keeps its storage on an NVMe instance store (the key is one for the "
        "whole resource configuration, refused with local storage): run the EBS groups' work "
        "in a job of its own, or acknowledge the finding"
    )
