"""The shared GMM head (Graves 2013; Feinman & Lake 2020): density, sampler, temperature."""

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

from charchallenge.mixtures import (GMM, GMMHead, gmm_log_prob, sample_bernoulli, sample_categorical,
                                    sample_gmm)

torch.set_num_threads(1)


def random_gmm(k=3, batch=(), seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return GMM(logits=torch.randn(*batch, k, generator=g, dtype=dtype),
               mu=torch.randn(*batch, k, 2, generator=g, dtype=dtype),
               sigma=torch.exp(0.3 * torch.randn(*batch, k, 2, generator=g, dtype=dtype)) * 0.5,
               rho=torch.tanh(torch.randn(*batch, k, generator=g, dtype=dtype)))


def scipy_log_prob(gmm, x):
    w = torch.softmax(gmm.logits, -1).numpy()
    total = 0.0
    for k in range(len(w)):
        sx, sy = gmm.sigma[k].numpy()
        r = float(gmm.rho[k])
        cov = [[sx**2, r * sx * sy], [r * sx * sy, sy**2]]
        total = total + w[k] * multivariate_normal(gmm.mu[k].numpy(), cov).pdf(x)
    return np.log(total)


def test_log_prob_matches_scipy():
    gmm = random_gmm(k=4)
    x = torch.randn(50, 2, dtype=torch.float64) * 1.5
    ours = gmm_log_prob(GMM(*(t.expand(50, *t.shape) for t in (gmm.logits, gmm.mu, gmm.sigma, gmm.rho))), x)
    np.testing.assert_allclose(ours.numpy(), scipy_log_prob(gmm, x.numpy()), rtol=1e-10, atol=1e-10)


def test_density_integrates_to_one():
    gmm = random_gmm(k=5, seed=1)
    lin = torch.linspace(-9, 9, 601, dtype=torch.float64)
    xx, yy = torch.meshgrid(lin, lin, indexing="ij")
    pts = torch.stack([xx, yy], -1).reshape(-1, 2)
    exp = GMM(*(t.expand(len(pts), *t.shape) for t in (gmm.logits, gmm.mu, gmm.sigma, gmm.rho)))
    mass = torch.exp(gmm_log_prob(exp, pts)).sum() * (lin[1] - lin[0]) ** 2
    assert abs(float(mass) - 1.0) < 1e-4


def test_head_ridge_keeps_covariance_and_shapes():
    torch.manual_seed(0)
    plain, ridged = GMMHead(8, ridge=0.0), GMMHead(8, ridge=1e-2)
    ridged.load_state_dict(plain.state_dict())
    h = torch.randn(6, 8)
    a, b = plain(h), ridged(h)
    assert a.mu.shape == (6, 20, 2) and a.logits.shape == (6, 20)
    torch.testing.assert_close(b.sigma**2, a.sigma**2 + 1e-2)
    torch.testing.assert_close(b.rho * b.sigma[..., 0] * b.sigma[..., 1], a.rho * a.sigma[..., 0] * a.sigma[..., 1])


def test_sampler_moments_match_mixture():
    gmm = random_gmm(k=3, seed=2)
    n = 40000
    big = GMM(*(t.expand(n, *t.shape) for t in (gmm.logits, gmm.mu, gmm.sigma, gmm.rho)))
    x = sample_gmm(big, 1.0, torch.Generator().manual_seed(0))
    w = torch.softmax(gmm.logits, -1)
    mean = (w[:, None] * gmm.mu).sum(0)
    cov = sum(w[k] * (torch.diag(gmm.sigma[k] ** 2) + gmm.rho[k] * gmm.sigma[k].prod() * (1 - torch.eye(2, dtype=torch.float64))
                      + torch.outer(gmm.mu[k] - mean, gmm.mu[k] - mean)) for k in range(3))
    torch.testing.assert_close(x.mean(0), mean, atol=0.03, rtol=0)
    torch.testing.assert_close(torch.cov(x.T), cov, atol=0.05, rtol=0)


def test_temperature_lowers_spread():
    gmm = random_gmm(k=6, seed=3)
    n = 20000
    big = GMM(*(t.expand(n, *t.shape) for t in (gmm.logits, gmm.mu, gmm.sigma, gmm.rho)))
    spread = [float(sample_gmm(big, t, torch.Generator().manual_seed(1)).var(0).sum()) for t in (1.0, 0.5, 0.1)]
    assert spread[0] > spread[1] > spread[2]
    # T -> 0 picks the heaviest component with vanishing spread.
    x = sample_gmm(big, 1e-4, torch.Generator().manual_seed(1))
    torch.testing.assert_close(x.mean(0), gmm.mu[gmm.logits.argmax()], atol=1e-2, rtol=0)


def test_discrete_temperature():
    logit = torch.full((20000,), 1.0)
    g = torch.Generator().manual_seed(0)
    assert sample_bernoulli(logit, 1.0, g).float().mean() < sample_bernoulli(logit, 0.5, g).float().mean()
    logits = torch.tensor([0.0, 1.0, 2.0]).expand(20000, 3)
    freq1 = torch.bincount(sample_categorical(logits, 1.0, g), minlength=3) / 20000.
    np.testing.assert_allclose(freq1.numpy(), torch.softmax(logits[0], 0).numpy(), atol=0.015)
    freq05 = torch.bincount(sample_categorical(logits, 0.5, g), minlength=3) / 20000.
    assert freq05[2] > freq1[2]
