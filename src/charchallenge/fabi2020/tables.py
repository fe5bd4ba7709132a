"""The tables of Fabi et al. (2020) built from the jobs' saved results, every value the mean and SD
over seeds with the per-seed values kept in columns ``<measure>_seed<k>``
(:func:`.pipeline.over_seeds`):

* :func:`error_table`: sequence MSE and modified Hausdorff distance per novel letter and condition
  (section 3.1 and Fig. 2: one_shot, no_inference, untrained; the ablations of section 3.1:
  ablation, without_ff); the ``median`` rows take the median over letters per seed first;
* :func:`type_inference_tables`: type-inference accuracy per protocol and protocol (b)'s confusion
  matrix (section 3.3);
* :func:`blend_table`: the smoothness of every blend (section 3.4, Fig. 5);
* :func:`state_pair_table`: whether letters of similar shape share LSTM state sub-patterns
  (section 3.5, Figs. 6 and 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .blending import smoothness
from .hidden_states import record_states, shared_subpatterns, similarity_percentile
from .pipeline import errors, over_seeds

# condition -> (which result, its key, the result's condition): the one-shot job's ("main") and
# the network without FF layer's, whose adapted input vector is its "ablation" condition.
ERROR_SOURCES = {"one_shot": ("main", "outputs", "one_shot"), "no_inference": ("main", "initial_outputs", "one_shot"),
                 "untrained": ("main", "outputs", "untrained"), "ablation": ("main", "outputs", "ablation"),
                 "without_ff": ("without_ff", "outputs", "ablation")}


def error_table(study, results: dict, conditions, seeds) -> pd.DataFrame:
    """A row per novel letter (and ``median``) and condition of ``conditions``, from ``results``
    (``main``: the one-shot job's saved result; ``without_ff``: the network without FF layer's)."""
    rows = []
    for name in conditions:
        which, key, c = ERROR_SOURCES[name]
        res = results[which]
        cond = res["conditions"]
        per_seed = [errors(study, res[key][s][cond.index(c)], res["targets"]) for s in range(len(seeds))]
        mse = np.array([p[0] for p in per_seed])  # (S, L)
        mhd = np.array([p[1] for p in per_seed])
        for j, letter in enumerate(study.novel + ["median"]):
            if letter == "median":
                m_vals, h_vals, label = np.median(mse, 1), np.median(mhd, 1), "median"
            else:
                m_vals, h_vals, label = mse[:, j], mhd[:, j], study.labels[letter]
            rows.append({"letter": label, "condition": name, **over_seeds("mse", m_vals, seeds),
                         **over_seeds("mhd_px", h_vals, seeds)})
    return pd.DataFrame(rows)


def type_inference_tables(res: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accuracy per protocol ((a) generated variants, (b) other drawers) over all characters
    (``accuracy``) and among the novel ones (``accuracy_among_novel``), each beside its chance
    level; and protocol (b)'s confusion matrix (rows: true novel letter, columns: inferred
    character), summed over seeds. ``res``: the type-inference job's saved result."""
    labels, novel, seeds = res["labels"], res["novel"], res["seeds"]
    rows = []
    for name in ("a", "b"):
        r = res[name]
        hit = r["predicted"] == r["true"][None]
        acc = hit.mean(1)
        novel_only = np.array([[novel[int(np.argmax(code[novel]))] for code in seed_codes]
                               for seed_codes in r["codes"]])
        acc_novel = (novel_only == r["true"][None]).mean(1)
        rows.append({"protocol": name, "instances_per_seed": hit.shape[1],
                     **over_seeds("correct", [int(h.sum()) for h in hit], seeds), **over_seeds("accuracy", acc, seeds),
                     "chance": 1.0 / len(labels), **over_seeds("accuracy_among_novel", acc_novel),
                     "chance_among_novel": 1.0 / len(novel),
                     **over_seeds("loss", r["loss"].mean(1))})
    r = res["b"]
    confusion = np.zeros((len(novel), len(labels)), dtype=int)
    for k in range(len(seeds)):
        for t, p in zip(r["true"], r["predicted"][k]):
            confusion[novel.index(int(t)), int(p)] += 1
    frame = pd.DataFrame(confusion, columns=labels)
    frame.insert(0, "true", [labels[c] for c in novel])
    return pd.DataFrame(rows), frame


def blend_table(study, pairs, blends, claims: dict, seeds) -> pd.DataFrame:
    """Per blended pair: Spearman correlation between blend step and MHD to the 100:0 drawing,
    largest step-to-step MHD as a share of the end-to-end MHD, end-to-end MHD (px), and the share
    of seeds whose blend counts as smooth (both thresholds of ``claims``, params
    ``fabi2020.claims``, met). ``blends[s][p]``: seed s's drawings along pair p."""
    rows = []
    for p, (i, j) in enumerate(pairs):
        stats = [smoothness([study.raw(b) for b in blends[s][p]]) for s in range(len(blends))]
        smooth = [float(st["spearman"] >= claims["blend_min_spearman"] and st["max_jump_ratio"] <= claims["blend_max_jump"])
                  for st in stats]
        row = {"pair": f"{study.labels[i]}-{study.labels[j]}",
               "kind": "trained" if (i in study.trained and j in study.trained) else "novel"}
        for key in ("spearman", "max_jump_ratio", "end_to_end_mhd"):
            row.update(over_seeds(key, [st[key] for st in stats]))
        row.update(over_seeds("smooth_share", smooth, seeds))
        rows.append(row)
    return pd.DataFrame(rows)


def state_pair_table(models, study, params: dict, seeds, device) -> pd.DataFrame:
    """Per seed's one-shot-inferred model, every novel letter regenerated and its state trajectory
    recorded; each pair of novel letters scored by :func:`.hidden_states.shared_subpatterns`, and
    the named pair's percentile among all other pairs. Cell states c for the ``cell`` pair, hidden
    states h for the ``hidden`` pair (``params``: params ``fabi2020.hidden_states``)."""
    novel = list(study.novel)
    lengths = [len(study.sequence(c, study.shown_drawer)) for c in novel]
    pairs = {which: tuple(novel.index(study.index(x)) for x in params[which]) for which in ("cell", "hidden")}
    rows = {which: {"similarity": [], "percentile": [], "median_other": []} for which in pairs}
    for model in models:
        records = record_states(model, novel, lengths, device)
        for which, pair in pairs.items():
            states = [cell if which == "cell" else h for _, h, cell in records]
            sim = np.array([[shared_subpatterns(a, b) for b in states] for a in states])
            others = [sim[i, j] for i in range(len(novel)) for j in range(i + 1, len(novel)) if {i, j} != set(pair)]
            rows[which]["similarity"].append(sim[pair])
            rows[which]["percentile"].append(similarity_percentile(sim, pair))
            rows[which]["median_other"].append(float(np.median(others)))
    return pd.DataFrame([{"states": which, "pair": "/".join(params[which]),
                          **over_seeds("similarity", r["similarity"], seeds),
                          **over_seeds("median_other_pairs", r["median_other"]),
                          **over_seeds("percentile", r["percentile"], seeds),
                          "other_pairs": len(novel) * (len(novel) - 1) // 2 - 1}
                         for which, r in rows.items()])
