"""Snakemake script: how new, and how recognisable, are the noise variants (section 3.2)?

Per seed, novel letter and noise SD, for each variant (modified Hausdorff distances of the ink, px):

* ``novelty_px``: distance to the shown example (drawer ``shown_drawer``'s drawing) - how far the
  new drawing lies from what the model was shown (one-shot reconstruction error included);
* ``mhd_to_regenerated_px``: distance to the model's own regeneration of the letter (no noise) -
  what the noise changes, the novelty the claims table judges;
* ``recognised_regeneration``: its nearest regeneration among the novel letters is its letter;
* ``recognised_human``: its nearest human drawing among the *other* drawers' drawings of the
  novel letters is one of its letter.

Two references from the data, the same for every seed: ``between_drawer_px``, the median distance
between the shown example and the other drawers' drawings of the same letter (how far two people's
drawings of one letter lie apart), and ``human_recognised``, the share of shown examples whose
nearest other-drawer drawing is of their own letter (how recognisable a real new drawing is by
this nearest-neighbour test). Mean and SD over seeds of per-seed medians (distances) and shares.
"""

import numpy as np
import pandas as pd

from charchallenge.fabi2020.metrics import ink_points, modified_hausdorff_points
from charchallenge.fabi2020.pipeline import context, over_seeds
from charchallenge.fabi2020.variants import noisy_variants
from charchallenge.io import write_csv
from charchallenge.joblog import log_to_file
from charchallenge.progress import Progress

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
study, vp = ctx.study, ctx.params["variants"]
models = ctx.adapted("one_shot")
targets = ctx.one_shot["targets"]
lengths = [len(t) for t in targets]
variants, sds = noisy_variants(models, study.novel, lengths, vp["sds"], vp["samples_per_sd"], seed=2000, device=ctx.device)
c = ctx.one_shot["conditions"].index("one_shot")
L = len(study.novel)

shown = [ink_points(study.raw(t)) for t in targets]
others = [(i, ink_points(study.raw(study.sequence(letter, d))))
          for i, letter in enumerate(study.novel) for d in study.other_drawers()]
other_letter = np.array([i for i, _ in others])


def nearest_human(points: np.ndarray) -> tuple[int, np.ndarray]:
    d = np.array([modified_hausdorff_points(points, o) for _, o in others])
    return int(other_letter[d.argmin()]), d


between = []
human_hit = []
for i, pts in enumerate(shown):
    letter, d = nearest_human(pts)
    between.extend(d[other_letter == i].tolist())
    human_hit.append(letter == i)
between_drawer_px = float(np.median(between))
human_recognised = float(np.mean(human_hit))

S, J = len(models), len(sds)
novelty = np.zeros((S, L, J))
own = np.zeros((S, L, J))
hit_regen = np.zeros((S, L, J))
hit_human = np.zeros((S, L, J))
bar = Progress(S * L * J, "variants vs human drawings", unit="variants")
for s in range(S):
    regen = [ink_points(study.raw(o)) for o in ctx.one_shot["outputs"][s][c]]
    for i in range(L):
        for j, v in enumerate(variants[s][i]):
            pts = ink_points(study.raw(v))
            d = np.array([modified_hausdorff_points(pts, r) for r in regen])
            own[s, i, j] = d[i]
            hit_regen[s, i, j] = float(d.argmin() == i)
            novelty[s, i, j] = modified_hausdorff_points(pts, shown[i])
            hit_human[s, i, j] = float(nearest_human(pts)[0] == i)
            bar.update(1)
bar.close()

rows = []
for sd in list(vp["sds"]) + ["all"]:
    cols = [j for j, x in enumerate(sds) if sd == "all" or x == sd]
    rows.append({"sd": sd,
                 **over_seeds("novelty_px", np.median(novelty[:, :, cols].reshape(S, -1), 1), ctx.seeds),
                 **over_seeds("mhd_to_regenerated_px", np.median(own[:, :, cols].reshape(S, -1), 1), ctx.seeds),
                 **over_seeds("recognised_human", hit_human[:, :, cols].mean(axis=(1, 2)), ctx.seeds),
                 **over_seeds("nearest_regeneration_accuracy", hit_regen[:, :, cols].mean(axis=(1, 2)), ctx.seeds),
                 "between_drawer_px": between_drawer_px, "human_recognised": human_recognised,
                 "chance": 1.0 / L})
table = pd.DataFrame(rows)
write_csv(smk.output[0], table)
print(f"between-drawer MHD (median) {between_drawer_px:.2f} px; shown examples recognised among other drawers' "
      f"drawings: {human_recognised:.2f}")
print(table[["sd", "novelty_px_mean", "recognised_human_mean", "nearest_regeneration_accuracy_mean"]].to_string(index=False))
