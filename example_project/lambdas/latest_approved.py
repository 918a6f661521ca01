"""Lambda handler: the model version a batch scoring run uses.

The event (the Lambda step's inputs) names the group and, optionally, a version's ARN
(``ModelPackageArn``: the approval event's, or one a person gives). Given one, it must be
an ``Approved`` version of the group; otherwise the newest ``Approved`` version is
returned (``ListModelPackages`` sorted by creation time). A group without approved
versions fails the step, with a message saying so.

Example::

    handler({"ModelPackageGroupName": "churn", "ModelPackageArn": ""}, None)
    # {"ModelPackageArn": "arn:aws:sagemaker:…:model-package/churn/7"}
"""

from __future__ import annotations

from typing import Any

APPROVED = "Approved"


def handler(event: dict[str, Any], context: Any, client: Any = None) -> dict[str, str]:
    """Return ``{"ModelPackageArn": …}`` of the version to score with."""
    if client is None:
        import boto3  # type: ignore[import-untyped]  # in every Lambda Python runtime

        client = boto3.client("sagemaker")
    sagemaker = client
    group = event["ModelPackageGroupName"]
    given = event.get("ModelPackageArn") or ""
    if given:
        described = sagemaker.describe_model_package(ModelPackageName=given)
        if described.get("ModelPackageGroupName") != group:
            raise ValueError(f"{given} is not a version of model package group {group}")
        if described.get("ModelApprovalStatus") != APPROVED:
            raise ValueError(f"{given} is {described.get('ModelApprovalStatus')}, not {APPROVED}")
        return {"ModelPackageArn": given}
    listed = sagemaker.list_model_packages(
        ModelPackageGroupName=group,
        ModelApprovalStatus=APPROVED,
        ModelPackageType="Versioned",
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=1,
    )
    summaries = listed.get("ModelPackageSummaryList") or []
    if not summaries:
        raise ValueError(f"model package group {group} has no approved version to score with")
    return {"ModelPackageArn": summaries[0]["ModelPackageArn"]}
