"""Give each step its own ``/opt/ml`` and run its process, with a timeout and a log.

Two mechanisms, chosen once per run (``LocalConfig.isolation``, default ``auto``):

``namespace``
    The step runs in a private mount namespace of an unprivileged user namespace
    (``unshare --user --map-root-user --mount``): its work directory is bind-mounted
    over ``/opt`` (with every other ``/opt`` entry bound back), so the script sees the
    real ``/opt/ml/...`` paths and concurrent steps never collide. No root needed; it
    needs Linux with unprivileged user namespaces and util-linux ``unshare``.
``redirect``
    The fallback. ``/opt/ml`` in the entrypoint, arguments and environment is rewritten
    to the step's work directory, ``SM_*`` variables point there, and Python scripts get
    a startup hook (``sitecustomize``) that redirects ``/opt/ml`` paths in ``open``,
    ``os`` and ``os.path`` calls. Non-Python programs and C extensions that open files
    themselves still see the literal ``/opt/ml``.

Example::

    mode = choose_isolation("auto")        # IsolationMode("namespace", "…")
    sandbox = Sandbox(work_dir, mode, interpreter=sys.executable)
    sandbox.run(["python3", "/opt/ml/processing/input/code/prep.py"], env={}, log=log_path)
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ._errors import LocalRunError, StepError

OPT_ML = "/opt/ml"
RUNTIME = Path(__file__).resolve().parent / "_runtime"
REDIRECT_HOOK = RUNTIME / "redirect"
SETUP_FAILED = 125
_SETUP_MARKER = "smpipe-sandbox: could not mount"
_OPT_ML_WORD = re.compile(r"(?<![^\s\"'=:;,(])/opt/ml(?=$|[/\s\"':;,=)])")
# A name /bin/sh passes on to what it runs: dash drops the other variables.
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The shell of the python3/python shims: bash passes on the variables whose names aren't
# shell names (SM_CHANNEL_TRAIN-DATA, which a script's own python3 child reads too); dash,
# many systems' /bin/sh, drops them.
_SHIM_SHELL = "/bin/bash" if os.path.exists("/bin/bash") else "/bin/sh"

# Runs inside the new namespace. Preferred: one overlay mount of the step's /opt tree on
# top of /opt (unprivileged overlayfs, Linux 5.11+), plus a bind over a pre-existing
# /opt/ml so nothing of the host's leaks in. Fallback: bind every /opt entry into the
# step's /opt skeleton and cover /opt with it. Then exec the command.
_NAMESPACE_SCRIPT = r"""
R="$SMPIPE_OPT_ROOT"
fail() { echo "@MARKER@ $1" >&2; exit @CODE@; }
had_ml=no
[ -e /opt/ml ] && had_ml=yes
overlay="lowerdir=/opt,upperdir=$R,workdir=$SMPIPE_OVERLAY_WORK"
if [ -z "$SMPIPE_NO_OVERLAY" ] && mount -t overlay smpipe -o "$overlay" /opt 2>/dev/null; then
  if [ "$had_ml" = yes ]; then mount --rbind "$R/ml" /opt/ml || fail /opt/ml; fi
