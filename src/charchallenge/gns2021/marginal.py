"""Marginal image likelihood by Laplace's method (Feinman & Lake 2021, Sec. 5 "Marginal image
likelihoods", Table 3, Appendix D, Eq. 9-12).

The latent variables z of an image split into discrete ones z_D (number of strokes, control points
per stroke: what a parse fixes) and continuous ones z_C (the type's control points, the token's
shape noise, location noise and affine warp). For any set of discrete configurations,

    P(I) >= sum_k  integral P(I, z_D^k, z_C) dz_C                                   (Eq. 10)

and around the fitted maximum z_C^k of f(z_C) = log P(I, z_D^k, z_C) Laplace's method gives

    integral e^f dz_C  ~  e^f(z_C^k) (2 pi)^(d/2) |-H_f(z_C^k)|^(-1/2)              (Eq. 11)

with d the number of continuous variables and H_f the Hessian of f. The bound of an image is the
log of the sum over its K fitted parses (Eq. 12). The blur sigma and pixel noise epsilon are
parameters of the image model, not latent variables: they stay fixed at the values the continuous
variables were optimised under (the blur before blur tuning, ``FittedParses.fit_blur``).

The exact Hessian of the image term is indefinite on this renderer whatever the fit: a point's ink
is painted bilinearly over its pixel square, and a bilinear function's second derivative is a
saddle. On the quick run every parse but one of 52 had an indefinite Hessian (smallest eigenvalue
of -H down to -162). The bound therefore uses, by default (params ``gns2021.likelihood.curvature``),
the Gauss-Newton curvature of the image term - its Hessian with the renderer linearised, negative
semi-definite - plus the exact Hessians of the type and token terms; the exact Hessian's smallest
eigenvalue is still reported per parse. This is our choice: the paper says only that H is computed.

A parse whose curvature is not negative definite is not at a peaked maximum (or f is flat in some
direction) and Eq. 11 does not apply: it is left out of the sum, which keeps Eq. 10 a lower bound,
and counted (``excluded``).

Eq. 11 assumes that the fit sits at the peak and that f is quadratic over the Laplace Gaussian;
neither is a given here (ours, beyond the paper):

* Adam with a constant rate hovers about the peak, so the fits are climbed to it by L-BFGS and
  Newton steps (:func:`climb_to_peak`), and :func:`newton_step` measures what one more Newton step
  actually gains there.
* The same integrals are estimated by annealed importance sampling from the Laplace Gaussian to e^f
  (:class:`AnnealedSampler`): a lower bound in expectation that does not assume a quadratic f. Where
  Eq. 11 exceeds it by little, Eq. 11 cannot overstate the integral by more (:func:`bound_verdict`).

All parses' Hessians come from one batch: the Hessian of the summed objective is block diagonal
(parses share no variable), so Hessian-vector products with a probe that sets coordinate j of
*every* parse give column j of every block at once - ``max d`` products in all, not ``sum d``.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from charchallenge.progress import Progress
from charchallenge.render import LIKELIHOOD_CLAMP, bernoulli_log_likelihood

from .fit import FittedParses
from .image_model import as_image_tensor, ink_probabilities
from .token_model import TokenModel, TokenNoise
from .type_model import TypeModel, type_log_prob

LOG_2PI = math.log(2 * math.pi)
CLAMP = LIKELIHOOD_CLAMP  # the probability clamp of charchallenge.render.bernoulli_log_likelihood


@dataclass
class LaplaceTerms:
    """Per parse: the log joint at the fit ``log_joint``, the number of continuous variables ``dim``,
    log|-H| ``log_det`` (NaN where -H is not positive definite), the smallest eigenvalue of -H, the
    Laplace estimate ``log_integral`` (NaN where excluded) and ``newton_gain`` = g^T (-H)^-1 g / 2,
    what the quadratic model says f would still gain by moving from the fit to its maximum (near 0
    when the fit is at the peak Eq. 11 assumes; NaN where excluded or no gradient was given)."""

    log_joint: Tensor
    dim: Tensor
    log_det: Tensor
    min_eigenvalue: Tensor
    log_integral: Tensor
    newton_gain: Tensor


def _local_coordinates(fitted: FittedParses) -> tuple[list[Tensor], list[Tensor], Tensor]:
    """For each variable tensor (type points, shape noise, location noise, affine): the parse of
    every entry and its coordinate within that parse's variables; and every parse's dimension
    (4 per control point, 2 per stroke, 4 for the warp)."""
    p = fitted.type_cp
    dev = p.points.device
    stroke_of_point = p.stroke_index
    point_drawing = p.stroke_drawing[stroke_of_point]
    n_cp = torch.bincount(point_drawing, minlength=p.n_drawings)
    n_s = torch.bincount(p.stroke_drawing, minlength=p.n_drawings)
    point_rank = torch.arange(len(point_drawing), device=dev) - (torch.cumsum(n_cp, 0) - n_cp)[point_drawing]
    stroke_rank = torch.arange(p.n_strokes, device=dev) - (torch.cumsum(n_s, 0) - n_s)[p.stroke_drawing]
    xy, wrp = torch.arange(2, device=dev), torch.arange(4, device=dev)
    type_local = 2 * point_rank[:, None] + xy
    shape_local = 2 * n_cp[point_drawing][:, None] + type_local
    location_local = 4 * n_cp[p.stroke_drawing][:, None] + 2 * stroke_rank[:, None] + xy
    affine_local = (4 * n_cp + 2 * n_s)[:, None] + wrp
    drawings = [point_drawing[:, None].expand(-1, 2), point_drawing[:, None].expand(-1, 2),
                p.stroke_drawing[:, None].expand(-1, 2), torch.arange(p.n_drawings, device=dev)[:, None].expand(-1, 4)]
    return [type_local, shape_local, location_local, affine_local], drawings, 4 * n_cp + 2 * n_s + 4


def _probes(local: list[Tensor], j: int, dtype) -> list[Tensor]:
    """One tensor per variable tensor, 1 at coordinate j of every parse: a product with the
    block-diagonal Hessian (or Jacobian) gives column j of every parse's block at once."""
    return [(loc == j).to(dtype) for loc in local]


