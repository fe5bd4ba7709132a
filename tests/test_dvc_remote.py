"""Sharing trained models through a DVC remote, as the README documents, with a local folder.

A fresh repository tracks a model file in DVC, pushes it to a folder remote, loses its copy and
its cache, and gets it back with `dvc pull`: the same commands a user runs with
`dvc remote add -d storage /path/or/s3://bucket`.
"""

import subprocess
import sys
from pathlib import Path

DVC = str(Path(sys.executable).parent / "dvc")


def sh(*args, cwd):
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def test_push_to_and_pull_from_a_folder_remote(tmp_path):
    repo, remote = tmp_path / "repo", tmp_path / "remote"
    repo.mkdir()
    sh("git", "init", "-q", cwd=repo)
    sh(DVC, "init", "-q", cwd=repo)
    model = repo / "data" / "models" / "full_ns_holdout.pt"
    model.parent.mkdir(parents=True)
    payload = bytes(range(256)) * 64
    model.write_bytes(payload)
    sh(DVC, "add", "-q", "data/models/full_ns_holdout.pt", cwd=repo)
    sh(DVC, "remote", "add", "-d", "storage", str(remote), cwd=repo)
    sh(DVC, "push", "-q", cwd=repo)
    assert any(p.is_file() for p in remote.rglob("*"))  # the content is in the remote
    model.unlink()
    sh("rm", "-rf", ".dvc/cache", cwd=repo)
    sh(DVC, "pull", "-q", cwd=repo)
    assert model.read_bytes() == payload
