import pytest

from cdk_sagemaker_pipelines.checks import NoSecretsInEnvironment
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import condition, definition, step


def test_Compliance():
    compliant = definition(
        step(
            "Prep",
            "Processing",
            Environment={
                "MODE": "full",
                "TOKENIZERS_PARALLELISM": "false",  # a word containing TOKEN, not a token
                "MAX_TOKENS": "512",
                "DB_PASSWORD": {"Get": "Parameters.Password"},  # not a literal
                "API_KEY": "",  # empty
                "SECRET_ARN_COUNT": 3,  # not a string
            },
        ),
        step("Train", "Training", Environment={"SM_LOG_LEVEL": "20"}),
    )
    assert NoSecretsInEnvironment.check(compliant) == []


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "password",
        "HF_TOKEN",
        "OPENAI_API_KEY",
        "APIKEY",
        "AWS_SECRET_ACCESS_KEY",
        "private-key",
        "MY_PASSWD",
    ],
)
def test_Noncompliance_secret_like_names(name: str):
    found = NoSecretsInEnvironment.check(
        definition(step("Prep", "Processing", Environment={name: "x"}))
    )
    assert found == [Finding("Prep", f"Arguments.Environment['{name}']", "literal secret")]


def test_Noncompliance():
    noncompliant = definition(
        step("Prep", "Processing", Environment={"CONFIG": "AKIAABCDEFGHIJKLMNOP"}),
        step("Tune", "Tuning", TrainingJobDefinition={"Environment": {"GITHUB_TOKEN": "ghp_x"}}),
        condition(
            "Check",
            [step("Model", "Model", PrimaryContainer={"Environment": {"SECRET": "s"}})],
            [step("Multi", "Model", Containers=[{}, {"Environment": {"PASSWORD": "p"}}])],
        ),
        step(
            "Register",
            "RegisterModel",
            InferenceSpecification={"Containers": [{"Environment": {"API_KEY": "k"}}]},
        ),
    )
    assert NoSecretsInEnvironment.check(noncompliant) == [
        Finding("Prep", "Arguments.Environment['CONFIG']", "literal secret"),
        Finding(
            "Tune", "Arguments.TrainingJobDefinition.Environment['GITHUB_TOKEN']", "literal secret"
        ),
        Finding(
            "Register",
            "Arguments.InferenceSpecification.Containers[0].Environment['API_KEY']",
            "literal secret",
        ),
        Finding("Model", "Arguments.PrimaryContainer.Environment['SECRET']", "literal secret"),
        Finding("Multi", "Arguments.Containers[1].Environment['PASSWORD']", "literal secret"),
    ]


def test_Noncompliance_tuning_of_several_definitions():
    noncompliant = definition(
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinitions=[
                {"Environment": {"MODE": "fast"}},
                {"Environment": {"DB_PASSWORD": "hunter2"}},
            ],
        )
    )
    assert NoSecretsInEnvironment.check(noncompliant) == [
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinitions[1].Environment['DB_PASSWORD']",
            "literal secret",
        )
    ]


def test_Noncompliance_hyperparameters():
    # CreateTrainingJob: "Do not include any security-sensitive information including account
    # access IDs, secrets, or tokens in any hyperparameter fields".
    noncompliant = definition(
        step("Train", "Training", HyperParameters={"epochs": "3", "hf_token": '"hf_abc"'}),
        step(
            "Tune",
            "Tuning",
            TrainingJobDefinition={"StaticHyperParameters": {"aws_key": "AKIAABCDEFGHIJKLMNOP"}},
        ),
        step(
            "TuneMany",
            "Tuning",
            TrainingJobDefinitions=[{}, {"StaticHyperParameters": {"api-key": "k"}}],
        ),
    )
    assert NoSecretsInEnvironment.check(noncompliant) == [
        Finding("Train", "Arguments.HyperParameters['hf_token']", "literal secret"),
        Finding(
            "Tune",
            "Arguments.TrainingJobDefinition.StaticHyperParameters['aws_key']",
            "literal secret",
        ),
        Finding(
            "TuneMany",
            "Arguments.TrainingJobDefinitions[1].StaticHyperParameters['api-key']",
            "literal secret",
        ),
    ]


def test_Compliance_hyperparameters():
    # A tokenizer's special tokens are text, and a switch holds no secret.
    compliant = definition(
        step(
            "Train",
            "Training",
            HyperParameters={
                "pad_token": "<pad>",
                "eos-token-id": "2",
                "use_auth_token": '"True"',
                "max_new_tokens": "64",
            },
        )
    )
    assert NoSecretsInEnvironment.check(compliant) == []


def test_Noncompliance_parameter_defaults():
    # The definition holds a parameter's default in plain text: judged under the variable's
    # name or the parameter's.
    parameters = [
        {"Name": "DbPassword", "Type": "String", "DefaultValue": "hunter2"},
        {"Name": "Mode", "Type": "String", "DefaultValue": "AKIAABCDEFGHIJKLMNOP"},
        {"Name": "Token", "Type": "String"},  # no default: nothing in the definition
        {"Name": "ApiKey", "Type": "String", "DefaultValue": ""},
    ]
    noncompliant = definition(
        step(
            "Prep",
            "Processing",
            Environment={
                "DB": {"Get": "Parameters.DbPassword"},
                "MODE": {"Get": "Parameters.Mode"},
                "HF_TOKEN": {"Get": "Parameters.Token"},
                "API_KEY": {"Get": "Parameters.ApiKey"},
            },
        ),
        parameters=parameters,
    )
    assert NoSecretsInEnvironment.check(noncompliant) == [
        Finding(
            "Prep",
            "Arguments.Environment['DB']",
            "literal secret (the default of parameter 'DbPassword')",
        ),
        Finding(
            "Prep",
            "Arguments.Environment['MODE']",
            "literal secret (the default of parameter 'Mode')",
        ),
    ]


def test_Compliance_references_to_secrets():
    # What the rule advises: the job reads the secret at run time, given where it is.
    compliant = definition(
        step(
            "Prep",
            "Processing",
            Environment={
                "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
                "DB_PASSWORD": "arn:aws:ssm:us-east-1:111122223333:parameter/db/password",
                "SECRET_NAME": "prod/db",
                "HF_TOKEN_PATH": "/opt/ml/input/config/token",
                "OpenAISecretId": "prod/openai",
            },
        )
    )
    assert NoSecretsInEnvironment.check(compliant) == []


def test_Noncompliance_inference_component_container():
    # An inference component deployed from an image has an environment of its own.
    container = {"Image": "i", "Environment": {"HF_TOKEN": "hf_x", "MODE": "serve"}}
    noncompliant = definition(
        step("Component", "InferenceComponent", Specification={"Container": container}),
    )
    assert NoSecretsInEnvironment.check(noncompliant) == [
        Finding(
            "Component",
            "Arguments.Specification.Container.Environment['HF_TOKEN']",
            "literal secret",
        )
    ]
