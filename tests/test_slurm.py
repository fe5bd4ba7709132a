"""Opt-in: the smoke DAG submitted through the Slurm profile to a real (one-node) Slurm.

Not part of the default test run: it needs root, Debian's slurm-wlm and munge, and several
minutes. Run it with `make slurm-test` (or CHARCHALLENGE_SLURM=1 pytest tests/test_slurm.py):
workflow/slurm/local_cluster.sh installs and starts the cluster, a fresh clone of this
repository runs the whole smoke DAG with --workflow-profile workflow/profiles/slurm, and the test
checks that every job went through sbatch (one Slurm job id and log per job) and finished.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from charchallenge.config import REPO_ROOT

pytestmark = pytest.mark.skipif(os.environ.get("CHARCHALLENGE_SLURM") != "1",
                                reason="opt-in: set CHARCHALLENGE_SLURM=1 (or run `make slurm-test`)")


def test_smoke_dag_runs_through_slurm(tmp_path):
    subprocess.run(["bash", str(REPO_ROOT / "workflow" / "slurm" / "local_cluster.sh"), "start"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.setdefault("OMNIGLOT_MIRROR", str(REPO_ROOT.parent / "shared" / "data" / "omniglot"))
    start = time.time()
    run = subprocess.run([sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/slurm",
                          "--config", "scale=smoke", "--jobs", "4"],
                         cwd=clone, env=env, capture_output=True, text=True, timeout=3600)
    log = run.stdout + run.stderr
    (REPO_ROOT / "logs").mkdir(exist_ok=True)
    (REPO_ROOT / "logs" / "slurm_smoke.log").write_text(log)
    assert run.returncode == 0, log[-3000:]
    submitted = re.findall(r"SLURM (?:run )?ID:? ?(\d+)|jobid (\d+)", log, flags=re.I)
    job_ids = {a or b for a, b in submitted}
    done = re.search(r"(\d+) of (\d+) steps \(100%\) done", log)
    assert done, log[-2000:]
    n_jobs = int(done.group(2)) - 1  # every job but the local target rule 'all'
    slurm_logs = list((clone / ".snakemake" / "slurm_logs").rglob("*.log"))
    print(f"{n_jobs} jobs, {len(job_ids)} Slurm job ids, {len(slurm_logs)} Slurm logs, "
          f"{time.time() - start:.0f} s")
    assert len(slurm_logs) >= n_jobs and len(job_ids) >= n_jobs
    for path in (clone / "results" / "fabi2020" / "smoke" / "claims.csv",
                 clone / "results" / "feinman2020" / "smoke" / "table1.csv"):
        assert path.is_file(), path
    shutil.rmtree(clone / ".snakemake" / "slurm_logs", ignore_errors=True)
