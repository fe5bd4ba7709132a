"""`workflow/slurm/local_cluster.sh stop` ends exactly the daemons `start` recorded, nothing else.

No Slurm or munge is involved: the recorded "daemon" is a copy of `sleep` named `slurmd` (so its
/proc/<pid>/comm reads `slurmd`), started by the test, and the records live in a temporary
state folder (SLURM_LOCAL_STATE). Only `stop` runs; it needs neither root nor the packages.
"""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from charchallenge.config import REPO_ROOT

SCRIPT = REPO_ROOT / "workflow" / "slurm" / "local_cluster.sh"


def comm(pid):
    return Path(f"/proc/{pid}/comm").read_text().strip()


@pytest.mark.skipif(not Path("/proc/self/comm").exists() or shutil.which("sleep") is None,
                    reason="needs /proc and sleep")
def test_stop_ends_only_the_recorded_daemons(tmp_path):
    fake = tmp_path / "bin" / "slurmd"
    fake.parent.mkdir()
    shutil.copy(shutil.which("sleep"), fake)
    state = tmp_path / "state"
    state.mkdir()
    recorded = subprocess.Popen([str(fake), "300"])  # the slurmd that `start` recorded
    bystander = subprocess.Popen([str(fake), "301"])  # another slurmd, e.g. someone else's
    decoy = subprocess.Popen(["sleep", "302"])  # a recorded PID that is no longer slurmctld
    try:
        if comm(recorded.pid) != "slurmd":
            pytest.skip("this sleep does not take the name it is run under")
        (state / "slurmd.pid").write_text(f"{recorded.pid}\n")
        (state / "slurmctld.pid").write_text(f"{decoy.pid}\n")
        run = subprocess.run(["bash", str(SCRIPT), "stop"], env={**os.environ, "SLURM_LOCAL_STATE": str(state)},
                             capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
        assert recorded.wait(timeout=10) == -signal.SIGTERM
        assert bystander.poll() is None and comm(bystander.pid) == "slurmd"  # same name, not recorded: alive
        assert decoy.poll() is None  # recorded PID now another program: alive
        assert f"slurmctld: recorded PID {decoy.pid} is gone or no longer slurmctld, left alone" in run.stdout
        assert "munged: no " in run.stdout and "Slurm stopped" in run.stdout
        assert not list(state.iterdir())  # the records are removed
    finally:
        for proc in (recorded, bystander, decoy):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
