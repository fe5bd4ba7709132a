"""The claims of Fabi et al. (2020), each decided from measured numbers by a criterion that can fail
(thresholds in ``params.yaml`` under ``fabi2020.claims``). Every function takes per-seed arrays
and returns one row: ``{"claim", "criterion", "numbers", "outcome"}`` with outcome "holds",
"partly" or "does not hold" (``tests/test_fabi2020_claims.py`` makes each one fail).

1. Section 3.1: after one-shot inference the trained model matches the shown letter better than
   an untrained model does (median MSE and MHD over the novel letters, every seed).
2. Fig. 2: without inference (the novel letter's untouched one-hot code) the output does not
   match: medians at least ``fail_ratio`` times the one-shot medians.
3. Section 3.2: noise on the input code creates *new* drawings that are *still the letter*. For
   some noise SD the median distance of the variants to the model's own noise-free regeneration
   of the letter - what the noise changes - lies inside a band of the between-drawer distance
   (``variant_novelty_band``: far enough to be a new drawing, not farther than another person's
   drawing is), and the variants are recognised among the other drawers' human drawings at least
   ``variant_min_recognition_ratio`` times as often as the shown examples themselves are. (The
   distance to the shown example is reported too, but it cannot decide novelty: it includes the
   one-shot reconstruction error, so a noise-free regeneration - SD 0 - would already pass.)
4. Section 3.3: type inference finds 12 of 13 letters under protocol (a).
5. Fig. 5: blends change smoothly.
6. Section 3.1, ablations - "have not been successful": (a) adapting the constant input mixture
   vector of the trained FF network, (b) a network trained without FF layer, its input vector
   adapted: ablation medians at least ``fail_ratio`` times the one-shot medians.
7. Section 3.5: letters of similar shape share state sub-patterns (v/y cell states, u/x hidden
   states): each named pair's similarity lies at or above the ``hidden_state_min_percentile``-th
   percentile of all other pairs of novel letters, on average over seeds.
"""

from __future__ import annotations

import numpy as np

HOLDS, PARTLY, FAILS = "holds", "partly", "does not hold"
MEASURES = ("mse", "mhd_px")


