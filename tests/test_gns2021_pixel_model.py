"""The pixel model of Table 3's comparison (issue 28): the importance-weighted bound against the
exact log-likelihood of a tiny VAE (one latent, quadrature), the downsampling, and the verdict's
logic on constructed differences."""

import math

import numpy as np
import pytest
import torch

from charchallenge.gns2021.pixel_comparison import pixel_verdict, train_pixel_vae, vae_converged
from charchallenge.gns2021.pixel_vae import PixelVAE, downsample


def exact_log_likelihood(model: PixelVAE, x: torch.Tensor) -> torch.Tensor:
    """log p(x) = log int p(x | z) N(z; 0, 1) dz by the trapezoid rule on a fine grid (latent 1)."""
    z = torch.linspace(-9, 9, 20001, dtype=torch.float64)[:, None]
    with torch.no_grad():
        logits = model.decoder.double()(z)
        model.decoder.float()
    log_lik = -torch.nn.functional.binary_cross_entropy_with_logits(
        logits[:, None, :].expand(len(z), *x.shape), x.double()[None].expand(len(z), *x.shape),
        reduction="none").sum(-1)  # (grid, B)
    log_prior = -0.5 * z**2 - 0.5 * math.log(2 * math.pi)
    dz = float(z[1] - z[0])
    return torch.logsumexp(log_lik + log_prior, 0) + math.log(dz)


def test_the_importance_weighted_bound_rises_with_k_to_the_exact_log_likelihood():
    torch.manual_seed(0)
    model = PixelVAE(pixels=6, hidden=8, latent=1)
    x = torch.tensor([[1, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=torch.float32)
    exact = exact_log_likelihood(model, x)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        w = model.log_weights(x, 40000, g).double()  # (k, B)
    elbo = w.mean(0)  # E[log w]: the k = 1 bound
    k10 = (torch.logsumexp(w.view(4000, 10, 2), 1) - math.log(10)).mean(0)  # E[L_10]
    k_many = model.log_likelihood_bound(x, 200000, g, chunk=50000)
    assert (elbo < k10).all() and (k10 < exact + 0.005).all()  # a bound, tighter with k
    assert torch.allclose(k_many, exact, atol=0.01)  # and it reaches the exact value
    assert (elbo < exact - 0.02).all()  # a random encoder leaves a real gap at k = 1


def test_downsampling_averages_ink_by_area_and_thresholds_at_one_half():
    img = np.zeros((1, 105, 105), dtype=bool)
    img[0, :, :53] = True  # the left half (and one column more) is ink
    x = downsample(img, 28)
    assert x.shape == (1, 784) and set(x.unique().tolist()) <= {0.0, 1.0}
    grid = x.view(28, 28)
    assert grid[:, :14].all() and not grid[:, 15:].any()


def test_the_verdict_needs_a_clear_interval_an_evidential_gns_bound_and_a_converged_vae():
    crit = {"level": 0.95, "resamples": 2000}
    gns, vae = np.full(12, -0.030), np.full(12, -0.040) + np.linspace(-1e-3, 1e-3, 12)
    assert pixel_verdict(gns, vae, True, True, crit, 0)["verdict"] == "holds"
    assert pixel_verdict(vae, gns, True, True, crit, 0)["verdict"] == "fails"
    assert pixel_verdict(gns, vae, False, True, crit, 0)["verdict"].startswith("not evidence: GNS")
    assert pixel_verdict(gns, vae, True, False, crit, 0)["verdict"].startswith("not evidence: the pixel model")
    mixed = pixel_verdict(gns, gns + np.linspace(-0.01, 0.01, 12), True, True, crit, 0)
    assert mixed["verdict"].startswith("not evidence: the interval") and mixed["ci_low"] < 0 < mixed["ci_high"]
    assert pixel_verdict(gns, vae, True, True, crit, 0)["gns_minus_vae_per_pixel"] == pytest.approx(0.010)


def test_a_tiny_vae_trains_early_stops_and_its_curve_is_judged():
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(200, 16, generator=g) < 0.2).float()
    pm = {"hidden": 8, "latent": 2, "lr": 0.01, "batch_size": 16, "train_samples": 1, "max_steps": 60,
          "eval_every": 10, "patience": 3, "val_samples": 5}
    model, result = train_pixel_vae(x[:150], x[150:], pm, seed=0)
    assert len(result.history) >= 2 and result.history[-1]["step"] <= 60
    assert result.history[0]["val_loss"] > min(h["val_loss"] for h in result.history)  # it learned
    converged, rel = vae_converged(result.history, {"last_fraction": 0.25, "max_improvement": 0.01})
    assert isinstance(converged, bool) and rel >= 0
