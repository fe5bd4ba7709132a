"""One-shot classification with GNS (Feinman & Lake 2021, Sec. 4 Eq. 3-5; facts sections 5-6).

A training image I_c has K fitted parses (:func:`.fit.fit_parses`) with scores
log P(I_c, psi_k, theta_k) (their unnormalised weights pi~_k). To score a test image I_T,
every parse's *token* is refitted to I_T with its type frozen (:func:`refit_tokens`):

    log P(I_T | I_c)  ~  log sum_k pi_k max_theta P(I_T | theta) P(theta | psi_k)            (Eq. 4)

with pi_k = pi~_k / sum_j pi~_j. The two-way score (Eq. 5) adds the reverse direction - the test
image's parses refitted to the training image - divided by P(I_c) ~ sum_k pi~_k:

    score(T, c) = log P(I_T | I_c) + log P(I_c | I_T) - log P(I_c)

(P(I_T) is the same for every class and is dropped). The class with the highest score wins.

Refit (released code's values): blur and eps reset to their start values, token variables start
from their fitted values, objective log P(I | theta) + log P(theta | psi) with a 21-pixel blur
kernel, Adam with lr 0.087992 (blur/eps) and 0.166810 (token), then the same blur tuning as the
fit. All (parse, image) pairs of
a call are rows of one batch, optimised ``chunk`` rows at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from charchallenge.progress import Progress

from .fit import FittedParses, checked_images, tune_blur
from .image_model import BLUR, EPS, canvas_log_likelihood, ink_canvas, log_likelihood
from .token_model import TokenModel, TokenNoise


@dataclass(frozen=True)
class RefitParams:
    iterations: int = 1500
    lr_render: float = 0.087992
    lr: float = 0.166810
    blur_start: float = 16.0
    eps_start: float = 0.5
    blur_steps: int = 20
    blur_kernel: int = 21  # the released refit's Gaussian kernel (fits use 11)
    # "reset": blur/eps start from blur_start/eps_start (released code); "fitted": from the values
    # the parse's own fit ended with (after blur tuning), so that few iterations suffice
    render_start: str = "reset"
    # rows optimised together: each row's objective and Adam update are its own, so the chunk
    # changes speed and memory, not scores (on a CPU a few hundred rows keep the tensors in cache)
    chunk: int = 2000


def _render_start(fitted: FittedParses, rows: list[int], params: RefitParams) -> tuple[Tensor, Tensor]:
    """Free variables of blur and eps where the refits of ``rows`` start (see ``render_start``)."""
    dev = fitted.type_cp.points.device
    if params.render_start == "reset":
        return (torch.full((len(rows),), params.blur_start, requires_grad=True, device=dev),
                torch.full((len(rows),), params.eps_start, requires_grad=True, device=dev))
    if params.render_start != "fitted":
        raise ValueError(f"refit.render_start: expected 'reset' or 'fitted', got {params.render_start!r}")
    idx = torch.as_tensor(rows, device=dev)

    def inside(b, v):  # keep the start strictly inside the bounds, where the reparameterisation is finite
        margin = 1e-6 * (b.hi - b.lo)
        return b.free(v.clamp(b.lo + margin, b.hi - margin)).float().requires_grad_(True)

    return inside(BLUR, fitted.blur[idx].detach()), inside(EPS, fitted.eps[idx].detach())


def refit_tokens(fitted: FittedParses, rows: list[int], images: Tensor, params: RefitParams = RefitParams(),
                 token_model: TokenModel | None = None, progress: bool = False,
                 recorded: dict[int, list] | None = None, tokens: list | None = None) -> Tensor:
    """``max_theta log P(images[j] | theta) + log P(theta | psi_rows[j])`` for every pair j: parse
    ``rows[j]`` of ``fitted`` refitted to ``images[j]`` (type frozen). Returns (len(rows),).
    ``recorded``: iteration counts as keys; the scores (after blur tuning) at each of them are
    appended there, so one run gives the cost of stopping earlier. ``tokens``: if given, the
    refitted tokens' control points (motor px, one list of strokes per pair) are appended to it
    (for figures such as Fig. A10). Runs on the device of ``fitted``'s tensors, and returns there."""
    token_model = token_model or TokenModel()
    images = checked_images(images, len(rows), "refit_tokens", "refit image").to(fitted.type_cp.points.device)
    out = []
    n_chunks = (len(rows) + params.chunk - 1) // params.chunk
    bar = Progress(params.iterations * n_chunks, "GNS refit", unit="iterations") if progress else None
    for a in range(0, len(rows), params.chunk):
        part = rows[a : a + params.chunk]
        packed, noise, n_samples = fitted.rows(part)
        target = images[a : a + params.chunk]
        shape, location, affine = (v.requires_grad_(True) for v in (noise.shape, noise.location, noise.affine))
        blur_x, eps_x = _render_start(fitted, part, params)
        optimizer = torch.optim.Adam([{"params": [blur_x, eps_x], "lr": params.lr_render},
                                      {"params": [shape, location, affine], "lr": params.lr}])

        def terms(blur):
            z = TokenNoise(shape, location, affine)
            return (log_likelihood(token_model.apply(packed, z), target, blur, EPS.value(eps_x), n_samples,
                                   params.blur_kernel),
                    token_model.log_prob(z, packed))

        def tuned_score() -> Tensor:
            with torch.no_grad():
                canvas = ink_canvas(token_model.apply(packed, TokenNoise(shape, location, affine)), n_samples)
                eps = EPS.value(eps_x)
                blur = tune_blur(lambda b: canvas_log_likelihood(canvas, target, b, eps, params.blur_kernel),
                                 BLUR.value(blur_x), params.blur_steps)
                ll, klp = terms(blur)
            return (ll + klp).double()

        for it in range(1, params.iterations + 1):
            optimizer.zero_grad(set_to_none=True)
            ll, klp = terms(BLUR.value(blur_x))
            (-(ll + klp).sum()).backward()
            optimizer.step()
            if recorded is not None and it in recorded and it < params.iterations:
                recorded[it].append(tuned_score())
            if bar is not None:
                bar.update(1)
        out.append(tuned_score())
        if tokens is not None:
            with torch.no_grad():
                cp = token_model.apply(packed, TokenNoise(shape, location, affine))
            tokens += [[cp.points[cp.stroke_index == st].cpu().numpy().astype(np.float64)
                        for st in torch.nonzero(cp.stroke_drawing == d).flatten().tolist()] for d in range(len(part))]
        if recorded is not None and params.iterations in recorded:
            recorded[params.iterations].append(out[-1])
    if bar is not None:
        bar.close()
    return torch.cat(out)


