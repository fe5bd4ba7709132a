"""Snakemake script: GNS new concepts (Feinman & Lake 2021, Sec. 5.4, Fig. 4b / A14).

``gns2021.concepts.n`` types sampled from the type prior (the holdout Full NS) at temperature T
(0.5), at most ``max_strokes`` strokes, kept on the canvas by rejection
(:func:`charchallenge.feinman2020.sampling.draw_on_canvas`); one token of each, rendered at blur 0
(:func:`charchallenge.gns2021.fit.token_images`). Fig. 4b shows the first ``figure`` of them; the
A14 layout shows a 10 x 10 grid beside a grid of each concept's nearest training character, by the
Feinman study's measure (cosine similarity in the last hidden layer of the character classifier
trained on the background characters). The paper orders its A14 grid topologically; this one is in
sampling order.

The paper's remark that samples "are visually dissimilar from their nearest Omniglot neighbor" is
measured as in the Feinman study's Fig. 6: the share of concepts (of >= ``novelty_min_strokes``
strokes) nearer their nearest training character than 95% of held-out real characters of novel
classes are to theirs, with an exact 95% interval (0.05 expected for real novel characters).
"""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from charchallenge.feinman2020.canvases import render_drawings  # noqa: E402
from charchallenge.feinman2020.classifier import embed, load_classifier, nearest, novelty_share, share_interval  # noqa: E402
from charchallenge.feinman2020.data import load_corpus  # noqa: E402
from charchallenge.feinman2020.plotting import image_grid, images  # noqa: E402
from charchallenge.feinman2020.sampling import draw_on_canvas  # noqa: E402
from charchallenge.feinman2020.splits import holdout_split  # noqa: E402
from charchallenge.gns2021.fit import token_images  # noqa: E402
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
drawn = draw_on_canvas(type_model.density, c["n"], c["temperature"], run["seed"], c["max_strokes"],
                       c["max_control_points"], c["max_draws_per_sample"])
types = drawn["drawings"]
tokens = token_images(types, torch.Generator().manual_seed(run["seed"]))

corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
net, train_idx = load_classifier(smk.input.classifier)
_, novel_idx = holdout_split(corpus.alphabet, run["data"]["background"])
ref = embed(net, corpus.complete_canvases(train_idx))
novel_sim = nearest(embed(net, corpus.complete_canvases(novel_idx)), ref, 1)[0][:, 0].numpy()
sim, idx = nearest(embed(net, render_drawings(types)), ref, 1)
sim, idx = sim[:, 0].numpy(), idx[:, 0].numpy()
strokes = np.array([len(t) for t in types])
judged = strokes >= min_strokes
share, level = novelty_share(sim[judged], novel_sim) if judged.any() else (float("nan"), float("nan"))
table = pd.DataFrame({"concept": np.arange(len(types)), "strokes": strokes, "on_canvas": drawn["on_canvas"],
                      "log_prob_tempered": drawn["logp"].numpy(), "nearest_training_drawing": train_idx[idx],
                      "nearest_similarity": sim})
write_csv(smk.output.table, table)
interval = share_interval(share, int(judged.sum())) if judged.any() else [float("nan")] * 2
write_json(smk.output.metrics, {
    "concepts": {"n": len(types), "temperature": c["temperature"], "on_canvas_share_of_draws": drawn["on_canvas_share"],
                 "strokes_mean": float(strokes.mean()), "judged": int(judged.sum()), "min_strokes": min_strokes,
                 "share_closer_than_novel_real": share, "share_ci95": interval, "level_cosine_similarity": level},
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
print(f"novelty: share {share:.3f} 95% CI {interval} over {int(judged.sum())} concepts of >= {min_strokes} strokes")
