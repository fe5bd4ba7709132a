"""DooD's learning objective (Liang et al. 2022, Sec. 2.3, Eq. 9) and its evaluation bound.

For one image x and one draw z = (o, c) from the recognition model q - o the discrete stop
variables, c the continuous layout and stroke variables, reparameterised - the per-sample
objective with the stop KL weighted by beta is

    f_beta = log p(x | z) + [log p(c) - log q(c | x)] + beta [log p(o) - log q(o | x)],

beta = 1 giving the ELBO's integrand log p(x, z) - log q(z | x). Its gradient has a pathwise part
(through c and everything differentiable) and a score-function part for o (REINFORCE). NVIL (Mnih &
Gregor 2014) keeps the latter's variance down with a learned, input-dependent baseline b(x) and a
running normalisation of the learning signal:

    signal = (f - b(x) - mean) / max(1, std)      (mean, std: running statistics of f - b(x))
    surrogate = f_beta + signal.detach() * log q(o | x)           (maximised)
    baseline loss = (f - b(x))^2 (f detached)                      (minimised)

The surrogate's gradient is, in expectation, the gradient of E_q[f_beta] up to the normalisation's
positive scale on the score part. The IWAE bound (Burda et al. 2016) of K draws,
log (1/K) sum_k exp(f_k) with beta = 1, estimates log p(x) for evaluation; it tightens with K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import Tensor


@dataclass
class SignalNormaliser:
    """NVIL's running mean and variance of the learning signal (exponential moving averages)."""

    decay: float = 0.9
    mean: float = 0.0
    var: float = 1.0
    started: bool = field(default=False)

    def __call__(self, signal: Tensor) -> Tensor:
        s = signal.detach()
        m, v = float(s.mean()), float(s.var(unbiased=False)) if s.numel() > 1 else 0.0
        if not self.started:
            self.mean, self.var, self.started = m, max(v, 1e-8), True
        else:
            self.mean = self.decay * self.mean + (1 - self.decay) * m
            self.var = self.decay * self.var + (1 - self.decay) * v
        return (s - self.mean) / max(1.0, math.sqrt(self.var))


def nvil_surrogate(log_lik: Tensor, log_ratio_continuous: Tensor, log_ratio_discrete: Tensor,
                   log_q_discrete: Tensor, baseline: Tensor, beta: float = 1.0,
                   normaliser: SignalNormaliser | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Per-image terms of one draw each (all (B,)): log p(x|z), log p(c) - log q(c), log p(o) - log q(o),
    log q(o) and the baseline b(x). Returns (surrogate to maximise (B,), baseline loss (B,), f with
    beta = 1, i.e. the ELBO integrand, detached (B,))."""
    f_beta = log_lik + log_ratio_continuous + beta * log_ratio_discrete
    signal = f_beta.detach() - baseline.detach()
    if normaliser is not None:
        signal = normaliser(signal)
    surrogate = f_beta + signal * log_q_discrete
    baseline_loss = (f_beta.detach() - baseline) ** 2
    return surrogate, baseline_loss, (log_lik + log_ratio_continuous + log_ratio_discrete).detach()


def iwae_bound(log_weights: Tensor) -> Tensor:
    """log (1/K) sum_k exp(log_weights[k]) over the first axis (K draws): the IWAE bound per image."""
    k = log_weights.shape[0]
    return torch.logsumexp(log_weights, 0) - math.log(k)
