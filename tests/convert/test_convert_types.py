"""The code ``smpipe convert`` writes passes a team's ``mypy --strict``.

Teams commit the converted module and type-check it with the rest of their code: every
SDK-generated definition the converter writes is checked, strict, against the package's
annotations (the typed property stub included, so every ``step.properties.…`` path it
writes is one a checker knows), and so are the ``distribution=`` modules of
``test_convert_distribution.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from cdk_sagemaker_pipelines.convert import convert_definition
from cdk_sagemaker_pipelines.definition import StaticBinder
from tests.convert.test_convert import CONVERTIBLE, SDK_GENERATED
from tests.convert.test_convert_distribution import _parameters_definition, sdk_definitions
from tests.strict_mypy import run_strict_mypy


def test_converted_modules_pass_strict_mypy(tmp_path: Path) -> None:
    modules = []
    for name in CONVERTIBLE:
        source = convert_definition(json.loads((SDK_GENERATED / name).read_text()))
        module = tmp_path / f"converted_{Path(name).stem.replace('-', '_')}.py"
        module.write_text(source)
        modules.append(module)
        # --without-sdk-defaults: what a team commits passes too.
        stripped = convert_definition(
            json.loads((SDK_GENERATED / name).read_text()), without_sdk_defaults=True
        )
        if stripped != source:
            module = module.with_name(f"{module.stem}_without_sdk_defaults.py")
            module.write_text(stripped)
            modules.append(module)
    # distribution=Distribution.…(): the SDK's strategies, and values given as parameters.
    distribution = {f"distribution_{k}": v for k, v in sdk_definitions().items()}
    distribution["distribution_parameters"] = _parameters_definition().to_definition(StaticBinder())
    for stem, definition in distribution.items():
        module = tmp_path / f"converted_{stem}.py"
        module.write_text(convert_definition(definition))
        modules.append(module)
    stdout, stderr, status = run_strict_mypy(modules, tmp_path, "convert-types")
    assert (status, stderr) == (0, ""), stdout
    assert stdout == f"Success: no issues found in {len(modules)} source files\n"
