"""GNS parsing of held-out drawings (Feinman & Lake 2021, Appendix B steps 1-2, Fig. 3b/A11) scored
against the human parse - a measure the paper leaves to the eye.

Drawings: ``gns2021.parsing.n_images`` drawings (seeded) of the alphabets the type model never saw
(:func:`held_out_sample`). Per drawing, four parses are compared with the human strokes
(:func:`.parse_score.compare_parses`, :func:`score_parses`):

* ``gns_top1``: the best parse of the type model (stroke order and direction chosen by it);
* ``gns_best_of_top5``: the one of the top K closest to the human parse (an upper bound: how good
  the candidate set is);
* ``one_stroke_per_branch``: every skeleton edge a stroke (no walk, no type model);
* ``walk_without_type_model``: the first deterministic walk's strokes (the parser without scoring);
* ``walk_as_splines``: the same walk, each stroke fitted with the minimal spline the parser fits
  to every candidate (:func:`.parses.stroke_splines`), in the walk's order and direction. This is the
  like-for-like baseline of ``gns_top1``: both are the parser's splines, and they differ only in
  that the type model chose the walk, order and direction of ``gns_top1``. The raw walk is no fair
  baseline: a spline smooths the skeleton's pixel path, which moves a stroke a little away from
  the drawer's pen trace whichever walk it came from.

:func:`parsing_summary` averages them per method. :func:`type_model_verdict` asks whether the type
model earns its place: the top-1 parse against the first walk as splines, paired over drawings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charchallenge.feinman2020.splits import holdout_split
from charchallenge.preprocess.splines import spline_to_trajectory
from charchallenge.progress import Progress

from .parse_score import compare_parses
from .parses import stroke_splines, top_parses
from .skeleton import SkeletonGraph, skeleton_graph
from .walks import WalkParams, walk, walk_strokes


def held_out_sample(dataset, background: str, n_images: int, seed: int) -> np.ndarray:
    """``n_images`` drawings (sorted indices) of the alphabets held out of the type model's training."""
    _, held_out = holdout_split(dataset.alphabet_of(), background)
    rng = np.random.RandomState(seed)
    return np.sort(rng.choice(held_out, min(n_images, len(held_out)), replace=False))


def score_parses(dataset, chosen: np.ndarray, type_model, pp: dict, seed: int) -> tuple[pd.DataFrame, list[dict]]:
    """One row per drawing and method (``pp``: params ``gns2021.parsing``), and the first
    ``pp["figure"]`` drawings' human and GNS top parses for Fig. 3b."""
    walk_params = WalkParams(**pp["walks"])
    rows, shown = [], []
    bar = Progress(len(chosen), "GNS parsing", unit="images")
    for i in chosen.tolist():
        image = dataset.image(i)
        human = [s[:, :2] for s in dataset.strokes(i)]
        graph = skeleton_graph(image)
        parses = top_parses(image, type_model, k=pp["k"], walk_params=walk_params,
                            max_configurations=pp["max_configurations"], max_parse_strokes=pp["max_parse_strokes"],
                            seed=seed)
        gns = [[spline_to_trajectory(cp) for cp in p.strokes] for p in parses]
        branches = [SkeletonGraph.to_motor(p) for _, _, p in graph.edges] + \
            [SkeletonGraph.to_motor(graph.nodes[n][None]) for n in graph.dots()]
        walked = walk_strokes(graph, walk(graph, None, angle_px=walk_params.angle_px))
        walked_splines = [spline_to_trajectory(cp) for cp in stroke_splines(walked)]
        scored = [compare_parses(g, human) for g in gns]
        best = min(range(len(scored)), key=lambda j: scored[j]["stroke_distance"])
        for method, result in (("gns_top1", scored[0]), ("gns_best_of_top5", scored[best]),
                               ("one_stroke_per_branch", compare_parses(branches, human)),
                               ("walk_without_type_model", compare_parses(walked, human)),
                               ("walk_as_splines", compare_parses(walked_splines, human))):
            rows.append({"drawing": i, "alphabet": dataset.alphabet_of()[i], "method": method, **result})
        if len(shown) < pp["figure"]:
            shown.append({"drawing": i, "image": image, "human": human, "gns": parses[0].strokes,
                          "type_log_prob": parses[0].type_log_prob})
        bar.update(1)
    bar.close()
    return pd.DataFrame(rows), shown


def parsing_summary(per_image: pd.DataFrame) -> pd.DataFrame:
    """Per method: images, share with the human stroke count, mean and median stroke distance (px)
    and mean stroke counts."""
    return (per_image.groupby("method", sort=False)
            .agg(images=("drawing", "size"), count_match=("count_match", "mean"),
                 stroke_distance_px=("stroke_distance", "mean"),
                 stroke_distance_median_px=("stroke_distance", "median"),
                 strokes_mean=("n_model", "mean"), human_strokes_mean=("n_human", "mean"))
            .reset_index())


def type_model_verdict(per_image: pd.DataFrame, criteria: dict, seed: int = 0) -> dict:
    """Does the type model's ranking earn its place? ``gns_top1`` against ``criteria["baseline"]``
    (the first walk as splines), paired over drawings: the mean difference in stroke distance (px,
    negative: top-1 closer to the drawer) and in stroke-count match (share, positive: top-1 matches
    more often), each with a percentile bootstrap interval (``criteria["resamples"]`` resamples of
    the drawings, both measures on the same resamples, level ``criteria["level"]``).

    Verdict (params ``gns2021.parse_evaluation``, fixed before the run): ``holds`` when one measure's
    interval excludes 0 in top-1's favour and the other's does not exclude 0 against it; else
    ``fails``."""
    baseline = criteria["baseline"]
    wide = per_image.pivot(index="drawing", columns="method", values=["stroke_distance", "count_match"])
    missing = [m for m in ("gns_top1", baseline) if m not in wide["stroke_distance"]]
    if missing:
        raise ValueError(f"type_model_verdict: no rows of method {missing} in the per-image table")
    distance = (wide["stroke_distance"]["gns_top1"] - wide["stroke_distance"][baseline]).to_numpy(float)
    count = (wide["count_match"]["gns_top1"].astype(float) - wide["count_match"][baseline].astype(float)).to_numpy()
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(distance), size=(criteria["resamples"], len(distance)))
    tail = 100 * (1 - criteria["level"]) / 2
    out = {"baseline": baseline, "drawings": int(len(distance)), "level": criteria["level"]}
    for name, diff, sign in (("stroke_distance_px", distance, -1.0), ("count_match", count, 1.0)):
        low, high = np.percentile(diff[draws].mean(1), [tail, 100 - tail])
        gain_low, gain_high = sorted((sign * low, sign * high))  # top-1's gain: positive = top-1 better
        out[name] = {"difference": float(diff.mean()), "low": float(low), "high": float(high),
                     "top1_better": int((sign * diff > 0).sum()), "top1_worse": int((sign * diff < 0).sum()),
                     "better": bool(gain_low > 0), "worse": bool(gain_high < 0)}
    d, c = out["stroke_distance_px"], out["count_match"]
    holds = (d["better"] and not c["worse"]) or (c["better"] and not d["worse"])
    out["verdict"] = "holds" if holds else "fails"
    return out
