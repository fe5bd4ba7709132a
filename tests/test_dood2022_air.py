"""The AIR baseline: its placement inverts its glimpse, a draw from q is scored like DooD's (same
Trace), gradients reach both networks, and a few hundred steps of the shared loop raise its ELBO."""

import pytest
import torch

from charchallenge.dood2022.air import AIR, AirConfig, place_glimpse, where_matrix
from charchallenge.dood2022.model import glimpse

CFG = AirConfig(size=16, glimpse=8, max_strokes=2, what_dim=4, hidden=16, features=8, decoder_hidden=16)


def test_a_glimpse_placed_on_the_canvas_is_read_back_by_the_same_transform():
    z_where = torch.tensor([[0.5, 0.2, -0.3], [-0.5, -0.4, 0.1]])
    patch = torch.zeros(2, 16, 16)
    patch[:, 4:12, 6:10] = 1.0
    theta = where_matrix(z_where)
    placed = place_glimpse(patch, theta, 32)
    back = glimpse(placed, theta, 16)
    assert placed.sum() > 0
    assert (back - patch).abs().mean() < 0.08


def test_air_trace_is_scored_and_differentiable():
    torch.manual_seed(0)
    model = AIR(CFG)
    x = (torch.rand(4, 16, 16) > 0.8).float()
    trace = model.infer(x)
    assert trace.elbo.shape == (4,) and torch.isfinite(trace.elbo).all()
    counted = torch.stack(trace.drawn).sum(0).float() if trace.drawn else torch.zeros(4)
    assert torch.equal(counted, trace.n_strokes)
    (trace.elbo.mean() + trace.log_q_discrete.mean()).backward()
    assert model.log_sigma.grad is not None and model.q_on.weight.grad is not None
    images, count = model.sample(3, torch.Generator().manual_seed(0))
    assert images.shape == (3, 16, 16) and ((images >= 0) & (images <= 1)).all() and (count <= 2).all()


def test_air_training_raises_the_validation_elbo():
    from charchallenge.dood2022.train import evaluate_elbo, train_dood

    img = torch.zeros(16, 16)
    img[4:12, 7:9] = 1.0
    images, val = img.repeat(64, 1, 1), img.repeat(8, 1, 1)
    params = dict(glimpse=8, max_strokes=2, what_dim=4, hidden=16, features=8, decoder_hidden=16)
    train_params = dict(lr=0.003, baseline_lr=0.003, batch_size=16, beta=1.0, grad_clip=10.0, max_steps=200, eval_every=50, patience=10,
                        blur_start=0.0, blur_anneal_steps=0)
    torch.manual_seed(0)
    before = float(evaluate_elbo(AIR(AirConfig(size=16, **params)), val).mean())
    model, result, _ = train_dood(images, val, params, train_params, seed=0, progress=False, kind="air")
    after = float(evaluate_elbo(model, val).mean())
    assert after > before + 20, (before, after)


def test_air_on_omniglot_gets_the_papers_gaussian_likelihood_and_other_datasets_laplace():
    import math

    from charchallenge.dood2022.model import gaussian_log_prob
    from charchallenge.dood2022.train import variant_settings

    params = {"models": {"air": {"kind": "air", "by_dataset": {"omniglot": {"likelihood": "gaussian"}}}},
              "air": {"hidden": 8, "likelihood": "laplace"}}
    assert variant_settings(params, "air", "omniglot") == ("air", {"hidden": 8, "likelihood": "gaussian"})
    assert variant_settings(params, "air", "mnist") == ("air", {"hidden": 8, "likelihood": "laplace"})
    x, canvas = torch.rand(2, 5, 5), torch.rand(2, 5, 5)
    log_sigma = torch.tensor(math.log(0.3))
    exact = torch.distributions.Normal(canvas, 0.3).log_prob(x).flatten(1).sum(1)
    assert torch.allclose(gaussian_log_prob(x, canvas, log_sigma), exact, atol=1e-4)
    with pytest.raises(ValueError, match="likelihood 'poisson'"):
        AirConfig(likelihood="poisson")
