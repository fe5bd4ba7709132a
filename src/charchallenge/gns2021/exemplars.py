"""New exemplars of held-out characters (Feinman & Lake 2021, Sec. 5.2, Fig. 4a/A12).

Per target image (``gns2021.exemplars.n_targets`` held-out drawings, seeded, one per character,
:func:`held_out_targets`): the top-K parses (:func:`.parses.parse_images`); the parses of all
targets fitted in one batch (:func:`.fit.fit_parses`), then ``n`` exemplars: a parse drawn by
softmax(score / T), a token sampled from its type, rendered at blur 0 and thresholded at 0.5
(:func:`.fit.new_exemplars`).

A check the paper leaves to the eye: an exemplar should be a *new* drawing of the *same*
character - as far from the target as other people's drawings of it are, not farther. Per target,
the median modified Hausdorff distance (ink pixels, px) of the exemplars to the target is reported
beside the median distance of the other drawers' drawings of the character to the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy.spatial.distance import cdist

from charchallenge.feinman2020.splits import holdout_split

from .fit import FitParams, fit_parses, new_exemplars, parse_weights
from .parses import parse_images


def held_out_targets(dataset, background: str, n_targets: int, seed: int) -> list[int]:
    """The first drawing of each held-out character in a seeded order, ``n_targets`` of them, sorted."""
    alphabet = dataset.alphabet_of()
    _, held_out = holdout_split(alphabet, background)
    rng = np.random.RandomState(seed + 1)
    first_of_char = {}
    for i in rng.permutation(held_out).tolist():
        first_of_char.setdefault((alphabet[i], int(dataset.character[i])), i)
    return sorted(list(first_of_char.values())[:n_targets])


def _ink(img):
    return np.argwhere(np.asarray(img) > 0.5)


def _mhd(a, b):
    d = cdist(a, b)
    return float(max(d.min(1).mean(), d.min(0).mean()))


def exemplars_of(dataset, targets: list[int], type_model, gns: dict, seed: int,
                 generator: torch.Generator) -> tuple[pd.DataFrame, list[dict]]:
    """One row per target (its parses, best fit, the exemplars' and the other drawers' distances to
    it) and, per target, its image and exemplars for the figure (``gns``: params ``gns2021``)."""
    ep, pp = gns["exemplars"], gns["parsing"]
    alphabet = dataset.alphabet_of()
    target_images = np.stack([dataset.image(i) for i in targets])
    parses, owner = parse_images(target_images, type_model, pp, seed, [f"drawing {i}" for i in targets],
                                 label="GNS parsing of the targets")
    # every parse of every target in one batch
    fitted = fit_parses(parses, torch.tensor(target_images[owner], dtype=torch.float32), type_model,
                        params=FitParams(**gns["fit"]), progress=True)
    owner = np.asarray(owner)
    rows, shown = [], []
    for t, i in enumerate(targets):
        mine = np.flatnonzero(owner == t).tolist()
        best = mine[int(fitted.score[mine].argmax())]
        image = dataset.image(i)
        exemplars = new_exemplars(fitted, mine, ep["n"], generator, temperature=ep["temperature"])
        target = _ink(image)
        others = [j for j in dataset.indices(alphabet[i], int(dataset.character[i])) if j != i]
        rows.append({"drawing": i, "alphabet": alphabet[i], "character": int(dataset.character[i]),
                     "parses": len(mine), "best_score": float(fitted.score[best]),
                     "top_weight": float(parse_weights(fitted.score[mine], ep["temperature"]).max()),
                     "blur": float(fitted.blur[best]), "eps": float(fitted.eps[best]),
                     "exemplar_to_target_px": float(np.median([_mhd(_ink(e), target) for e in exemplars if e.any()])),
                     "other_drawers_to_target_px":
                         float(np.median([_mhd(_ink(dataset.image(j)), target) for j in others]))})
        shown.append({"drawing": i, "image": image, "exemplars": exemplars})
    table = pd.DataFrame(rows)
    table["ratio"] = table.exemplar_to_target_px / table.other_drawers_to_target_px
    return table, shown
