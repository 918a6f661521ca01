"""Read pipeline definitions back out of synthesized CloudFormation templates (pure JSON).

``aws_cdk`` renders a definition that contains tokens as ``{"Fn::Join": ["", [...]]}``
pieces of JSON text and intrinsics. ``decode_definition_body`` puts the text back
together, turning each intrinsic into a string (by default a readable placeholder such as
``${Ref:ArtifactsBucket88671897}``), and parses the result. Used by the checks pack, the
snapshot tests and the local runner's cloud-assembly loader. ``render_template`` writes a
whole template as reviewable snapshot text (the stack snapshots of an app's tests).

Example::

    for logical_id, definition in pipeline_definitions(template):
        print(logical_id, [step["Name"] for step in definition["Steps"]])
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ASSET_HASH_MASK",
    "decode_definition_body",
    "decode_text",
    "pipeline_definitions",
    "placeholder",
    "render_template",
]

PIPELINE_TYPE = "AWS::SageMaker::Pipeline"
DASHBOARD_TYPE = "AWS::CloudWatch::Dashboard"
ASSET_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
ASSET_HASH_MASK = "[ASSET_HASH]"
Resolver = Callable[[Mapping[str, Any]], str]


def placeholder(intrinsic: Mapping[str, Any]) -> str:
    """Render an intrinsic as a readable, stable placeholder string.

    Example::

        placeholder({"Ref": "Bucket1"})  # '${Ref:Bucket1}'
        placeholder({"Fn::GetAtt": ["Role1", "Arn"]})  # '${GetAtt:Role1.Arn}'
    """
    ((key, value),) = intrinsic.items()
    if key == "Ref":
        return f"${{Ref:{value}}}"
    if key == "Fn::GetAtt":
        target = ".".join(value) if isinstance(value, list) else str(value)
        return f"${{GetAtt:{target}}}"
    if key == "Fn::Sub" and isinstance(value, str):
        return f"${{Sub:{value}}}"
    if key == "Fn::Join" and isinstance(value, list) and len(value) == 2:
        separator, parts = value
        return str(separator).join(
            part if isinstance(part, str) else placeholder(part) for part in parts
        )
    if key == "Fn::FindInMap" and isinstance(value, list):
        rendered = [item if isinstance(item, str) else placeholder(item) for item in value]
        return f"${{FindInMap:{'.'.join(rendered)}}}"
    return "${" + key.removeprefix("Fn::") + ":" + json.dumps(value, sort_keys=True) + "}"


class _JsonTextState:
    """Whether the JSON text read so far ends inside a string literal."""

    def __init__(self) -> None:
        self.in_string = False
        self._escaped = False

    def feed(self, text: str) -> None:
        for char in text:
            if self._escaped:
                self._escaped = False
            elif char == "\\" and self.in_string:
                self._escaped = True
            elif char == '"':
                self.in_string = not self.in_string


def decode_text(value: Any, resolve: Resolver = placeholder) -> str:
    """Turn a string or ``Fn::Join`` of strings and intrinsics into one string.

    An intrinsic inside a JSON string literal (a string token) is inserted escaped; one
    outside any string (``to_json_string`` renders number and list tokens bare) becomes
    a JSON string of its own, so the text stays valid JSON.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        state = _JsonTextState()
        pieces: list[str] = []
        for index, part in enumerate(parts):
            if index and separator:
                state.feed(str(separator))
            if isinstance(part, str):
                text = part
            else:
                quoted = json.dumps(resolve(part))
                text = quoted[1:-1] if state.in_string else quoted
            pieces.append(text)
            state.feed(text)
        return str(separator).join(pieces)
    if isinstance(value, Mapping):
        return json.dumps(resolve(value))[1:-1]
    raise ValueError(f"not a definition body: {str(value)[:80]}")


def decode_definition_body(body: Any, resolve: Resolver = placeholder) -> dict[str, Any]:
    """Parse a ``PipelineDefinitionBody`` (string or ``Fn::Join``) into the definition dict."""
    parsed = json.loads(decode_text(body, resolve))
    if not isinstance(parsed, dict):
        raise ValueError("the pipeline definition body is not a JSON object")
    return parsed