def _variables(fitted: FittedParses, dtype) -> list[Tensor]:
    v = [fitted.type_cp.points, fitted.noise.shape, fitted.noise.location, fitted.noise.affine]
    return [x.to(dtype).detach().clone().requires_grad_(True) for x in v]


def _in_dtype(type_model: TypeModel, dtype) -> TypeModel:
    """A frozen copy of the type model in ``dtype`` (float64 for second derivatives); the model
    itself when it already is one (so that a caller converts once and passes it on)."""
    params = list(type_model.density.parameters())
    if all(q.dtype == dtype and not q.requires_grad for q in params):
        return type_model
    density = copy.deepcopy(type_model.density).to(dtype)
    for q in density.parameters():
        q.requires_grad_(False)
    return TypeModel(density)


def _log_joint_parts(fitted: FittedParses, variables: list[Tensor], images: Tensor, tm: TypeModel,
                     token_model: TokenModel, dtype) -> tuple[Tensor, Tensor, Tensor]:
    """(pixel probabilities, log joint f, prior terms) per parse at ``variables``, at the blur the
    continuous variables were optimised under and the fitted eps."""
    typ = fitted.type_cp.with_points(variables[0])
    token = token_model.apply(typ, TokenNoise(*variables[1:]))
    blur = (fitted.fit_blur if fitted.fit_blur is not None else fitted.blur).to(dtype)
    probs = ink_probabilities(token, blur, fitted.eps.to(dtype), fitted.n_samples)
    prior = type_log_prob(tm, typ, token, fitted.n_samples) + token_model.log_prob(TokenNoise(*variables[1:]), typ)
    return probs, bernoulli_log_likelihood(probs, images, CLAMP) + prior, prior


