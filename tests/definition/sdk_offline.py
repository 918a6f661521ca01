# mypy: ignore-errors
"""The SageMaker SDK run offline: what the generators of SDK test data share.

Not imported by the tests (the project never imports the SDK): the generators under
``tests/definition/sdk_*/`` import it, with the interpreter of an environment that has
``sagemaker``, before they import ``sagemaker`` themselves. Importing it sets placeholder
credentials and silences the SDK's logging; ``offline_session`` then refuses every socket
connection and AWS API call (each attempt recorded in ``BLOCKED``, which a generator checks
before it prints), patches the SDK's telemetry out and returns a ``PipelineSession``.

Example::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sdk_offline import BLOCKED, offline_session

    session = offline_session("us-east-1", "my-bucket")
"""

import logging
import os
import socket

os.environ.setdefault("AWS_ACCESS_KEY_ID", "placeholder")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "placeholder")
logging.disable(logging.CRITICAL)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
import sagemaker.telemetry.telemetry_logging  # noqa: E402
from sagemaker.workflow.pipeline_context import PipelineSession  # noqa: E402

BLOCKED = []
_connect = socket.socket.connect


def _refuse_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        BLOCKED.append(f"connect {address!r}")
        raise OSError("network blocked")
    return _connect(self, address)


def _refuse_api_call(self, operation_name, api_params):
    BLOCKED.append(f"{self.meta.service_model.service_name}.{operation_name}")
    raise RuntimeError(f"AWS call blocked: {operation_name}")


def offline_session(region, bucket):
    """A ``PipelineSession`` of ``region`` and ``bucket`` that can't reach AWS."""
    socket.socket.connect = _refuse_connect
    socket.socket.connect_ex = _refuse_connect
    botocore.client.BaseClient._make_api_call = _refuse_api_call
    sagemaker.telemetry.telemetry_logging._send_telemetry_request = lambda *args, **kwargs: None
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=bucket)
    session._default_bucket = bucket
    return session
