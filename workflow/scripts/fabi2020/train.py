"""Snakemake script: train one seed's generator (Fabi et al. 2020, section 2), resumable."""

import time

from charchallenge.device import resolve_device
from charchallenge.fabi2020.data import load_study
from charchallenge.fabi2020.model import save_generator
from charchallenge.fabi2020.pipeline import setup_torch
from charchallenge.fabi2020.train import build_generator, train_generator
from charchallenge.fingerprint import workflow_script
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
params = run["fabi2020"]
if smk.params.get("without_ff"):  # the ablation network: no FF layer (section 3.1)
    params = {**params, "model": {**params["model"], "ff_units": None}}
seed = int(smk.wildcards.seed)
setup_torch(smk.threads)
device = resolve_device(params["device"])
study = load_study(smk.input.trajectories, params)
initial = build_generator(study, params["model"], seed).state_dict()
start = time.perf_counter()
model, result = train_generator(study, params, seed, device=device, checkpoint_dir=smk.params.checkpoint_dir,
                                extra_code=[workflow_script(smk)])
seconds = time.perf_counter() - start
save_generator(model, smk.output[0], initial_state=initial, losses=result.losses, seed=seed,
               steps=result.steps, resumed_from=result.resumed_from, seconds=seconds, device=device,
               threads=smk.threads)
print(f"seed {seed}: {result.steps} steps (resumed from {result.resumed_from}) in {seconds:.0f} s on {device}, "
      f"final loss (mean of last 100) {sum(result.losses[-100:]) / len(result.losses[-100:]):.4f}")