def log_joint(fitted: FittedParses, images: Tensor, type_model: TypeModel, token_model: TokenModel | None = None,
              dtype=torch.float64) -> Tensor:
    """f(z_C) = log P(I | theta) + log P(psi) + log P(theta | psi) per parse, as
    :func:`log_joint_hessians` takes it (same blur and eps)."""
    joint = _JointAt(fitted, images, type_model, token_model, dtype)
    return joint(torch.zeros(fitted.type_cp.n_drawings, int(joint.dims.max()), dtype=dtype,
                             device=fitted.type_cp.points.device))


def log_joint_hessians(fitted: FittedParses, images: Tensor, type_model: TypeModel,
                       token_model: TokenModel | None = None, dtype=torch.float64,
                       progress: bool = False, curvature: str = "exact") -> tuple[Tensor, list[Tensor], list[Tensor]]:
    """f(z_C) per parse at the fitted values, its curvature over the parse's continuous variables
    (d x d each; order: type points, shape noise, location noise, warp) and its gradient there (d).

    ``curvature="exact"``: the Hessian of f. ``"gauss-newton"``: the exact Hessian of the type and
    token terms plus the Gauss-Newton matrix of the image term, ``-J^T W J`` with ``J`` the
    Jacobian of the pixel probabilities and ``W = x / p^2 + (1 - x) / (1 - p)^2`` the Bernoulli's
    curvature in p: the image term's Hessian with the renderer taken as locally linear. The exact
    image term is indefinite wherever ink is painted bilinearly (a point's ink inside its pixel
    square is bilinear in its row and column, a saddle [[0, a], [a, 0]] in second derivatives,
    however well the parse fits); the Gauss-Newton matrix is negative semi-definite."""
    if curvature not in ("exact", "gauss-newton"):
        raise ValueError(f"curvature: expected 'exact' or 'gauss-newton', got {curvature!r}")
    token_model = token_model or TokenModel()
    variables = _variables(fitted, dtype)
    images = as_image_tensor(images, dtype, variables[0].device)
    probs, value, prior = _log_joint_parts(fitted, variables, images, _in_dtype(type_model, dtype), token_model, dtype)
    local, owner, dims = _local_coordinates(fitted)
    n, d_max = fitted.type_cp.n_drawings, int(dims.max())
    if curvature == "exact":  # f's gradient, with the graph its Hessian-vector products need
        first = grads = torch.autograd.grad(value.sum(), variables, create_graph=True)
    else:  # f's gradient, and the type and token terms' with their graph
        first = torch.autograd.grad(value.sum(), variables, retain_graph=True)
        grads = torch.autograd.grad(prior.sum(), variables, create_graph=True)
    full = torch.zeros(n, d_max, d_max, dtype=dtype, device=value.device)
    bar = Progress(d_max, "Laplace Hessian columns", unit="columns") if progress else None
    for j in range(d_max):
        hv = torch.autograd.grad(sum((g * v).sum() for g, v in zip(grads, _probes(local, j, dtype))), variables,
                                 retain_graph=True, allow_unused=True)
        for h, loc, own in zip(hv, local, owner):
            if h is not None:
                keep = j < dims[own]
                full[own[keep], loc[keep], j] = h.detach()[keep]
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if curvature == "gauss-newton":
        full = full - _gauss_newton(probs, images, variables, local, dims, progress)
    blocks = [0.5 * (full[d, :k, :k] + full[d, :k, :k].T) for d, k in enumerate(dims.tolist())]
    gradient = torch.zeros(n, d_max, dtype=dtype, device=value.device)
    for g, loc, own in zip(first, local, owner):
        gradient[own, loc] = g.detach()
    return value.detach(), blocks, [gradient[d, :k] for d, k in enumerate(dims.tolist())]


