"""A check on Eq. 11 that does not assume f is quadratic (ours, beyond Feinman & Lake 2021,
Appendix D): the same integrals of e^f, f(z_C) = log P(I, z_D^k, z_C), estimated by annealed
importance sampling (Neal 2001) from the Laplace Gaussian N(z_C^k, (-H)^-1) of :mod:`.laplace` to e^f.

The estimate is a lower bound in expectation. Where Eq. 11 exceeds it by little, Eq. 11 cannot
overstate the integral by more (:func:`charchallenge.gns2021.likelihood.bound_verdict`); the
annealed bound itself is evidence only when precise and no longer rising with its schedule
(:func:`annealed_verdict`).

Read top to bottom: the schedule (:func:`annealing_schedule`), the sampler of one batch of parses
(:func:`annealed_log_integrals`), the batch of every parse's chains (:func:`repeated`,
:class:`AnnealedSampler`), the verdict.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import Tensor

from charchallenge.progress import Progress

from .fit import FittedParses
from .image_model import as_image_tensor
from .laplace import LOG_2PI, JointAt
from .token_model import TokenModel
from .type_model import TypeModel


def annealing_schedule(temperatures: int, power: float = 2.0) -> Tensor:
    """beta_0 = 0 < ... < beta_K = 1 with beta_k = (k / K)^power: small steps first, where the
    proposal and e^f disagree most."""
    return (torch.arange(temperatures + 1, dtype=torch.float64, device="cpu") / temperatures) ** power


@dataclass
class AnnealedEstimate:
    """Per parse: the AIS log of the integral of e^f (``log_integral``), the estimates from each
    half of the chains (``halves``, (2, n)), the effective sample size of the final weights and the
    mean Metropolis acceptance over the schedule."""

    log_integral: Tensor
    halves: Tensor
    ess: Tensor
    acceptance: Tensor


def whitened_proposal(blocks: list[Tensor], chains: int, floor: float) -> tuple[Tensor, Tensor, Tensor]:
    """Per chain (parse-major rows): the map S from whitened coordinates to moves, delta = S e with
    S = V diag(lambda)^-1/2 for the eigen-decomposition of -H (eigenvalues below ``floor`` raised to
    it); log of q's normaliser, so that log q(delta) = -log_norm - |e|^2 / 2; and the mask of each
    row's real dimensions (the parses' blocks are padded to the largest)."""
    n, dims = len(blocks), [len(h) for h in blocks]
    d_max = max(dims)
    f = dict(dtype=blocks[0].dtype, device=blocks[0].device)
    scales, log_norm = torch.zeros(n, d_max, d_max, **f), torch.zeros(n, **f)
    for d, h in enumerate(blocks):
        eig, vec = torch.linalg.eigh(-h)
        eig = eig.clamp(min=floor)
        scales[d, : dims[d], : dims[d]] = vec / eig.sqrt()
        log_norm[d] = 0.5 * dims[d] * LOG_2PI - 0.5 * torch.log(eig).sum()
    mask = (torch.arange(d_max, device=f["device"])[None, :] < torch.tensor(dims, device=f["device"])[:, None])
    return (scales.repeat_interleave(chains, 0), log_norm.repeat_interleave(chains),
            mask.to(f["dtype"]).repeat_interleave(chains, 0))


def chain_estimates(log_w: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """From the chains' final log weights (parses, chains): the log of their mean (the estimate of
    each parse's log integral), the same over each half of the chains (2, parses), and the effective
    sample size of the weights."""
    chains = log_w.shape[1]
    half = chains // 2
    halves = torch.stack([torch.logsumexp(log_w[:, :half], 1) - math.log(half),
                          torch.logsumexp(log_w[:, half:], 1) - math.log(chains - half)])
    ess = 1.0 / (torch.softmax(log_w, 1) ** 2).sum(1)
    return torch.logsumexp(log_w, 1) - math.log(chains), halves, ess


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
    d_max = max(len(h) for h in blocks)
    dtype, dev = blocks[0].dtype, blocks[0].device
    f = dict(dtype=dtype, device=dev)
    scales, log_norm, mask = whitened_proposal(blocks, chains, floor)

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
    return AnnealedEstimate(*chain_estimates(log_w.reshape(n, chains)), accepted / max(temperatures - 1, 1))


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


class AnnealedSampler:
    """:func:`annealed_log_integrals` of every fitted parse (blur and eps fixed as in Eq. 11), all
    chains of all parses in one batch per temperature. The parses are repeated once per chain
    (:func:`repeated`) and the type model converted to ``dtype`` once, for every schedule
    :meth:`run` is asked for (the pipeline runs K and K/4 temperatures)."""

    def __init__(self, fitted: FittedParses, images: Tensor, type_model: TypeModel, blocks: list[Tensor],
                 chains: int, token_model: TokenModel | None = None, floor: float = 1e-3, power: float = 2.0,
                 dtype=torch.float32):
        images = as_image_tensor(images, dtype, fitted.type_cp.points.device).repeat_interleave(chains, 0)
        self.joint = JointAt(repeated(fitted, chains), images, type_model, token_model, dtype)
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
