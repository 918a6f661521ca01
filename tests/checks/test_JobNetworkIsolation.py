from cdk_sagemaker_pipelines.checks import JobNetworkIsolation
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import condition, definition, step

VPC = {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}


def test_Compliance():
    compliant = definition(
        step("Prep", "Processing", NetworkConfig={"VpcConfig": VPC}),
        step("Isolated", "Processing", NetworkConfig={"EnableNetworkIsolation": True}),
        step("Train", "Training", EnableNetworkIsolation=True),
        step("TrainVpc", "Training", VpcConfig=VPC),
        step("Tune", "Tuning", TrainingJobDefinition={"VpcConfig": VPC}),
        step("Model", "Model", EnableNetworkIsolation=True),
        step("ModelVpc", "Model", VpcConfig=VPC),
        # Transform jobs take their network from the model; Lambda has none.
        step("Score", "Transform"),
        step("Notify", "Lambda"),
    )
    assert JobNetworkIsolation.check(compliant) == []


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing", NetworkConfig={"EnableNetworkIsolation": False}),
        condition(
            "Check",
            [step("Train", "Training", EnableNetworkIsolation="true")],  # not the boolean
            [step("Tune", "Tuning", TrainingJobDefinition={})],
        ),
        step("Model", "Model", VpcConfig={}),
    )
    assert JobNetworkIsolation.check(noncompliant) == [
        # Top-level steps first, then branch steps.
        Finding("Prep", "Arguments.NetworkConfig.EnableNetworkIsolation", "open network access"),
        Finding("Model", "Arguments.EnableNetworkIsolation", "open network access"),
        Finding("Train", "Arguments.EnableNetworkIsolation", "open network access"),
        Finding(
            "Tune", "Arguments.TrainingJobDefinition.EnableNetworkIsolation", "open network access"
        ),
    ]


def test_Compliance_automl():
    compliant = definition(
        step("AutoML", "AutoML", AutoMLJobConfig={"SecurityConfig": {"VpcConfig": VPC}}),
    )
    assert JobNetworkIsolation.check(compliant) == []


def test_Noncompliance_automl():
    # An AutoML job has no network isolation: outside a VPC its network is open, and the
    # finding names the VPC field (an EnableNetworkIsolation it can't take doesn't count).
    noncompliant = definition(
        step(
            "AutoML",
            "AutoML",
            AutoMLJobConfig={"SecurityConfig": {"EnableInterContainerTrafficEncryption": False}},
            EnableNetworkIsolation=True,
        ),
    )
    assert JobNetworkIsolation.check(noncompliant) == [
        Finding(
            "AutoML", "Arguments.AutoMLJobConfig.SecurityConfig.VpcConfig", "open network access"
        ),
    ]


def test_Compliance_tuning_of_several_definitions():
    compliant = definition(
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[{"EnableNetworkIsolation": True}, {"VpcConfig": VPC}],
        )
    )
    assert JobNetworkIsolation.check(compliant) == []


def test_Noncompliance_tuning_of_several_definitions():
    noncompliant = definition(
        step("Tune", "Tuning", TrainingJobDefinitions=[{"EnableNetworkIsolation": True}, {}])
    )
    assert JobNetworkIsolation.check(noncompliant) == [
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinitions[1].EnableNetworkIsolation",
            "open network access",
        )
    ]


# An endpoint runs each model with the model's network (a Model step is judged as a job),
# and inference components with its configuration's.
COMPONENTS = [{"VariantName": "AllTraffic", "InstanceType": "ml.g5.2xlarge"}]
MODELS = [{"VariantName": "AllTraffic", "ModelName": "m", "InstanceType": "ml.m5.large"}]
MODEL_STEP = {"ModelName": {"Get": "Steps.CreateModel.ModelName"}}


def test_Compliance_endpoint_config():
    compliant = definition(
        step("Vpc", "EndpointConfig", ProductionVariants=COMPONENTS, VpcConfig=VPC),
        step(
            "Isolated", "EndpointConfig", ProductionVariants=COMPONENTS, EnableNetworkIsolation=True
        ),
        # Variants of models: their network is the models'.
        step("OfModels", "EndpointConfig", ProductionVariants=MODELS),
        step("OfAModelStep", "EndpointConfig", ProductionVariants=[{**MODELS[0], **MODEL_STEP}]),
        # No variants at all (malformed): nothing to judge.
        step("NoVariants", "EndpointConfig"),
        step("Deploy", "Endpoint", EndpointName="e", EndpointConfigName="c"),
        step("Component", "InferenceComponent", EndpointName="e"),
    )
    assert JobNetworkIsolation.check(compliant) == []


def test_Noncompliance_endpoint_config():
    noncompliant = definition(
        step("Open", "EndpointConfig", ProductionVariants=COMPONENTS),
        condition(
            "Gate",
            [
                step(
                    "NotIsolated",
                    "EndpointConfig",
                    ProductionVariants=COMPONENTS,
                    EnableNetworkIsolation=False,
                    VpcConfig={},
                )
            ],
            [],
        ),
    )
    assert JobNetworkIsolation.check(noncompliant) == [
        Finding("Open", "Arguments.EnableNetworkIsolation", "open network access"),
        Finding("NotIsolated", "Arguments.EnableNetworkIsolation", "open network access"),
    ]


# A configuration mixing variants of models and variants for inference components: each
# variant is judged by what runs on it, the models by their own network (the Model step's),
# the components by the configuration's. Was: not judged at all, as not every variant
# named no model.
MIXED = [{**MODELS[0], **MODEL_STEP}, {**COMPONENTS[0], "VariantName": "Components"}]


def test_Compliance_endpoint_config_mixing_models_and_components():
    compliant = definition(
        step("CreateModel", "Model", EnableNetworkIsolation=True),
        step("Vpc", "EndpointConfig", ProductionVariants=MIXED, VpcConfig=VPC),
        step("Isolated", "EndpointConfig", ProductionVariants=MIXED, EnableNetworkIsolation=True),
        # Components in shadow only, beside a variant of a model.
        step(
            "Shadow",
            "EndpointConfig",
            ProductionVariants=MODELS,
            ShadowProductionVariants=COMPONENTS,
            VpcConfig=VPC,
        ),
    )
    assert JobNetworkIsolation.check(compliant) == []


def test_Noncompliance_endpoint_config_mixing_models_and_components():
    noncompliant = definition(
        # The model runs in its own network: open, a finding of the Model step only.
        step("CreateModel", "Model"),
        step("Vpc", "EndpointConfig", ProductionVariants=MIXED, VpcConfig=VPC),
        # The components run in the configuration's network: open, whatever the model's.
        step("Mixed", "EndpointConfig", ProductionVariants=MIXED, EnableNetworkIsolation=False),
        step(
            "Shadow",
            "EndpointConfig",
            ProductionVariants=MODELS,
            ShadowProductionVariants=COMPONENTS,
        ),
    )
    assert JobNetworkIsolation.check(noncompliant) == [
        Finding("CreateModel", "Arguments.EnableNetworkIsolation", "open network access"),
        Finding(
            "Mixed",
            "Arguments.EnableNetworkIsolation",
            "open network access for the inference components of ProductionVariants[1]",
        ),
        Finding(
            "Shadow",
            "Arguments.EnableNetworkIsolation",
            "open network access for the inference components of ShadowProductionVariants[0]",
        ),
    ]