else
  for e in /opt/* /opt/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n="${e#/opt/}"
    [ "$n" = ml ] && continue
    if [ -d "$e" ]; then mkdir -p "$R/$n"; else : > "$R/$n"; fi
    mount --rbind "$e" "$R/$n" 2>/dev/null || fail "$e"
  done
  mount --rbind "$R" /opt || fail /opt
fi
cd "$SMPIPE_CWD" || exit @CODE@
exec "$@"
""".replace("@MARKER@", _SETUP_MARKER).replace("@CODE@", str(SETUP_FAILED))


@dataclass(frozen=True, slots=True)
class IsolationMode:
    """The chosen ``/opt/ml`` mechanism and why.

    Example::

        IsolationMode("redirect", "user namespaces are not available: …")
    """

    name: Literal["namespace", "redirect"]
    reason: str

    def describe(self) -> str:
        """One line for the run output."""
        if self.name == "namespace":
            return "/opt/ml: a private mount namespace per step (" + self.reason + ")"
        return "/opt/ml: path redirection, Python scripts only (" + self.reason + ")"


@functools.cache
def parent_death_prefix() -> tuple[str, ...]:
    """``setpriv --pdeathsig KILL --`` if this host has it, else nothing.

    A step's process started through it is killed when the runner dies, even by SIGKILL
    or the out-of-memory killer, instead of running on unattended. util-linux's ``setpriv``
    sets Linux's parent-death signal and then execs the command in the same process;
    setting it from ``preexec_fn`` instead is unsafe in a runner with threads. The signal
    survives ``unshare`` and ``exec``; processes the step starts itself don't get it.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    prefix = (setpriv, "--pdeathsig", "KILL", "--")
    try:
        probe = subprocess.run(
            [*prefix, "/bin/sh", "-c", ":"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return prefix if probe.returncode == 0 else ()  # util-linux < 2.33 lacks --pdeathsig


@functools.cache
def probe_namespaces() -> str | None:
    """None if per-step mount namespaces work here, else the reason they don't."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "the unshare command (util-linux) is not installed"
    if shutil.which("mount") is None:
        return "the mount command is not installed"
    if not os.path.isdir("/opt"):
        return "/opt does not exist, so there is nothing to mount over"
    with tempfile.TemporaryDirectory(prefix="smpipe-probe-") as scratch:
        source, target = Path(scratch, "a"), Path(scratch, "b")
        source.mkdir()
        target.mkdir()
        try:
            result = subprocess.run(
                [
                    unshare,
                    "--user",
                    "--map-root-user",
                    "--mount",
                    "/bin/sh",
                    "-c",
                    'mount --rbind "$1" "$2" && mount --rbind "$1" /opt',
                    "sh",
                    str(source),
                    str(target),
                ],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"unshare failed: {error}"
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        return "unprivileged user namespaces are not available: " + (
            detail[-1] if detail else f"exit code {result.returncode}"
        )
    return None


def choose_isolation(requested: str) -> IsolationMode:
    """Resolve ``auto``/``namespace``/``redirect`` on this machine."""
    if requested == "redirect":
        return IsolationMode("redirect", "requested")
    if requested not in ("auto", "namespace"):
        raise LocalRunError(f"isolation {requested!r} must be one of auto, namespace, redirect")
    problem = probe_namespaces()
    if problem is None:
        return IsolationMode("namespace", "unprivileged user namespace, no root needed")
    if requested == "namespace":
        raise LocalRunError(f"isolation 'namespace' is not available here: {problem}")
    return IsolationMode("redirect", problem)


@dataclass(frozen=True, slots=True)
class ProcessOutcome:
    """How a step's process ended.

    Example::

        ProcessOutcome(returncode=-9, timed_out=False, stopped=False, seconds=0.4)
    """

    returncode: int
    timed_out: bool
    stopped: bool
    seconds: float


# The variables that hand a process AWS credentials, or say where to get them (a profile,
# a web identity, a container's credentials endpoint): a step gets none of them.
_AWS_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)


class Sandbox:
    """One step attempt's private ``/opt`` tree and the way to run processes in it.

    ``root/opt/ml`` is what the process sees as ``/opt/ml``.

    Example::

        sandbox = Sandbox(work / "attempt-1", mode, interpreter=sys.executable)
        sandbox.host_path("/opt/ml/processing/input")   # work/attempt-1/opt/ml/processing/input
    """

    def __init__(self, root: Path, mode: IsolationMode, *, interpreter: str) -> None:
        self.root = root
        self.mode = mode
        self.interpreter = interpreter
        self.opt_ml = root / "opt" / "ml"
        self.opt_ml.mkdir(parents=True, exist_ok=True)
        self._bin = root / "bin"

    def host_path(self, container_path: str) -> Path:
        """The host path of a path under ``/opt/ml`` (raises ``StepError`` otherwise)."""
        normalized = os.path.normpath(container_path)
        if normalized != OPT_ML and not normalized.startswith(OPT_ML + "/"):
            raise StepError(
                f"{container_path!r} is not under /opt/ml; the local runner only provides "
                "/opt/ml inside a step"
            )
        return self.opt_ml / os.path.relpath(normalized, OPT_ML)

    def take_output(self, container_path: str, what: str) -> Path:
        """The host path of what the step left at ``container_path``, safe to publish.

        A script may leave symbolic links there, and S3 has no links: an upload holds
        files. A link to a regular file inside this step's ``/opt/ml`` becomes a copy of
        that file, as its upload would hold it. A link out of the step's ``/opt/ml``
        (``~/.ssh``, ``/``), to a directory, or leading nowhere (broken, or a loop), and
        anything that is neither a file nor a folder (a named pipe, a socket, a device),
        raise ``StepError`` naming ``what`` and the link: publishing them would copy files
        of this machine into the outputs, write through the link later, or never end.

        Example::

            model = sandbox.take_output("/opt/ml/model", "the model directory /opt/ml/model")
        """
        top = self.host_path(container_path)
        if not os.path.lexists(top):
            return top
        base = self.opt_ml.resolve()
        shown = os.path.normpath(container_path)
        self._settle(top, shown, base, what)
        if top.is_dir():
            for folder, dirs, files in os.walk(top):  # links to folders are listed, not entered
                inside = Path(folder)
                for name in (*dirs, *files):
                    path = inside / name
                    self._settle(path, f"{shown}/{path.relative_to(top).as_posix()}", base, what)
        return top

    def _settle(self, path: Path, shown: str, base: Path, what: str) -> None:
        """Leave ``path`` a file or a folder: a link to a file of ``base`` copied in its place."""
        mode = os.lstat(path).st_mode
        if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
            return
        if not stat.S_ISLNK(mode):
            kind = (
                "named pipe"
                if stat.S_ISFIFO(mode)
                else "socket"
                if stat.S_ISSOCK(mode)
                else "device"
            )
            raise StepError(
                f"{what}: {shown} is a {kind}, not a file: S3 holds files only (remove it)"
            )
        text = os.readlink(path)
        target = self._link_target(path, text)
        if target is None:
            raise StepError(
                f"{what}: {shown} is a symbolic link to {text}, which leads nowhere (a broken "
                "link or a loop of links): remove it, or write the file itself there"
            )
        if not target.is_relative_to(base):
            raise StepError(
                f"{what}: {shown} is a symbolic link to {text}, outside the step's /opt/ml: "
                "the local runner doesn't follow a link out of a step (publishing it would copy "
                "a file of this machine into the outputs); write the file itself there"
            )
        if target.is_dir():
            raise StepError(
                f"{what}: {shown} is a symbolic link to a directory ({text}): the local runner "
                "publishes links to files only, as copies (S3 has no links, and a linked "
                "directory may hold itself); copy the directory there instead"
            )
        if not target.is_file():
            raise StepError(f"{what}: {shown} is a symbolic link to {text}, which is not a file")
        path.unlink()
        shutil.copyfile(target, path)

    def _link_target(self, link: Path, text: str) -> Path | None:
        """Where a link leads on this host, all links followed; None if nowhere.

        A target under ``/opt/ml`` is the step's own (as the script saw it in a mount
        namespace); anything else is a path of this host.
        """
        start: Path | None = None
        if text == OPT_ML or text.startswith(OPT_ML + "/"):
            with contextlib.suppress(StepError):  # /opt/ml/../x is no path of the step's
                start = self.host_path(text)
        if start is None:
            start = link.parent / text  # an absolute text stays itself
        try:
            return Path(os.path.realpath(start, strict=True))
        except (OSError, RuntimeError):
            return None

    def visible_path(self, container_path: str) -> str:
        """How the process should be told about ``container_path`` (SM_* variables)."""
        if self.mode.name == "namespace":
            return container_path
        return str(self.host_path(container_path))

    def rewrite(self, text: str) -> str:
        """In redirect mode, replace ``/opt/ml`` in a string with the host path."""
        if self.mode.name == "namespace" or OPT_ML not in text:
            return text
        return _OPT_ML_WORD.sub(lambda _match: str(self.opt_ml), text)

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str,
        log: Path,
        timeout: float | None,
        stop: threading.Event,
    ) -> ProcessOutcome:
        """Run ``argv`` (``python3``/``python`` mean the interpreter) to completion.

        ``cwd`` is a container path. Output goes to ``log``. On timeout or ``stop`` the
        whole process group gets SIGTERM, then SIGKILL two seconds later. If the runner
        itself dies, the process is killed too, where ``setpriv`` is available.
        """
        if not argv:
            raise StepError("there is no command to run")
        command = [self.rewrite(part) for part in argv]
        if os.path.basename(command[0]) in ("python3", "python"):
            command[0] = self.interpreter
        environment = self._environment(env)
        if self.mode.name == "namespace":
            overlay_work = self.root / "overlay-work"
            overlay_work.mkdir(exist_ok=True)
            environment["SMPIPE_OPT_ROOT"] = str(self.root / "opt")
            environment["SMPIPE_OVERLAY_WORK"] = str(overlay_work)
            environment["SMPIPE_CWD"] = cwd
            # The mount script's shell drops the variables whose names aren't shell names
            # (the training toolkit's SM_CHANNEL_TRAIN-DATA, of channel train-data), which
            # a container passes on: env(1) sets them again, after the mounts.
            unnamed = [f"{k}={v}" for k, v in environment.items() if not _SHELL_NAME.fullmatch(k)]
            command = [
                "unshare",
                "--user",
                "--map-root-user",
                "--mount",
                "/bin/sh",
                "-c",
                _NAMESPACE_SCRIPT,
                "sh",
                *(["env", "--", *unnamed] if unnamed else []),
                *command,
            ]
            working = str(self.root)
        else:
            working = str(self.host_path(cwd)) if cwd.startswith(OPT_ML) else cwd
            Path(working).mkdir(parents=True, exist_ok=True)
            problem = _not_executable(command[0], working, environment["PATH"])
            if problem is not None:
                # Popen would say so; behind setpriv it would only be an exit code.
                raise StepError(f"could not start {command[0]!r}: {problem}")
        command = [*parent_death_prefix(), *command]
        log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with log.open("ab") as output:
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    env=environment,
                    cwd=working,
                    start_new_session=True,
                )
            except OSError as error:
                raise StepError(f"could not start {command[0]!r}: {error.strerror}") from None
            outcome = _wait(process, timeout, stop)
        return ProcessOutcome(outcome[0], outcome[1], outcome[2], time.monotonic() - started)

    def _environment(self, env: Mapping[str, str]) -> dict[str, str]:
        environment = dict(os.environ)
        for name in _AWS_CREDENTIAL_VARIABLES:
            environment.pop(name, None)
        # Nor through the credentials a boto3 client would find without them: a profile's
        # files (~/.aws: keys, SSO, credential_process) and the instance metadata service.
        # A script or Lambda handler that calls AWS fails for want of credentials instead
        # of acting on a real account from a local run.
        no_aws = self.root / "no-aws-credentials"
        no_aws.touch()
        environment["AWS_SHARED_CREDENTIALS_FILE"] = str(no_aws)
        environment["AWS_CONFIG_FILE"] = str(no_aws)
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment.update({key: self.rewrite(value) for key, value in env.items()})
        environment["PYTHONUNBUFFERED"] = "1"
        # A SageMaker job's /tmp is its own; here the steps share the machine's. Scratch
        # space asked of tempfile (TMPDIR) is the step's own at least, so a file an earlier
        # step or run left there can't stand in for one this step failed to write.
        scratch = self.root / "tmp"
        scratch.mkdir(exist_ok=True)
        environment["TMPDIR"] = str(scratch)
        self._bin.mkdir(exist_ok=True)
        for name in ("python3", "python"):
            shim = self._bin / name
            if not shim.exists():
                shim.write_text(f'#!{_SHIM_SHELL}\nexec "{self.interpreter}" "$@"\n')
                shim.chmod(0o755)
        environment["PATH"] = f"{self._bin}{os.pathsep}{environment.get('PATH', '')}"
        if self.mode.name == "redirect":
            environment["SMPIPE_OPT_ML"] = str(self.opt_ml)
            existing = environment.get("PYTHONPATH")
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(REDIRECT_HOOK), *([existing] if existing else [])]
            )
        return environment


def _not_executable(program: str, cwd: str, search_path: str) -> str | None:
    """Why ``program`` can't be started from ``cwd`` (as Popen finds it), or None."""
    if os.sep in program:
        candidate = os.path.join(cwd, program)
        if not os.path.isfile(candidate):
            return "No such file or directory"
        return None if os.access(candidate, os.X_OK) else "Permission denied"
    return None if shutil.which(program, path=search_path) else "No such file or directory"


# How often a step's watcher looks at the run's stop event (Ctrl-C): a stop reaches the
# step's process within this; a watcher wakes this often (tens of microseconds of CPU each).
_STOP_POLL = 0.05


def _wait(
    process: subprocess.Popen[bytes], timeout: float | None, stop: threading.Event
) -> tuple[int, bool, bool]:
    """Block until the process ends; a watcher thread kills it on timeout or stop."""
    state = {"timed_out": False, "stopped": False}
    finished = threading.Event()

    def watch() -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not finished.is_set():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                state["timed_out"] = True
                break
            if stop.is_set():
                state["stopped"] = True
                break
            finished.wait(_STOP_POLL if remaining is None else min(_STOP_POLL, remaining))
        else:
            return
        _terminate(process)

    watcher = threading.Thread(target=watch, name=f"smpipe-watch-{process.pid}", daemon=True)
    watcher.start()
    try:
        returncode = process.wait()
    finally:
        finished.set()
        watcher.join()
    return returncode, state["timed_out"], state["stopped"]


def _terminate(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def remove_tree(path: Path) -> None:
    """Delete an attempt directory, including the mode-000 ``work`` dirs overlayfs leaves."""
    for stale in path.glob("*/overlay-work/work"):  # <attempt>/<sandbox>/overlay-work
        with contextlib.suppress(OSError):
            stale.chmod(0o700)
    shutil.rmtree(path, ignore_errors=True)


def describe_exit(outcome: ProcessOutcome, *, timeout: float | None, what: str) -> str | None:
    """A failure reason for a process outcome, or None on success."""
    if outcome.timed_out:
        return (
            f"{what} exceeded its stopping condition MaxRuntimeInSeconds={_seconds(timeout)} "
            "and was stopped (SIGTERM, then SIGKILL)"
        )
    if outcome.stopped:
        return f"{what} was stopped"
    code = outcome.returncode
    if code == 0:
        return None
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"{what} was killed by signal {-code} ({name})"
    if code > 128 and code - 128 in {s.value for s in signal.Signals}:
        return f"{what} was killed by signal {code - 128} ({signal.Signals(code - 128).name})"
    return f"{what} exited with code {code}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def setup_failed(outcome: ProcessOutcome, log: Path) -> bool:
    """True if the namespace setup (not the step's own program) failed."""
    if outcome.returncode != SETUP_FAILED:
        return False
    try:
        return _SETUP_MARKER in log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
