"""cfn-lint on every synthesized template of the reference app: no errors, no warnings.

cfn-lint runs in-process through its Python API, once per template, for the regions the
app is meant for. A genuine false positive is ignored by rule id *and* the exact value
it objects to, with the reason next to it; nothing else is filtered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from cfnlint.api import ConfigMixIn, ManualArgs, Match, Runner, decode_str  # type: ignore[import-untyped]

from tests.cdk.assembly import as_list, reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp

REGIONS = ["us-east-1", "eu-west-1"]

# (rule id, IAM action) pairs cfn-lint reports wrongly.
FALSE_POSITIVES = {
    # W3037 checks actions against cfn-lint's IAM action list (data/AdditionalSpecs/
    # Policies.json), which in cfn-lint 1.58.0 predates KMS's ML-KEM operations. Both are
    # IAM actions: the KMS API reference gives "Required permissions: kms:Encapsulate (key
    # policy)" and "kms:Decapsulate (key policy)". Our key policies list every KMS action.
    ("W3037", "kms:Encapsulate"),
    ("W3037", "kms:Decapsulate"),
}


def _offending_action(template: Mapping[str, Any], match: Match) -> str | None:
    """The IAM action a W3037-style match objects to (``'decapsulate' is not one of``)."""
    quoted = re.match(r"'([^']+)' is not one of", match.message)
    if quoted is None:
        return None
    node: Any = template
    for part in _path(match):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    for action in as_list(node):
        if isinstance(action, str) and action.split(":", 1)[-1].lower() == quoted.group(1):
            return action
    return None


def _path(match: Match) -> list[Any]:
    """Where in the template a match is (a list of keys and indexes)."""
    path = match.path
    return list(getattr(path, "path", path) or [])


def _key(template: Mapping[str, Any], match: Match) -> tuple[str, str | None]:
    return match.rule.id, _offending_action(template, match)


def _describe(match: Match) -> str:
    where = "/".join(str(part) for part in _path(match))
    return f"{match.rule.id} at {where}: {match.message[:300]}"


@pytest.fixture(scope="module")
def lint_results(reference_app: SynthesizedApp) -> dict[str, list[Match]]:
    """Every template linted once: stack -> matches."""
    runner = Runner(ConfigMixIn(**ManualArgs(regions=REGIONS)))
    results: dict[str, list[Match]] = {}
    for stack, path in reference_app.template_paths.items():
        template, errors = decode_str(path.read_text())
        assert not errors, errors
        assert template is not None
        results[stack] = list(runner.validate_template(template))
    return results


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_cfn_lint_finds_no_errors_or_warnings(
    reference_app: SynthesizedApp, lint_results: dict[str, list[Match]], stack: str
):
    template = reference_app.templates[stack]
    problems = [
        _describe(match)
        for match in lint_results[stack]
        if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []


def test_the_false_positives_are_still_reported():
    # If cfn-lint learns these actions, drop them from FALSE_POSITIVES. Linted in a key
    # policy of their own: the app's key policies list the KMS actions of the installed
    # botocore's model, and an older botocore (within pyproject.toml's range) has neither.
    actions = ["kms:Decrypt", *sorted(str(action) for _, action in FALSE_POSITIVES)]
    statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Resource": "*", "Action": actions}
    key = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [statement]}}}
    template, _ = decode_str(json.dumps({"Resources": {"Key": key}}))
    assert template is not None
    runner = Runner(ConfigMixIn(**ManualArgs(regions=REGIONS)))
    seen = {_key(template, match) for match in runner.validate_template(template)}
    assert seen == FALSE_POSITIVES


def test_cfn_lint_runs_with_our_regions_and_reports_problems():
    runner = Runner(ConfigMixIn(**ManualArgs(regions=REGIONS)))
    template, _ = decode_str(
        '{"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {'
        '"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Resource": "*",'
        ' "Action": ["kms:Decrypt", "kms:NoSuchAction"]}]}}},'
        ' "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Retention": 1}}}}'
    )
    assert template is not None
    found = {
        (match.rule.id, _offending_action(template, match))
        for match in runner.validate_template(template)
    }

    assert ("W3037", "kms:NoSuchAction") in found
    assert ("E3002", None) in found  # an unknown property is an error
