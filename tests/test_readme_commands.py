"""The README's commands run as written: every cheap one of "One result at a time" is run here
(Snakemake commands as dry runs, `-n` added; DVC's read-only commands as they are)."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from charchallenge.config import REPO_ROOT

BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text()
    block = text.split("## One result at a time", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def cheap(command: str) -> bool:
    return command.startswith("snakemake") or command in ("dvc metrics show", "dvc dag")


def test_the_readme_lists_commands():
    commands = readme_commands()
    assert sum(cheap(c) for c in commands) >= 5


@pytest.mark.parametrize("command", [c for c in readme_commands() if cheap(c)])
def test_readme_command_runs(command, mirror):
    args = shlex.split(command)
    if args[0] == "snakemake":
        args = [str(BIN / "snakemake"), "-n", *args[1:]]
    else:
        args = [str(BIN / args[0]), *args[1:]]
    env = {**os.environ, "OMNIGLOT_MIRROR": str(mirror), "PATH": f"{BIN}:{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, (command, done.stdout[-1500:], done.stderr[-1500:])
    if args[0].endswith("snakemake") and "--" in args:
        target = args[args.index("--") + 1]
        assert re.search(re.escape(target), done.stdout + done.stderr) or "Nothing to be done" in done.stdout + done.stderr
