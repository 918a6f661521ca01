"""``smpipe access``: what each step's role may do, and what a change does to it.

Registered into ``cdk_sagemaker_pipelines.cli`` through its ``_EXTRA_COMMANDS`` hook.

Example::

    smpipe access cdk.out --pipeline dev/MlOps/Training
    smpipe access /tmp/base cdk.out --pipeline dev/MlOps/Training --markdown
    smpipe access cdk.out --base /tmp/base --pipeline dev/MlOps/Training --fail-on-widening
    smpipe access /tmp/base cdk.out --fail-on-widening  # every pipeline, by construct path
    smpipe access /tmp/base cdk.out --fail-on-widening --accept access-accepted.txt
    smpipe access cdk.out --stack StagingMl/Endpoint  # a stack that holds no pipeline
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from ._sources import SourceError, pipelines_of_both
from .access import (
    ACCEPTED_MARK,
    WIDENS_MARK,
    AccessDiff,
    AccessReport,
    RoleAccess,
    access_report,
    diff_access,
    render_access_diff_json,
    render_access_diff_markdown,
    render_access_diff_text,
    render_access_json,
    render_access_markdown,
    render_access_text,
    stack_access_reports,
    widening_lines,
)

EXIT_OK = 0
EXIT_WIDENS = 1  # with --fail-on-widening only
EXIT_UNREADABLE = 2


def register_access(commands: Any) -> None:
    """Add ``smpipe access`` to ``smpipe``'s subcommands."""
    access = commands.add_parser(
        "access",
        help="what each step's IAM role may do (S3, KMS, ECR, …), and what a change does to it",
        description="Print, per step of a pipeline of a synthesized cloud assembly (cdk.out), "
        "the role its job runs as, and what each role's policies allow, grouped: S3 reads and "
        "writes (bucket by construct path, key patterns), KMS keys, ECR repositories, logs and "
        "metrics, network, SageMaker, pass role, other; then the pipeline role's. Given two "
        "assemblies (BASE HEAD, or HEAD --base BASE), print what changed role by role. "
        "Without --pipeline, two assemblies of several pipelines are compared pipeline by "
        "pipeline (matched by construct path, as smpipe diff does), then every stack that "
        "holds no pipeline but roles or resource policies (an endpoint-only stack), matched "
        "by its path; --stack lists or compares one such stack. Exit 0; "
        "with --fail-on-widening 1 when a role gains access; 2 when an assembly can't be read.",
    )
    access.add_argument("source", metavar="CDK_OUT", help="the cloud assembly (HEAD, with two)")
    access.add_argument(
        "head", metavar="HEAD_CDK_OUT", nargs="?", help="compare CDK_OUT (the base) to this one"
    )
    access.add_argument("--base", metavar="BASE_CDK_OUT", help="compare this assembly to CDK_OUT")
    access.add_argument(
        "--pipeline",
        metavar="NAME",
        help="the pipeline's name, construct path or logical id (needed to list one of "
        "several; comparing two assemblies without it compares every pipeline)",
    )
    access.add_argument(
        "--stack",
        metavar="PATH",
        help="a stack that holds no pipeline (its path, as cdk ls shows it): its roles and "
        "resource policies instead of a pipeline's",
    )
    output = access.add_mutually_exclusive_group()
    output.add_argument("--markdown", action="store_true", help="print Markdown (a PR comment)")
    output.add_argument("--json", action="store_true", help="print JSON (for tools)")
    access.add_argument(
        "--fail-on-widening",
        action="store_true",
        help="with two assemblies: exit 1 when a role (or a step, through its new role) may "
        "do more than before",
    )
    access.add_argument(
        "--accept",
        metavar="FILE",
        help="with --fail-on-widening: widenings reviewed and accepted, pasted as the text "
        "output prints them (a role's or policy's heading line, then its lines ending in "
        "(widens)); those don't fail the check, and are marked (accepted). # comments and "
        "blank lines are allowed; an accepted line that matches nothing is warned about",
    )
    access.set_defaults(handler=_access)


