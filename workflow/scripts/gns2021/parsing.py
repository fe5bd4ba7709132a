"""Snakemake script: GNS parsing of held-out drawings (Feinman & Lake 2021, Appendix B steps 1-2,
Fig. 3b/A11), scored against the human parse - a measure the paper leaves to the eye.

Drawings: ``gns2021.parsing.n_images`` drawings (seeded) of the alphabets the type model never saw
(offline: the small2-only alphabets; the type model is the feinman2020 holdout Full NS, trained on
small1). Per drawing, four parses are compared with the human strokes
(:func:`charchallenge.gns2021.parse_score.compare_parses`):

* ``gns_top1``: the best parse of the type model (stroke order and direction chosen by it);
* ``gns_best_of_top5``: the one of the top K closest to the human parse (an upper bound: how good
  the candidate set is);
* ``one_stroke_per_branch``: every skeleton edge a stroke (no walk, no type model);
* ``walk_without_type_model``: the first deterministic walk's strokes (the parser without scoring).
"""

import time

import numpy as np
import pandas as pd
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.gns2021.parse_score import compare_parses
from charchallenge.gns2021.parses import top_parses
from charchallenge.gns2021.runtime import reproducible
from charchallenge.gns2021.skeleton import SkeletonGraph, skeleton_graph
from charchallenge.gns2021.type_model import load_type_model
from charchallenge.gns2021.walks import WalkParams, walk, walk_strokes
from charchallenge.io import save_torch, write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.preprocess.splines import spline_to_trajectory
from charchallenge.progress import Progress
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
pp = run["gns2021"]["parsing"]
torch.set_num_threads(smk.threads)
reproducible(run["seed"])
dataset = OmniglotDataset.load(smk.input.dataset)
_, held_out = holdout_split(dataset.alphabet_of(), run["data"]["background"])
rng = np.random.RandomState(run["seed"])
chosen = np.sort(rng.choice(held_out, min(pp["n_images"], len(held_out)), replace=False))
type_model = load_type_model(smk.input.type_model, device=run["gns2021"]["device"])
walk_params = WalkParams(**pp["walks"])

rows, shown = [], []
start = time.time()
bar = Progress(len(chosen), "GNS parsing", unit="images")
for i in chosen.tolist():
    image = dataset.image(i)
    human = [s[:, :2] for s in dataset.strokes(i)]
    graph = skeleton_graph(image)
    parses = top_parses(image, type_model, k=pp["k"], walk_params=walk_params,
                        max_configurations=pp["max_configurations"], max_parse_strokes=pp["max_parse_strokes"],
                        seed=run["seed"])
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
seconds = time.time() - start

per_image = pd.DataFrame(rows)
write_csv(smk.output.per_image, per_image)
summary = (per_image.groupby("method", sort=False)
           .agg(images=("drawing", "size"), count_match=("count_match", "mean"),
                stroke_distance_px=("stroke_distance", "mean"), stroke_distance_median_px=("stroke_distance", "median"),
                strokes_mean=("n_model", "mean"), human_strokes_mean=("n_human", "mean"))
           .reset_index())
write_csv(smk.output.summary, summary)
save_torch(smk.output.examples, {"shown": shown})
write_json(smk.output.metrics, {
    "parsing": {r["method"]: {k: r[k] for k in summary.columns if k != "method"} for _, r in summary.iterrows()},
    "images": int(len(chosen)), "alphabets": sorted(set(dataset.alphabet_of()[chosen].tolist())),
    "seconds": round(seconds, 1), "seconds_per_image": round(seconds / max(1, len(chosen)), 2),
    "params": pp, "provenance": provenance(run["scale"], run["seed"], str(type_model.device)),
})
print(summary.to_string(index=False))
print(f"{len(chosen)} images in {seconds:.0f} s ({seconds / max(1, len(chosen)):.2f} s per image)")