def _gauss_newton(probs: Tensor, images: Tensor, variables: list[Tensor], local: list[Tensor], dims: Tensor,
                  progress: bool) -> Tensor:
    """``J^T W J`` per parse, (n, d_max, d_max): the Jacobian's columns J v for every parse at once
    by the double-backward trick (u -> grad_z <p, u> is linear in u, so the gradient of
    <grad_z <p, u>, v> in u is J v); pixels where the likelihood clamps p have J = 0."""
    n, d_max = probs.shape[0], int(dims.max())
    clamped = probs.clamp(CLAMP, 1 - CLAMP)
    u = torch.zeros_like(clamped, requires_grad=True)
    vjp = torch.autograd.grad((clamped * u).sum(), variables, create_graph=True)
    columns = []
    bar = Progress(d_max, "Laplace Jacobian columns", unit="columns") if progress else None
    for j in range(d_max):
        jv = torch.autograd.grad(sum((g * v).sum() for g, v in zip(vjp, _probes(local, j, probs.dtype))), u,
                                 retain_graph=True)[0]
        columns.append(jv.detach().reshape(n, -1))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    jac = torch.stack(columns, 2)  # (n, pixels, d_max); a parse's columns past its d are 0
    x, p = images.reshape(n, -1), clamped.detach().reshape(n, -1)
    w = x / p**2 + (1 - x) / (1 - p) ** 2
    return torch.einsum("npa,np,npb->nab", jac, w, jac)


def _with_variables(fitted: FittedParses, variables: list[Tensor]) -> FittedParses:
    """``fitted`` with new continuous variables (type points, shape, location, warp), same dtype."""
    dtype = fitted.type_cp.points.dtype
    v = [x.detach().to(dtype) for x in variables]
    return dataclasses.replace(fitted, type_cp=fitted.type_cp.with_points(v[0]), noise=TokenNoise(*v[1:]))


class _JointAt:
    """f per parse at the fitted variables moved by ``delta (n, d_max)`` (each parse's coordinates
    in :func:`_local_coordinates` order), the type model converted to ``dtype`` once."""

    def __init__(self, fitted: FittedParses, images: Tensor, type_model: TypeModel,
                 token_model: TokenModel | None, dtype):
        self.fitted, self.dtype = fitted, dtype
        self.images = as_image_tensor(images, dtype, fitted.type_cp.points.device)
        self.tm, self.token_model = _in_dtype(type_model, dtype), token_model or TokenModel()
        self.local, self.owner, self.dims = _local_coordinates(fitted)
        self.base = [v.detach() for v in _variables(fitted, dtype)]

    def moved(self, delta: Tensor) -> list[Tensor]:
        return [b + delta[own, loc] for b, own, loc in zip(self.base, self.owner, self.local)]

    def __call__(self, delta: Tensor) -> Tensor:
        with torch.no_grad():
            return self.differentiable(delta)

    def differentiable(self, delta: Tensor) -> Tensor:
        """f at the moved variables, with autograd through ``delta`` (when it requires grad)."""
        return _log_joint_parts(self.fitted, self.moved(delta), self.images, self.tm, self.token_model,
                                self.dtype)[1]


def polish(fitted: FittedParses, images: Tensor, type_model: TypeModel, iterations: int,
           token_model: TokenModel | None = None, dtype=torch.float64) -> tuple[FittedParses, Tensor, list[float]]:
    """Climb from where Adam stopped to the peak Eq. 11 is taken at: L-BFGS (strong Wolfe line
    search, float64) on the sum of every parse's f for at most ``iterations`` iterations, blur and
    eps fixed. Adam with a constant rate hovers about the peak; this settles on it. Parses share no
    variable, so each parse keeps the better of its start and its end (never worse). Returns the
    polished parses, each parse's gain in f and the mean f after each evaluation (the curve)."""
    token_model = token_model or TokenModel()
    tm = _in_dtype(type_model, dtype)
    variables = _variables(fitted, dtype)
    images = as_image_tensor(images, dtype, variables[0].device)
    start = [v.detach().clone() for v in variables]
    with torch.no_grad():
        before = _log_joint_parts(fitted, start, images, tm, token_model, dtype)[1]
    curve = []
    if iterations > 0:
        optimizer = torch.optim.LBFGS(variables, lr=1, max_iter=iterations, history_size=50,
                                      line_search_fn="strong_wolfe", tolerance_grad=1e-9, tolerance_change=1e-12)

        def closure():
            optimizer.zero_grad()
            value = _log_joint_parts(fitted, variables, images, tm, token_model, dtype)[1]
            curve.append(float(value.detach().mean()))
            loss = -value.sum()
            loss.backward()
            return loss

        optimizer.step(closure)
    with torch.no_grad():
        after = _log_joint_parts(fitted, variables, images, tm, token_model, dtype)[1]
        better = after > before
        _, owner, _ = _local_coordinates(fitted)
        kept = [torch.where(better[own[:, 0]][:, None], v.detach(), s) for v, s, own in zip(variables, start, owner)]
    return _with_variables(fitted, kept), torch.where(better, after - before, torch.zeros_like(before)), curve