def mean_sd(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def verdict(all_ok: bool, some_ok: bool) -> str:
    return HOLDS if all_ok else (PARTLY if some_ok else FAILS)


def _ratios(worse: dict, better: dict, worse_name: str, better_name: str):
    """Per measure and seed ratio worse / better of median errors; numbers for the table."""
    numbers, ratios = {}, []
    for m in MEASURES:
        w, b = np.asarray(worse[m], float), np.asarray(better[m], float)
        r = w / np.maximum(b, 1e-12)
        numbers[f"{worse_name}_median_{m}"] = mean_sd(w)
        numbers[f"{better_name}_median_{m}"] = mean_sd(b)
        numbers[f"ratio_{m}"] = mean_sd(r)
        ratios.append(r)
    return numbers, np.array(ratios)  # (measure, seed)


def trained_beats_untrained(untrained: dict, one_shot: dict) -> dict:
    numbers, r = _ratios(untrained, one_shot, "untrained", "one_shot")
    return {"claim": "trained beats untrained after one-shot inference",
            "criterion": "median MSE and MHD over novel letters: untrained > trained, every seed",
            "numbers": numbers, "outcome": verdict((r > 1).all(), (r > 1).any())}


def no_inference_fails(no_inference: dict, one_shot: dict, fail_ratio: float) -> dict:
    numbers, r = _ratios(no_inference, one_shot, "no_inference", "one_shot")
    return {"claim": "the red outputs (no inference) do not match",
            "criterion": f"no-inference medians >= {fail_ratio} x one-shot medians, every seed and measure",
            "numbers": numbers, "outcome": verdict((r >= fail_ratio).all(), (r >= fail_ratio).any())}


def variants_new_and_recognisable(sds, novelty_px, recognised_human, between_drawer_px: float,
                                  human_recognised: float, band, min_recognition_ratio: float,
                                  recognised_regeneration=None, from_example_px=None) -> dict:
    """``novelty_px`` (distance to the noise-free regeneration), ``recognised_human`` and
    ``from_example_px`` (distance to the shown example, reported only): (seeds, SDs) per-seed
    medians and shares."""
    novelty = np.asarray(novelty_px, float).mean(0)
    recog = np.asarray(recognised_human, float).mean(0)
    lo, hi = band[0] * between_drawer_px, band[1] * between_drawer_px
    new = (novelty >= lo) & (novelty <= hi)
    recognised = recog >= min_recognition_ratio * human_recognised
    numbers = {"between_drawer_px": between_drawer_px, "novelty_band_px": f"[{lo:.2f}, {hi:.2f}]",
               "human_recognised": human_recognised}
    example = (np.asarray(from_example_px, float).mean(0) if from_example_px is not None
               else np.full(len(novelty), np.nan))
    for sd, n, e, r in zip(sds, novelty, example, recog):
        numbers[f"sd{sd}"] = f"from regeneration {n:.2f} px (from example {e:.2f} px), recognised {r:.2f}"
    if recognised_regeneration is not None:
        numbers["nearest_regeneration_accuracy"] = mean_sd(np.asarray(recognised_regeneration, float).mean(1))
    return {"claim": "noise variants are new drawings of the same letter",
            "criterion": f"some SD: median distance to the noise-free regeneration in [{band[0]}, {band[1]}] x the "
                         f"between-drawer distance and recognised among other drawers' drawings >= "
                         f"{min_recognition_ratio} x as often as the shown examples",
            "numbers": numbers, "outcome": verdict(bool((new & recognised).any()), bool(new.any() or recognised.any()))}


def type_inference(correct, n_instances: int, accuracy_b=None) -> dict:
    share = np.asarray(correct, float) / n_instances
    numbers = {"protocol_a_correct": mean_sd(correct), "protocol_a_instances": n_instances,
               "protocol_a_accuracy": mean_sd(share)}
    if accuracy_b is not None:
        numbers["protocol_b_accuracy"] = mean_sd(accuracy_b)
    return {"claim": "type inference: 12 of 13 variants correct under protocol (a)",
            "criterion": "mean correct share >= 12/13", "numbers": numbers,
            "outcome": verdict(share.mean() >= 12 / 13, share.mean() > 0.5)}


def blends_smooth(smooth_share, min_spearman: float, max_jump: float, spearman=None, jump=None) -> dict:
    """``smooth_share``: (pairs, seeds) 1 where a blend series is smooth."""
    s = np.asarray(smooth_share, float)
    numbers = {"smooth_share": mean_sd(s.mean(0))}
    if spearman is not None:
        numbers["spearman"] = mean_sd(spearman)
    if jump is not None:
        numbers["max_jump_ratio"] = mean_sd(jump)
    return {"claim": "blends change smoothly",
            "criterion": f"share of blends with Spearman >= {min_spearman} and max jump <= {max_jump} of the "
                         "end-to-end MHD: >= 0.8", "numbers": numbers,
            "outcome": verdict(s.mean() >= 0.8, s.mean() >= 0.5)}


def ablation_fails(ablation: dict, one_shot: dict, fail_ratio: float, what: str, name: str = "ablation") -> dict:
    numbers, r = _ratios(ablation, one_shot, name, "one_shot")
    return {"claim": f"the ablation ({what}) fails",
            "criterion": f"{name} medians >= {fail_ratio} x one-shot medians, every seed and measure",
            "numbers": numbers, "outcome": verdict((r >= fail_ratio).all(), (r > 1).any())}


def shared_state_patterns(percentiles: dict[str, np.ndarray], min_percentile: float) -> dict:
    """``percentiles``: pair name -> per-seed percentile of its similarity among other pairs."""
    means = {k: float(np.mean(v)) for k, v in percentiles.items()}
    ok = [m >= min_percentile for m in means.values()]
    numbers = {f"{k}_percentile": mean_sd(v) for k, v in percentiles.items()}
    return {"claim": "similar letters share LSTM state sub-patterns (" + ", ".join(percentiles) + ")",
            "criterion": f"each pair's state similarity at or above the {min_percentile}th percentile of all other "
                         "novel-letter pairs (mean over seeds)", "numbers": numbers,
            "outcome": verdict(all(ok), any(ok))}