def parse_score_table(fitted: FittedParses, owner, k: int, score: Tensor | None = None) -> Tensor:
    """(images, k) fitted parse scores, each image's in fit order, -inf where it has fewer than k
    parses (weight 0 in Eq. 4-5); ``owner[d]`` is the image of parse ``d``. ``score``: per parse,
    in place of the fitted score (for example without its type term)."""
    owner = np.asarray(owner)
    score = fitted.score if score is None else score
    out = torch.full((int(owner.max()) + 1, k), -float("inf"), dtype=torch.float64)
    for i in range(out.shape[0]):
        rows = np.flatnonzero(owner == i)
        out[i, : len(rows)] = score[rows].double().cpu()
    return out


def refit_grid(fitted: FittedParses, owner, images: np.ndarray, conditioning: list[int], targets: list[int], k: int,
               params: RefitParams, record_at: list[int] = (), progress: bool = False, mask=None) -> dict:
    """One direction of an episode (Eq. 4-5): every parse of each ``conditioning`` image refitted to
    every ``targets`` image, all pairs in one :func:`refit_tokens` call. Returns ``scores``
    (conditioning, targets, k), 0 where an image has fewer parses (their weight is 0), the same
    grids at the iteration counts ``record_at`` (``recorded``), the number of ``pairs`` and the
    ``seconds`` it took. ``mask`` (conditioning, targets) bool: refit only the image pairs marked
    (those a screen kept, :func:`screened_classes`); the others score -inf (they cannot win). Each
    pair's refit is its own optimisation, so a kept pair scores as it would without the mask."""
    owner = np.asarray(owner)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(conditioning), len(targets)):
            raise ValueError(f"refit_grid: mask of shape {mask.shape}, expected (conditioning, targets) = "
                             f"{(len(conditioning), len(targets))}")
    rows, target_images, where = [], [], []
    for a, i in enumerate(conditioning):
        for r, row in enumerate(np.flatnonzero(owner == i).tolist()):  # parse rows of image i, by fit order
            for b, j in enumerate(targets):
                if mask is not None and not mask[a, b]:
                    continue
                rows.append(row)
                target_images.append(images[j])
                where.append((a, b, r))
    recorded = {it: [] for it in sorted(it for it in record_at if it < params.iterations)}
    start = time.time()
    scores = refit_tokens(fitted, rows, torch.tensor(np.stack(target_images), dtype=torch.float32, device="cpu"),
                          params, progress=progress, recorded=recorded)
    seconds = time.time() - start
    a, b, r = (torch.as_tensor(x, device="cpu") for x in zip(*where))

    def grid(values: Tensor) -> Tensor:
        out = torch.zeros(len(conditioning), len(targets), k, dtype=torch.float64, device="cpu")
        if mask is not None:
            out[torch.as_tensor(~mask)] = -float("inf")
        out[a, b, r] = values.cpu()
        return out

    return {"scores": grid(scores), "recorded": {it: grid(torch.cat(v)) for it, v in recorded.items()},
            "pairs": len(rows), "seconds": seconds}


def trial_outcomes(parse_scores: Tensor, n_train: int, forward: Tensor, reverse: Tensor, labels) -> dict:
    """Whether each test item of an episode is classified correctly, by the two-way (Eq. 5) and the
    forward-only (Eq. 4) score: ``parse_scores`` (images, K) from :func:`parse_score_table`, the
    training images first; ``forward`` / ``reverse`` as :func:`episode_scores` takes them."""
    sc = episode_scores(parse_scores[:n_train], parse_scores[n_train:], forward, reverse)
    labels = np.asarray(labels)
    return {key: predictions(sc[key]) == labels for key in ("two_way", "forward")}


