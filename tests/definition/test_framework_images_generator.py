"""scripts/generate_framework_images.py: the serving images of the framework image table.

The SDK is not a dependency of this project: the table is checked against the generator's
output only where the SDK's ``image_uri_config`` is found (``SAGEMAKER_IMAGE_URI_CONFIG``,
else where sagemaker 2.257.7 was installed for ``test_framework_images_sdk.py``); the
generator's rules are checked everywhere on configs of the SDK's shape written here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_script

SDK_CONFIG = Path(
    os.environ.get(
        "SAGEMAKER_IMAGE_URI_CONFIG",
        "/tmp/sdk-venv/lib/python3.11/site-packages/sagemaker/image_uri_config",
    )
)


generator = load_script("generate_framework_images")
ACCOUNTS = {"us-east-1": "763104351884", "cn-north-1": "727897471807"}
TGI_ACCOUNTS = {"us-east-1": "763104351884", "us-gov-west-1": "442386744353"}


def _sdk_configs(directory: Path, *, lmi_regions: dict[str, str]) -> Path:
    """``djl-lmi.json`` and ``huggingface-llm.json`` of the SDK's shapes (one version too old)."""
    lmi = {
        "scope": ["inference"],
        "version_aliases": {"latest": "0.33.0"},
        "versions": {
            version: {"registries": lmi_regions, "repository": "djl-inference", "tag_prefix": tag}
            for version, tag in [
                ("0.33.0", "0.33.0-lmi15.0.0-cu128"),
                ("0.27.0", "0.27.0-lmi9.0.0-cu122"),  # before GENERATED's 0.28.0
            ]
        },
    }
    tgi = {
        "inference": {
            "version_aliases": {"1.4": "1.4.5", "3.3": "3.3.6"},
            "versions": {
                version: {
                    "py_versions": [py],
                    "registries": TGI_ACCOUNTS,
                    "tag_prefix": tag,
                    "repository": "huggingface-pytorch-tgi-inference",
                    "container_version": {"gpu": "cu124-ubuntu22.04"},
                }
                for version, py, tag in [
                    ("3.3.6", "py311", "2.7.0-tgi3.3.6"),
                    ("1.4.5", "py310", "2.1.1-tgi1.4.5"),  # before GENERATED's 2.0.0
                ]
            },
        }
    }
    (directory / "djl-lmi.json").write_text(json.dumps(lmi))
    (directory / "huggingface-llm.json").write_text(json.dumps(tgi))
    return directory


def _committed() -> dict[str, Any]:
    table: dict[str, Any] = json.loads(generator.TABLE_FILE.read_text("utf-8"))
    return table


@pytest.mark.skipif(
    not (SDK_CONFIG / "djl-lmi.json").is_file(),
    reason=f"no SageMaker SDK image_uri_config at {SDK_CONFIG} (SAGEMAKER_IMAGE_URI_CONFIG)",
)
def test_the_committed_table_is_the_generated_one() -> None:
    committed = generator.TABLE_FILE.read_text("utf-8")
    generated = generator.render(generator.generate(json.loads(committed), SDK_CONFIG))

    assert generator.stale(committed, generated) == []


def test_generates_the_serving_images_in_the_tables_shape(tmp_path: Path) -> None:
    table = generator.generate(_committed(), _sdk_configs(tmp_path, lmi_regions=TGI_ACCOUNTS))
    lmi = table["frameworks"]["djl-lmi"]["scopes"]["inference"]
    tgi = table["frameworks"]["huggingface-llm"]["scopes"]["inference"]

    # Versions before the cut-off are left out, and the aliases to them.
    assert lmi["version_aliases"] == {"latest": "0.33.0"}
    assert list(lmi["versions"]) == ["0.33.0"]
    assert tgi["version_aliases"] == {"3.3": "3.3.6"}
    assert tgi["versions"]["3.3.6"] == {
        "repository": "huggingface-pytorch-tgi-inference",
        "processors": ["gpu"],
        "py_versions": ["py311"],
        "tag": "{tag_prefix}-{processor}-{py_version}-{container_version}",
        "tag_prefix": "2.7.0-tgi3.3.6",
        "container_versions": {"gpu": "cu124-ubuntu22.04"},
        "registries": tgi["versions"]["3.3.6"]["registries"],
    }
    assert lmi["versions"]["0.33.0"]["tag"] == "{tag_prefix}"
    # Accounts of their own get a registry of their own; equal ones share it.
    registry = lmi["versions"]["0.33.0"]["registries"]
    assert registry == tgi["versions"]["3.3.6"]["registries"]
    assert table["registries"][registry] == TGI_ACCOUNTS


def test_regenerating_replaces_only_the_serving_images(tmp_path: Path) -> None:
    committed = _committed()
    first = generator.generate(committed, _sdk_configs(tmp_path, lmi_regions=ACCOUNTS))
    moved = {**ACCOUNTS, "us-west-2": "763104351884"}

    again = generator.generate(first, _sdk_configs(tmp_path, lmi_regions=moved))

    # The registry only the old versions used is gone; every hand-copied framework is kept.
    lmi_registry = again["frameworks"]["djl-lmi"]["scopes"]["inference"]["versions"]["0.33.0"]
    assert again["registries"][lmi_registry["registries"]] == moved
    assert ACCOUNTS not in again["registries"].values()
    for name in ("sklearn", "xgboost", "pytorch", "tensorflow", "huggingface", "clarify"):
        assert again["frameworks"][name] == committed["frameworks"][name]
    assert (again["_source"], again["_usage"]) == (committed["_source"], committed["_usage"])


def test_a_stale_table_shows_the_diff_and_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "framework_images.json"
    table.write_text(generator.render(_committed()))
    monkeypatch.setattr(generator, "TABLE_FILE", table)
    configs = tmp_path / "sdk"
    configs.mkdir()
    _sdk_configs(configs, lmi_regions=ACCOUNTS)

    assert generator.main(["--sdk-config", str(configs), "--check"]) == 1
    output = capsys.readouterr()
    assert '-       "tag_prefix": "0.38.0-lmi29.0.0-cu130",' in output.out
    assert "run python scripts/generate_framework_images.py --sdk-config DIR" in output.err

    assert generator.main(["--sdk-config", str(configs)]) == 0
    assert generator.main(["--sdk-config", str(configs), "--check"]) == 0
