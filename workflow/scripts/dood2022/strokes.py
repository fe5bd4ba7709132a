"""Snakemake script: the stop variable's behaviour on held-out Omniglot (Liang et al. 2022, Sec. 2.1;
:mod:`charchallenge.dood2022.strokes`). For every model trained on Omniglot: its stroke count per
test image against the drawer's (mean, Spearman with a bootstrap interval, a verdict by the criteria
in params ``dood2022.strokes``), the ELBO with the count forced to 0..max, and a figure - the
count distributions beside the drawers', the forced-count ELBO curves, and reconstructions of test
images with every inferred stroke in its own colour (:mod:`charchallenge.dood2022.plotting`)."""

import numpy as np
import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.dood2022 import plotting
from charchallenge.dood2022.data import load_split
from charchallenge.dood2022.strokes import drawer_stroke_counts, stroke_metrics, stroke_runs
from charchallenge.dood2022.train import load_model
from charchallenge.io import save_figure, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
s = d["strokes"]
torch.set_num_threads(smk.threads)

images = load_split(smk.input.data, "test")
with np.load(smk.input.data) as z:
    test_idx = z["test_labels"]
drawers = drawer_stroke_counts(OmniglotDataset.load(smk.input.dataset), test_idx)
runs = ((*load_model(m), pd.read_csv(c)) for m, c in zip(smk.input.models, smk.input.curves))
rows, forced_rows, hist, examples = stroke_runs(runs, images, drawers, s, d["convergence"])

forced_table = pd.DataFrame(forced_rows)
write_csv(smk.output.table, pd.DataFrame(rows))
write_csv(smk.output.forced, forced_table)
save_figure(plotting.stroke_counts(drawers, hist, forced_table, examples, s["figure_examples"]), smk.output.figure)
write_json(smk.output.metrics, {**stroke_metrics(rows, s), "provenance": provenance(run["scale"], run["seed"], "cpu")})
