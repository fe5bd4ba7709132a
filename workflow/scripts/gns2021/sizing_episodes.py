"""Snakemake script: the validation episodes that size GNS one-shot classification
(``gns2021.classify.sizing``) and check its screening (``gns2021.classify.screening``; the rule
gives ``n_runs`` and ``seed_offset``): generated like the test set's (20-way, within one alphabet, two
drawers) but from the background alphabets the type model was trained on, so that no test
alphabet is looked at when a setting is chosen. Seeded apart from the test set's."""

from pathlib import Path

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.data.episodes import generate_runs, load_runs
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
sz = smk.params.episodes
dataset = OmniglotDataset.load(smk.input.dataset)
background, _ = holdout_split(dataset.alphabet_of(), run["data"]["background"])
alphabets = sorted(set(dataset.alphabet_of()[background].tolist()))
generate_runs(dataset, alphabets, sz["n_runs"], Path(smk.output[0]), n_way=run["oneshot"]["n_way"],
              seed=run["seed"] + sz["seed_offset"])
for e in load_runs(smk.output[0]):
    print(f"validation {e.name}: {e.n_way}-way, {len(e.test_paths)} test items")
