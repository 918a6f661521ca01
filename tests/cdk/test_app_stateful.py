"""Stateful resources keep their logical ids and immutable properties, and production keeps
them when the stack lets go of them.

The expected inventory is committed in ``stateful_resources.json`` (see its ``about``):
a change that would replace or delete a bucket, key or model package group fails here
before CloudFormation does it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cdk.assembly import reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp, cdk_context
from tests.cdk.lint import BackgroundJob, LintService, create_only_properties

INVENTORY_FILE = Path(__file__).with_name("stateful_resources.json")
# AWS::KMS::Key has no createOnlyProperties in its resource schema, but changing these
# makes CloudFormation fail the update (the AWS::KMS::Key reference says so for each).
KMS_IMMUTABLE = {"KeySpec", "KeyUsage", "MultiRegion", "Origin"}


def inventory() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(INVENTORY_FILE.read_text())
    return loaded


def replacement_problems(resources: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """What of the template would replace or delete an inventoried resource."""
    problems: list[str] = []
    for logical_id, entry in expected.items():
        actual = resources.get(logical_id)
        if actual is None:
            same_type = sorted(k for k, r in resources.items() if r["Type"] == entry["Type"])
            problems.append(
                f"{logical_id} ({entry['Type']}) is gone: CloudFormation would delete it "
                f"(and create any renamed one anew); resources of that type now: {same_type}"
            )
            continue
        if actual["Type"] != entry["Type"]:
            problems.append(f"{logical_id}: type {entry['Type']} became {actual['Type']}")
        properties = actual.get("Properties") or {}
        for name, value in entry["ImmutableProperties"].items():
            if properties.get(name) != value:
                problems.append(
                    f"{logical_id}: {name} {value!r} became {properties.get(name)!r}, "
                    "which replaces the resource"
                )
    return problems


# What each policy may be for a retained resource: RetainExceptOnCreate deletes it only when
# the deploy creating it fails (it holds nothing yet), and keeps it otherwise.
RETAINED_POLICIES = {
    "DeletionPolicy": ("Retain", "RetainExceptOnCreate"),
    "UpdateReplacePolicy": ("Retain",),
}


def retention_problems(resources: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Inventoried resources that CloudFormation would delete with the stack or on replacement."""
    return [
        f"{logical_id}: {policy} is {resources[logical_id].get(policy)!r}, not 'Retain'"
        for logical_id in expected
        if logical_id in resources
        for policy, retained in RETAINED_POLICIES.items()
        if resources[logical_id].get(policy) not in retained
    ]


def inventoried_resources(stack: str) -> dict[str, Any]:
    """The inventory's resources of ``stack``; a stack missing from it fails saying what to do."""
    stacks = inventory()["stacks"]
    if stack not in stacks:
        pytest.fail(
            f"{stack} is not in tests/cdk/{INVENTORY_FILE.name}: add it, copying another "
            "environment's entry (the logical ids are the same), with 'retain' set to the "
            "environment's retain_data and its own names in ModelPackageGroupName and "
            "PipelineName",
            pytrace=False,
        )
    resources: dict[str, Any] = stacks[stack]["resources"]
    return resources


RETAINED = [stack for stack, entry in inventory()["stacks"].items() if entry["retain"]]


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_stateful_resources_keep_their_logical_ids_types_and_immutable_properties(
    reference_app: SynthesizedApp, stack: str
):
    expected = inventoried_resources(stack)
    assert replacement_problems(reference_app.templates[stack]["Resources"], expected) == []


@pytest.mark.parametrize("stack", RETAINED, ids=stack_test_id)
def test_retained_environments_retain_every_stateful_resource(
    reference_app: SynthesizedApp, stack: str
):
    expected = inventory()["stacks"][stack]["resources"]
    assert retention_problems(reference_app.templates[stack]["Resources"], expected) == []


