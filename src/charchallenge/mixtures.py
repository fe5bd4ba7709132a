"""Mixture-density outputs shared by every Feinman & Lake (2020) model.

Graves (2013), Sec. 4.1-4.2, as used by Feinman & Lake (CogSci 2020, "Mixture Outputs"): a
network layer returns ``theta = {pi_1:K, mu_1:K, sigma_1:K, rho_1:K}`` of a bivariate Gaussian
mixture - softmax weights, unconstrained means, ``exp`` standard deviations and ``tanh``
correlations. Appendix A: every GMM head has K = 20 components.

The released GNS code (shared/reference/gns-facts.md, section 2) adds a ridge to the variances,
``std' = sqrt(std^2 + alpha)`` with the covariance term ``rho std_x std_y`` kept; :class:`GMMHead`
does the same when ``ridge > 0`` (the correlation is recomputed so that the covariance is kept).

One implementation of the density (:func:`gmm_log_prob`) and of the sampler
(:func:`sample_gmm`) serves all models. Temperature follows Ha & Eck (2018, Eq. 8): mixture
weights (and any categorical or Bernoulli output, :func:`temper_logits`) are raised to the power
``1/T`` and renormalised - i.e. logits divided by ``T`` - and the standard deviations are
multiplied by ``sqrt(T)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn import functional as F

N_COMPONENTS = 20
"""Appendix A: "All neural networks with GMM output layers use 20 mixture components"."""

_LOG_2PI = math.log(2 * math.pi)


@dataclass
class GMM:
    """Parameters of a batch of bivariate Gaussian mixtures (any leading shape ``...``).

    ``logits (..., K)`` unnormalised log mixture weights; ``mu (..., K, 2)``;
    ``sigma (..., K, 2)`` > 0; ``rho (..., K)`` in (-1, 1).
    """

    logits: Tensor
    mu: Tensor
    sigma: Tensor
    rho: Tensor

    @property
    def log_weights(self) -> Tensor:
        return torch.log_softmax(self.logits, -1)

    def index(self, idx) -> "GMM":
        return GMM(self.logits[idx], self.mu[idx], self.sigma[idx], self.rho[idx])

    def log_prob(self, x: Tensor) -> Tensor:
        return gmm_log_prob(self, x)

    def sample(self, temperature: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
        return sample_gmm(self, temperature, generator)


class GMMHead(nn.Module):
    """Linear layer ``in_features -> 6K`` mapped to a :class:`GMM` (Graves 2013, Eqs. 17-22).

    ``ridge`` adds ``alpha`` to every variance keeping the covariance (released GNS code: 1e-3
    for locations, 1e-4 for offsets); 0 disables it.
    """

    def __init__(self, in_features: int, n_components: int = N_COMPONENTS, ridge: float = 0.0):
        super().__init__()
        self.k = n_components
        self.ridge = float(ridge)
        self.linear = nn.Linear(in_features, 6 * n_components)

    def forward(self, h: Tensor) -> GMM:
        out = self.linear(h)
        k = self.k
        logits, mu, log_sigma, rho_raw = out.split([k, 2 * k, 2 * k, k], -1)
        mu = mu.unflatten(-1, (k, 2))
        sigma = torch.exp(log_sigma.unflatten(-1, (k, 2)).clamp(-12.0, 8.0))
        rho = torch.tanh(rho_raw)
        if self.ridge > 0:
            cov = rho * sigma[..., 0] * sigma[..., 1]
            sigma = torch.sqrt(sigma**2 + self.ridge)
            rho = cov / (sigma[..., 0] * sigma[..., 1])
        rho = rho.clamp(-0.9999, 0.9999)
        return GMM(logits, mu, sigma, rho)


def bivariate_normal_log_prob(x: Tensor, mu: Tensor, sigma: Tensor, rho: Tensor) -> Tensor:
    """Log-density of ``x (..., 2)`` under N(mu, [[sx^2, rho sx sy], [rho sx sy, sy^2]]) (Graves Eq. 24-25)."""
    d = (x - mu) / sigma
    one_m_r2 = 1 - rho**2
    z = d[..., 0] ** 2 + d[..., 1] ** 2 - 2 * rho * d[..., 0] * d[..., 1]
    return -_LOG_2PI - torch.log(sigma[..., 0]) - torch.log(sigma[..., 1]) - 0.5 * torch.log(one_m_r2) - z / (2 * one_m_r2)


def gmm_log_prob(gmm: GMM, x: Tensor) -> Tensor:
    """``log sum_k pi_k N(x | mu_k, Sigma_k)`` for ``x (..., 2)``; returns ``(...)`` (nats)."""
    comp = bivariate_normal_log_prob(x.unsqueeze(-2), gmm.mu, gmm.sigma, gmm.rho)
    return torch.logsumexp(gmm.log_weights + comp, -1)


def temper_logits(logits: Tensor, temperature: float) -> Tensor:
    """Ha & Eck (2018) Eq. 8: probabilities to the power ``1/T``, renormalised == logits / T.

    For a Bernoulli given by one logit ``l`` (``p = sigmoid(l)``) the same rule gives ``l / T``.
    """
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return logits / temperature


def sample_gmm(gmm: GMM, temperature: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    """One draw ``(..., 2)`` per mixture; weights tempered (logits / T), std devs times sqrt(T)."""
    logits = temper_logits(gmm.logits, temperature)
    flat = torch.softmax(logits.reshape(-1, logits.shape[-1]), -1)
    comp = torch.multinomial(flat, 1, generator=generator).view(logits.shape[:-1])
    pick = comp[..., None, None].expand(*comp.shape, 1, 2)
    mu = gmm.mu.gather(-2, pick).squeeze(-2)
    sigma = gmm.sigma.gather(-2, pick).squeeze(-2) * math.sqrt(temperature)
    rho = gmm.rho.gather(-1, comp[..., None]).squeeze(-1)
    e = torch.randn(*comp.shape, 2, generator=generator, dtype=mu.dtype, device=mu.device)
    x = mu[..., 0] + sigma[..., 0] * e[..., 0]
    y = mu[..., 1] + sigma[..., 1] * (rho * e[..., 0] + torch.sqrt(1 - rho**2) * e[..., 1])
    return torch.stack([x, y], -1)


def bernoulli_log_prob(logit: Tensor, label: Tensor) -> Tensor:
    """``log p(label)`` for a Bernoulli with ``p(1) = sigmoid(logit)`` (labels 0/1, float)."""
    return -F.binary_cross_entropy_with_logits(logit, label.to(logit.dtype), reduction="none")


def sample_bernoulli(logit: Tensor, temperature: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    """Boolean draw with ``p = sigmoid(logit / T)`` (Ha & Eck temperature)."""
    p = torch.sigmoid(temper_logits(logit, temperature))
    return torch.rand(p.shape, generator=generator, dtype=p.dtype, device=p.device) < p


def sample_categorical(logits: Tensor, temperature: float = 1.0, generator: torch.Generator | None = None) -> Tensor:
    """Index draw from ``softmax(logits / T)`` over the last axis."""
    probs = torch.softmax(temper_logits(logits, temperature), -1)
    flat = probs.reshape(-1, probs.shape[-1])
    return torch.multinomial(flat, 1, generator=generator).view(probs.shape[:-1])
