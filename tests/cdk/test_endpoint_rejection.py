"""``notify_on_rejection``: a served version rejected after its deploy pages a topic.

The deploy checks a version's approval once (``require_approval``); these rules watch it
afterwards, each matching SageMaker's model package state change events of exactly one
served version.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from cdk_sagemaker_pipelines.cdk import (
    ArtifactStore,
    ComponentCompute,
    ComponentEndpoint,
    EndpointVariant,
    ModelEndpoint,
)
from cdk_sagemaker_pipelines.definition import PipelineDefinitionError
from tests.cdk.conftest import new_app, new_stack
from tests.cdk.helpers import ACCOUNT, REGION, logical_id, resource, synthesized
from tests.conftest import REPO
from tests.test_docs import code_blocks

VERSION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"
CHALLENGER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/4"
# A group name with capitals: SageMaker may report it in lowercase.
SHADOW = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/Churn-Next/1"
OTHER_ACCOUNT = "444455556666"
STATE_CHANGE = "SageMaker Model Package State Change"
GUIDE = REPO / "docs" / "deploying-models.md"


def _endpoint(stack: cdk.Stack, construct_id: str = "Endpoint", **props: Any) -> ModelEndpoint:
    store = stack.node.try_find_child("Artifacts") or ArtifactStore(stack, "Artifacts")
    assert isinstance(store, ArtifactStore)
    return ModelEndpoint(
        stack,
        construct_id,
        **{
            "model_package_arn": VERSION,
            "artifact_store": store,
            "endpoint_name": f"churn-{construct_id.lower()}",
            **props,
        },
    )


def _pattern(resources: list[Any], statuses: list[str]) -> dict[str, Any]:
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [STATE_CHANGE],
        "resources": resources,
        "detail": {"ModelApprovalStatus": statuses},
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    stack = new_stack()
    key = kms.Key(stack, "AlertsKey")
    topic = sns.Topic(stack, "Alerts", master_key=key)
    ab = _endpoint(
        stack,
        "Ab",
        variants=[EndpointVariant(name="Challenger", model_package_arn=CHALLENGER)],
    )
    shadowed = _endpoint(
        stack,
        "Shadowed",
        require_approval=False,
        shadow=EndpointVariant(name="Shadow", model_package_arn=SHADOW),
    )
    return {
        "stack": stack,
        "topic": topic,
        "key": key,
        "ab": ab.notify_on_rejection(topic),
        "shadowed": shadowed.notify_on_rejection(topic),
        "template": Template.from_stack(stack),
    }


def _rule(built: dict[str, Any], endpoint: str, variant: str) -> dict[str, Any]:
    properties: dict[str, Any] = resource(built["template"], logical_id(built[endpoint][variant]))[
        "Properties"
    ]
    return properties


def test_each_production_version_is_watched_for_rejection_or_withdrawn_approval(built):
    # Under require_approval a production version was Approved when deployed: Pending
    # again means its approval was withdrawn, as much a reason to page as Rejected.
    assert {name: rule.node.path for name, rule in built["ab"].items()} == {
        "AllTraffic": "Test/Ab/RejectedVersion",
        "Challenger": "Test/Ab/ChallengerRejectedVersion",
    }
    both = ["Rejected", "PendingManualApproval"]
    assert _rule(built, "ab", "AllTraffic")["EventPattern"] == _pattern([VERSION], both)
    assert _rule(built, "ab", "Challenger")["EventPattern"] == _pattern([CHALLENGER], both)
    assert _rule(built, "ab", "Challenger")["Description"] == (
        "production variant 'Challenger' of endpoint churn-ab: its version becoming "
        "Rejected or PendingManualApproval"
    )


def test_a_shadow_and_an_endpoint_without_require_approval_page_on_rejected_only(built):
    # A shadow may serve a pending version, and so may any variant without
    # require_approval: only Rejected pages. A group name with capitals is matched in
    # both spellings, as SageMaker may report it in lowercase.
    assert _rule(built, "shadowed", "AllTraffic")["EventPattern"] == _pattern(
        [VERSION], ["Rejected"]
    )
    assert _rule(built, "shadowed", "Shadow")["EventPattern"] == _pattern(
        [SHADOW, SHADOW.lower()], ["Rejected"]
    )


def test_the_message_names_the_endpoint_variant_and_version_and_what_to_do(built):
    (target,) = _rule(built, "ab", "Challenger")["Targets"]
    assert target["Arn"] == {"Ref": logical_id(built["topic"])}
    transformer = target["InputTransformer"]
    assert transformer["InputPathsMap"] == {
        "detail-ModelPackageArn": "$.detail.ModelPackageArn",
        "detail-ModelApprovalStatus": "$.detail.ModelApprovalStatus",
        "region": "$.region",
        "detail-ModelPackageGroupName": "$.detail.ModelPackageGroupName",
    }
    lines = [line[1:-1].replace('\\"', '"') for line in transformer["InputTemplate"].split("\n")]
    assert lines == [
        "Model version <detail-ModelPackageArn> is now <detail-ModelApprovalStatus>, and "
        "endpoint churn-ab still serves it (production variant 'Challenger': its answers "
        "reach callers).",
        "Nothing changes by itself: the endpoint serves it until a deploy replaces it.",
        "Who changed its status, and why (LastModifiedBy, ApprovalDescription):",
        "aws sagemaker describe-model-package --region <region> --model-package-name "
        '<detail-ModelPackageArn> --query "[ModelApprovalStatus,ApprovalDescription,'
        'LastModifiedBy]"',
        "If it must not serve: deploy the endpoint without it, from the commit deployed, the "
        "version served before in its place (not necessarily the newest approved one). The "
        "approved versions, newest first:",
        "aws sagemaker list-model-packages --region <region> --model-package-group-name "
        "<detail-ModelPackageGroupName> --model-approval-status Approved --sort-by "
        'CreationTime --sort-order Descending --query "ModelPackageSummaryList[].'
        'ModelPackageArn"',
        "If the change was a mistake, approve it again:",
        "aws sagemaker update-model-package --region <region> --model-package-arn "
        "<detail-ModelPackageArn> --model-approval-status Approved",
        "Runbook: Approved versions only, in the cdk-sagemaker-pipelines guide "
        "(docs/deploying-models.md).",
    ]
    (shadow,) = _rule(built, "shadowed", "Shadow")["Targets"]
    assert (
        "(shadow variant 'Shadow': SageMaker copies requests to it and discards its answers: "
        "remove the shadow, or give it another version, at the next deploy)"
    ) in shadow["InputTransformer"]["InputTemplate"]


def test_the_topic_admits_exactly_each_endpoints_rules_and_events_may_use_its_key(built):
    # One statement per endpoint (SNS allows 100), naming its rules (aws:SourceArn).
    template: Template = built["template"]
    ((_, policy),) = template.find_resources("AWS::SNS::TopicPolicy").items()
    admitted = [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Principal"] == {"Service": "events.amazonaws.com"}
        and statement["Action"] == "sns:Publish"
    ]
    assert admitted == [
        [{"Fn::GetAtt": [logical_id(rule), "Arn"]} for rule in built[endpoint].values()]
        for endpoint in ("ab", "shadowed")
    ]
    key_policy = resource(template, logical_id(built["key"]))["Properties"]["KeyPolicy"]
    assert {
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Resource": "*",
    } in key_policy["Statement"]


def test_a_version_given_as_a_parameter_is_matched_as_it_resolves():
    stack = new_stack()
    arn = cdk.CfnParameter(stack, "ModelPackageArn").value_as_string
    rules = _endpoint(stack, model_package_arn=arn).notify_on_rejection(sns.Topic(stack, "T"))
    pattern = resource(Template.from_stack(stack), logical_id(rules["AllTraffic"]))
    assert pattern["Properties"]["EventPattern"]["resources"] == [{"Ref": "ModelPackageArn"}]


def test_a_topic_of_another_stack_admits_the_rules_by_name_without_a_cycle():
    # The topic's stack can't refer to the rules' ARN attributes: the endpoint's stack
    # already refers to the topic. The rules get names, and the ARNs are written out.
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    alerts = cdk.Stack(app, "Alerts", env=env)
    topic = sns.Topic(alerts, "Topic")
    serving = cdk.Stack(app, "Serving", env=env)
    (rule,) = _endpoint(serving).notify_on_rejection(topic).values()
    app.synth()  # no cycle
    name = resource(Template.from_stack(serving), logical_id(rule))["Properties"]["Name"]
    assert re.fullmatch(r"Serving-Endpoint-RejectedVersion-?[0-9A-F]{8}", name)
    ((_, policy),) = Template.from_stack(alerts).find_resources("AWS::SNS::TopicPolicy").items()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"}
    }


def test_a_version_of_another_account_is_warned_its_events_stay_there():
    stack = new_stack()
    central = ArtifactStore.from_existing(
        stack,
        "Central",
        bucket=s3.Bucket.from_bucket_name(stack, "B", "ml-central-models"),
        key=kms.Key.from_key_arn(stack, "K", f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/k"),
    )
    theirs = VERSION.replace(ACCOUNT, OTHER_ACCOUNT)
    endpoint = _endpoint(stack, model_package_arn=theirs, model_store=central)
    endpoint.notify_on_rejection(sns.Topic(stack, "T"))
    warnings = Annotations.from_stack(stack).find_warning(
        "/Test/Endpoint", Match.string_like_regexp("rule-of-another-environment")
    )
    assert [str(warning.entry.data) for warning in warnings] == [
        f"prop 'model_package_arn': version {theirs} is of account {OTHER_ACCOUNT}, this "
        f"stack in {ACCOUNT}: SageMaker sends its state change events to EventBridge in the "
        "version's own account and region: this stack's rule sees them only if they are "
        "forwarded to this account and region's default event bus (watch it there: a rule "
        "on its registry's events, ModelRegistry.on_model_package_state_change, or forward "
        "them, then acknowledge this warning) "
        "[ack: cdk-sagemaker-pipelines:rule-of-another-environment]"
    ]


def test_an_imported_topic_is_warned_that_its_policy_must_admit_the_rules():
    stack = new_stack()
    topic = sns.Topic.from_topic_arn(stack, "T", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts")
    _endpoint(stack).notify_on_rejection(topic)
    _, annotations = synthesized(stack)
    assert annotations.find_warning(
        "/Test/Endpoint/RejectedVersion",
        Match.string_like_regexp("notification-topic-policy"),
    )


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (
            "not a topic",
            "argument 'topic': expected an sns.ITopic, got str 'not a topic'",
        ),
        (
            f"arn:aws:sns:{REGION}:{OTHER_ACCOUNT}:alerts",
            f"argument 'topic': the topic is in account {OTHER_ACCOUNT}, the rule in {ACCOUNT}: "
            "EventBridge delivers to another account's topic only through an execution role, "
            "which this construct does not create (give a standard topic of this stack's "
            "account and region, such as the topic of a PipelineFailureNotifications of this "
            "stack)",
        ),
        (
            f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts.fifo",
            "argument 'topic': the topic is a FIFO topic: every message to it needs a "
            "MessageGroupId, which an EventBridge rule target can't give an SNS topic (give a "
            "standard topic of this stack's account and region",
        ),
    ],
    ids=["not-a-topic", "other-account", "fifo"],
)
def test_fails_notifying_a_topic_eventbridge_cant_deliver_to(topic: str, expected: str):
    stack = new_stack()
    endpoint = _endpoint(stack)
    given: Any = sns.Topic.from_topic_arn(stack, "T", topic) if topic.startswith("arn:") else topic
    with pytest.raises(PipelineDefinitionError, match=re.escape(expected)) as raised:
        endpoint.notify_on_rejection(given)
    assert "ModelEndpoint Test/Endpoint.notify_on_rejection" in str(raised.value)
    assert endpoint.node.try_find_child("RejectedVersion") is None


def test_fails_a_topic_of_another_stage_naming_the_rules():
    app = new_app()
    env = cdk.Environment(account=ACCOUNT, region=REGION)
    topic = sns.Topic(cdk.Stack(cdk.Stage(app, "Tooling", env=env), "Alerts"), "Topic")
    endpoint = _endpoint(cdk.Stack(cdk.Stage(app, "Prod", env=env), "Ml"))
    with pytest.raises(PipelineDefinitionError) as raised:
        endpoint.notify_on_rejection(topic)
    assert str(raised.value) == (
        "ModelEndpoint Prod/Ml/Endpoint.notify_on_rejection has 1 problem:\n"
        "- argument 'topic': Topic Tooling/Alerts/Topic is in stage Tooling, the rules of "
        "Prod/Ml/Endpoint in stage Prod: a stack can refer to resources of its own stage only "
        "(each stage is deployed as a cloud assembly of its own) (create the topic in a stack "
        "of this stage, or import the resource in this one by its literal name or ARN "
        "(sns.Topic.from_topic_arn))"
    )


def test_fails_notifying_twice():
    stack = new_stack()
    endpoint = _endpoint(stack)
    endpoint.notify_on_rejection(sns.Topic(stack, "T"))
    with pytest.raises(PipelineDefinitionError, match="notify_on_rejection was called already"):
        endpoint.notify_on_rejection(sns.Topic(stack, "Other"))


def test_a_component_endpoint_watches_its_components_added_before_and_after():
    stack = new_stack()
    endpoint = ComponentEndpoint(
        stack,
        "Llms",
        artifact_store=ArtifactStore(stack, "Artifacts"),
        instance_type="ml.g5.12xlarge",
        endpoint_name="llms",
    )
    compute = ComponentCompute(min_memory_required_in_mb=1024)
    before = endpoint.add_component("Support", model_package_arn=VERSION, compute=compute)
    topic = sns.Topic(stack, "T")
    endpoint.notify_on_rejection(topic)
    after = endpoint.add_component("Billing", model_package_arn=CHALLENGER, compute=compute)
    template = Template.from_stack(stack)
    rules = [before.rejection_rule, after.rejection_rule]
    assert [rule.node.path for rule in rules if rule is not None] == [
        "Test/Llms/Support/RejectedVersion",
        "Test/Llms/Billing/RejectedVersion",
    ]
    patterns = [
        resource(template, logical_id(rule))["Properties"]["EventPattern"] for rule in rules
    ]
    both = ["Rejected", "PendingManualApproval"]
    assert patterns == [_pattern([VERSION], both), _pattern([CHALLENGER], both)]
    (target,) = resource(template, logical_id(after.rejection_rule))["Properties"]["Targets"]
    assert (
        f"endpoint llms still serves it (inference component '{after.component_name}': its "
        "answers reach callers)"
    ) in target["InputTransformer"]["InputTemplate"]
    ((_, policy),) = template.find_resources("AWS::SNS::TopicPolicy").items()
    # A statement for the call's components, then one per component added after it.
    assert [
        statement["Condition"]["ArnEquals"]["aws:SourceArn"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Principal"] == {"Service": "events.amazonaws.com"}
    ] == [{"Fn::GetAtt": [logical_id(rule), "Arn"]} for rule in rules]


@pytest.mark.parametrize("notified_first", [False, True], ids=["adapter-first", "notified-first"])
def test_an_adapter_cant_take_the_id_of_its_components_rejection_rule(notified_first: bool):
    # The rule is the component's child "RejectedVersion": an adapter of that id made
    # notify_on_rejection, called after it, fail with jsii's "There is already a Construct".
    stack = new_stack()
    store = ArtifactStore(stack, "Artifacts")
    endpoint = ComponentEndpoint(
        stack, "Llms", artifact_store=store, instance_type="ml.g5.12xlarge", endpoint_name="llms"
    )
    compute = ComponentCompute(min_memory_required_in_mb=1024)
    support = endpoint.add_component("Support", model_package_arn=VERSION, compute=compute)
    if notified_first:
        endpoint.notify_on_rejection(sns.Topic(stack, "T"))
    artifact = f"s3://{store.bucket.bucket_name}/adapters/billing/adapter.tar.gz"
    with pytest.raises(
        PipelineDefinitionError,
        match=re.escape(
            "argument 'construct_id': 'RejectedVersion' is the id of the component's rule of "
            "ComponentEndpoint.notify_on_rejection (name the adapter after its model"
        ),
    ):
        support.add_adapter("RejectedVersion", artifact=artifact)
    assert support.adapters == {}


def test_the_guides_example_pages_on_rejection():
    # docs/deploying-models.md, Approved versions only: the block runs as written.
    (block,) = [
        b for b in code_blocks(GUIDE.read_text(), "python") if "def page_on_rejection(" in b
    ]
    namespace: dict[str, Any] = {}
    exec(compile(block, f"{GUIDE.name}:page_on_rejection", "exec"), namespace)
    stack = new_stack()
    endpoint = _endpoint(stack)
    namespace["page_on_rejection"](endpoint, sns.Topic(stack, "Alerts"))
    Template.from_stack(stack).resource_properties_count_is(
        "AWS::Events::Rule",
        {"EventPattern": _pattern([VERSION], ["Rejected", "PendingManualApproval"])},
        1,
    )
