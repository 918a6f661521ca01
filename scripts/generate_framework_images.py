#!/usr/bin/env python
"""Write (or check) the large-model serving images of ``definition/data/framework_images.json``.

The table's other frameworks (scikit-learn, XGBoost, PyTorch, TensorFlow, Hugging Face,
the analyzers) were copied by hand from a newer SDK line than the one installed here (its
``_source`` says how); this script owns the serving images only, ``GENERATED``: it reads the
SageMaker Python SDK's ``image_uri_config/<name>.json`` and replaces those frameworks (and
the registries only they use) in the table, leaving every other byte as it is.

Each SDK version becomes an entry of the table's shape (``_usage``): ``tag_prefix`` is the
SDK's (``0.33.0-lmi15.0.0-cu128``); the processors are the keys of its ``container_version``
(TGI: ``gpu``), the tag then being ``<tag_prefix>-<processor>-<py_version>-<container
version>`` as ``image_uris._format_tag`` writes it. Registries equal to one of the table's
are shared; others are added as ``<framework>-<n>``. Versions before ``OLDEST`` are left out
to keep the table small (``Image.from_uri`` still takes them), with the aliases to them.

Usage::

    python scripts/generate_framework_images.py --sdk-config DIR           # rewrite
    python scripts/generate_framework_images.py --sdk-config DIR --check   # exit 1 if stale

``DIR`` is the SDK's ``sagemaker/image_uri_config`` (sagemaker 2.257.7:
``/tmp/sdk-venv/lib/python3.11/site-packages/sagemaker/image_uri_config``).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

from cdk_sagemaker_pipelines.definition._service_model import partition_of

ROOT = Path(__file__).resolve().parent.parent
TABLE_FILE = ROOT / "constructs" / "cdk_sagemaker_pipelines" / "definition" / "data"
TABLE_FILE /= "framework_images.json"
COMMAND = "python scripts/generate_framework_images.py --sdk-config DIR"
# Framework (the SDK's config name, also ours) → the oldest version kept.
GENERATED: dict[str, str] = {
    "djl-lmi": "0.28.0",  # the whole config: LMI 10 (DJL 0.28, mid 2024) and later
    "huggingface-llm": "2.0.0",  # TGI 2 (2024) and later; 0.x/1.x are 2023 images
}
SCOPE = "inference"  # both are serving images only


def _version_key(version: str) -> list[tuple[int, int | str]]:
    parts = re.findall(r"\d+|[^\d.\-]+", version)
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts]


def _sdk_version(config_dir: Path) -> str:
    """``sagemaker 2.257.7``, from the dist-info beside the package (else the directory)."""
    found = sorted(config_dir.parent.parent.glob("sagemaker-*.dist-info"))
    if found:
        return "sagemaker " + found[-1].name.removeprefix("sagemaker-").removesuffix(".dist-info")
    return str(config_dir)


def _scope_config(config: dict[str, Any]) -> dict[str, Any]:
    """The inference config: top level (``"scope": [...]``) or under ``"inference"``."""
    if "versions" in config:
        assert SCOPE in config.get("scope", [SCOPE]), config.get("scope")
        return config
    return config[SCOPE]  # type: ignore[no-any-return]


def _entry(version: str, sdk: dict[str, Any], registries: str) -> dict[str, Any]:
    """One table entry of an SDK version entry."""
    container_versions: dict[str, str] = sdk.get("container_version", {})
    processors = list(container_versions)
    py_versions: list[str] = sdk.get("py_versions", [])
    parts = ["{tag_prefix}"]
    parts += ["{processor}"] if processors else []
    parts += ["{py_version}"] if py_versions else []
    parts += ["{container_version}"] if container_versions else []
    entry: dict[str, Any] = {
        "repository": sdk["repository"],
        "processors": processors,
        "py_versions": py_versions,
        "tag": "-".join(parts),
        "tag_prefix": sdk.get("tag_prefix", version),
    }
    if container_versions:
        entry["container_versions"] = dict(container_versions)
    entry["registries"] = registries
    return entry


def generate(table: dict[str, Any], config_dir: Path) -> dict[str, Any]:
    """``table`` with the ``GENERATED`` frameworks read again from ``config_dir``."""
    table = copy.deepcopy(table)
    frameworks: dict[str, Any] = table["frameworks"]
    registries: dict[str, dict[str, str]] = table["registries"]
    previous = {
        entry["registries"]
        for name in GENERATED
        for scope in frameworks.pop(name, {"scopes": {}})["scopes"].values()
        for entry in scope["versions"].values()
    }
    still_used = {
        image["registries"]
        for framework in frameworks.values()
        for scope in framework["scopes"].values()
        for entry in scope["versions"].values()
        for image in entry.get("base_frameworks", {"": entry}).values()
    }
    for name in previous - still_used:
        del registries[name]
    for name, oldest in GENERATED.items():
        config = _scope_config(json.loads((config_dir / f"{name}.json").read_text("utf-8")))
        kept = sorted(
            (v for v in config["versions"] if _version_key(v) >= _version_key(oldest)),
            key=_version_key,
        )
        versions: dict[str, Any] = {}
        for version in kept:
            sdk_entry = config["versions"][version]
            accounts: dict[str, str] = dict(sorted(sdk_entry["registries"].items()))
            registry = next((key for key, known in registries.items() if known == accounts), None)
            if registry is None:
                registry = f"{name}-{sum(key.startswith(f'{name}-') for key in registries) + 1}"
                registries[registry] = accounts
            versions[version] = _entry(version, sdk_entry, registry)
        aliases = {
            alias: target
            for alias, target in sorted(
                config.get("version_aliases", {}).items(), key=lambda item: _version_key(item[0])
            )
            if target in versions
        }
        frameworks[name] = {"scopes": {SCOPE: {"version_aliases": aliases, "versions": versions}}}
    # Regions new to the table get their partition's ECR domain (what retrieve() resolves).
    domains: dict[str, str] = table["domains"]
    for accounts in registries.values():
        for region in accounts:
            domains.setdefault(region, partition_of(region)[1])
    table["domains"] = dict(sorted(domains.items()))
    table["_generated"] = (
        f"Frameworks {', '.join(GENERATED)} written by scripts/generate_framework_images.py "
        f"from {_sdk_version(config_dir)} image_uri_config/{{{','.join(GENERATED)}}}.json "
        f"(scope {SCOPE!r}; versions from "
        + ", ".join(f"{name} {oldest}" for name, oldest in GENERATED.items())
        + "; aliases to versions left out are left out): tag = e.tag.format(tag_prefix="
        "e.tag_prefix, processor=processor, py_version=py_version, container_version="
        "e.container_versions[processor]), as image_uris._format_tag joins them; the "
        "processors are the keys of the SDK's container_version. Do not edit them by hand."
    )
    return table


def render(table: dict[str, Any]) -> str:
    """The file's text, as committed (one-space indents, non-ASCII escaped)."""
    return json.dumps(table, indent=1) + "\n"


def stale(committed: str, generated: str) -> list[str]:
    """The unified diff from the committed table to the generated one (empty: up to date)."""
    return list(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            "framework_images.json (committed)",
            "framework_images.json (generated)",
        )
    )


def main(argv: list[str] | None = None) -> int:
    """Rewrite the table, or with ``--check`` report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sdk-config", type=Path, required=True, help="image_uri_config dir")
    parser.add_argument("--check", action="store_true", help="exit 1 when the table is stale")
    args = parser.parse_args(argv)
    committed = TABLE_FILE.read_text("utf-8")
    generated = render(generate(json.loads(committed), args.sdk_config))
    if args.check:
        diff = stale(committed, generated)
        sys.stdout.writelines(diff)
        if diff:
            print(f"\nframework_images.json is stale: run {COMMAND}", file=sys.stderr)
        return 1 if diff else 0
    TABLE_FILE.write_text(generated, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
