"""Snakemake script: GNS new concepts (Feinman & Lake 2021, Sec. 5.4, Fig. 4b / A14), sampled from the
type prior at T = 0.5 with the Feinman study's novelty measure (:mod:`charchallenge.gns2021.concepts`).
Fig. 4b shows the first ``figure`` of them; the A14 layout shows a 10 x 10 grid beside a grid of
each concept's nearest training character. The paper orders its A14 grid topologically; this one
is in sampling order."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from charchallenge.feinman2020.classifier import load_classifier  # noqa: E402
from charchallenge.feinman2020.data import load_corpus  # noqa: E402
from charchallenge.feinman2020.plotting import image_grid, images  # noqa: E402
from charchallenge.gns2021.concepts import novelty, sample_concepts  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
c = run["gns2021"]["concepts"]
min_strokes = run["feinman2020"]["samples"]["novelty_min_strokes"]
torch.set_num_threads(smk.threads)
type_model = load_type_model(smk.input.type_model)
drawn, tokens = sample_concepts(type_model, c, run["seed"])
corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
net, train_idx = load_classifier(smk.input.classifier)
table, nov = novelty(drawn, corpus, net, train_idx, run["data"]["background"], min_strokes)
share, interval, idx = nov["share"], nov["interval"], nov["nearest"]
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "concepts": {"n": len(drawn["drawings"]), "temperature": c["temperature"],
                 "on_canvas_share_of_draws": drawn["on_canvas_share"], "strokes_mean": nov["strokes_mean"],
                 "judged": nov["judged"], "min_strokes": min_strokes, "share_closer_than_novel_real": share,
                 "share_ci95": interval, "level_cosine_similarity": nov["level"]},
    "provenance": provenance(run["scale"], run["seed"], "cpu"),
})

# Fig. 4b: the first `figure` concepts in a square grid.
side = int(math.ceil(math.sqrt(min(c["figure"], len(tokens)))))
fig, ax = plt.subplots(figsize=(1.0 * side + 0.5, 1.0 * side + 0.8))
image_grid(ax, np.stack(tokens[: c["figure"]]).astype(float), side)
fig.suptitle(f"Fig. 4b: new concepts sampled from the GNS type prior (T = {c['temperature']})", fontsize=9)
save_figure(fig, smk.output.fig4b, dpi=110)

# A14 layout: concepts beside their nearest training characters, grid for grid.
g = int(math.floor(math.sqrt(len(tokens))))
fig, axes = plt.subplots(1, 2, figsize=(2 * 0.75 * g + 1.0, 0.75 * g + 1.0))
image_grid(axes[0], np.stack(tokens[: g * g]).astype(float), g, "(a) GNS new concepts")
image_grid(axes[1], images([corpus.drawings[train_idx[j]] for j in idx[: g * g]]), g,
           "(b) nearest training character")
fig.suptitle(f"A14 layout: {g * g} concepts; {share:.2f} of those with >= {min_strokes} strokes are closer to a "
             f"training character than 95% of novel real ones", fontsize=9)
save_figure(fig, smk.output.fig_a14, dpi=110)
print(table.describe().to_string())
print(f"novelty: share {share:.3f} 95% CI {interval} over {nov['judged']} concepts of >= {min_strokes} strokes")
