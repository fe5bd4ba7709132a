"""DooD's Fig. 4 transfer table (Liang et al. 2022, Sec. 3.1): every model variant trained on a
source dataset, scored by IWAE log-likelihood on every target dataset's test images.

:func:`score_targets` scores one trained model on every target (IWAE, Burda et al. 2016, and
reconstructions of the first test images: one row of Fig. 4's cells);
:func:`run_curves` gathers the learning curves of every run (variant, dataset, seed) and
:func:`runs_still_improving` flags the runs still improving on their validation curve
(``training.still_improving``); :func:`transfer_table` averages the per-run scores over seeds into
source x target cells, with beside every cell the floor of :func:`empty_canvas_floor` (an empty
canvas with the Laplace scale fitted to the target's test images: a model must beat it to have
explained any ink); :func:`transfer_comparisons` lists the paper's comparisons (DooD above AIR and
above its ablation without execution guidance, every model above the floor) with the verdicts of
:mod:`.verdicts`, and :func:`transfer_metrics` the summary written beside the table.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from charchallenge.training import still_improving

from .train import iwae
from .verdicts import compare_cells, compare_with_floor

# The paper's comparisons (Sec. 3.1): DooD against AIR and against DooD without execution guidance.
PAIRS = [("dood", "air"), ("dood", "dood_no_eg")]


def score_targets(model, saved: dict, targets, samples: int, n_reconstructions: int) -> tuple[pd.DataFrame, dict]:
    """One trained model (``saved``: its record) on every (target name, test images) of
    ``targets``: the IWAE estimate of log p(x) with ``samples`` draws of the recognition model
    (mean and its standard error over the images, seconds taken) and the reconstructions of the
    first ``n_reconstructions`` images (``<target>_images``, ``_reconstructions``, ``_strokes``).
    The global torch generator is seeded with the model's seed before each target."""
    rows, recon = [], {}
    for target, images in targets:
        torch.manual_seed(saved["seed"])
        start = time.time()
        ll = iwae(model, images, samples).numpy()
        with torch.no_grad():
            trace = model.infer(images[:n_reconstructions])
        recon[f"{target}_images"] = images[:n_reconstructions].numpy()
        recon[f"{target}_reconstructions"] = trace.canvas.numpy()
        recon[f"{target}_strokes"] = trace.n_strokes.numpy()
        rows.append({"variant": saved["variant"], "source": saved["dataset"], "seed": saved["seed"], "target": target,
                     "images": len(images), "iwae_samples": samples, "log_likelihood": float(ll.mean()),
                     "log_likelihood_se": float(ll.std(ddof=1) / np.sqrt(len(ll))) if len(ll) > 1 else float("nan"),
                     "seconds": round(time.time() - start, 2)})
        print(f"{saved['variant']} trained on {saved['dataset']} (seed {saved['seed']}) -> {target}: "
              f"IWAE log p(x) {ll.mean():.1f} nats over {len(images)} images")
    return pd.DataFrame(rows), recon


def run_name(path: str, suffix: str) -> str:
    """The file name of ``path`` without its folder and ``suffix`` (``<variant>_<dataset>_seed<s>``)."""
    return path.rsplit("/", 1)[-1][: -len(suffix)]


def run_curves(paths, variants) -> pd.DataFrame:
    """Every run's learning curve (``<variant>_<dataset>_seed<seed>.csv``) in one frame, with
    columns ``variant``, ``dataset`` and ``seed`` in front (the longest variant name that prefixes
    the file name wins, so ``dood_no_eg`` is not read as ``dood``)."""
    curves = []
    for path in paths:
        stem = run_name(path, ".csv")
        c = pd.read_csv(path)
        variant, rest = next((v, stem[len(v) + 1 :]) for v in sorted(variants, key=len, reverse=True)
                             if stem.startswith(v + "_"))
        dataset, seed = rest.rsplit("_seed", 1)
        c.insert(0, "seed", int(seed))
        c.insert(0, "dataset", dataset)
        c.insert(0, "variant", variant)
        curves.append(c)
    return pd.concat(curves, ignore_index=True)


