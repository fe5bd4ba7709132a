"""Where Eq. 11 is taken: the peak z_C^k of f(z_C) = log P(I, z_D^k, z_C) (Feinman & Lake 2021,
Appendix D: "these maxima were identified by our gradient-based continuous optimizer").

Laplace's method (Eq. 11) assumes that the fit sits at a maximum of f. Adam with a constant rate
(:mod:`.fit`) hovers about it, so the fits are climbed to it (ours, beyond the paper):

1. :func:`polish` - L-BFGS in float64 on every parse's f at once, each parse keeping the better of
   its start and its end;
2. :func:`newton_step` - one damped Newton step from the curvature of :mod:`.laplace`, which
   measures what f actually still gains there (near 0 at a peak);
3. :func:`climb_to_peak` - rounds of both until a Newton step gains at most a tolerance.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .fit import FittedParses
from .image_model import as_image_tensor
from .laplace import (JointAt, in_dtype, local_coordinates, log_joint, log_joint_hessians, log_joint_parts,
                      variables_of, with_variables)
from .token_model import TokenModel
from .type_model import TypeModel


def polish(fitted: FittedParses, images: Tensor, type_model: TypeModel, iterations: int,
           token_model: TokenModel | None = None, dtype=torch.float64) -> tuple[FittedParses, Tensor, list[float]]:
    """Climb from where Adam stopped to the peak Eq. 11 is taken at: L-BFGS (strong Wolfe line
    search, float64) on the sum of every parse's f for at most ``iterations`` iterations, blur and
    eps fixed. Adam with a constant rate hovers about the peak; this settles on it. Parses share no
    variable, so each parse keeps the better of its start and its end (never worse). Returns the
    polished parses, each parse's gain in f and the mean f after each evaluation (the curve)."""
    token_model = token_model or TokenModel()
    tm = in_dtype(type_model, dtype)
    variables = variables_of(fitted, dtype)
    images = as_image_tensor(images, dtype, variables[0].device)
    start = [v.detach().clone() for v in variables]
    with torch.no_grad():
        before = log_joint_parts(fitted, start, images, tm, token_model, dtype)[1]
    curve = []
    if iterations > 0:
        optimizer = torch.optim.LBFGS(variables, lr=1, max_iter=iterations, history_size=50,
                                      line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)

        def closure():
            optimizer.zero_grad()
            value = log_joint_parts(fitted, variables, images, tm, token_model, dtype)[1]
            curve.append(float(value.detach().mean()))
            loss = -value.sum()
            loss.backward()
            return loss

        optimizer.step(closure)
    with torch.no_grad():
        after = log_joint_parts(fitted, variables, images, tm, token_model, dtype)[1]
        better = after > before
        _, owner, _ = local_coordinates(fitted)
        kept = [torch.where(better[own[:, 0]][:, None], v.detach(), s) for v, s, own in zip(variables, start, owner)]
    return with_variables(fitted, kept), torch.where(better, after - before, torch.zeros_like(before)), curve


def newton_step(fitted: FittedParses, images: Tensor, type_model: TypeModel, value: Tensor, blocks: list[Tensor],
                gradients: list[Tensor], token_model: TokenModel | None = None, floor: float = 1e-2,
                dtype=torch.float64) -> tuple[Tensor, FittedParses]:
    """One Newton step ``t (-H)^-1 g`` per parse from the point ``value, blocks, gradients`` were
    taken at (eigenvalues of -H below ``floor`` raised to it), t the best of 1, 1/2, 1/4, 1/8.
    Returns what f actually gains (0 where no t raises it) and the parses moved where it does.

    The gain is a check of Eq. 11's peak that does not trust the quadratic model: near 0 at a peak,
    large where the fit stopped short of one. ``newton_gain`` (:class:`.laplace.LaplaceTerms`) is what the
    quadratic model promises instead - large wherever f is flat in some direction and its gradient
    does not vanish (the painter makes f piecewise smooth: its gradient jumps as a point crosses a
    pixel edge, and clamped ink has none)."""
    joint = JointAt(fitted, images, type_model, token_model, dtype)
    n, d_max = fitted.type_cp.n_drawings, int(joint.dims.max())
    step = torch.zeros(n, d_max, dtype=dtype, device=value.device)
    for d, (h, g) in enumerate(zip(blocks, gradients)):
        eig, vec = torch.linalg.eigh(-h.to(dtype))
        step[d, : len(g)] = vec @ ((vec.T @ g.to(dtype)) / eig.clamp(min=floor))
    best = torch.zeros(n, dtype=dtype, device=value.device)
    best_t = torch.zeros_like(best)
    for t in (1.0, 0.5, 0.25, 0.125):
        gain = joint(t * step) - value.to(dtype)
        best_t = torch.where(gain > best, torch.full_like(best_t, t), best_t)
        best = torch.maximum(best, gain)
    return best, with_variables(fitted, joint.moved(best_t[:, None] * step))


def climb_to_peak(fitted: FittedParses, images: Tensor, type_model: TypeModel, iterations: int, rounds: int,
                  tolerance: float, token_model: TokenModel | None = None, curvature: str = "gauss-newton",
                  dtype=torch.float64, progress: bool = False):
    """Where Eq. 11 is taken: :func:`polish` (L-BFGS), then a :func:`newton_step`; while the step
    still gains more than ``tolerance`` nats for some parse and rounds are left, take it and polish
    again (L-BFGS stops at kinks of the piecewise-smooth f that a longer Newton step crosses).
    Returns the parses, each parse's total gain, the L-BFGS curve, and at the returned point f,
    the curvature blocks, the gradients and the gain one more Newton step would make."""
    token_model = token_model or TokenModel()
    type_model = in_dtype(type_model, dtype)  # once, for every step below
    start = log_joint(fitted, images, type_model, token_model, dtype)
    curve = []
    for r in range(max(rounds, 1)):
        fitted, _, c = polish(fitted, images, type_model, iterations, token_model, dtype)
        curve += c
        value, blocks, grads = log_joint_hessians(fitted, images, type_model, token_model, dtype, progress, curvature)
        ascent, stepped = newton_step(fitted, images, type_model, value, blocks, grads, token_model, dtype=dtype)
        if progress:
            print(f"climb to the peak, round {r + 1}/{rounds}: mean gain {float((value - start).mean()):.2f} nats "
                  f"({len(c)} L-BFGS evaluations); a Newton step would gain {float(ascent.median()):.3g} nats "
                  f"(median), {float(ascent.max()):.3g} (largest)", flush=True)
        if r == rounds - 1 or float(ascent.max()) <= tolerance:
            break
        fitted = stepped
    return fitted, value - start, curve, (value, blocks, grads, ascent)