@dataclasses.dataclass
class _Accepted:
    """The widenings of an ``--accept`` file: ``(heading, line)`` and where each is."""

    path: str
    entries: dict[tuple[str, str], int]
    matched: set[tuple[str, str]] = dataclasses.field(default_factory=set)

    def unaccepted(self, diffs: list[AccessDiff]) -> bool:
        """Whether any of ``diffs`` widens other than by accepted lines; notes matches."""
        widens = False
        for diff in diffs:
            widens = widens or any(change.loosened for change in diff.roles)
            for key in widening_lines(diff):
                if key in self.entries:
                    self.matched.add(key)
                else:
                    widens = True
        return widens

    def warn_stale(self) -> None:
        for (heading, line), number in self.entries.items():
            if (heading, line) not in self.matched:
                print(
                    f"smpipe access: warning: {self.path}:{number}: accepted widening matches "
                    f"nothing (stale): {heading} / {line}",
                    file=sys.stderr,
                )


def _read_accepted(path: str) -> _Accepted:
    """Parse an ``--accept`` file; raise ``SourceError`` if unreadable or malformed.

    Each line is stripped; blank lines and ``#`` comments are skipped. A line ending in
    ``(widens)`` (or ``(widens) (accepted)``) is an accepted widening under the last
    heading line above it; a ``+``/``-`` line without it (a grant pasted that doesn't
    widen) is skipped; any other line is a heading (``Role changed: …``, ``Bucket policy
    changed: …``, ``Steps moved to another role:``).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"can't read --accept file {path}: {error}") from error
    entries: dict[tuple[str, str], int] = {}
    heading: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removesuffix(ACCEPTED_MARK.strip()).rstrip()
        if line.endswith(WIDENS_MARK.strip()):
            if heading is None:
                raise SourceError(
                    f"{path}:{number}: an accepted widening needs the heading line above it "
                    "(Role changed: …), as smpipe access prints it"
                )
            # Restore the mark's spacing as printed: text before it, two spaces, the mark.
            body = line.removesuffix(WIDENS_MARK.strip()).rstrip()
            entries.setdefault((heading, body + WIDENS_MARK), number)
        elif line.startswith(("+ ", "- ")):
            continue
        else:
            heading = line
    return _Accepted(path, entries)


def _access(args: argparse.Namespace) -> int:
    if args.head is not None and args.base is not None:
        print("smpipe access: give BASE HEAD or HEAD --base BASE, not both", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.head is not None:
        base_dir, head_dir = args.source, args.head
    else:
        base_dir, head_dir = args.base, args.source
    if args.stack is not None and args.pipeline is not None:
        print("smpipe access: give --pipeline or --stack, not both", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.accept is not None and base_dir is None:
        print("smpipe access: --accept compares two assemblies (BASE HEAD)", file=sys.stderr)
        return EXIT_UNREADABLE
    accepted = _Accepted("", {})
    if args.accept is not None:
        try:
            accepted = _read_accepted(args.accept)
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
    args.accepted = accepted
    stacks: list[tuple[str, str, AccessDiff]] = []
    if base_dir is not None and args.pipeline is None:
        try:
            stacks = _stack_diffs(base_dir, head_dir, args.stack)
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.stack is not None:
        return _access_stack(args, base_dir, head_dir, stacks)
    if base_dir is not None and args.pipeline is None:
        pipelines = pipelines_of_both(base_dir, head_dir, "access")
        if pipelines is None:
            return EXIT_UNREADABLE
        head_side = [path for path, kind in pipelines if kind != "removed"]
        base_side = [path for path, kind in pipelines if kind != "added"]
        # One pipeline on each side is compared whatever its path, as smpipe diff does.
        if len(head_side) > 1 or len(base_side) > 1:
            return _access_every_pipeline(args, base_dir, head_dir, pipelines, stacks)
    reports: list[AccessReport] = []
    for directory in (base_dir, head_dir):
        if directory is None:
            continue
        try:
            reports.append(access_report(Path(directory), pipeline=args.pipeline))
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
    if len(reports) == 1:
        if args.fail_on_widening:
            print(
                "smpipe access: --fail-on-widening compares two assemblies (BASE HEAD)",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
        (report,) = reports
        _print_report(args, report)
        return EXIT_OK
    diff = diff_access(*reports)
    keys = accepted.entries
    if args.json:
        data = _diff_json(diff, keys)
        if stacks:
            data["stacks"] = _stacks_json(stacks, keys)
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_access_diff_markdown(diff, keys))
    else:
        sys.stdout.write(render_access_diff_text(diff, keys))
    if not args.json:
        sys.stdout.write("".join("\n" + text for text in _stacks_text(stacks, args.markdown, keys)))
    return _verdict(args, [diff] + [diff for _, _, diff in stacks])


def _verdict(args: argparse.Namespace, diffs: list[AccessDiff]) -> int:
    """The exit code: 1 with --fail-on-widening when a widening isn't accepted."""
    accepted: _Accepted = args.accepted
    widens = accepted.unaccepted(diffs)
    if args.accept is not None:
        accepted.warn_stale()
    return EXIT_WIDENS if args.fail_on_widening and widens else EXIT_OK


