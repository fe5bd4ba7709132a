"""DooD's one-shot classification (Liang et al. 2022, Sec. 3.2, Table 1): the posterior-predictive
score log p(x_T | x_c) of a test image x_T given each training image x_c, c = argmax.

Approximated as the paper describes (its Appendix D.2.3 with the details is not public): ``k``
types are sampled from the recognition model given x_c; for each, the token of x_T is optimised
by gradient ascent (Adam) on log p(x_T | token) + log p(token | type), started at the type itself
(zero noise, identity warp); the score is the log-mean-exp over the k types of the optimised joint
(a maximum a posteriori stand-in for the integral over the token). Only the forward direction,
as the paper's row (no two-way score). All (type, test image) pairs of an episode are optimised
in one batch. :func:`classify_episodes` runs it on every episode of the shared one-shot set (one
row per run, the error of :func:`charchallenge.oneshot.scoring.run_error`), :func:`pooled_error`
pools the runs' errors over trials.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from charchallenge.oneshot.protonet import downsample
from charchallenge.oneshot.scoring import run_error

from .model import DooD
from .token import TokenModel, apply_token, pack_type, render_strokes


@torch.no_grad()
def sample_types(model: DooD, images: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """k recognition-model types per image: control points (N * k, T, D + 1, 2) and mask (N * k, T),
    image-major (rows i * k .. i * k + k - 1 belong to image i)."""
    model.eval()
    trace = model.infer(images.repeat_interleave(k, 0))
    if not trace.strokes:  # no image drew: one empty step keeps the shapes
        cp = images.new_zeros(len(images) * k, 1, model.cfg.degree + 1, 2)
        return cp, images.new_zeros(len(images) * k, 1)
    return pack_type(trace)


def fit_tokens(model: DooD, cp: Tensor, mask: Tensor, targets: Tensor, token_model: TokenModel,
               iterations: int, lr: float) -> Tensor:
    """Optimise one token per (type, target) row (B rows) and return the final log joint (B,)."""
    noise = torch.zeros_like(cp, requires_grad=True)
    affine = cp.new_zeros(len(cp), 2, 2, requires_grad=True)
    shift = cp.new_zeros(len(cp), 2, requires_grad=True)
    opt = torch.optim.Adam([noise, affine, shift], lr=lr)

    def log_joint() -> Tensor:
        canvas = render_strokes(model.p.render, apply_token(cp, noise, affine, shift), mask)
        return model.p.image_log_prob(targets, canvas) + token_model.log_prob(noise, affine, shift, mask)

    for _ in range(iterations):
        loss = -log_joint().sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        return log_joint()


def score_episode(model: DooD, train_images: Tensor, test_images: Tensor, token_model: TokenModel, k: int,
                  iterations: int, lr: float) -> Tensor:
    """Scores (n_test, n_train): log p(x_test | x_train) approximated as in the module doc."""
    for p in model.parameters():
        p.requires_grad_(False)
    n_train, n_test = len(train_images), len(test_images)
    cp, mask = sample_types(model, train_images, k)                   # (n_train * k, ...)
    rows = len(cp)
    cp_pairs = cp.repeat(n_test, 1, 1, 1)                             # test-major: pair = j * rows + r
    mask_pairs = mask.repeat(n_test, 1)
    targets = test_images.repeat_interleave(rows, 0)
    joint = fit_tokens(model, cp_pairs, mask_pairs, targets, token_model, iterations, lr)
    joint = joint.reshape(n_test, n_train, k)
    return torch.logsumexp(joint, -1) - math.log(k)


def classify(scores: Tensor) -> np.ndarray:
    """Predicted training index per test image."""
    return scores.argmax(1).numpy()


def classify_episodes(model: DooD, episodes, token_model: TokenModel, image_size: int, params: dict,
                      seed: int) -> pd.DataFrame:
    """Every episode's error (%): each test image, downsampled to ``image_size``, goes to the
    training image of highest score (``params``: params ``dood2022.classify``, ``k``,
    ``iterations``, ``lr``); the global torch generator is seeded with ``seed`` first."""
    torch.manual_seed(seed)
    rows = []
    for episode in episodes:
        t0 = time.time()
        scores = score_episode(model, downsample(episode.train_images(), image_size),
                               downsample(episode.test_images(), image_size), token_model, params["k"],
                               params["iterations"], params["lr"])
        rows.append({"run": episode.name, "n_way": episode.n_way, "trials": len(episode.labels),
                     "error": run_error(classify(scores), episode.labels)})
        print(f"{episode.name}: error {rows[-1]['error']:.1f}% ({time.time() - t0:.1f} s)")
    return pd.DataFrame(rows)


def pooled_error(table: pd.DataFrame) -> float:
    """The error (%) over all trials of the runs of ``table``."""
    return float((table.error * table.trials).sum() / table.trials.sum())
