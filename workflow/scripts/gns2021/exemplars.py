"""Snakemake script: new exemplars of held-out characters (Feinman & Lake 2021, Sec. 5.2, Fig. 4a/A12).

Per target image (``gns2021.exemplars.n_targets`` held-out drawings, seeded, one per character):
the top-K parses (:func:`charchallenge.gns2021.parses.top_parses`); the parses of all targets
fitted in one batch (:func:`charchallenge.gns2021.fit.fit_parses`), then ``n`` exemplars: a parse drawn by
softmax(score / T), a token sampled from its type, rendered at blur 0 and thresholded at 0.5.

A check the paper leaves to the eye: an exemplar should be a *new* drawing of the *same*
character - as far from the target as other people's drawings of it are, not farther. Per target,
the median modified Hausdorff distance (ink pixels, px) of the exemplars to the target is reported
beside the median distance of the other drawers' drawings of the character to the target.
"""

import time

import numpy as np
import pandas as pd
import torch
from scipy.spatial.distance import cdist

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.gns2021.fit import FitParams, fit_parses, new_exemplars, parse_weights
from charchallenge.gns2021.parses import parse_images
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_torch, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
ep, pp = g["exemplars"], g["parsing"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
alphabet = dataset.alphabet_of()
_, held_out = holdout_split(alphabet, run["data"]["background"])
rng = np.random.RandomState(run["seed"] + 1)
first_of_char = {}
for i in rng.permutation(held_out).tolist():
    first_of_char.setdefault((alphabet[i], int(dataset.character[i])), i)
targets = sorted(list(first_of_char.values())[: ep["n_targets"]])
type_model = load_type_model(smk.input.type_model, device=run["gns2021"]["device"])
generator = torch.Generator().manual_seed(run["seed"])


def ink(img):
    return np.argwhere(np.asarray(img) > 0.5)


def mhd(a, b):
    d = cdist(a, b)
    return float(max(d.min(1).mean(), d.min(0).mean()))


start = time.time()
target_images = np.stack([dataset.image(i) for i in targets])
parses, owner = parse_images(target_images, type_model, pp, run["seed"], [f"drawing {i}" for i in targets],
                             label="GNS parsing of the targets")
# every parse of every target in one batch
fitted = fit_parses(parses, torch.tensor(target_images[owner], dtype=torch.float32), type_model,
                    params=FitParams(**g["fit"]), progress=True)
owner = np.asarray(owner)
rows, shown = [], []
for t, i in enumerate(targets):
    mine = np.flatnonzero(owner == t).tolist()
    best = mine[int(fitted.score[mine].argmax())]
    image = dataset.image(i)
    exemplars = new_exemplars(fitted, mine, ep["n"], generator, temperature=ep["temperature"])
    target = ink(image)
    others = [j for j in dataset.indices(alphabet[i], int(dataset.character[i])) if j != i]
    rows.append({"drawing": i, "alphabet": alphabet[i], "character": int(dataset.character[i]), "parses": len(mine),
                 "best_score": float(fitted.score[best]),
                 "top_weight": float(parse_weights(fitted.score[mine], ep["temperature"]).max()),
                 "blur": float(fitted.blur[best]), "eps": float(fitted.eps[best]),
                 "exemplar_to_target_px": float(np.median([mhd(ink(e), target) for e in exemplars if e.any()])),
                 "other_drawers_to_target_px": float(np.median([mhd(ink(dataset.image(j)), target) for j in others]))})
    shown.append({"drawing": i, "image": image, "exemplars": exemplars})
seconds = time.time() - start
table = pd.DataFrame(rows)
table["ratio"] = table.exemplar_to_target_px / table.other_drawers_to_target_px
write_csv(smk.output.table, table)
save_torch(smk.output.examples, {"shown": shown})
write_json(smk.output.metrics, {
    "exemplars": {"targets": len(targets), "median_exemplar_to_target_px": float(table.exemplar_to_target_px.median()),
                  "median_other_drawers_to_target_px": float(table.other_drawers_to_target_px.median()),
                  "median_ratio": float(table.ratio.median())},
    "seconds": round(seconds, 1), "seconds_per_target": round(seconds / max(1, len(targets)), 1),
    "targets_per_minute": round(60 * len(targets) / seconds, 2) if seconds else None,
    "params": {"fit": g["fit"], "exemplars": ep},
    "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(table.to_string(index=False))
print(f"{len(targets)} targets in {seconds:.0f} s")
