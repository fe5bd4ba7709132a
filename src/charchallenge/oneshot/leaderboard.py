"""One table for every model that can classify, on identical episodes, beside the paper's rows
(Feinman & Lake 2021, Table 2: within-alphabet 20-way error, N = 400 trials). A model joins by
writing ``results/oneshot/<scale>/<model>.csv`` (one row per run: run, trials, error) and
``<model>.json`` (label, seconds, hardware) and being listed in params ``oneshot.models``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .scoring import summarise

# Table 2 of Feinman & Lake (2021), test error (%), official runs, evaluation alphabets.
PAPER_TABLE2 = [("GNS", 5.7), ("BPL", 3.3), ("RCN", 7.3), ("VHE", 18.7), ("Prototypical Net", 13.7),
                ("ARC (4x classes)", 1.5), ("people", 4.5)]
# The Omniglot repository's demo: modified Hausdorff distance on the official runs.
PAPER_MHD = ("Modified Hausdorff (Omniglot demo)", 38.8)
# Liang et al. (2022), Table 1: DooD's accuracy 73.5% (no augmentation, no extra supervision, forward score).
PAPER_DOOD = ("DooD", 100 - 73.5)


def model_rows(result_dir: Path, models: list[str], episode_set: str) -> pd.DataFrame:
    rows = []
    for model in models:
        runs = pd.read_csv(Path(result_dir) / f"{model}.csv")
        info = json.loads((Path(result_dir) / f"{model}.json").read_text())
        s = summarise(runs.error.to_numpy(), runs.trials.to_numpy())
        rows.append({"id": model, "model": info["label"], "source": f"this repository ({info['scale']} scale)",
                     "episodes": episode_set, **s, "seconds": info["seconds"], "hardware": info["device"]})
    return pd.DataFrame(rows)


def paper_rows() -> pd.DataFrame:
    rows = [{"model": m, "source": "Feinman & Lake 2021, Table 2", "episodes": "official", "error": e, "trials": 400}
            for m, e in PAPER_TABLE2]
    rows.append({"model": PAPER_MHD[0], "source": "Omniglot repository demo", "episodes": "official",
                 "error": PAPER_MHD[1], "trials": 400})
    rows.append({"model": PAPER_DOOD[0], "source": "Liang et al. 2022, Table 1 (73.5% accuracy)",
                 "episodes": "official", "error": PAPER_DOOD[1], "trials": 400})
    return pd.DataFrame(rows)


# Table 2's columns, the paper's rows and ours alike
TABLE2_COLUMNS = ["model", "source", "episodes", "error", "mean_over_runs", "ci95_low", "ci95_high", "runs", "trials",
                  "seconds", "hardware", "id"]


def leaderboard(result_dir: Path, models: list[str], episode_set: str) -> dict:
    """Every model's rows (``ours``, best first), Table 2 (the paper's rows, then ours) and every
    model's errors per run (``per_run``)."""
    ours = model_rows(result_dir, models, episode_set).sort_values("error").reset_index(drop=True)
    per_run = pd.concat([pd.read_csv(Path(result_dir) / f"{m}.csv").assign(model=m) for m in models],
                        ignore_index=True)
    table2 = pd.concat([paper_rows(), ours], ignore_index=True)[TABLE2_COLUMNS]
    return {"ours": ours, "per_run": per_run, "table2": table2}
