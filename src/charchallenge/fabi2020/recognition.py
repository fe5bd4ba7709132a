"""How new, and how recognisable, are the noise variants (Fabi et al. 2020, section 3.2, Fig. 3)?

Per seed, novel letter and noise SD, for each variant (modified Hausdorff distances of the ink, px):

* ``novelty_px``: distance to the shown example (drawer ``shown_drawer``'s drawing) - how far the
  new drawing lies from what the model was shown (one-shot reconstruction error included);
* ``mhd_to_regenerated_px``: distance to the model's own regeneration of the letter (no noise) -
  what the noise changes, the novelty the claims table judges;
* ``nearest_regeneration_accuracy``: its nearest regeneration among the novel letters is its letter;
* ``recognised_human``: its nearest human drawing among the *other* drawers' drawings of the
  novel letters is one of its letter.

Two references from the data, the same for every seed (:func:`human_references`):
``between_drawer_px``, the median distance between the shown example and the other drawers'
drawings of the same letter (how far two people's drawings of one letter lie apart), and
``human_recognised``, the share of shown examples whose nearest other-drawer drawing is of their
own letter (how recognisable a real new drawing is by this nearest-neighbour test).
:func:`variant_table`: mean and SD over seeds of per-seed medians (distances) and shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charchallenge.progress import Progress

from .metrics import ink_points, modified_hausdorff_points
from .pipeline import over_seeds


class HumanDrawings:
    """The shown examples' ink and the other drawers' drawings of the novel letters."""

    def __init__(self, study, targets):
        self.shown = [ink_points(study.raw(t)) for t in targets]
        self.others = [(i, ink_points(study.raw(study.sequence(letter, d))))
                       for i, letter in enumerate(study.novel) for d in study.other_drawers()]
        self.other_letter = np.array([i for i, _ in self.others])

    def nearest(self, points: np.ndarray) -> tuple[int, np.ndarray]:
        """The letter of the other drawers' drawing nearest ``points``, and the distances to all."""
        d = np.array([modified_hausdorff_points(points, o) for _, o in self.others])
        return int(self.other_letter[d.argmin()]), d


def human_references(humans: HumanDrawings) -> tuple[float, float]:
    """``between_drawer_px`` and ``human_recognised`` (see the module doc)."""
    between = []
    human_hit = []
    for i, pts in enumerate(humans.shown):
        letter, d = humans.nearest(pts)
        between.extend(d[humans.other_letter == i].tolist())
        human_hit.append(letter == i)
    return float(np.median(between)), float(np.mean(human_hit))


def variant_measures(study, humans: HumanDrawings, variants, sds, regenerations) -> dict[str, np.ndarray]:
    """The four measures (S, L, J) of every variant ``variants[s][i][j]`` (seed, letter, variant;
    ``sds``: each variant's noise SD), against the seed's regenerations ``regenerations[s]`` (one
    per novel letter)."""
    S, L, J = len(regenerations), len(study.novel), len(sds)
    novelty = np.zeros((S, L, J))
    own = np.zeros((S, L, J))
    hit_regen = np.zeros((S, L, J))
    hit_human = np.zeros((S, L, J))
    bar = Progress(S * L * J, "variants vs human drawings", unit="variants")
    for s in range(S):
        regen = [ink_points(study.raw(o)) for o in regenerations[s]]
        for i in range(L):
            for j, v in enumerate(variants[s][i]):
                pts = ink_points(study.raw(v))
                d = np.array([modified_hausdorff_points(pts, r) for r in regen])
                own[s, i, j] = d[i]
                hit_regen[s, i, j] = float(d.argmin() == i)
                novelty[s, i, j] = modified_hausdorff_points(pts, humans.shown[i])
                hit_human[s, i, j] = float(humans.nearest(pts)[0] == i)
                bar.update(1)
    bar.close()
    return {"novelty_px": novelty, "mhd_to_regenerated_px": own, "recognised_human": hit_human,
            "nearest_regeneration_accuracy": hit_regen}


def variant_table(measures: dict[str, np.ndarray], sds, sd_levels, seeds, between_drawer_px: float,
                  human_recognised: float) -> pd.DataFrame:
    """A row per noise SD of ``sd_levels`` and one over all: per measure the mean and SD over
    seeds of its per-seed median (distances) or share; ``sds``: each variant's noise SD."""
    S, L = measures["novelty_px"].shape[:2]
    rows = []
    for sd in list(sd_levels) + ["all"]:
        cols = [j for j, x in enumerate(sds) if sd == "all" or x == sd]
        rows.append({"sd": sd,
                     **over_seeds("novelty_px", np.median(measures["novelty_px"][:, :, cols].reshape(S, -1), 1), seeds),
                     **over_seeds("mhd_to_regenerated_px",
                                  np.median(measures["mhd_to_regenerated_px"][:, :, cols].reshape(S, -1), 1), seeds),
                     **over_seeds("recognised_human", measures["recognised_human"][:, :, cols].mean(axis=(1, 2)), seeds),
                     **over_seeds("nearest_regeneration_accuracy",
                                  measures["nearest_regeneration_accuracy"][:, :, cols].mean(axis=(1, 2)), seeds),
                     "between_drawer_px": between_drawer_px, "human_recognised": human_recognised,
                     "chance": 1.0 / L})
    return pd.DataFrame(rows)
