"""Annealed importance sampling with Hamiltonian Monte Carlo transitions (ours, beyond Feinman &
Lake 2021): the integrals of e^f of :mod:`.annealing`, f(z_C) = log P(I, z_D^k, z_C), estimated along
the same schedule from the same Laplace Gaussian, but every temperature's transition is ``leapfrog``
steps of Hamiltonian dynamics and one Metropolis accept/reject instead of one Langevin step.

References. Annealed importance sampling: R. M. Neal (2001), "Annealed importance sampling",
Statistics and Computing 11, 125-139. Hamiltonian Monte Carlo, its leapfrog integrator, the
accept/reject on the change in total energy, mass matrices and step-size jitter: R. M. Neal (2011),
"MCMC using Hamiltonian dynamics", ch. 5 of the Handbook of Markov Chain Monte Carlo.

Why. One Langevin step per temperature moves a chain a distance of about its step size, and the
step size shrinks as the dimension grows (MALA's acceptance falls with d h^6, HMC's with d h^4 per
trajectory): with few temperatures the chains lag behind the moving intermediate densities and the
bound falls short. A leapfrog trajectory of L steps travels about L times as far at a cost of L
gradients, with an acceptance that stays high, so the chains keep up with far fewer temperatures.

The metric (the mass matrix). The chains move in the proposal's whitened coordinates e (delta =
(-H)^-1/2 e, q = N(0, I)), as :func:`.annealing.annealed_log_integrals` does, with unit mass there.
In the parse's own coordinates delta that is the mass matrix M = -H, the proposal's precision: the
kinetic energy p' M^-1 p / 2 moves each direction by the proposal's own scale (preconditioned HMC).
We chose it because -H is already computed, is positive definite after the floor, and is the
curvature of f at its peak, so along the whole schedule (pi_0 = q exactly, pi_1 = e^f near its peak)
one step size suits every direction about equally; an identity metric would need a step small
enough for the stiffest direction of every parse (the stroke-point directions are many times stiffer
than the affine warp's).

The step size. One per parse (all its chains share it), at most a set trajectory length over the
number of leapfrog steps, adapted after every temperature from the fraction of its chains that
accepted, step <- step exp(rate - target), as the Langevin sampler
adapts its own; the target is 0.65, the optimum of Beskos et al. (2013) that Neal (2011, sec. 5.4.4)
reports. Each chain's step is jittered uniformly by +-``jitter`` of it on every transition (Neal 2011,
sec. 5.4.2.2), so no trajectory length resonates with a periodic direction. The adaptation uses the
chains of the same run, as the Langevin sampler's does; the weights are those of the schedule that
was run.

Read top to bottom: the whitening of the proposal (:func:`whitened_proposal`), one leapfrog
trajectory (:func:`leapfrog`), the sampler of one batch of parses
(:func:`hmc_annealed_log_integrals`), and the sampler of every fitted parse
(:class:`HamiltonianAnnealedSampler`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from .annealing import AnnealedEstimate, AnnealedSampler, annealing_schedule, chain_estimates, whitened_proposal

HMC_TARGET_ACCEPTANCE = 0.65


@dataclass
class HamiltonianEstimate(AnnealedEstimate):
    """:class:`.annealing.AnnealedEstimate` plus the final step size of every parse (``step``, in
    whitened units) and the number of gradient evaluations of the joint (``evaluations``, each one
    a batch of every parse's chains)."""

    step: Tensor
    evaluations: int


def leapfrog(e: Tensor, p: Tensor, grad_log_pi: Tensor, step: Tensor, steps: int,
             weight: Callable[[Tensor], tuple[Tensor, Tensor]], beta: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``steps`` leapfrog steps of Hamiltonian dynamics for log pi_beta(e) = beta w(e) - |e|^2 / 2
    with unit mass (Neal 2011, eq. 5.18-5.20): a half step of the momentum, alternating full steps,
    a last half step. ``step`` is (rows, 1). Returns the end point, its momentum, w and its gradient
    there. A chain whose w stops being finite stays where it was last finite, with w set to NaN so
    that the Metropolis test rejects it (the joint is never evaluated far outside where it is
    defined)."""
    p = p + 0.5 * step * grad_log_pi
    alive = torch.ones(len(e), dtype=torch.bool, device=e.device)
    for i in range(steps):
        moved = e + step * p
        w, grad_w = weight(moved)
        alive = alive & torch.isfinite(w) & torch.isfinite(grad_w).all(1)
        e = torch.where(alive[:, None], moved, e)
        grad_log_pi = torch.where(alive[:, None], beta * grad_w - moved, 0.0)
        p = torch.where(alive[:, None], p + (step if i < steps - 1 else 0.5 * step) * grad_log_pi, 0.0)
    return e, p, torch.where(alive, w, float("nan")), torch.where(alive[:, None], grad_w, 0.0)


def hmc_annealed_log_integrals(joint, blocks: list[Tensor], chains: int, temperatures: int,
                               generator: torch.Generator, leapfrog_steps: int = 8, floor: float = 1e-3,
                               power: float = 2.0, target_acceptance: float = HMC_TARGET_ACCEPTANCE,
                               trajectory: float = math.pi / 2, jitter: float = 0.2) -> HamiltonianEstimate:
    """log of integral e^f dz_C per parse by annealed importance sampling (Neal 2001) from the
    Laplace Gaussian q = N(z_C^k, (-H)^-1) to e^f, with one Hamiltonian Monte Carlo transition of
    ``leapfrog_steps`` leapfrog steps per temperature (Neal 2011).

    The arguments and the result are those of :func:`.annealing.annealed_log_integrals`: ``joint``
    takes ``(n * chains, d_max)`` moves, parse-major rows, and returns f per row, differentiable in
    ``delta``; ``blocks`` are the parses' -H blocks (negative definite up to ``floor``). The schedule,
    the weights and their bookkeeping are the same: every chain starts from q, adds
    (beta_k - beta_k-1) w(e) to its log weight, w = f - log q, and then moves under
    pi_beta_k(e) = N(e; 0, I) e^(beta_k w(e)). The move here is: draw a momentum p ~ N(0, I), run the
    leapfrog trajectory, accept its end with probability min(1, e^-(change in total energy)).
    Each temperature costs ``leapfrog_steps`` gradient evaluations (the Langevin sampler's: one).

    The step starts at, and never exceeds, ``trajectory / leapfrog_steps`` (whitened units): by
    default a trajectory of a quarter of the period of q's dynamics (pi / 2), which takes a chain of
    q to an independent point. Below that cap it is adapted per parse towards
    ``target_acceptance``. The cap matters: adapted on acceptance alone, the step of a near-Gaussian
    pi_beta grows towards leapfrog's stability limit (2), the trajectory towards a whole period, and
    the chains return close to where they started (on a Gaussian four times as wide as q, in 20
    dimensions, that cost 1 nat of the bound at 10 temperatures)."""
    if chains < 2:
        raise ValueError(f"annealed importance sampling: at least 2 chains needed, got {chains}")
    if temperatures < 1:
        raise ValueError(f"annealed importance sampling: at least 1 temperature needed, got {temperatures}")
    if leapfrog_steps < 1:
        raise ValueError(f"Hamiltonian Monte Carlo: at least 1 leapfrog step needed, got {leapfrog_steps}")
    n = len(blocks)
    dtype, dev = blocks[0].dtype, blocks[0].device
    f = dict(dtype=dtype, device=dev)
    scales, log_norm, mask = whitened_proposal(blocks, chains, floor)

    def randn(*shape):  # drawn on the CPU generator, the same numbers on every device
        return torch.randn(*shape, dtype=dtype, generator=generator, device="cpu").to(dev)

    def rand(*shape):
        return torch.rand(*shape, dtype=dtype, generator=generator, device="cpu").to(dev)

    evaluations = 0

    def weight(e: Tensor) -> tuple[Tensor, Tensor]:
        """w(e) = f - log q at delta(e), and its gradient in e."""
        nonlocal evaluations
        evaluations += 1
        e = e.detach().requires_grad_(True)
        with torch.enable_grad():
            w = joint(torch.einsum("nab,nb->na", scales, e)) + log_norm + 0.5 * (e**2).sum(1)
            (grad,) = torch.autograd.grad(w.sum(), e)
        return w.detach(), grad * mask

    betas = annealing_schedule(temperatures, power).to(**f)
    e_dim = scales.shape[1]
    e = randn(n * chains, e_dim) * mask
    w, grad_w = weight(e)
    log_w = torch.zeros(n * chains, **f)
    max_step = trajectory / leapfrog_steps
    step = torch.full((n,), max_step, **f)
    accepted = torch.zeros(n, **f)
    for k in range(1, temperatures + 1):
        log_w = log_w + (betas[k] - betas[k - 1]) * w
        if k == temperatures:
            break
        beta = betas[k]
        h = step.repeat_interleave(chains)[:, None] * (1 + jitter * (2 * rand(n * chains, 1) - 1))
        p = randn(n * chains, e_dim) * mask
        end, p_end, w_end, grad_end = leapfrog(e, p, beta * grad_w - e, h, leapfrog_steps, weight, beta)
        energy = -beta * w + 0.5 * (e**2).sum(1) + 0.5 * (p**2).sum(1)
        energy_end = -beta * w_end + 0.5 * (end**2).sum(1) + 0.5 * (p_end**2).sum(1)
        accept = torch.log(rand(n * chains)) < energy - energy_end  # NaN: rejected
        e = torch.where(accept[:, None], end, e)
        w = torch.where(accept, w_end, w)
        grad_w = torch.where(accept[:, None], grad_end, grad_w)
        rate = accept.to(dtype).reshape(n, chains).mean(1)
        accepted += rate
        step = (step * torch.exp(rate - target_acceptance)).clamp(1e-4, max_step)
    return HamiltonianEstimate(*chain_estimates(log_w.reshape(n, chains)), accepted / max(temperatures - 1, 1),
                               step, evaluations)


class HamiltonianAnnealedSampler(AnnealedSampler):
    """:class:`.annealing.AnnealedSampler` (every fitted parse, all chains in one batch, blur and eps
    fixed) with :func:`hmc_annealed_log_integrals` as its sampler: ``leapfrog_steps`` per
    temperature."""

    def __init__(self, *args, leapfrog_steps: int = 8, **kwargs):
        super().__init__(*args, **kwargs)
        self.leapfrog_steps = leapfrog_steps

    def run(self, temperatures: int, generator: torch.Generator, progress: bool = False) -> HamiltonianEstimate:
        from charchallenge.progress import Progress

        total = 1 + (temperatures - 1) * self.leapfrog_steps
        bar = Progress(total, "annealed importance sampling (HMC)", unit="gradients") if progress else None

        def counted(delta):
            if bar is not None:
                bar.update(1)
            return self.joint.differentiable(delta)

        out = hmc_annealed_log_integrals(counted, self.blocks, self.chains, temperatures, generator,
                                         self.leapfrog_steps, self.floor, self.power)
        if bar is not None:
            bar.close()
        return out
