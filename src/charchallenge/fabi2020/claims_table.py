"""The summary table of Fabi et al. (2020)'s claims with our outcome, read off the tables the other
jobs wrote: the one-shot table (section 3.1, Fig. 2), the ablation table (section 3.1), the
variants table (section 3.2), the type-inference table (section 3.3), the blending table (Fig. 5)
and the hidden-states table (section 3.5). The verdicts are :mod:`.claims`' (criteria and
thresholds there and in ``params.yaml``, ``fabi2020.claims``); :func:`claims_rows` formats them
as the table's rows and the metrics' entries, :func:`job_seconds` gathers the compute time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import claims as cl


def per_seed(row, name: str, seeds) -> np.ndarray:
    """The per-seed values ``<name>_seed<s>`` of a table row."""
    return np.array([row[f"{name}_seed{s}"] for s in seeds], dtype=float)


def medians(table: pd.DataFrame, condition: str, seeds) -> dict:
    """Per measure, the per-seed medians over the novel letters of ``condition``."""
    row = table[(table.letter == "median") & (table.condition == condition)].iloc[0]
    return {m: per_seed(row, m, seeds) for m in cl.MEASURES}


def all_claims(one: pd.DataFrame, abl: pd.DataFrame, var: pd.DataFrame, ti: pd.DataFrame, blend: pd.DataFrame,
               states: pd.DataFrame, seeds, cp: dict) -> list[dict]:
    """Every claim's row of :mod:`.claims`, in the paper's order (``cp``: params ``fabi2020.claims``)."""
    by_sd = var[var.sd.astype(str) != "all"]
    first = var.iloc[0]
    row_a, row_b = ti[ti.protocol == "a"].iloc[0], ti[ti.protocol == "b"].iloc[0]

    def over_sds(name):
        return np.array([per_seed(r, name, seeds) for _, r in by_sd.iterrows()]).T

    return [
        cl.trained_beats_untrained(medians(one, "untrained", seeds), medians(one, "one_shot", seeds)),
        cl.no_inference_fails(medians(one, "no_inference", seeds), medians(one, "one_shot", seeds), cp["fail_ratio"]),
        cl.variants_new_and_recognisable(
            by_sd.sd.tolist(), over_sds("mhd_to_regenerated_px"), over_sds("recognised_human"),
            float(first["between_drawer_px"]), float(first["human_recognised"]), cp["variant_novelty_band"],
            cp["variant_min_recognition_ratio"], recognised_regeneration=over_sds("nearest_regeneration_accuracy"),
            from_example_px=over_sds("novelty_px")),
        cl.type_inference(per_seed(row_a, "correct", seeds), int(row_a["instances_per_seed"]),
                          per_seed(row_b, "accuracy", seeds)),
        cl.blends_smooth(np.array([per_seed(r, "smooth_share", seeds) for _, r in blend.iterrows()]),
                         cp["blend_min_spearman"], cp["blend_max_jump"], blend["spearman_mean"],
                         blend["max_jump_ratio_mean"]),
        cl.ablation_fails(medians(abl, "ablation", seeds), medians(abl, "one_shot", seeds), cp["fail_ratio"],
                          "input mixture vector of the trained FF network adapted"),
        cl.ablation_fails(medians(abl, "without_ff", seeds), medians(abl, "one_shot", seeds), cp["fail_ratio"],
                          "network trained without FF layer, its input vector adapted", name="without_ff"),
        cl.shared_state_patterns({f"{r['pair']} ({r['states']} states)": per_seed(r, "percentile", seeds)
                                  for _, r in states.iterrows()}, cp["hidden_state_min_percentile"]),
    ]


def claims_rows(claims: list[dict]) -> tuple[list[dict], dict]:
    """The table's rows (numbers as text, mean +- SD over seeds) and the metrics' entries."""
    rows, entries = [], {}
    for i, c in enumerate(claims, 1):
        claim, criterion, numbers, outcome = c["claim"], c["criterion"], c["numbers"], c["outcome"]
        text = "; ".join(f"{k} {v[0]:.4g} +- {v[1]:.2g}" if isinstance(v, tuple) else
                         f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in numbers.items())
        rows.append({"claim": claim, "criterion": criterion, "measured (mean +- SD over seeds)": text,
                     "outcome": outcome})
        entries[f"{i}_{claim.split(':')[0].replace(' ', '_')[:40]}"] = {
            "outcome": outcome,
            **{k: ({"mean": v[0], "sd": v[1]} if isinstance(v, tuple) else v) for k, v in numbers.items()},
        }
    return rows, entries


def job_seconds(model_payloads, job_payloads: dict) -> tuple[dict, str]:
    """Training seconds per model (``train_seed<s>``, ``_without_ff`` for the ablation network) and
    seconds per other job (``job_payloads``: name -> its saved payload); the device of the last
    model."""
    seconds, device = {}, None
    for payload in model_payloads:
        suffix = "_without_ff" if payload["config"]["ff_units"] is None else ""
        seconds[f"train_seed{payload['seed']}{suffix}"] = round(payload["seconds"], 1)
        device = payload["device"]
    for key, payload in job_payloads.items():
        seconds[key] = round(payload["seconds"], 1)
    return seconds, device