def _diff_json(diff: AccessDiff, keys: Collection[tuple[str, str]]) -> dict[str, Any]:
    """``render_access_diff_json``, with the accepted widenings' lines when there are any."""
    data = render_access_diff_json(diff)
    if keys:
        data["accepted"] = [
            {"heading": heading, "line": line}
            for heading, line in widening_lines(diff)
            if (heading, line) in keys
        ]
    return data


def _stack_diffs(
    base_dir: str, head_dir: str, only: str | None
) -> list[tuple[str, str, AccessDiff]]:
    """(path, kind, diff) of each stack holding no pipeline of either assembly, by path.

    A stack only in HEAD is compared with none (its roles and policies are all added, and
    widen); one only in BASE is "removed". ``only``: that stack alone (none if neither has it).
    """
    base, head = stack_access_reports(base_dir), stack_access_reports(head_dir)
    diffs = []
    for path in sorted(set(base) | set(head)):
        if only is not None and path != only:
            continue
        kind = "added" if path not in base else "removed" if path not in head else "compared"
        before = base.get(path) or AccessReport(f"{base_dir}:{path}", "")
        after = head.get(path) or AccessReport(f"{head_dir}:{path}", "")
        diffs.append((path, kind, diff_access(before, after)))
    return diffs


def _stacks_text(
    stacks: list[tuple[str, str, AccessDiff]],
    markdown: bool,
    keys: Collection[tuple[str, str]] = (),
) -> list[str]:
    texts = []
    for path, kind, diff in stacks:
        note = "" if kind == "compared" else f" ({kind})"
        if markdown:
            body = render_access_diff_markdown(diff, keys)
            texts.append(f"### Stack `{path}`{note}\n\n{body}")
        else:
            texts.append(f"== Stack {path}{note}\n{render_access_diff_text(diff, keys)}")
    return texts


def _stacks_json(
    stacks: list[tuple[str, str, AccessDiff]], keys: Collection[tuple[str, str]] = ()
) -> list[dict[str, Any]]:
    return [{"stack": path, "kind": kind, **_diff_json(diff, keys)} for path, kind, diff in stacks]