def runs_still_improving(curves: pd.DataFrame, convergence: dict) -> dict:
    """(variant, dataset, seed) -> (still improving, relative improvement) over the last
    ``convergence['last_fraction']`` of the run's validation curve."""
    improving = {}
    for (variant, dataset, seed), c in curves.groupby(["variant", "dataset", "seed"]):
        flag, rel = still_improving(c.val_loss.to_numpy(), convergence["last_fraction"],
                                    convergence["max_improvement"])
        improving[(variant, dataset, int(seed))] = (bool(flag), float(rel))
    return improving


def empty_canvas_floor(images: np.ndarray) -> float:
    """The log-likelihood (nats per image) of an empty canvas under a Laplace pixel likelihood
    whose scale is the best for ``images`` (their mean absolute ink)."""
    return float(-images[0].size * (1 + np.log(2 * np.abs(images).mean())))


def transfer_table(scores: pd.DataFrame, improving: dict, seeds, floors: dict, datasets) -> pd.DataFrame:
    """Per (variant, source, target): the IWAE log-likelihood's mean and SD over seeds, the mean
    standard error over images, how many of the cell's runs were still improving, and the
    target's empty-canvas floor (``floors``: target -> nats)."""
    table = (scores.groupby(["variant", "source", "target"])
             .agg(log_likelihood=("log_likelihood", "mean"), sd_over_seeds=("log_likelihood", "std"),
                  seeds=("seed", "count"), se_images=("log_likelihood_se", "mean"), images=("images", "first"))
             .reset_index())
    table["runs_still_improving"] = [
        sum(improving[(r.variant, r.source, s)][0] for s in seeds) for r in table.itertuples()]
    table["floor_empty_canvas"] = table.target.map(floors)
    table.insert(0, "datasets", " ".join(datasets))
    return table


def cell(table: pd.DataFrame, variant: str, source: str, target: str):
    """The table's row for (variant, source, target), or None."""
    row = table[(table.variant == variant) & (table.source == source) & (table.target == target)]
    return row.iloc[0] if len(row) else None


def transfer_comparisons(table: pd.DataFrame, variants, datasets) -> list[dict]:
    """The paper's pairwise comparisons in every cell both models have, then every model against
    the empty canvas, each with its verdict (:mod:`.verdicts`)."""

    def compare(a, b, source, target):
        x, y = cell(table, a, source, target), cell(table, b, source, target)
        if x is None or y is None:
            return None
        return {**compare_cells(a, b, x, y), "source": source, "target": target}

    def beats_floor(a, source, target):
        x = cell(table, a, source, target)
        return None if x is None else {**compare_with_floor(a, x), "source": source, "target": target}

    pairs = [(a, b) for a, b in PAIRS if a in variants and b in variants]
    comparisons = [c for a, b in pairs for s in datasets for t in datasets if (c := compare(a, b, s, t))]
    comparisons += [c for a in variants for s in datasets for t in datasets if (c := beats_floor(a, s, t))]
    return comparisons


def transfer_metrics(table: pd.DataFrame, comparisons: list[dict], improving: dict, variants, datasets,
                     iwae_samples: int, seeds) -> dict:
    """The summary of the table: cells (rounded), comparisons, runs still improving."""
    return {
        "datasets": datasets, "iwae_samples": iwae_samples, "seeds": seeds,
        "cells": {v: {f"{r.source}->{r.target}": round(float(r.log_likelihood), 2)
                      for r in table[table.variant == v].itertuples()} for v in variants},
        "comparisons": comparisons,
        "runs_still_improving": [f"{v}_{ds}_seed{s}" for (v, ds, s), (flag, _) in improving.items() if flag],
    }
