"""GNS parsing of held-out drawings (Feinman & Lake 2021, Appendix B steps 1-2, Fig. 3b/A11) scored
against the human parse - a measure the paper leaves to the eye.

Drawings: ``gns2021.parsing.n_images`` drawings (seeded) of the alphabets the type model never saw
(:func:`held_out_sample`). Per drawing, four parses are compared with the human strokes
(:func:`.parse_score.compare_parses`, :func:`score_parses`):

* ``gns_top1``: the best parse of the type model (stroke order and direction chosen by it);
* ``gns_best_of_top5``: the one of the top K closest to the human parse (an upper bound: how good
  the candidate set is);
* ``one_stroke_per_branch``: every skeleton edge a stroke (no walk, no type model);
* ``walk_without_type_model``: the first deterministic walk's strokes (the parser without scoring).

:func:`parsing_summary` averages them per method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from charchallenge.feinman2020.splits import holdout_split
from charchallenge.preprocess.splines import spline_to_trajectory
from charchallenge.progress import Progress

from .parse_score import compare_parses
from .parses import top_parses
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
        scored = [compare_parses(g, human) for g in gns]
        best = min(range(len(scored)), key=lambda j: scored[j]["stroke_distance"])
        for method, result in (("gns_top1", scored[0]), ("gns_best_of_top5", scored[best]),
                               ("one_stroke_per_branch", compare_parses(branches, human)),
                               ("walk_without_type_model", compare_parses(walked, human))):
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
