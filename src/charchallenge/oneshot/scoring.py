"""Error rates of one-shot classification: per run (percent of its test items misclassified),
overall (all trials pooled, as the paper reports) and a 95% t-interval over runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def run_error(predicted: np.ndarray, labels: np.ndarray) -> float:
    """Percent of a run's test items whose predicted training class is not their label."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape:
        raise ValueError(f"{predicted.shape} predictions for {labels.shape} labels")
    return float(100.0 * (predicted != labels).mean())


def summarise(errors: np.ndarray, trials: np.ndarray) -> dict:
    """Overall error (trial-weighted), mean over runs and its 95% t-interval."""
    errors, trials = np.asarray(errors, float), np.asarray(trials, float)
    overall = float((errors * trials).sum() / trials.sum())
    mean = float(errors.mean())
    if len(errors) > 1:
        half = float(stats.t.ppf(0.975, len(errors) - 1) * errors.std(ddof=1) / np.sqrt(len(errors)))
    else:
        half = float("nan")
    return {"error": overall, "mean_over_runs": mean, "ci95_low": mean - half, "ci95_high": mean + half,
            "runs": int(len(errors)), "trials": int(trials.sum())}


def paired_difference(correct: np.ndarray, baseline: np.ndarray, n_boot: int = 4000, seed: int = 0) -> dict:
    """Error of a setting minus that of a baseline on the same trials, in points, with a 95%
    percentile bootstrap interval that resamples trials (both settings' outcomes of a trial
    together: a paired comparison). ``correct``, ``baseline``: booleans per trial, same order."""
    correct, baseline = np.asarray(correct, bool), np.asarray(baseline, bool)
    if correct.shape != baseline.shape or correct.ndim != 1 or len(correct) == 0:
        raise ValueError(f"paired_difference: two equal-length outcome vectors expected, got {correct.shape} "
                         f"and {baseline.shape}")
    diff = baseline.astype(float) - correct.astype(float)  # error(setting) - error(baseline), per trial
    rng = np.random.default_rng(seed)
    boot = diff[rng.integers(0, len(diff), size=(n_boot, len(diff)))].mean(1)
    low, high = np.percentile(boot, [2.5, 97.5])
    return {"difference": float(100 * diff.mean()), "ci95_low": float(100 * low), "ci95_high": float(100 * high)}


def episode_errors(episodes, classify) -> pd.DataFrame:
    """One row per episode (run, n_way, trials, error in percent): ``classify(episode)`` returns the
    predicted training class of each of its test items."""
    rows = []
    for episode in episodes:
        rows.append({"run": episode.name, "n_way": episode.n_way, "trials": len(episode.labels),
                     "error": run_error(classify(episode), episode.labels)})
    return pd.DataFrame(rows)