def screened_classes(parse_scores: Tensor, n_train: int, forward: Tensor, reverse: Tensor, keep: int) -> np.ndarray:
    """The screen before full refits: (test items, classes) bool, each test item's ``keep`` classes
    with the highest two-way score (Eq. 5) from short refits (``forward`` / ``reverse`` as
    :func:`episode_scores` takes them, every pair refitted for a few iterations). Only these pairs
    are then refitted fully (``refit_grid(..., mask=)``); the decision can change only on a trial
    whose full-refit winner the screen dropped - what the validation episodes measure
    (:mod:`.screening`)."""
    sc = episode_scores(parse_scores[:n_train], parse_scores[n_train:], forward, reverse)["two_way"]  # (T, C)
    if not 1 <= keep:
        raise ValueError(f"screen: keep must be at least 1 class, got {keep}")
    top = torch.sort(sc, dim=-1, descending=True, stable=True).indices[:, :keep]  # ties: the lower class index
    out = np.zeros(tuple(sc.shape), dtype=bool)
    np.put_along_axis(out, top.cpu().numpy(), True, axis=-1)
    return out


def keep_top(parse_scores: Tensor, n: int) -> Tensor:
    """Only each image's ``n`` best-scoring parses (the others get weight 0, score -inf): what
    classification with K = n parses per image would have scored."""
    order = parse_scores.argsort(-1, descending=True)
    out = torch.full_like(parse_scores, -float("inf"))
    return out.scatter(-1, order[:, :n], parse_scores.gather(-1, order[:, :n]))


def sized_refit(cells, tolerance: float) -> dict:
    """The refit setting chosen on validation episodes (``gns2021.classify.sizing``): among
    ``cells`` (dicts with ``lr_render``, ``refit_iterations`` and ``error_two_way`` in %), those
    within ``tolerance`` points of the lowest error; of these the fewest iterations (the cheapest),
    and at equal iterations the lowest error (then the smaller rate). Returns that cell."""
    cells = list(cells)
    errors = np.array([c["error_two_way"] for c in cells], dtype=float)
    if len(cells) == 0 or np.isnan(errors).any():
        raise ValueError(f"sizing: need an error for every refit setting, got {errors.tolist()}")
    near = [c for c in cells if c["error_two_way"] <= errors.min() + tolerance]
    return min(near, key=lambda c: (c["refit_iterations"], c["error_two_way"], c["lr_render"]))


def sized_iterations(counts, errors, tolerance: float) -> int:
    """The smallest iteration count whose error (%) is within ``tolerance`` points of the lowest:
    how the refit count is chosen on validation episodes (``gns2021.classify.sizing``)."""
    counts, errors = np.asarray(counts), np.asarray(errors, dtype=float)
    if len(counts) == 0 or np.isnan(errors).any():
        raise ValueError(f"sizing: need an error for every iteration count, got {errors.tolist()}")
    return int(counts[errors <= errors.min() + tolerance].min())


def log_predictive(parse_scores: Tensor, refit_scores: Tensor) -> Tensor:
    """Eq. 4: ``log sum_k pi_k exp(refit_k)`` with pi = softmax(parse scores) over the last axis
    (parses of one conditioning image); ``refit_scores`` (..., K)."""
    log_pi = torch.log_softmax(torch.as_tensor(parse_scores, dtype=torch.float64), -1)
    return torch.logsumexp(log_pi + torch.as_tensor(refit_scores, dtype=torch.float64), -1)


def log_marginal_estimate(parse_scores: Tensor) -> Tensor:
    """Eq. 5's P(I_c) ~ sum_k pi~_k: ``logsumexp`` of the parse scores (last axis)."""
    return torch.logsumexp(torch.as_tensor(parse_scores, dtype=torch.float64), -1)


def episode_scores(train_scores: Tensor, test_scores: Tensor, forward: Tensor, reverse: Tensor) -> dict:
    """Scores of one episode. ``train_scores`` (C, K) and ``test_scores`` (T, K): parse scores
    (-inf where an image has fewer than K parses); ``forward`` (C, T, K): training parses refitted
    to test images; ``reverse`` (T, C, K): test parses refitted to training images.
    Returns ``forward`` log P(I_T | I_c) and ``two_way`` scores, both (T, C)."""
    fwd = log_predictive(train_scores[:, None, :], forward).T             # (T, C)
    rev = log_predictive(test_scores[:, None, :], reverse)                # (T, C): log P(I_c | I_T)
    return {"forward": fwd, "two_way": fwd + rev - log_marginal_estimate(train_scores)[None, :]}


def predictions(scores: Tensor) -> np.ndarray:
    """The predicted class (argmax over the last axis) per test image."""
    return scores.argmax(-1).cpu().numpy()
