"""Error rates of one-shot classification: per run (percent of its test items misclassified),
overall (all trials pooled, as the paper reports) and a 95% t-interval over runs."""

from __future__ import annotations

import numpy as np
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
