"""Snakemake script: the modified Hausdorff baseline (Omniglot demo) on every shared episode;
one row per run (error in percent) and the model's label, time and hardware."""

import time
from pathlib import Path

from charchallenge.data.episodes import load_runs
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of
from charchallenge.oneshot.mhd import classify
from charchallenge.oneshot.scoring import episode_errors
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
start = time.time()
table = episode_errors(load_runs(Path(smk.input.episodes)),
                       lambda e: classify(e.test_images() > 0.5, e.train_images() > 0.5))
seconds = time.time() - start
write_csv(smk.output.runs, table)
prov = provenance(run["scale"], run["seed"], "cpu")
write_json(smk.output.info, {"label": "Modified Hausdorff (ink pixels)", "scale": run["scale"],
                             "episodes": episode_set_of(smk.input.episodes), "seconds": round(seconds, 2),
                             "device": prov["device"], "provenance": prov})
print(table.to_string(index=False))
print(f"error {(table.error * table.trials).sum() / table.trials.sum():.1f}% over {table.trials.sum()} trials "
      f"in {seconds:.1f} s")
