"""Snakemake script: the long run of the GNS refit screening on one validation episode: the pairs
that ``gns2021.classify.screening.long_run``'s screen keeps, refitted for up to its longest count
(:func:`charchallenge.gns2021.screening.long_refits`)."""

import torch

from charchallenge.device import resolve_device
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.screening import long_refits
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
screened = torch.load(smk.input.screened, weights_only=False)
device = resolve_device(run["gns2021"]["device"])
screened["fitted"] = screened["fitted"].to(device)
save_torch(smk.output[0], {**long_refits(screened, run["gns2021"]["classify"]), "device": device_description(device)})
