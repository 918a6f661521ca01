"""How a local execution shows in a notebook: a one-line repr and a Markdown summary.

Jupyter calls ``_repr_markdown_`` itself; the tests call it directly, without IPython.
"""

from __future__ import annotations

import re

from tests.local.conftest import WRITE_OUTPUT, Workspace, compile_steps, processing

FAILING = """
def main():
    raise ValueError("``` is not a number")

main()
"""


def test_a_result_shows_smpipe_runs_summary_with_the_scripts_traceback(ws: Workspace) -> None:
    prep = processing("Prep", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])
    broken = processing("Broken", ws.script("broken.py", FAILING), depends_on=[prep])
    result = ws.runner().run(compile_steps([prep, broken]))

    text = result._repr_markdown_()

    execution = result.execution_id
    assert text.startswith(f"**Execution `{execution}` (local-pipeline): Failed**\n\n````text\n")
    # The failure reason holds ``` (the script's message): the fence is one longer.
    assert text.endswith("\n````\n")
    body = text.split("\n", 3)[3]
    assert re.match(r"STEP +TYPE +STATUS +DURATION +ATTEMPTS +CACHE +NOTE\n", body)
    assert re.search(r"\nPrep +Processing +Succeeded ", body)
    assert re.search(r"\nBroken +Processing +Failed ", body)
    assert '    File "/opt/ml/processing/input/code/broken.py", line 2, in main\n' in body
    assert "  ValueError: ``` is not a number\n" in body
    assert f"\nrecords: {result.directory}\n" in body


def test_a_result_repr_is_one_line_naming_the_execution(ws: Workspace) -> None:
    prep = processing("Prep", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])
    result = ws.runner().run(compile_steps([prep]))

    assert repr(result) == (
        f"ExecutionResult(execution_id={result.execution_id!r}, pipeline_name='local-pipeline', "
        f"status='Succeeded', directory={str(result.directory)!r})"
    )
