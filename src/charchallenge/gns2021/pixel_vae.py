"""A pixel-level deep generative model for Table 3's comparison (Feinman & Lake 2021, Sec. 5; issue 28).

Table 3 sets GNS's log-likelihood per pixel (-0.0348 at 105x105) against models trained directly on
pixels (SG -0.0496 at 52x52, VHE -0.0781 at 28x28). To test that ordering on our data, this module
trains such a model here: a variational autoencoder (Kingma & Welling 2014) with a Bernoulli
decoder, on the same background drawings the type model learned from, downsampled to 28x28 (the
VHE's resolution; an MLP VAE trains in minutes on a CPU at that size), and scores held-out images
by the importance-weighted bound (Burda et al. 2016, Eq. 8):

    log p(x) >= L_k(x) = E[ log 1/k sum_i p(x, z_i) / q(z_i | x) ],   z_i ~ q(z | x),

which rises with k to log p(x). Why a VAE and not SG or the VHE itself: it is the simplest pixel
model with a tractable, tight bound, which is all the claim needs (a better pixel model only
makes the comparison harder for GNS).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def downsample(images, size: int) -> Tensor:
    """Binary (N, 105, 105) images as binary (N, size*size) float vectors: the share of ink in each
    cell (area averaging), thresholded at one half."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)[:, None]
    return (F.interpolate(x, size=(size, size), mode="area") >= 0.5).float().flatten(1)


class PixelVAE(nn.Module):
    """Encoder q(z | x) = N(mu(x), diag sigma(x)^2), prior p(z) = N(0, I), decoder p(x | z) a
    product of Bernoullis with logits from an MLP; two hidden layers each way."""

    def __init__(self, pixels: int, hidden: int, latent: int):
        super().__init__()
        self.latent = latent
        self.encoder = nn.Sequential(nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 2 * latent))
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                     nn.Linear(hidden, pixels))

    def log_weights(self, x: Tensor, k: int, generator: torch.Generator | None = None) -> Tensor:
        """(k, B) importance log-weights log p(x, z_i) - log q(z_i | x), z_i ~ q(z | x)."""
        mu, log_var = self.encoder(x).chunk(2, -1)
        std = (0.5 * log_var).exp()
        eps = torch.randn((k, *mu.shape), generator=generator, dtype=mu.dtype, device=mu.device)
        z = mu + std * eps
        log_q = (-0.5 * eps**2 - 0.5 * log_var - 0.5 * math.log(2 * math.pi)).sum(-1)
        log_prior = (-0.5 * z**2 - 0.5 * math.log(2 * math.pi)).sum(-1)
        logits = self.decoder(z)
        log_lik = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
        return log_lik + log_prior - log_q

    def bound(self, x: Tensor, k: int, generator: torch.Generator | None = None) -> Tensor:
        """L_k(x) per image (B,): k = 1 is the ELBO, the training objective's."""
        return torch.logsumexp(self.log_weights(x, k, generator), 0) - math.log(k)

    @torch.no_grad()
    def log_likelihood_bound(self, x: Tensor, k: int, generator: torch.Generator, chunk: int = 500) -> Tensor:
        """L_k(x) per image (B,) in float64, the k samples drawn ``chunk`` at a time (memory)."""
        parts = []
        for a in range(0, k, chunk):
            parts.append(self.log_weights(x, min(chunk, k - a), generator).double())
        return torch.logsumexp(torch.cat(parts), 0) - math.log(k)