def test_checks_report_a_renamed_a_replaced_and_a_deletable_resource(
    reference_app: SynthesizedApp,
):
    resources = copy.deepcopy(reference_app.templates["prod/MlOps"]["Resources"])
    expected = inventory()["stacks"]["prod/MlOps"]["resources"]
    resources["ArtifactsDataRenamed"] = resources.pop("ArtifactsData91BBF3F9")
    registry = resources["Registry4DB9CCA5"]
    registry["Properties"]["ModelPackageGroupName"] = "prod-classifier"
    registry["UpdateReplacePolicy"] = "Delete"
    del resources["ArtifactsKeyA4B22E2B"]["DeletionPolicy"]

    assert replacement_problems(resources, expected) == [
        "ArtifactsData91BBF3F9 (AWS::S3::Bucket) is gone: CloudFormation would delete it (and "
        "create any renamed one anew); resources of that type now: ['ArtifactsAccessLogs4D97777C',"
        " 'ArtifactsBucket88671897', 'ArtifactsDataRenamed']",
        "Registry4DB9CCA5: ModelPackageGroupName 'prod-breast-cancer-classifier' became "
        "'prod-classifier', which replaces the resource",
    ]
    assert retention_problems(resources, expected) == [
        "ArtifactsKeyA4B22E2B: DeletionPolicy is None, not 'Retain'",
        "Registry4DB9CCA5: UpdateReplacePolicy is 'Delete', not 'Retain'",
    ]


def test_production_is_a_retained_environment_in_the_inventory_and_in_cdk_json():
    environments = cdk_context()["environments"]
    stacks = inventory()["stacks"]

    assert stacks["prod/MlOps"]["retain"] is True
    assert {stack: entry["retain"] for stack, entry in stacks.items()} == {
        f"{name}/MlOps": settings.get("retain_data", True)
        for name, settings in environments.items()
    }


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_the_inventory_lists_every_stateful_resource(reference_app: SynthesizedApp, stack: str):
    # A new bucket, key or registry must be added to the inventory (or, with a reason,
    # to not_stateful), so that it is guarded too.
    data = inventory()
    listed = set(inventoried_resources(stack)) | set(data["not_stateful"])
    unlisted = sorted(
        f"{logical_id} ({resource['Type']})"
        for logical_id, resource in reference_app.templates[stack]["Resources"].items()
        if resource["Type"] in data["stateful_types"] and logical_id not in listed
    )
    assert unlisted == []


@pytest.fixture(scope="session")
def lint(tmp_path_factory: pytest.TempPathFactory, lint_service: LintService) -> BackgroundJob:
    """The inventory's types' createOnlyProperties, from cfn-lint's schemas (``MODULE_LINT``).

    Read by the lint worker, queued as the module's first test starts: its test runs last.
    """
    types = {
        resource["Type"]
        for entry in inventory()["stacks"].values()
        for resource in entry["resources"].values()
    }
    return create_only_properties(types, tmp_path_factory.mktemp("schemas"), lint_service)


def test_the_inventory_names_every_property_whose_change_replaces_the_resource(
    lint: BackgroundJob,
):
    data = inventory()
    create_only_of: dict[str, list[str]] = lint.result()
    missing: list[str] = []
    for stack, entry in data["stacks"].items():
        for logical_id, resource in entry["resources"].items():
            create_only = {
                pointer.removeprefix("/properties/") for pointer in create_only_of[resource["Type"]]
            }
            if resource["Type"] == "AWS::KMS::Key":
                create_only |= KMS_IMMUTABLE
            absent = sorted(create_only - set(resource["ImmutableProperties"]))
            if absent:
                missing.append(f"{stack} {logical_id}: {absent}")
    assert missing == []


def test_a_stack_missing_from_the_inventory_fails_saying_how_to_add_it():
    with pytest.raises(pytest.fail.Exception) as raised:
        inventoried_resources("qa/MlOps")

    assert str(raised.value) == (
        "qa/MlOps is not in tests/cdk/stateful_resources.json: add it, copying another "
        "environment's entry (the logical ids are the same), with 'retain' set to the "
        "environment's retain_data and its own names in ModelPackageGroupName and "
        "PipelineName"
    )