def newton_step(fitted: FittedParses, images: Tensor, type_model: TypeModel, value: Tensor, blocks: list[Tensor],
                gradients: list[Tensor], token_model: TokenModel | None = None, floor: float = 1e-2,
                dtype=torch.float64) -> tuple[Tensor, FittedParses]:
    """One Newton step ``t (-H)^-1 g`` per parse from the point ``value, blocks, gradients`` were
    taken at (eigenvalues of -H below ``floor`` raised to it), t the best of 1, 1/2, 1/4, 1/8.
    Returns what f actually gains (0 where no t raises it) and the parses moved where it does.

    The gain is a check of Eq. 11's peak that does not trust the quadratic model: near 0 at a peak,
    large where the fit stopped short of one. ``newton_gain`` (:class:`LaplaceTerms`) is what the
    quadratic model promises instead - large wherever f is flat in some direction and its gradient
    does not vanish (the painter makes f piecewise smooth: its gradient jumps as a point crosses a
    pixel edge, and clamped ink has none)."""
    joint = _JointAt(fitted, images, type_model, token_model, dtype)
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
    return best, _with_variables(fitted, joint.moved(best_t[:, None] * step))


def climb_to_peak(fitted: FittedParses, images: Tensor, type_model: TypeModel, iterations: int, rounds: int,
                  tolerance: float, token_model: TokenModel | None = None, curvature: str = "gauss-newton",
                  dtype=torch.float64, progress: bool = False):
    """Where Eq. 11 is taken: :func:`polish` (L-BFGS), then a :func:`newton_step`; while the step
    still gains more than ``tolerance`` nats for some parse and rounds are left, take it and polish
    again (L-BFGS stops at kinks of the piecewise-smooth f that a longer Newton step crosses).
    Returns the parses, each parse's total gain, the L-BFGS curve, and at the returned point f,
    the curvature blocks, the gradients and the gain one more Newton step would make."""
    token_model = token_model or TokenModel()
    type_model = _in_dtype(type_model, dtype)  # once, for every step below
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


def repeated(fitted: FittedParses, copies: int) -> FittedParses:
    """``fitted`` with every parse repeated ``copies`` times in a row (parse d's copies are rows
    ``d * copies ... d * copies + copies - 1``): one batch row per chain of :class:`AnnealedSampler`.
    The rows are taken as the token refits take them (:meth:`.fit.FittedParses.rows`)."""
    rows = torch.arange(fitted.type_cp.n_drawings, device=fitted.type_cp.points.device).repeat_interleave(copies)
    type_cp, noise, n_samples = fitted.rows(rows.tolist())
    per_drawing = {k: getattr(fitted, k)[rows] for k in ("blur", "eps", "score", "image_ll", "type_lp", "token_lp")}
    fit_blur = None if fitted.fit_blur is None else fitted.fit_blur[rows]
    return dataclasses.replace(fitted, type_cp=type_cp, noise=noise, n_samples=n_samples, fit_blur=fit_blur,
                               **per_drawing)


@dataclass
class AnnealedEstimate:
    """Per parse: the AIS log of the integral of e^f (``log_integral``), the estimates from each
    half of the chains (``halves``, (2, n)), the effective sample size of the final weights and the
    mean Metropolis acceptance over the schedule."""

    log_integral: Tensor
    halves: Tensor
    ess: Tensor
    acceptance: Tensor


