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


def test_a_results_table_keeps_notes_a_terminal_would_show_in_full(ws: Workspace) -> None:
    # A notebook scrolls the table's code block: a note as long as a script's failure
    # reason stays whole in its row (at 120 columns it was cut after 45 characters).
    broken = processing("Broken", ws.script("broken.py", FAILING))
    result = ws.runner().run(compile_steps([broken]))

    reason = result.step("Broken").failure_reason
    assert reason is not None
    assert len(reason) > 45
    rows = result._repr_markdown_().splitlines()
    assert re.fullmatch(r"Broken +Processing +Failed .* " + re.escape(reason), rows[4])


def test_a_step_repr_is_one_line_without_its_job_description(ws: Workspace) -> None:
    prep = processing("Prep", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])
    broken = processing("Broken", ws.script("broken.py", FAILING), depends_on=[prep])
    after = processing("After", ws.script("w2.py", WRITE_OUTPUT), depends_on=[broken])
    result = ws.runner().run(compile_steps([prep, broken, after]))

    log = result.step("Prep").log
    assert repr(result.step("Prep")) == (
        f"StepRun(name='Prep', status='Succeeded', attempt_count=1, log={str(log)!r})"
    )
    failed = result.step("Broken")
    assert repr(failed) == (
        f"StepRun(name='Broken', status='Failed', attempt_count=1, "
        f"failure_reason={failed.failure_reason!r}, log={str(failed.log)!r})"
    )
    assert repr(result.step("After")) == (
        f"StepRun(name='After', status='NotExecuted', reason={result.step('After').reason!r})"
    )


def test_an_execution_record_repr_is_one_line_not_its_steps(ws: Workspace) -> None:
    # runner.executions() in a cell printed each record's steps and history: pages.
    prep = processing("Prep", ws.script("w.py", WRITE_OUTPUT), outputs=["out"])
    runner = ws.runner()
    result = runner.run(compile_steps([prep]))
    (record,) = runner.executions()
    assert repr(record) == (
        f"ExecutionRecord(execution_id={result.execution_id!r}, pipeline_name='local-pipeline', "
        f"status='Succeeded', created={record.created!r}, steps=1)"
    )
