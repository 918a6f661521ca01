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

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData

from cdk_sagemaker_pipelines.template import PIPELINE_TYPE, decode_definition_body, decode_text
from tests.conftest import REPO

ASSET_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
ASSET_HASH_MASK = "[ASSET_HASH]"
_PATH_MASKS = (
    (str(REPO), "[REPO]"),
    (str(Path(tempfile.gettempdir()).resolve()), "[TMP]"),
    (tempfile.gettempdir(), "[TMP]"),
    (str(Path.home()), "[HOME]"),
)


def _strip_bootstrap_version(template: dict[str, Any]) -> None:
    for section, name in (("Parameters", "BootstrapVersion"), ("Rules", "CheckBootstrapVersion")):
        entries = template.get(section)
        if isinstance(entries, dict):
            entries.pop(name, None)
            if not entries:
                del template[section]


def _decode_bodies(template: dict[str, Any]) -> None:
    for resource in (template.get("Resources") or {}).values():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == PIPELINE_TYPE:
            definition = properties.get("PipelineDefinition") or {}
            if "PipelineDefinitionBody" in definition:
                definition["PipelineDefinitionBody"] = decode_definition_body(
                    definition["PipelineDefinitionBody"]
                )
        elif resource.get("Type") == "AWS::CloudWatch::Dashboard" and "DashboardBody" in properties:
            properties["DashboardBody"] = json.loads(decode_text(properties["DashboardBody"]))


def render_template(template: Any) -> str:
    """The snapshot text of a template (see the module docstring)."""
    readable = copy.deepcopy(dict(template))
    _strip_bootstrap_version(readable)
    _decode_bodies(readable)
    text = json.dumps(readable, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    text = ASSET_HASH.sub(ASSET_HASH_MASK, text)
    for path, mask in _PATH_MASKS:
        if len(path) > 1:
            text = text.replace(path, mask)
    return text


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