def annealing_schedule(temperatures: int, power: float = 2.0) -> Tensor:
    """beta_0 = 0 < ... < beta_K = 1 with beta_k = (k / K)^power: small steps first, where the
    proposal and e^f disagree most."""
    return (torch.arange(temperatures + 1, dtype=torch.float64, device="cpu") / temperatures) ** power


def annealed_log_integrals(joint, blocks: list[Tensor], chains: int, temperatures: int,
                           generator: torch.Generator, floor: float = 1e-3, power: float = 2.0,
                           target_acceptance: float = 0.57) -> AnnealedEstimate:
    """log of integral e^f dz_C per parse by annealed importance sampling (Neal 2001) from the
    Laplace Gaussian q = N(z_C^k, (-H)^-1) (eigenvalues of -H below ``floor`` raised to it) to e^f.

    In whitened coordinates e (delta = (-H)^-1/2 e, q = N(0, I)) the log importance weight of a
    point is w(e) = f(delta) - log q(delta), and the intermediate densities are
    pi_beta(e) = N(e; 0, I) e^(beta w(e)) along ``annealing_schedule``. Every chain starts from q,
    adds (beta_k - beta_k-1) w(e) to its log weight and takes one Metropolis-adjusted Langevin step
    (MALA) that leaves pi_beta_k invariant; its step size is set per parse from the acceptance at the
    previous temperature (towards ``target_acceptance``, MALA's optimal 0.57). The mean of the
    chains' weights is unbiased for the integral, so its log is a lower bound in expectation
    (Jensen); with one temperature it is plain importance sampling from q (``chains`` samples), and
    as the schedule refines it approaches the integral whatever f's shape. ``joint(delta)`` takes
    ``(n * chains, d_max)`` moves, parse-major rows (:func:`repeated`), and returns f per row,
    differentiable in ``delta``."""
    if chains < 2:
        raise ValueError(f"annealed importance sampling: at least 2 chains needed, got {chains}")
    if temperatures < 1:
        raise ValueError(f"annealed importance sampling: at least 1 temperature needed, got {temperatures}")
    n = len(blocks)
    dims = [len(h) for h in blocks]
    d_max = max(dims)
    dtype, dev = blocks[0].dtype, blocks[0].device
    f = dict(dtype=dtype, device=dev)
    scales, log_norm = torch.zeros(n, d_max, d_max, **f), torch.zeros(n, **f)
    for d, h in enumerate(blocks):
        eig, vec = torch.linalg.eigh(-h)
        eig = eig.clamp(min=floor)
        scales[d, : dims[d], : dims[d]] = vec / eig.sqrt()
        log_norm[d] = 0.5 * dims[d] * LOG_2PI - 0.5 * torch.log(eig).sum()
    scales = scales.repeat_interleave(chains, 0)
    log_norm = log_norm.repeat_interleave(chains)
    mask = (torch.arange(d_max, device=dev)[None, :] < torch.tensor(dims, device=dev)[:, None]).to(dtype)
    mask = mask.repeat_interleave(chains, 0)

    def randn(*shape):  # drawn on the CPU generator, the same numbers on every device
        return torch.randn(*shape, dtype=dtype, generator=generator, device="cpu").to(dev)

    def weight(e: Tensor) -> tuple[Tensor, Tensor]:
        """w(e) = f - log q at delta(e), and its gradient in e."""
        e = e.detach().requires_grad_(True)
        with torch.enable_grad():
            w = joint(torch.einsum("nab,nb->na", scales, e)) + log_norm + 0.5 * (e**2).sum(1)
            (grad,) = torch.autograd.grad(w.sum(), e)
        return w.detach(), grad * mask

    def drift(e: Tensor, grad_w: Tensor, beta: Tensor, step: Tensor) -> Tensor:
        """The Langevin proposal's mean: e + step^2 / 2 grad log pi_beta(e)."""
        return e + 0.5 * step**2 * (beta * grad_w - e)

    betas = annealing_schedule(temperatures, power).to(**f)
    e = randn(n * chains, d_max) * mask
    w, grad_w = weight(e)
    log_w = torch.zeros(n * chains, **f)
    step = torch.ones(n, **f)
    accepted = torch.zeros(n, **f)
    for k in range(1, temperatures + 1):
        log_w = log_w + (betas[k] - betas[k - 1]) * w
        if k == temperatures:
            break
        beta, h = betas[k], step.repeat_interleave(chains)[:, None]
        noise = randn(*e.shape) * mask
        proposal = drift(e, grad_w, beta, h) + h * noise
        w_new, grad_new = weight(proposal)
        forward = -0.5 * (noise**2).sum(1)
        backward = -0.5 * ((e - drift(proposal, grad_new, beta, h)) ** 2).sum(1) / h[:, 0] ** 2
        log_ratio = beta * (w_new - w) - 0.5 * ((proposal**2).sum(1) - (e**2).sum(1)) + backward - forward
        uniform = torch.rand(n * chains, dtype=dtype, generator=generator, device="cpu").to(dev)
        accept = torch.log(uniform) < log_ratio  # NaN: rejected
        e = torch.where(accept[:, None], proposal, e)
        w = torch.where(accept, w_new, w)
        grad_w = torch.where(accept[:, None], grad_new, grad_w)
        rate = accept.to(dtype).reshape(n, chains).mean(1)
        accepted += rate
        step = (step * torch.exp(rate - target_acceptance)).clamp(1e-3, 10.0)
    log_w = log_w.reshape(n, chains)
    half = chains // 2
    halves = torch.stack([torch.logsumexp(log_w[:, :half], 1) - math.log(half),
                          torch.logsumexp(log_w[:, half:], 1) - math.log(chains - half)])
    ess = 1.0 / (torch.softmax(log_w, 1) ** 2).sum(1)
    return AnnealedEstimate(torch.logsumexp(log_w, 1) - math.log(chains), halves, ess,
                            accepted / max(temperatures - 1, 1))