def _access_stack(
    args: argparse.Namespace,
    base_dir: str | None,
    head_dir: str,
    stacks: list[tuple[str, str, AccessDiff]],
) -> int:
    """``--stack PATH``: one stack that holds no pipeline, listed or compared."""
    if base_dir is not None:
        if not stacks:
            print(
                f"smpipe access: no stack {args.stack!r} without a pipeline in {base_dir} nor "
                f"{head_dir}",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
        ((_, _, diff),) = stacks
        keys = args.accepted.entries
        if args.json:
            print(json.dumps(_diff_json(diff, keys), indent=2, ensure_ascii=False))
        elif args.markdown:
            sys.stdout.write(render_access_diff_markdown(diff, keys))
        else:
            sys.stdout.write(render_access_diff_text(diff, keys))
        return _verdict(args, [diff])
    if args.fail_on_widening:
        print(
            "smpipe access: --fail-on-widening compares two assemblies (BASE HEAD)",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    try:
        reports = stack_access_reports(head_dir)
    except SourceError as error:
        print(f"smpipe access: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = reports.get(args.stack)
    if report is None:
        known = ", ".join(reports) or "none"
        print(
            f"smpipe access: no stack {args.stack!r} without a pipeline in {head_dir} "
            f"(stacks without a pipeline: {known})",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    _print_report(args, report)
    return EXIT_OK


def _access_every_pipeline(
    args: argparse.Namespace,
    base_dir: str,
    head_dir: str,
    pipelines: list[tuple[str, str]],
    stacks: list[tuple[str, str, AccessDiff]],
) -> int:
    """Compare two assemblies pipeline by pipeline, each under its construct path.

    A pipeline only in HEAD is compared with none (its roles are all added, and widen); one
    only in BASE with none the other way (its roles are all removed). What several
    pipelines of one stack share is shown once (``_shown_once``).
    """
    compared: list[tuple[str, str, AccessDiff, set[str]]] = []
    for path, kind in pipelines:
        try:
            base = (
                AccessReport(base_dir, path)
                if kind == "added"
                else access_report(Path(base_dir), pipeline=path)
            )
            head = (
                AccessReport(head_dir, path)
                if kind == "removed"
                else access_report(Path(head_dir), pipeline=path)
            )
        except SourceError as error:
            print(f"smpipe access: {error}", file=sys.stderr)
            return EXIT_UNREADABLE
        # The roles that are this pipeline's own: a step's or the pipeline's.
        own = {role.key for report in (base, head) for role in report.roles if _own(role)}
        compared.append((path, kind, diff_access(base, head), own))
    # Decided before the shared changes are shown once: each widens wherever it is shown.
    widens = any(diff.widens for _, _, diff, _ in compared)
    widens = widens or any(diff.widens for _, _, diff in stacks)
    diffs = _shown_once(compared)
    keys = args.accepted.entries
    if args.json:
        reports = [
            {"pipeline": path, "kind": kind, **_diff_json(diff, keys)} for path, kind, diff in diffs
        ]
        data: dict[str, Any] = {"widens": widens, "pipelines": reports}
        if stacks:
            data["stacks"] = _stacks_json(stacks)
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        texts = []
        for path, kind, diff in diffs:
            note = "" if kind == "compared" else f" ({kind})"
            if args.markdown:
                body = render_access_diff_markdown(diff, keys)
                texts.append(f"### Pipeline `{path}`{note}\n\n{body}")
            else:
                texts.append(f"== Pipeline {path}{note}\n{render_access_diff_text(diff, keys)}")
        sys.stdout.write("\n".join(texts + _stacks_text(stacks, args.markdown, keys)))
    if not widens:
        return _verdict(args, [])
    # What is shown (each shared change once) is what an accept file's lines match; a role
    # loosened counts wherever it is.
    loosened = any(c.loosened for _, _, diff, _ in compared for c in diff.roles)
    code = _verdict(args, [diff for _, _, diff in diffs] + [diff for _, _, diff in stacks])
    return EXIT_WIDENS if args.fail_on_widening and loosened else code


def _own(role: RoleAccess) -> bool:
    return bool(role.steps) or role.pipeline_role


def _shown_once(
    compared: list[tuple[str, str, AccessDiff, set[str]]],
) -> list[tuple[str, str, AccessDiff]]:
    """Each pipeline's diff with what its stack shares with other pipelines shown once.

    A pipeline's report holds every role and resource policy of its stack, so the
    pipelines of one stack would repeat a change of them. A role's change is shown under
    the pipeline whose step (or itself) runs as it; a change of a role no pipeline runs as
    (a trigger's, an endpoint's) and of a resource policy under the first pipeline, in the
    order listed, whose diff has it.
    """
    owned = {key for _, _, _, own in compared for key in own}
    shown: set[object] = set()
    result = []
    for path, kind, diff, own in compared:
        roles = []
        for change in diff.roles:
            if change.key not in own and (change.key in owned or change in shown):
                continue
            shown.add(change)
            roles.append(change)
        policies = [change for change in diff.policies if change not in shown]
        shown.update(policies)
        result.append(
            (path, kind, dataclasses.replace(diff, roles=tuple(roles), policies=tuple(policies)))
        )
    return result


def _print_report(args: argparse.Namespace, report: AccessReport) -> None:
    """One assembly's report, in the format the options ask for."""
    if args.json:
        print(json.dumps(render_access_json(report), indent=2, ensure_ascii=False))
    elif args.markdown:
        sys.stdout.write(render_access_markdown(report))
    else:
        sys.stdout.write(render_access_text(report))
