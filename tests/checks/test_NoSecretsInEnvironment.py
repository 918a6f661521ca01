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