class AnnealedSampler:
    """:func:`annealed_log_integrals` of every fitted parse (blur and eps fixed as in Eq. 11), all
    chains of all parses in one batch per temperature. The parses are repeated once per chain
    (:func:`repeated`) and the type model converted to ``dtype`` once, for every schedule
    :meth:`run` is asked for (the pipeline runs K and K/4 temperatures)."""

    def __init__(self, fitted: FittedParses, images: Tensor, type_model: TypeModel, blocks: list[Tensor],
                 chains: int, token_model: TokenModel | None = None, floor: float = 1e-3, power: float = 2.0,
                 dtype=torch.float32):
        images = as_image_tensor(images, dtype, fitted.type_cp.points.device).repeat_interleave(chains, 0)
        self.joint = _JointAt(repeated(fitted, chains), images, type_model, token_model, dtype)
        self.blocks = [h.to(dtype) for h in blocks]
        self.chains, self.floor, self.power = chains, floor, power

    def run(self, temperatures: int, generator: torch.Generator, progress: bool = False) -> AnnealedEstimate:
        bar = Progress(temperatures, "annealed importance sampling", unit="temperatures") if progress else None

        def counted(delta):
            if bar is not None:
                bar.update(1)
            return self.joint.differentiable(delta)

        out = annealed_log_integrals(counted, self.blocks, self.chains, temperatures, generator, self.floor,
                                     self.power)
        if bar is not None:
            bar.close()
        return out


