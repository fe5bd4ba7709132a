"""Snakemake script: one trained model's IWAE estimate of log p(x) (Burda et al. 2016;
``dood2022.iwae.samples`` draws of the recognition model) on the test images of every dataset
(the cells of its row of Fig. 4), and reconstructions of the first test images of each
(:func:`charchallenge.dood2022.transfer.score_targets`)."""

import torch

from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.train import load_model
from charchallenge.dood2022.transfer import score_targets
from charchallenge.io import save_npz, write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
torch.set_num_threads(smk.threads)
model, saved = load_model(smk.input.model)
targets = ((t, load_split(p, "test")[: d["iwae"]["max_images"]]) for t, p in zip(smk.params.targets, smk.input.targets))
scores, recon = score_targets(model, saved, targets, d["iwae"]["samples"], d["reconstructions"])
write_csv(smk.output.scores, scores)
save_npz(smk.output.reconstructions, **recon)
