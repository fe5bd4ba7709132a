"""GNS new concepts (Feinman & Lake 2021, Sec. 5.4, Fig. 4b / A14).

``gns2021.concepts.n`` types sampled from the type prior (the holdout Full NS) at temperature T
(0.5), at most ``max_strokes`` strokes, kept on the canvas by rejection
(:func:`charchallenge.feinman2020.sampling.draw_on_canvas`); one token of each, rendered at blur 0
(:func:`.fit.token_images`) - :func:`sample_concepts`.

The paper's remark that samples "are visually dissimilar from their nearest Omniglot neighbor" is
measured as in the Feinman study's Fig. 6 (:func:`novelty`): each concept's nearest training
character by cosine similarity in the last hidden layer of the character classifier trained on the
background characters, and the share of concepts (of >= ``novelty_min_strokes`` strokes) nearer
their nearest training character than 95% of held-out real characters of novel classes are to
theirs, with an exact 95% interval (0.05 expected for real novel characters).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from charchallenge.feinman2020.canvases import render_drawings
from charchallenge.feinman2020.classifier import embed, nearest, novelty_share, share_interval
from charchallenge.feinman2020.sampling import draw_on_canvas
from charchallenge.feinman2020.splits import holdout_split

from .fit import token_images


def sample_concepts(type_model, c: dict, seed: int) -> tuple[dict, list[np.ndarray]]:
    """The types drawn from the prior (``draw_on_canvas``'s result; ``c``: params
    ``gns2021.concepts``) and one token image of each."""
    drawn = draw_on_canvas(type_model.density, c["n"], c["temperature"], seed, c["max_strokes"],
                           c["max_control_points"], c["max_draws_per_sample"])
    return drawn, token_images(drawn["drawings"], torch.Generator().manual_seed(seed))


def novelty(drawn: dict, corpus, net, train_idx, background: str, min_strokes: int) -> tuple[pd.DataFrame, dict]:
    """One row per concept (strokes, its nearest training drawing and the similarity) and the
    novelty share with its interval and level."""
    types = drawn["drawings"]
    _, novel_idx = holdout_split(corpus.alphabet, background)
    ref = embed(net, corpus.complete_canvases(train_idx))
    novel_sim = nearest(embed(net, corpus.complete_canvases(novel_idx)), ref, 1)[0][:, 0].numpy()
    sim, idx = nearest(embed(net, render_drawings(types)), ref, 1)
    sim, idx = sim[:, 0].numpy(), idx[:, 0].numpy()
    strokes = np.array([len(t) for t in types])
    judged = strokes >= min_strokes
    share, level = novelty_share(sim[judged], novel_sim) if judged.any() else (float("nan"), float("nan"))
    table = pd.DataFrame({"concept": np.arange(len(types)), "strokes": strokes, "on_canvas": drawn["on_canvas"],
                          "log_prob_tempered": drawn["logp"].numpy(), "nearest_training_drawing": train_idx[idx],
                          "nearest_similarity": sim})
    interval = share_interval(share, int(judged.sum())) if judged.any() else [float("nan")] * 2
    return table, {"share": share, "interval": interval, "level": level, "judged": int(judged.sum()),
                   "nearest": idx, "strokes_mean": float(strokes.mean())}
