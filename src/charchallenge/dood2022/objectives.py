"""DooD's learning objective (Liang et al. 2022, Sec. 2.3, Eq. 9) and its evaluation bound.

For one image x and one draw z = (o, c) from the recognition model q - o_1..o_T the discrete stop
variables, c the continuous layout and stroke variables, reparameterised - write the ELBO's
integrand as

    f = log p(x | z) + sum_t r_t,    r_t = [log p(o_t) - log q(o_t)] + [log p(c_t) - log q(c_t)],

r_t the log ratio of step t (its stop decision and, if it draws, its stroke). The gradient has a
pathwise part (through c and everything differentiable, the ELBO's own) and a score-function part
for the stop variables (REINFORCE). NVIL (Mnih & Gregor 2014) keeps the latter's variance down:

* **reward to go**: o_t cannot change what came before it, so its learning signal is
  log p(x | z) / beta + sum_{i >= t} r_i, not the whole f;
* **beta** (Eq. 9, "beta-weighted KL over stopping", as in beta-VAE): the KL in the stop
  variables' signal weighs beta times the likelihood. The released code does this by dividing the
  likelihood in that signal by beta (``--beta 4`` for MNIST and Omniglot); so do we. Weighting only
  log p(o) - log q(o) does nothing in practice: the learned, canvas-reading prior on stopping copies
  q and that term is about 0 nats, while each extra stroke buys more likelihood than its KL costs;
* **baselines**: one per step, b_t, read off the recognition model's state before decision t
  with its inputs detached, regressed on the signal by its own squared error and trained with its
  own learning rate (its loss's gradient must not reach, or be clipped with, the model's);
* **normalisation**: the centred signal divided by max(1, running standard deviation).

    advantage_t = (signal_t - b_t - mean) / max(1, std)
    surrogate   = f + sum_t advantage_t.detach() * log q(o_t)          (maximised)
    baseline    = sum_t (signal_t.detach() - b_t)^2                   (minimised)

Only steps whose stop variable was drawn (the image had not stopped before) enter either sum.
The IWAE bound (Burda et al. 2016) of K draws, log (1/K) sum_k exp(f_k), estimates log p(x) for
evaluation; it tightens with K.
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

    def __call__(self, signal: Tensor, mask: Tensor | None = None) -> Tensor:
        """``signal`` centred and scaled; the statistics are updated from its entries where ``mask``."""
        s = signal.detach()
        seen = s[mask] if mask is not None else s.flatten()
        if seen.numel():
            m, v = float(seen.mean()), float(seen.var(unbiased=False)) if seen.numel() > 1 else 0.0
            if not self.started:
                self.mean, self.var, self.started = m, max(v, 1e-8), True
            else:
                self.mean = self.decay * self.mean + (1 - self.decay) * m
                self.var = self.decay * self.var + (1 - self.decay) * v
        return (s - self.mean) / max(1.0, math.sqrt(self.var))


def reward_to_go(step_ratio: Tensor) -> Tensor:
    """sum_{i >= t} r_i for every step t: (B, T) -> (B, T)."""
    return step_ratio.flip(-1).cumsum(-1).flip(-1)


def nvil_surrogate(log_lik: Tensor, step_ratio: Tensor, step_log_q: Tensor, step_baseline: Tensor,
                   decided: Tensor, beta: float = 1.0,
                   normaliser: SignalNormaliser | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """NVIL for one draw per image. ``log_lik`` (B,) log p(x | z); per step (B, T): ``step_ratio``
    r_t, ``step_log_q`` log q(o_t), ``step_baseline`` b_t and ``decided`` (bool: o_t was drawn).
    Returns (surrogate to maximise (B,), baseline loss (B,), the ELBO integrand f detached (B,))."""
    mask = decided.to(log_lik.dtype)
    f = log_lik + (step_ratio * mask).sum(-1)
    signal = (log_lik.detach() / beta)[:, None] + reward_to_go((step_ratio * mask).detach())
    advantage = signal - step_baseline.detach()
    if normaliser is not None:
        advantage = normaliser(advantage, decided)
    surrogate = f + (advantage * step_log_q * mask).sum(-1)
    baseline_loss = ((signal - step_baseline) ** 2 * mask).sum(-1)
    return surrogate, baseline_loss, f.detach()


def iwae_bound(log_weights: Tensor) -> Tensor:
    """log (1/K) sum_k exp(log_weights[k]) over the first axis (K draws): the IWAE bound per image."""
    k = log_weights.shape[0]
    return torch.logsumexp(log_weights, 0) - math.log(k)
