"""Snakemake script: one validation episode of the GNS refit sizing (``gns2021.classify.sizing``).
Its images are parsed and fitted as the test episodes' (:func:`charchallenge.gns2021.episode_fit.
parse_and_fit`); then, for every refit rate of blur and eps in ``sizing.lr_render``, every parse is
refitted to every image of the other side in both directions (:func:`charchallenge.gns2021.classify.
refit_grid`), and each test item's outcome (correct or not, two-way and forward only) is recorded
at every iteration count of ``sizing.record_at``, for K = 1 .. k parses. Two rows of the error
budget come with it: the same refits scored with parse weights that leave out the type prior
(``no_type_prior``), and the drawers' own strokes as every image's one parse (``oracle_parses``,
refitted at ``sizing.oracle_lr_render``). The params' own refit rate
and count are not read (choosing them must not rerun the sizing): they must be among those sized."""

from pathlib import Path

import numpy as np
import torch

from charchallenge.data.episodes import load_run
from charchallenge.gns2021.classify import RefitParams, keep_top, parse_score_table, refit_grid, trial_outcomes
from charchallenge.gns2021.episode_fit import fit_given_parses, oracle_parses, parse_and_fit
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.io import save_torch
from charchallenge.joblog import log_to_file
from charchallenge.provenance import device_description

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
g = run["gns2021"]
cp = g["classify"]
sz = cp["sizing"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
episode = load_run(Path(smk.input.episodes) / smk.wildcards.episode)
images = np.concatenate([episode.train_images(), episode.test_images()]) > 0.5
type_model = load_type_model(smk.input.type_model, device=g["device"])
fitted, owner, parse_seconds, fit_seconds = parse_and_fit(
    images, type_model, g, run["seed"], [f"validation {episode.name} {i}" for i in range(len(images))],
    label=f"GNS parsing of validation {episode.name}")
n_train = episode.n_way
train, test = list(range(n_train)), list(range(n_train, len(images)))
levels = sorted(set(sz["record_at"]))
cells, refit_seconds = [], {}


def sized(variant, fitted, owner, k_max, parse_scores, lr_render):
    """Refits of both directions at one rate; each test item's outcome at every level and K."""
    refit = RefitParams(**{**cp["refit"], "iterations": levels[-1], "lr_render": lr_render})
    fwd = refit_grid(fitted, owner, images, train, test, k_max, refit, levels, progress=True)
    rev = refit_grid(fitted, owner, images, test, train, k_max, refit, levels, progress=True)
    refit_seconds[(variant, lr_render)] = fwd["seconds"] + rev["seconds"]
    for it in levels:
        forward, reverse = (d["scores"] if it == levels[-1] else d["recorded"][it] for d in (fwd, rev))
        for name, table in parse_scores.items():
            for k in range(1, k_max + 1) if name == variant else [k_max]:
                outcome = trial_outcomes(keep_top(table, k), n_train, forward, reverse, episode.labels)
                cells.append({"variant": name, "lr_render": lr_render, "refit_iterations": it, "k": k,
                              "correct_two_way": outcome["two_way"].tolist(),
                              "correct_forward": outcome["forward"].tolist()})
    print(f"validation {episode.name}, {variant}, refit lr_render {lr_render}: {fwd['pairs'] + rev['pairs']} refits "
          f"of {levels[-1]} iterations in {refit_seconds[(variant, lr_render)]:.0f} s", flush=True)


# GNS as the test episodes run it, and the same refits with parse weights that leave out the type prior
scores = {"gns": parse_score_table(fitted, owner, cp["k"]),
          "no_type_prior": parse_score_table(fitted, owner, cp["k"], fitted.image_ll + fitted.token_lp)}
for lr_render in sz["lr_render"]:
    sized("gns", fitted, owner, cp["k"], scores, lr_render)
# the drawers' own strokes as the one parse of every image: what a perfect parser would give
if sz["oracle_lr_render"] is not None:
    drawings = episode.train_strokes() + episode.test_strokes()
    oracle = fit_given_parses(oracle_parses(drawings, run["preprocess"]["splines"]), images, type_model, g)
    oracle_owner = np.arange(len(images))
    sized("oracle_parses", oracle, oracle_owner, 1, {"oracle_parses": parse_score_table(oracle, oracle_owner, 1)},
          sz["oracle_lr_render"])
save_torch(smk.output[0], {"run": episode.name, "n_way": n_train,
                           "trials": len(episode.labels), "cells": cells, "levels": levels,
                           "parse_seconds": parse_seconds, "fit_seconds": fit_seconds - parse_seconds,
                           "refit_seconds": refit_seconds, "device": device_description(str(type_model.device))})
