"""cfn-lint on every synthesized template of the reference app: no errors, no warnings.

cfn-lint runs once per template, for the regions the app is meant for, in a process that
starts when the app is synthesized and lints while the session's other tests run
(``tests/cdk/lint.py``): these tests run last and read its findings. A genuine false
positive is ignored by rule id *and* the exact value it objects to, with the reason next
to it; nothing else is filtered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from tests.cdk.assembly import as_list, reference_stacks, stack_test_id
from tests.cdk.conftest import SynthesizedApp
from tests.cdk.lint import PROBES, LintMatch

# (rule id, IAM action) pairs cfn-lint reports wrongly.
FALSE_POSITIVES = {
    # W3037 checks actions against cfn-lint's IAM action list (data/AdditionalSpecs/
    # Policies.json), which in cfn-lint 1.58.0 predates KMS's ML-KEM operations. Both are
    # IAM actions: the KMS API reference gives "Required permissions: kms:Encapsulate (key
    # policy)" and "kms:Decapsulate (key policy)". Our key policies list every KMS action.
    ("W3037", "kms:Encapsulate"),
    ("W3037", "kms:Decapsulate"),
}


def _offending_action(template: Mapping[str, Any], match: LintMatch) -> str | None:
    """The IAM action a W3037-style match objects to (``'decapsulate' is not one of``)."""
    quoted = re.match(r"'([^']+)' is not one of", match.message)
    if quoted is None:
        return None
    node: Any = template
    for part in match.path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    for action in as_list(node):
        if isinstance(action, str) and action.split(":", 1)[-1].lower() == quoted.group(1):
            return action
    return None


def _key(template: Mapping[str, Any], match: LintMatch) -> tuple[str, str | None]:
    return match.rule_id, _offending_action(template, match)


def _describe(match: LintMatch) -> str:
    where = "/".join(str(part) for part in match.path)
    return f"{match.rule_id} at {where}: {match.message[:300]}"


@pytest.fixture(scope="module")
def lint_results(reference_app: SynthesizedApp) -> dict[str, list[LintMatch]]:
    """Every template linted once: stack (or probe) -> matches."""
    assert reference_app.lint is not None
    return reference_app.lint.results()


@pytest.mark.parametrize("stack", reference_stacks(), ids=stack_test_id)
def test_cfn_lint_finds_no_errors_or_warnings(
    reference_app: SynthesizedApp, lint_results: dict[str, list[LintMatch]], stack: str
):
    template = reference_app.templates[stack]
    problems = [
        _describe(match)
        for match in lint_results[stack]
        if _key(template, match) not in FALSE_POSITIVES
    ]
    assert problems == []


def test_the_false_positives_are_still_reported(lint_results: dict[str, list[LintMatch]]):
    # If cfn-lint learns these actions, drop them from FALSE_POSITIVES. Linted in a key
    # policy of their own: the app's key policies list the KMS actions of the installed
    # botocore's model, and an older botocore (within pyproject.toml's range) has neither.
    probe = PROBES["probe:false-positives"]
    [statement] = probe["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"]
    assert sorted(statement["Action"][1:]) == sorted(str(a) for _, a in FALSE_POSITIVES)
    seen = {_key(probe, match) for match in lint_results["probe:false-positives"]}
    assert seen == FALSE_POSITIVES


def test_cfn_lint_runs_with_our_regions_and_reports_problems(
    lint_results: dict[str, list[LintMatch]],
):
    probe = PROBES["probe:problems"]
    found = {_key(probe, match) for match in lint_results["probe:problems"]}

    assert ("W3037", "kms:NoSuchAction") in found
    assert ("E3002", None) in found  # an unknown property is an error
