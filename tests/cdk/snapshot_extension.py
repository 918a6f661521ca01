"""A syrupy extension that stores a CloudFormation template as readable, reviewable JSON.

One file per snapshot (``__snapshots__/<test module>/<test>[<stack>].json``), written so
that a change to the app is a small diff in a pull request:

* every ``PipelineDefinitionBody`` (and dashboard body), which CDK renders as one long
  ``Fn::Join`` of JSON text, is decoded and stored as JSON: one value per line;
* keys are sorted and indented, so the text depends only on the template's content;
* asset hashes (64 hex digits: they change with every script edit) and absolute paths
  of this machine are masked;
* the ``BootstrapVersion`` parameter and rule that every stack carries are left out.

Example::

    def test_stack(snapshot):
        assert template == snapshot(extension_class=CloudFormationSnapshotExtension)
"""

from __future__ import annotations

from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData

from cdk_sagemaker_pipelines import template as _template
from cdk_sagemaker_pipelines.template import ASSET_HASH, ASSET_HASH_MASK
from tests.conftest import REPO

__all__ = [
    "ASSET_HASH",
    "ASSET_HASH_MASK",
    "CloudFormationSnapshotExtension",
    "render_template",
]


def render_template(template: Any) -> str:
    """The snapshot text of a template (``cdk_sagemaker_pipelines.template.render_template``).

    With this repository's checkout masked as ``[REPO]``.
    """
    return _template.render_template(template, path_masks={str(REPO): "[REPO]"})


class CloudFormationSnapshotExtension(SingleFileSnapshotExtension):
    """Snapshots of synthesized templates, one readable ``.json`` file each."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> SerializedData:
        """Render the template; a string (an already rendered template) is kept as it is."""
        return data if isinstance(data, str) else render_template(data)