def pipeline_definitions(
    template: Mapping[str, Any], resolve: Resolver = placeholder
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(logical id, definition)`` for every SageMaker pipeline in a template."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != PIPELINE_TYPE:
            continue
        body = (resource.get("Properties") or {}).get("PipelineDefinition", {})
        if "PipelineDefinitionBody" in body:
            yield logical_id, decode_definition_body(body["PipelineDefinitionBody"], resolve)


def _default_path_masks() -> dict[str, str]:
    """The temporary directory and home of this machine, which a template may name."""
    return {
        str(Path(tempfile.gettempdir()).resolve()): "[TMP]",
        tempfile.gettempdir(): "[TMP]",
        str(Path.home()): "[HOME]",
    }


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
        elif resource.get("Type") == DASHBOARD_TYPE and "DashboardBody" in properties:
            properties["DashboardBody"] = json.loads(decode_text(properties["DashboardBody"]))


# The lists of an IAM statement whose order means nothing, and which CDK sorts by their
# JSON text (aws-iam's policy minimizing): a masked asset hash in them decides their order.
_UNORDERED_STATEMENT_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _masked_sort_key(value: Any) -> str:
    """``value``'s JSON text as CDK sorts by it (``JSON.stringify``), asset hashes masked."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return ASSET_HASH.sub(ASSET_HASH_MASK, text)


def _sort_masked_statement_lists(value: Any) -> None:
    """Re-sort, in place, IAM statement lists that name assets by their masked text.

    CDK sorts a statement's resources by their text, so a new hash (an edited script)
    may move its resource past another's: with the hashes masked, lines that differ only
    in order. Sorted by the masked text, an edit leaves the lines as they were. Lists
    naming no asset keep CDK's order; order within a statement's list means nothing to IAM.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            statements = item.get("Statement")
            if isinstance(statements, list):
                for statement in statements:
                    if not isinstance(statement, dict) or "Effect" not in statement:
                        continue
                    for key in _UNORDERED_STATEMENT_KEYS:
                        entries = statement.get(key)
                        if isinstance(entries, list) and any(
                            ASSET_HASH.search(json.dumps(entry)) for entry in entries
                        ):
                            entries.sort(key=_masked_sort_key)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def render_template(
    template: Mapping[str, Any], *, path_masks: Mapping[str, str] | None = None
) -> str:
    """A synthesized template as snapshot text a pull request shows as a readable diff.

    Every ``PipelineDefinitionBody`` (and dashboard body), which CDK renders as one long
    ``Fn::Join`` of JSON text, is decoded into JSON, one value per line (references as
    ``placeholder`` strings); keys are sorted and indented, so the text depends only on the
    template's content; asset hashes (64 hex digits, which change with every script edit)
    become ``[ASSET_HASH]`` (and an IAM statement's resources that name assets are sorted
    as masked, so an edited script moves none of them); the ``BootstrapVersion`` parameter
    and rule every stack carries are left out. Absolute paths are masked: ``path_masks``
    (path → mask, such as ``{str(project_dir): "[PROJECT]"}``) first, then the temporary
    directory (``[TMP]``) and the home directory (``[HOME]``).

    Example::

        template = Template.from_stack(stack).to_json()  # aws_cdk.assertions
        text = render_template(template, path_masks={str(PROJECT): "[PROJECT]"})
    """
    if not isinstance(template, Mapping):
        raise TypeError(
            "render_template: template must be a synthesized template as a mapping "
            "(Template.from_stack(stack).to_json(), or json.load of a *.template.json), got "
            f"{type(template).__name__}"
        )
    for section in ("Resources", "Parameters", "Rules", "Outputs"):
        if not isinstance(template.get(section, {}), Mapping):
            raise TypeError(
                f"render_template: the template's {section} must be a mapping of logical ids, "
                f"got {type(template[section]).__name__}: is it a synthesized template?"
            )
    if path_masks is not None and not (
        isinstance(path_masks, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in path_masks.items())
    ):
        raise TypeError(
            "render_template: path_masks must map paths to masks, both strings, such as "
            '{str(project_dir): "[PROJECT]"}'
        )
    readable = copy.deepcopy(dict(template))
    _strip_bootstrap_version(readable)
    _decode_bodies(readable)
    _sort_masked_statement_lists(readable)
    text = json.dumps(readable, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    text = ASSET_HASH.sub(ASSET_HASH_MASK, text)
    for path, mask in (*(path_masks or {}).items(), *_default_path_masks().items()):
        if len(path) > 1:
            text = text.replace(path, mask)
    return text
