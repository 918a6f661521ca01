"""The reference app's environment config (``cdk.json`` context ``environments``).

Bad config fails before anything is built, with one message that lists every problem,
suggests the setting meant, and names the valid settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import ConfigError, EnvironmentConfig, cdk_json_problems, load_environments
from tests.cdk.conftest import cdk_context
from tests.conftest import REPO

VALID_SETTINGS = (
    "valid settings: account, region, retain_data, training_instance_type, "
    "processing_instance_type, accuracy_threshold, accuracy_floor, "
    "execution_output_retention_days, schedule, "
    "registry_reader_accounts, require_network_isolation, alarm_email, endpoint_instance_type, "
    "model_source, data_quality_monitor, serves_endpoint, trains, approvers"
)
NOT_A_MAPPING = (
    "cdk.json context 'environments' must map environment names (dev, staging, prod, …) to "
    f"settings; {VALID_SETTINGS}"
)


def _fails(environments: Any) -> str:
    with pytest.raises(ConfigError) as raised:
        load_environments(environments)
    return str(raised.value)


def test_the_reference_environments_load_with_their_types():
    environments = load_environments(cdk_context()["environments"])

    assert list(environments) == list(cdk_context()["environments"])  # all, in order
    assert environments["prod"] == EnvironmentConfig(
        name="prod",
        retain_data=True,
        training_instance_type="ml.m5.2xlarge",
        processing_instance_type="ml.m5.xlarge",
        accuracy_threshold=0.95,
        execution_output_retention_days=90,
        schedule="cron(0 6 ? * * *)",
        registry_reader_accounts=("444455556666",),
        require_network_isolation=True,
    )


def test_settings_are_optional_and_account_and_region_pin_the_environment():
    environments = load_environments(
        {"test": {}, "eu": {"account": "111122223333", "region": "eu-west-1", "schedule": None}}
    )

    assert environments["test"] == EnvironmentConfig(name="test")
    assert environments["eu"] == EnvironmentConfig(
        name="eu", account="111122223333", region="eu-west-1"
    )


def test_the_accuracy_floor_is_the_threshold_unless_set_and_may_not_exceed_it():
    # A run's AccuracyThreshold may only raise the bar: the floor is the environment's,
    # by default the parameter's default.
    environments = load_environments(
        {
            "dev": {"accuracy_threshold": 0.92},
            "prod": {"accuracy_threshold": 0.95, "accuracy_floor": 0.9},
        }
    )
    assert environments["dev"].minimum_accuracy == 0.92
    assert environments["prod"].minimum_accuracy == 0.9
    assert _fails({"prod": {"accuracy_threshold": 0.9, "accuracy_floor": 0.95}}) == (
        "invalid cdk.json 'environments':\n"
        "- environment 'prod' setting 'accuracy_floor': 0.95 is above 'accuracy_threshold' "
        "(0.9), the AccuracyThreshold parameter's default, which would then gate no run: "
        "raise 'accuracy_threshold' to at least the floor"
    )


def test_fails_an_unknown_setting_suggesting_the_one_meant_and_listing_the_valid_ones():
    assert _fails({"dev": {"retain_dta": False}}) == (
        "invalid cdk.json 'environments':\n"
        "- environment 'dev': unknown setting 'retain_dta' (did you mean 'retain_data'?); "
        f"{VALID_SETTINGS}"
    )


def test_fails_an_unknown_setting_like_no_other_listing_the_valid_ones():
    assert _fails({"dev": {"owner": "ml-team"}}) == (
        "invalid cdk.json 'environments':\n"
        f"- environment 'dev': unknown setting 'owner'; {VALID_SETTINGS}"
    )


PIPELINE_INSTANCE_TYPES = (
    "'ml.m5.large', 'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.xlarge', 'ml.c5.2xlarge' (add others "
    "to INSTANCE_TYPES in example_project/pipeline.py)"
)
APPROVER_ARNS = "a list of IAM role ARNs such as arn:aws:iam::111122223333:role/ml-approvers"
SCHEDULE = (
    "rate(<n> minutes|hours|days), cron(<minutes> <hours> <day-of-month> <month> "
    "<day-of-week> <year>) with '?' as one of the two days, or null"
)


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("account", "1234", "a 12-digit account id, got '1234'"),
        ("account", 111122223333, "a 12-digit account id, got 111122223333"),
        ("region", "eu-west", "a region such as eu-west-1, got 'eu-west'"),
        ("region", "EU-WEST-1", "a region such as eu-west-1, got 'EU-WEST-1'"),
        (
            "region",
            "eu-west-9",
            "a region where the pipeline's sklearn 1.2-1 images are published (did you mean "
            "'eu-west-3' or 'eu-west-2' or 'eu-west-1'?), got 'eu-west-9'",
        ),
        (
            "training_instance_type",
            "m5.large",
            "a SageMaker instance type such as ml.m5.large (did you mean 'ml.m5.large'?), "
            "got 'm5.large'",
        ),
        (
            "processing_instance_type",
            "ml.m5.larg",
            "a SageMaker instance type such as ml.m5.large (did you mean 'ml.m5.large' or "
            "'ml.m5.xlarge' or 'ml.m5.4xlarge'?), got 'ml.m5.larg'",
        ),
        ("training_instance_type", None, "a SageMaker instance type such as ml.m5.large, got None"),
        (
            "training_instance_type",
            "ml.p3.2xlarge",
            f"one of the pipeline's instance types {PIPELINE_INSTANCE_TYPES}, got 'ml.p3.2xlarge'",
        ),
        (
            "processing_instance_type",
            "ml.t3.medium",
            f"one of the pipeline's instance types {PIPELINE_INSTANCE_TYPES}, got 'ml.t3.medium'",
        ),
        ("schedule", "daily", f"{SCHEDULE}, got 'daily'"),
        ("schedule", "cron(0 6 * * *)", f"{SCHEDULE}, got 'cron(0 6 * * *)'"),
        ("schedule", "cron(0 6 * * * *)", f"{SCHEDULE}, got 'cron(0 6 * * * *)'"),
        ("schedule", "rate(0 days)", f"{SCHEDULE}, got 'rate(0 days)'"),
        ("schedule", "rate(2 weeks)", f"{SCHEDULE}, got 'rate(2 weeks)'"),
        ("schedule", "cron(0 25 ? * * *)", f"{SCHEDULE}, got 'cron(0 25 ? * * *)'"),
        ("schedule", "cron(0 6 ? * MONDAY *)", f"{SCHEDULE}, got 'cron(0 6 ? * MONDAY *)'"),
        ("schedule", "cron(0 6 ? 13 * *)", f"{SCHEDULE}, got 'cron(0 6 ? 13 * *)'"),
        ("schedule", "at(2030-01-01T06:00:00)", f"{SCHEDULE}, got 'at(2030-01-01T06:00:00)'"),
        ("retain_data", "false", "true or false, got 'false'"),
        ("require_network_isolation", 1, "true or false, got 1"),
        ("accuracy_threshold", 1.5, "a number between 0 and 1, got 1.5"),
        ("accuracy_threshold", 95, "a number between 0 and 1 (did you mean 0.95?), got 95"),
        ("accuracy_threshold", 92.5, "a number between 0 and 1 (did you mean 0.925?), got 92.5"),
        ("accuracy_threshold", -0.1, "a number between 0 and 1, got -0.1"),
        ("accuracy_threshold", 950, "a number between 0 and 1, got 950"),
        ("accuracy_threshold", "0.9", "a number between 0 and 1, got '0.9'"),
        ("accuracy_threshold", True, "a number between 0 and 1, got True"),
        ("accuracy_floor", 90, "a number between 0 and 1 (did you mean 0.9?), got 90"),
        ("accuracy_floor", "0.9", "a number between 0 and 1, got '0.9'"),
        (
            "execution_output_retention_days",
            0,
            "a whole number of days (at least 1), got 0",
        ),
        (
            "execution_output_retention_days",
            30.5,
            "a whole number of days (at least 1), got 30.5",
        ),
        (
            "registry_reader_accounts",
            "444455556666",
            "a list of 12-digit account ids, got '444455556666'",
        ),
        (
            "registry_reader_accounts",
            ["444455556666", "4444"],
            "a list of 12-digit account ids, got ['444455556666', '4444']",
        ),
        ("alarm_email", "ml-oncall", "an email address, or null, got 'ml-oncall'"),
        ("data_quality_monitor", "false", "true or false, got 'false'"),
        ("data_quality_monitor", None, "true or false, got None"),
        ("serves_endpoint", "true", "true, false or null, got 'true'"),
        ("trains", "false", "true or false, got 'false'"),
        ("trains", None, "true or false, got None"),
        (
            "approvers",
            "arn:aws:iam::111122223333:role/ml-approvers",
            f"{APPROVER_ARNS}, got 'arn:aws:iam::111122223333:role/ml-approvers'",
        ),
        (
            "approvers",
            ["arn:aws:iam::111122223333:user/alice"],
            f"{APPROVER_ARNS}, got ['arn:aws:iam::111122223333:user/alice']",
        ),
        ("approvers", ["ml-approvers"], f"{APPROVER_ARNS}, got ['ml-approvers']"),
        (
            "endpoint_instance_type",
            "ml.m5.larg",
            "an instance type of SageMaker real-time endpoints such as ml.m5.large (did you "
            "mean 'ml.m5.large' or 'ml.m5d.large' or 'ml.m5.xlarge'?), got 'ml.m5.larg'",
        ),
        (
            "endpoint_instance_type",
            None,
            "an instance type of SageMaker real-time endpoints such as ml.m5.large, got None",
        ),
    ],
)
def test_fails_a_bad_value_saying_what_is_expected(setting: str, value: Any, expected: str):
    assert _fails({"dev": {setting: value}}) == (
        f"invalid cdk.json 'environments':\n- environment 'dev' setting '{setting}': "
        f"expected {expected}"
    )


@pytest.mark.parametrize(
    "schedule", ["cron(0 6 ? * MON-FRI *)", "cron(15 2 1 * ? *)", "rate(1 day)", "rate(12 hours)"]
)
def test_valid_schedules_are_accepted(schedule: str):
    assert load_environments({"dev": {"schedule": schedule}})["dev"].schedule == schedule


def test_fails_sharing_the_registry_with_the_environments_own_account():
    assert _fails(
        {"prod": {"account": "111122223333", "registry_reader_accounts": ["111122223333"]}}
    ) == (
        "invalid cdk.json 'environments':\n- environment 'prod' setting "
        "'registry_reader_accounts': 111122223333 is the environment's own account, which owns "
        "the registry already; list only other accounts"
    )


def test_fails_listing_every_problem_of_every_environment_at_once():
    assert _fails(
        {
            "dev": {"region": "eu", "retain_data": "no"},
            "Prod": {},
            "staging": ["ml.m5.large"],
        }
    ) == (
        "invalid cdk.json 'environments':\n"
        "- environment 'dev' setting 'region': expected a region such as eu-west-1, got 'eu'\n"
        "- environment 'dev' setting 'retain_data': expected true or false, got 'no'\n"
        "- environment name 'Prod': lowercase letters, digits and '-', at most 20 (rename it "
        "'prod')\n"
        "- environment 'staging': expected an object of settings"
    )


@pytest.mark.parametrize("environments", [None, {}, [], "dev", ["dev", "prod"]])
def test_fails_missing_or_empty_environments_listing_the_valid_settings(environments: Any):
    assert _fails(environments) == NOT_A_MAPPING


def test_build_app_exits_with_the_message_before_building_anything():
    import app as reference

    context = {**cdk_context(), "environments": {"dev": {"trainig_instance_type": "ml.m5.large"}}}
    with pytest.raises(SystemExit) as raised:
        reference.build_app(context)

    assert raised.value.code == (
        "invalid cdk.json 'environments':\n"
        "- environment 'dev': unknown setting 'trainig_instance_type' (did you mean "
        "'training_instance_type' or 'processing_instance_type' or 'endpoint_instance_type'?); "
        f"{VALID_SETTINGS}"
    )


def test_build_app_without_environments_exits_listing_the_valid_settings():
    import app as reference

    context = {key: value for key, value in cdk_context().items() if key != "environments"}
    with pytest.raises(SystemExit) as raised:
        reference.build_app(context)

    assert raised.value.code == NOT_A_MAPPING


def test_fails_an_environment_name_differing_only_in_case_from_another():
    assert _fails({"prod": {}, "PROD": {"retain_data": False}}) == (
        "invalid cdk.json 'environments':\n"
        "- environment name 'PROD': lowercase letters, digits and '-', at most 20 (it differs "
        "only in case from environment 'prod': merge or rename it)"
    )


@pytest.mark.parametrize(
    ("name", "renamed"), [("my dev", "my-dev"), ("team_a", "team-a"), ("Team.B ", "team-b")]
)
def test_fails_an_environment_name_with_a_separator_naming_it_with_hyphens(name: str, renamed: str):
    # Stage ids, stack and resource names take '-' only: the name it is meant as.
    assert _fails({name: {}}) == (
        "invalid cdk.json 'environments':\n"
        f"- environment name {name!r}: lowercase letters, digits and '-', at most 20 (rename it "
        f"{renamed!r})"
    )


def test_fails_a_model_source_of_the_only_environment_saying_so():
    assert _fails({"dev": {"model_source": "qa"}}) == (
        "invalid cdk.json 'environments':\n"
        "- environment 'dev' setting 'model_source': no environment 'qa' in cdk.json "
        "'environments' ('dev' is the only environment)"
    )


# A block copied to make a new environment and not renamed: JSON keeps the last one silently.
DUPLICATED = """{
  "app": "python app.py",
  "context": {
    "environments": {
      "staging": {"retain_data": false, "schedule": "cron(0 6 ? * MON *)"},
      "prod": {"retain_data": true, "accuracy_threshold": 0.9, "accuracy_threshold": 0.95},
      "staging": {"retain_data": false}
    }
  }
}"""
DUPLICATED_PROBLEMS = [
    "environment 'staging' is defined twice in cdk.json; only the last definition would be "
    "used: rename or remove the other",
    "environment 'prod' setting 'accuracy_threshold' is given twice in cdk.json; only the last "
    "value would be used: remove the other",
]


def test_cdk_json_problems_finds_environments_and_settings_given_twice():
    assert cdk_json_problems(DUPLICATED) == DUPLICATED_PROBLEMS
    assert cdk_json_problems((REPO / "cdk.json").read_text()) == []
    assert cdk_json_problems("{not json") == []


def test_build_app_run_by_the_cli_exits_on_duplicates_in_cdk_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import app as reference

    (tmp_path / "cdk.json").write_text(DUPLICATED)
    monkeypatch.chdir(tmp_path)  # the CLI runs the app in cdk.json's directory
    with pytest.raises(SystemExit) as raised:
        reference.build_app()

    assert raised.value.code == "invalid cdk.json 'environments':\n- " + "\n- ".join(
        DUPLICATED_PROBLEMS
    )


def test_build_app_exits_with_a_definition_error_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
):
    import app as reference

    # A setting the config accepts but the pipeline doesn't (its parameter's enum_values).
    monkeypatch.setattr("stacks.config.INSTANCE_TYPES", ["ml.t3.medium"])
    context = {
        **cdk_context(),
        "environments": {"qa": {"processing_instance_type": "ml.t3.medium"}},
    }
    with pytest.raises(SystemExit) as raised:
        reference.build_app(context)

    assert str(raised.value.code).startswith(
        "synth failed: pipeline definition of qa/MlOps/Training has 1 problem:\n"
        "- pipeline field 'Parameters[1].DefaultValue': parameter 'ProcessingInstanceType' "
        "default 'ml.t3.medium' is not one of its EnumValues"
    )


# The version an environment's endpoint serves: a context key of its own per environment.
STAGING_VERSION = (
    "arn:aws:sagemaker:eu-west-1:111122223333:model-package/staging-breast-cancer-classifier/8"
)
INVALID_CONTEXT = "invalid context (cdk.json's 'context', or cdk -c key=value):\n"


def _fails_with(context: dict[str, Any], environments: Any = None) -> str:
    with pytest.raises(ConfigError) as raised:
        load_environments(environments or {"dev": {}, "staging": {}}, context)
    return str(raised.value)


def test_the_model_package_arn_key_names_the_version_of_its_environment_only():
    environments = load_environments(
        {"dev": {}, "staging": {"endpoint_instance_type": "ml.c5.xlarge"}},
        {"model_package_arn:staging": STAGING_VERSION, "model_package_arn:dev": None},
    )

    assert environments["staging"] == EnvironmentConfig(
        name="staging", endpoint_instance_type="ml.c5.xlarge", model_package_arn=STAGING_VERSION
    )
    assert environments["dev"] == EnvironmentConfig(name="dev")  # null: no endpoint
    assert load_environments({"dev": {}})["dev"].model_package_arn is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            STAGING_VERSION.rsplit("/", 1)[0],  # the group's ARN, not a version's
            "the ARN of a registered model version, arn:aws:sagemaker:<region>:<account>:"
            "model-package/staging-breast-cancer-classifier/<version>",
        ),
        (
            "",  # an empty CI variable: fails rather than deleting the endpoint
            "the ARN of a registered model version, arn:aws:sagemaker:<region>:<account>:"
            "model-package/staging-breast-cancer-classifier/<version>",
        ),
        (
            STAGING_VERSION.replace("staging-", "dev-"),
            "a version of the environment's model package group, arn:aws:sagemaker:<region>:"
            "<account>:model-package/staging-breast-cancer-classifier/<version>",
        ),
    ],
)
def test_fails_a_model_package_arn_that_isnt_a_version_of_the_environments_group(
    value: str, expected: str
):
    assert _fails_with({"model_package_arn:staging": value}) == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:staging': expected {expected}, "
        f"got {value!r}"
    )


def test_fails_a_version_of_another_region_or_account_than_the_pinned_environments():
    staging = {"account": "444455556666", "region": "eu-west-1"}
    assert _fails_with({"model_package_arn:staging": STAGING_VERSION}, {"staging": staging}) == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:staging': expected a version of the "
        f"environment's account, 444455556666, got {STAGING_VERSION!r}"
    )
    staging = {"account": "111122223333", "region": "us-east-1"}
    assert _fails_with({"model_package_arn:staging": STAGING_VERSION}, {"staging": staging}) == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:staging': expected a version of the "
        f"environment's region, us-east-1, got {STAGING_VERSION!r}"
    )


def test_fails_a_model_package_arn_key_of_no_environment_suggesting_the_one_meant():
    # A typo in `cdk deploy -c` would otherwise deploy no endpoint without a word.
    assert _fails_with({"model_package_arn:stagng": STAGING_VERSION}) == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:stagng': no environment 'stagng' in "
        "cdk.json 'environments' (did you mean 'staging'?)"
    )
    assert _fails_with({"model_package_arn:qa": STAGING_VERSION}) == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:qa': no environment 'qa' in cdk.json "
        "'environments' (environments: dev, staging)"
    )


def test_fails_a_model_package_arn_under_environments_saying_where_it_goes():
    assert _fails({"staging": {"model_package_arn": STAGING_VERSION}}) == (
        "invalid cdk.json 'environments':\n- environment 'staging': 'model_package_arn' is not "
        "a setting under 'environments': give it as the context key "
        "'model_package_arn:staging' (in cdk.json's context, or cdk deploy -c "
        "model_package_arn:staging=arn:…)"
    )


def test_lists_the_problems_of_the_environments_and_of_the_context_together():
    assert _fails_with({"model_package_arn:staging": "7"}, {"staging": {"retain_data": "no"}}) == (
        "invalid cdk.json 'environments':\n- environment 'staging' setting 'retain_data': "
        f"expected true or false, got 'no'\n{INVALID_CONTEXT}- setting "
        "'model_package_arn:staging': expected the ARN of a registered model version, "
        "arn:aws:sagemaker:<region>:<account>:model-package/staging-breast-cancer-classifier/"
        "<version>, got '7'"
    )


def test_an_environment_serving_an_endpoint_fails_without_its_version_naming_both_ways_out():
    # A `-c model_package_arn:staging=…` forgotten on the next deploy would otherwise
    # synthesize no endpoint, and CloudFormation would delete the deployed one.
    for context in ({}, {"model_package_arn:staging": None}):
        assert _fails_with(context, {"staging": {"serves_endpoint": True}}) == (
            f"{INVALID_CONTEXT}- environment 'staging' setting 'serves_endpoint': true, but "
            "no 'model_package_arn:staging' names the version it serves (without it, a deploy "
            "of staging deletes its endpoint; the app synthesizes every environment, so this "
            "stops a deploy of any of them): commit it in cdk.json's context (or give -c "
            "model_package_arn:staging=arn:… to every deploy of the app), or set "
            "'serves_endpoint' false to delete the endpoint on purpose"
        )


def test_serves_endpoint_declares_whether_the_environment_serves_a_version():
    served = load_environments(
        {"staging": {"serves_endpoint": True}}, {"model_package_arn:staging": STAGING_VERSION}
    )
    assert served["staging"].model_package_arn == STAGING_VERSION
    # Deleting the endpoint on purpose: false, and no version.
    deleted = load_environments({"staging": {"serves_endpoint": False}}, {})
    assert deleted["staging"] == EnvironmentConfig(name="staging", serves_endpoint=False)
    # Not declared (the committed cdk.json): either, as before.
    assert load_environments({"staging": {}}, {})["staging"].model_package_arn is None


def test_fails_a_version_for_an_environment_declared_to_serve_none():
    message = _fails_with(
        {"model_package_arn:staging": STAGING_VERSION}, {"staging": {"serves_endpoint": False}}
    )
    assert message == (
        f"{INVALID_CONTEXT}- setting 'model_package_arn:staging': environment 'staging' sets "
        "'serves_endpoint' false (no endpoint): set it true to serve this version, or leave "
        "'model_package_arn:staging' out"
    )


def test_fails_a_misspelt_serves_endpoint_suggesting_it():
    assert _fails({"prod": {"serve_endpoint": True}}).startswith(
        "invalid cdk.json 'environments':\n- environment 'prod': unknown setting "
        "'serve_endpoint' (did you mean 'serves_endpoint'?)"
    )


DEV_ENV = {"account": "222222222222", "region": "eu-west-1"}
PROD_ENV = {"account": "333333333333", "region": "eu-west-1", "model_source": "dev"}
DEV_VERSION = (
    "arn:aws:sagemaker:eu-west-1:222222222222:model-package/dev-breast-cancer-classifier/3"
)


def test_model_source_serves_a_version_of_the_source_environments_group():
    environments = load_environments(
        {"dev": DEV_ENV, "prod": PROD_ENV}, {"model_package_arn:prod": DEV_VERSION}
    )
    assert environments["prod"].model_source == "dev"
    assert environments["prod"].model_package_arn == DEV_VERSION
    assert environments["dev"].artifact_bucket_name == "dev-artifacts-222222222222-eu-west-1"


def test_fails_a_version_of_the_targets_own_group_with_a_model_source():
    prod_version = DEV_VERSION.replace("/dev-", "/prod-").replace("222222222222", "333333333333")
    message = _fails_with(
        {"model_package_arn:prod": prod_version}, {"dev": DEV_ENV, "prod": PROD_ENV}
    )
    assert (
        "- setting 'model_package_arn:prod': expected a version of the source environment "
        "dev's model package group, arn:aws:sagemaker:<region>:<account>:model-package/"
        "dev-breast-cancer-classifier/<version>"
    ) in message


@pytest.mark.parametrize(
    ("prod", "dev", "expected"),
    [
        (
            {"model_source": "devv"},
            DEV_ENV,
            "no environment 'devv' in cdk.json 'environments' (did you mean 'dev'?)",
        ),
        ({"model_source": "prod"}, DEV_ENV, "'prod' is the environment itself; name another one"),
        ({"model_source": 3}, DEV_ENV, "expected the name of another environment, or null, got 3"),
        (
            {"region": "eu-central-1"},
            DEV_ENV,
            "'dev' is in region eu-west-1, 'prod' in eu-central-1: a KMS key works in its own "
            "region only",
        ),
        (
            {"account": "222222222222"},
            DEV_ENV,
            "'dev' is in the same account, 222222222222: a model source is another account's",
        ),
        ({}, {"region": "eu-west-1"}, "'dev' has no account: the source's bucket and key"),
    ],
    ids=["unknown", "itself", "not-a-name", "other-region", "same-account", "no-account"],
)
def test_fails_a_model_source_naming_the_setting(prod: Any, dev: Any, expected: str):
    message = _fails({"dev": dev, "prod": {**PROD_ENV, **prod}})
    assert "environment 'prod' setting 'model_source'" in message
    assert expected in message


def test_fails_model_sources_that_form_a_cycle():
    # app.py creates a source's stage before its target's: a cycle would recurse forever.
    staging = {"account": "444444444444", "region": "eu-west-1", "model_source": "prod"}
    message = _fails(
        {"dev": DEV_ENV, "staging": staging, "prod": {**PROD_ENV, "model_source": "staging"}}
    )
    assert (
        "environment 'prod' setting 'model_source': its sources lead back to it "
        "(prod -> staging -> prod)"
    ) in message


SERVING_ONLY = {**PROD_ENV, "trains": False}


def test_an_environment_that_doesnt_train_serves_its_model_sources_versions():
    environments = load_environments(
        {"dev": DEV_ENV, "prod": SERVING_ONLY}, {"model_package_arn:prod": DEV_VERSION}
    )
    assert environments["prod"].trains is False
    assert environments["prod"].model_package_arn == DEV_VERSION
    assert environments["dev"].trains is True  # the default


def test_fails_an_environment_that_doesnt_train_without_a_model_source():
    assert _fails({"prod": {"trains": False}}) == (
        "invalid cdk.json 'environments':\n- environment 'prod' setting 'trains': false, but "
        "no 'model_source' names the environment whose versions it serves (it registers none "
        "of its own): name it, or set 'trains' true"
    )


def test_fails_training_settings_of_an_environment_that_doesnt_train_naming_each():
    # A contradiction, not a setting to ignore: prod's cdk.json would say it retrains daily.
    training = {
        "training_instance_type": "ml.m5.2xlarge",
        "schedule": None,  # given, even as null: the environment has no schedule to set
        "approvers": ["arn:aws:iam::333333333333:role/ml-approvers"],
    }
    message = _fails({"dev": DEV_ENV, "prod": {**SERVING_ONLY, **training}})
    assert message == (
        "invalid cdk.json 'environments':\n"
        "- environment 'prod' setting 'training_instance_type': only for an environment that "
        "trains, and 'trains' is false (no pipeline, registry or schedule): remove it\n"
        "- environment 'prod' setting 'schedule': only for an environment that trains, and "
        "'trains' is false (no pipeline, registry or schedule): remove it\n"
        "- environment 'prod' setting 'approvers': only for an environment that trains, and "
        "'trains' is false (no pipeline, registry or schedule) (the versions it serves are in "
        "the registry of 'dev': set it there): remove it"
    )


def test_fails_a_model_source_that_doesnt_train_naming_its_own_source():
    staging = {"account": "444444444444", "region": "eu-west-1", "model_source": "dev"}
    message = _fails(
        {
            "dev": DEV_ENV,
            "staging": {**staging, "trains": False},
            "prod": {**PROD_ENV, "model_source": "staging"},
        }
    )
    assert message == (
        "invalid cdk.json 'environments':\n- environment 'prod' setting 'model_source': "
        "'staging' doesn't train ('trains' false) and registers no versions: name the "
        "environment that trains them ('dev')"
    )


APPROVERS = "arn:aws:iam::333333333333:role/ml-approvers"
# An IAM Identity Center permission set's role: a path, and the set's name in its own.
SSO_APPROVERS = (
    "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
    "AWSReservedSSO_MLApprovers_0123456789abcdef"
)


def test_approvers_are_role_arns_of_the_environment():
    staging = {"account": "333333333333", "approvers": [APPROVERS, SSO_APPROVERS]}
    environments = load_environments({"staging": staging, "dev": {"approvers": []}})
    assert environments["staging"].approvers == (APPROVERS, SSO_APPROVERS)
    assert environments["dev"].approvers == ()


def test_fails_approvers_of_another_account_or_given_twice():
    other = "arn:aws:iam::444444444444:role/ml-approvers"
    staging = {"account": "333333333333", "approvers": [APPROVERS, other, APPROVERS]}
    assert _fails({"staging": staging}) == (
        "invalid cdk.json 'environments':\n"
        f"- environment 'staging' setting 'approvers': {other} is a role of account "
        "444444444444, not of the environment's, 333333333333: approval is granted in the "
        "registry's account, to its roles\n"
        f"- environment 'staging' setting 'approvers': {APPROVERS} is given twice"
    )


@pytest.mark.parametrize("name", ["xn--dev", "sthree-dev", "amzn-s3-demo-dev"])
def test_fails_a_source_whose_bucket_name_s3_refuses(name: str):
    message = _fails({name: DEV_ENV, "prod": {**PROD_ENV, "model_source": name}})
    assert (
        f"environment 'prod' setting 'model_source': {name!r} names its artifact bucket" in message
    )


# The commit (and repository) each registered version records: context given at synth.
COMMIT = "3e1d67d0c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9"
REPOSITORY = "https://github.com/acme/ml-platform"


def test_source_revision_reads_the_commit_and_repository_and_none_without_them():
    from stacks.config import SourceRevision, source_revision

    context = {"source_commit": COMMIT, "source_repository": REPOSITORY}
    assert source_revision(context) == SourceRevision(COMMIT, REPOSITORY)
    # An ssh URL's user is the account ssh logs in as, no secret.
    ssh = "ssh://git@github.com/acme/ml-platform.git"
    assert source_revision({"source_repository": ssh}) == SourceRevision(repository=ssh)
    assert source_revision(cdk_context()) == SourceRevision()  # the committed cdk.json


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        (
            {"source_commit": ""},
            "setting 'source_commit': expected a commit id (7 to 64 lowercase hex digits, git "
            "rev-parse HEAD), got '': is the variable CI passes it from set?",
        ),
        (
            {"source_commit": "main"},
            "setting 'source_commit': expected a commit id (7 to 64 lowercase hex digits, git "
            "rev-parse HEAD), got 'main'",
        ),
        (
            {"source_comit": COMMIT},
            "unknown context key 'source_comit' (the source's keys: source_commit, "
            "source_repository)",
        ),
        (
            {"source_repository": "https://x-access-token:ghs_abc@github.com/acme/ml-platform"},
            "setting 'source_repository': the URL holds a password or token "
            "(https://user:…@host): give the URL without it",
        ),
        (
            # GitHub takes a token alone as the user part too (git clone https://<token>@…).
            {"source_repository": "https://ghp_abc123@github.com/acme/ml-platform"},
            "setting 'source_repository': the URL holds a password or token "
            "(https://user:…@host): give the URL without it",
        ),
        (
            {"source_repository": ""},
            "setting 'source_repository': expected the repository's URL, got ''",
        ),
    ],
)
def test_source_revision_fails_a_wrong_or_misspelt_key(context: dict[str, Any], problem: str):
    from stacks.config import source_revision

    with pytest.raises(ConfigError) as raised:
        source_revision(context)
    assert str(raised.value) == f"{INVALID_CONTEXT}- {problem}"


def _register_arguments(app: Any, stage: str) -> dict[str, Any]:
    from cdk_sagemaker_pipelines.definition.entries import walk_steps

    stack = app.node.find_child(stage).node.find_child("MlOps")
    (register,) = [
        step
        for step in walk_steps(stack.pipeline.definition["Steps"])
        if step.name == "RegisterModel"
    ]
    return dict(register.entry["Arguments"])


def test_build_app_records_the_commit_given_at_synth_in_every_environment():
    import app as reference

    context = {**cdk_context(), "source_commit": COMMIT, "source_repository": REPOSITORY}
    app = reference.build_app(context)  # built, not synthesized: the definitions are compiled

    for stage in ("dev", "staging", "prod"):
        arguments = _register_arguments(app, stage)
        assert arguments["MetadataProperties"] == {
            "CommitId": COMMIT,
            "Repository": REPOSITORY,
            "GeneratedBy": {"Get": "Execution.PipelineExecutionArn"},
        }, stage
        assert arguments["CustomerMetadataProperties"] == {
            "InputDataKey": {"Get": "Parameters.InputDataKey"},
            "PipelineExecutionArn": {"Get": "Execution.PipelineExecutionArn"},
            # The gate the version passed: the run's threshold and the environment's floor.
            "AccuracyThreshold": {
                "Std:Join": {"On": "", "Values": [{"Get": "Parameters.AccuracyThreshold"}]}
            },
            "AccuracyFloor": str(cdk_context()["environments"][stage]["accuracy_threshold"]),
        }, stage


def test_build_app_isolates_every_environments_jobs_from_the_network():
    # Dev too: Preprocess parses whatever lands under incoming/, and the example's jobs
    # need no network (their libraries are the sklearn image's, their data channels).
    import app as reference
    from cdk_sagemaker_pipelines.definition.entries import walk_steps

    app: Any = reference.build_app(cdk_context())
    isolated = {}
    for stage in cdk_context()["environments"]:
        stack = app.node.find_child(stage).node.find_child("MlOps")
        for step in walk_steps(stack.pipeline.definition["Steps"]):
            arguments = step.entry.get("Arguments", {})
            if step.entry["Type"] in ("Processing", "QualityCheck"):
                isolated[stage, step.name] = arguments["NetworkConfig"]["EnableNetworkIsolation"]
            elif step.entry["Type"] == "Training":
                isolated[stage, step.name] = arguments["EnableNetworkIsolation"]
    assert len(isolated) == 4 * len(cdk_context()["environments"])
    assert [job for job, value in isolated.items() if value is not True] == []


def test_build_app_gates_each_environment_on_its_floor_which_no_run_lowers():
    # AccuracyThreshold is a run parameter, which whoever may start a run may set to 0: the
    # condition also requires the environment's floor, a literal only a deploy changes.
    import app as reference

    app: Any = reference.build_app(cdk_context())
    for stage, settings in cdk_context()["environments"].items():
        stack = app.node.find_child(stage).node.find_child("MlOps")
        (check,) = [
            step for step in stack.pipeline.definition["Steps"] if step["Name"] == "CheckAccuracy"
        ]
        accuracy = {
            "Std:JsonGet": {
                "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
                "Path": "metrics.accuracy.value",
            }
        }
        floor = settings.get("accuracy_floor", settings["accuracy_threshold"])
        assert check["Arguments"]["Conditions"] == [
            {
                "Type": "GreaterThanOrEqualTo",
                "LeftValue": accuracy,
                "RightValue": {"Get": "Parameters.AccuracyThreshold"},
            },
            {"Type": "GreaterThanOrEqualTo", "LeftValue": accuracy, "RightValue": floor},
        ], stage


def test_build_app_exits_on_a_commit_that_isnt_one():
    import app as reference

    with pytest.raises(SystemExit) as raised:
        reference.build_app({**cdk_context(), "source_commit": ""})

    assert str(raised.value.code).startswith(f"{INVALID_CONTEXT}- setting 'source_commit': ")
