"""``cdk synth`` works with no AWS credentials and makes no AWS calls.

``tests/conftest.py`` removes AWS credentials from the environment and disables the EC2
metadata service before anything runs; ``aws_client_calls`` (``tests/cdk/conftest.py``)
records every AWS SDK client created from before ``reference_app`` synthesizes the whole
app. The CDK CLI would call AWS only to fill context lookups, and the app needs none.
"""

from __future__ import annotations

import json
import os

import botocore.session  # type: ignore[import-untyped]

from tests.cdk.assembly import reference_stacks
from tests.cdk.conftest import SynthesizedApp

CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def test_the_app_synthesizes_without_credentials_and_creates_no_aws_client(
    reference_app: SynthesizedApp, aws_client_calls: list[str]
):
    assert [variable for variable in CREDENTIALS if variable in os.environ] == []
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    assert sorted(reference_app.templates) == sorted(reference_stacks())
    assert aws_client_calls == []


def test_synth_needs_no_context_lookups(reference_app: SynthesizedApp):
    # "missing" context is what the CDK CLI would look up in the account before synth.
    manifests = [reference_app.directory / "manifest.json"]
    manifests += sorted(reference_app.directory.glob("assembly-*/manifest.json"))
    missing = {
        str(path.relative_to(reference_app.directory)): json.loads(path.read_text()).get(
            "missing", []
        )
        for path in manifests
    }
    assert len(missing) == 1 + len(reference_stacks())
    assert {path: lookups for path, lookups in missing.items() if lookups} == {}


def test_the_client_recorder_sees_sdk_clients(aws_client_calls: list[str]):
    before = len(aws_client_calls)
    botocore.session.get_session().create_client(
        "sts", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x"
    )
    try:
        assert aws_client_calls[before:] == ["sts"]
    finally:
        del aws_client_calls[before:]