def laplace_terms(log_joint: Tensor, hessians: list[Tensor], gradients: list[Tensor] | None = None) -> LaplaceTerms:
    """Eq. 11 per parse; parses whose -H is not positive definite get NaN (excluded)."""
    dims, log_dets, mins, gains = [], [], [], []
    for i, h in enumerate(hessians):
        eig, vec = torch.linalg.eigh(-h)
        dims.append(len(eig))
        mins.append(float(eig.min()))
        ok = bool(eig.min() > 0)
        log_dets.append(float(torch.log(eig).sum()) if ok else float("nan"))
        if ok and gradients is not None:
            coef = vec.T @ gradients[i].to(vec.dtype)
            gains.append(float(0.5 * (coef**2 / eig).sum()))
        else:
            gains.append(float("nan"))
    f = dict(dtype=log_joint.dtype, device=log_joint.device)
    dim, log_det = torch.tensor(dims, **f), torch.tensor(log_dets, **f)
    log_integral = log_joint + 0.5 * dim * LOG_2PI - 0.5 * log_det
    return LaplaceTerms(log_joint, dim, log_det, torch.tensor(mins, **f), log_integral, torch.tensor(gains, **f))


def image_bound(log_integrals: Tensor) -> float:
    """Eq. 12: log of the sum of the parses' Laplace integrals, over the parses not excluded
    (NaN when every parse of the image is excluded)."""
    ok = log_integrals[~torch.isnan(log_integrals)]
    return float(torch.logsumexp(ok, 0)) if len(ok) else float("nan")


def bound_verdict(images: int, images_scored: int, median_ascent_gain: float, median_laplace_gap: float,
                  min_scored_share: float, max_ascent_gain: float, max_laplace_gap: float) -> str:
    """Whether the mean Laplace estimate (Eq. 11-12) is evidence: "evidence" when at least
    ``min_scored_share`` of the images kept a peaked parse, a Newton step from the fits raises f by
    at most ``max_ascent_gain`` nats (median over parses: the fits sit at their peak) and the
    estimate exceeds the annealed bound of the same image by at most ``max_laplace_gap`` nats
    (median over images). The annealed bound is below the integral in expectation, so Eq. 11 then
    overstates it by at most that much, however loose the bound; a larger gap means that f is not
    the quadratic Eq. 11 assumes or that the bound is loose, and either way Eq. 11 is unchecked.
    Otherwise "not evidence" with the reasons (a NaN fails)."""
    reasons = []
    if images == 0 or images_scored < min_scored_share * images:
        reasons.append(f"{images - images_scored} of {images} images without a peaked parse")
    if not median_ascent_gain <= max_ascent_gain:
        reasons.append(f"a Newton step still gains {median_ascent_gain:.3g} nats (median): fits short of their peak")
    if not median_laplace_gap <= max_laplace_gap:
        reasons.append(f"Eq. 11 exceeds the annealed bound by {median_laplace_gap:.3g} nats (median): "
                       "f is not the quadratic Eq. 11 assumes, or the annealed bound is loose")
    return "evidence" if not reasons else "not evidence: " + "; ".join(reasons)


def annealed_verdict(median_split_half_gap: float, median_schedule_gain: float, max_split_half_gap: float,
                     max_schedule_gain: float) -> str:
    """The annealed bound is evidence of the likelihood when it is both precise and tight: an
    image's bounds from the two halves of the chains differ by at most ``max_split_half_gap`` nats
    (the Monte Carlo error), and the full schedule gains at most ``max_schedule_gain`` nats over a
    run with a quarter of its temperatures (median over images): a bound still rising with its
    schedule is a bound, not the likelihood. A small gain is necessary, not sufficient: the
    shortfall need not fall as 1/K (on 16 parses of training-alphabet drawings the median parse
    gained 2.4 nats from 50 to 200 temperatures and 5.5 from 200 to 800)."""
    reasons = []
    if not median_split_half_gap <= max_split_half_gap:
        reasons.append(f"the two halves of the chains differ by {median_split_half_gap:.3g} nats (median): "
                       "too few chains")
    if not median_schedule_gain <= max_schedule_gain:
        reasons.append(f"the full schedule gains {median_schedule_gain:.3g} nats over a quarter of it (median): "
                       "the bound is still rising with the number of temperatures")
    return "evidence" if not reasons else "not evidence: " + "; ".join(reasons)


def per_pixel(log_likelihood_nats: float | np.ndarray, size: int = 105):
    """Table 3's "LL per dim": nats divided by the number of pixels (105 x 105 for GNS)."""
    return np.asarray(log_likelihood_nats) / (size * size)
