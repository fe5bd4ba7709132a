"""Snakemake script: the refit iteration count of GNS one-shot classification, sized on validation
episodes (Feinman & Lake 2021, Eq. 4-5) - never on the test episodes.

The episodes are generated like the test set's (20-way, within one alphabet, two drawers) but from
the background alphabets (``small1`` offline), so no test alphabet is looked at. Each episode's
images are parsed and fitted as in ``classify_fit.py``, every parse is refitted to every image of
the other side as in ``classify_refit.py`` (:func:`charchallenge.gns2021.classify.refit_grid`),
and the two-way and forward errors are recorded at each iteration count of
``gns2021.classify.sizing.record_at`` and at the count the params use. The choice: the smallest
recorded count whose mean two-way error is within ``tolerance`` points of the lowest recorded.
Caveat: the type model was trained on the background alphabets, these drawings among them, so the
errors are lower than on novel alphabets; the curve's shape against iterations is what is used."""

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.data.episodes import generate_runs, load_run
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.gns2021.classify import (RefitParams, episode_scores, parse_score_table, predictions, refit_grid,
                                            sized_iterations)
from charchallenge.gns2021.fit import FitParams, fit_parses
from charchallenge.gns2021.parses import parse_images
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.scoring import run_error
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
pp, cp = g["parsing"], g["classify"]
sz = cp["sizing"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
background, _ = holdout_split(dataset.alphabet_of(), run["data"]["background"])
alphabets = sorted(set(dataset.alphabet_of()[background].tolist()))
type_model = load_type_model(smk.input.type_model, device=g["device"])
levels = sorted(set(sz["record_at"]) | {cp["refit"]["iterations"]})
refit = RefitParams(**{**cp["refit"], "iterations": levels[-1]})

rows, start = [], time.time()
with tempfile.TemporaryDirectory() as tmp:
    paths = generate_runs(dataset, alphabets, sz["n_runs"], Path(tmp) / "validation", n_way=run["oneshot"]["n_way"],
                          seed=run["seed"] + sz["seed_offset"])
    for number, path in enumerate(paths):
        episode = load_run(path)
        images = np.concatenate([episode.train_images(), episode.test_images()]) > 0.5
        n_train = episode.n_way
        names = [f"validation {path.name} {i}" for i in range(len(images))]
        parses, owner = parse_images(images, type_model, pp, run["seed"], names, k=cp["k"],
                                     label=f"GNS parsing of validation {path.name}")
        fitted = fit_parses(parses, torch.tensor(images[owner], dtype=torch.float32), type_model,
                            params=FitParams(**{**g["fit"], "iterations": cp["fit_iterations"]}), progress=True)
        train, test = list(range(n_train)), list(range(n_train, len(images)))
        fwd = refit_grid(fitted, owner, images, train, test, cp["k"], refit, levels, progress=True)
        rev = refit_grid(fitted, owner, images, test, train, cp["k"], refit, levels, progress=True)
        s = parse_score_table(fitted, owner, cp["k"])
        for it in levels:
            forward, reverse = (d["scores"] if it == levels[-1] else d["recorded"][it] for d in (fwd, rev))
            sc = episode_scores(s[:n_train], s[n_train:], forward, reverse)
            rows.append({"run": path.name, "alphabet": alphabets[number % len(alphabets)], "n_way": n_train,
                         "trials": len(episode.labels), "refit_iterations": it,
                         "error_two_way": run_error(predictions(sc["two_way"]), episode.labels),
                         "error_forward": run_error(predictions(sc["forward"]), episode.labels)})
        print(f"validation {path.name}: {len(images)} images, {len(parses)} parses, "
              f"{fwd['pairs'] + rev['pairs']} refits, {time.time() - start:.0f} s so far", flush=True)
seconds = time.time() - start

per_run = pd.DataFrame(rows)
curve = (per_run.groupby("refit_iterations")
         .apply(lambda d: pd.Series({"runs": len(d), "trials": d.trials.sum(),
                                     "error_two_way": (d.error_two_way * d.trials).sum() / d.trials.sum(),
                                     "error_forward": (d.error_forward * d.trials).sum() / d.trials.sum()}),
                include_groups=False)
         .reset_index().astype({"runs": int, "trials": int}))
best = float(curve.error_two_way.min())
chosen = sized_iterations(curve.refit_iterations, curve.error_two_way, sz["tolerance"])
used = cp["refit"]["iterations"]
at_used = float(curve.error_two_way[curve.refit_iterations == used].iloc[0])
write_csv(smk.output.per_run, per_run)
write_csv(smk.output.curve, curve)
write_json(smk.output.metrics, {
    "validation_episodes": {"runs": sz["n_runs"], "alphabets": alphabets, "n_way": run["oneshot"]["n_way"],
                            "seed": run["seed"] + sz["seed_offset"], "note": "background alphabets: no test alphabet"},
    "curve": curve.to_dict(orient="records"),
    "lowest_error_two_way": best, "tolerance_points": sz["tolerance"], "chosen_refit_iterations": chosen,
    "params_refit_iterations": used, "error_two_way_at_params": at_used,
    "params_within_tolerance": bool(at_used <= best + sz["tolerance"]),
    "seconds": round(seconds, 1), "params": {"classify": cp, "parsing": pp, "fit": g["fit"]},
    "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(curve.to_string(index=False))
print(f"validation: {chosen} refit iterations are within {sz['tolerance']} points of the lowest two-way error "
      f"({best:.1f}%); the params use {used} ({at_used:.1f}%); {seconds:.0f} s")
