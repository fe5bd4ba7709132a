"""DooD's models: the draw from q is scored consistently (the stop variables' terms, the stroke
count, masks after stopping), gradients reach p and q, the glimpse and the placement of a stroke
agree, and p samples images."""

import math

import pytest
import torch

from charchallenge.dood2022.model import DooD, DoodConfig, affine_matrix, glimpse, place_stroke

CFG = DoodConfig(size=16, glimpse=8, max_strokes=3, hidden=16, features=8, render_points=8)


def test_a_draw_from_q_is_scored_and_differentiable():
    torch.manual_seed(0)
    model = DooD(CFG)
    x = (torch.rand(4, 16, 16) > 0.8).float()
    trace = model.infer(x)
    assert trace.elbo.shape == (4,) and torch.isfinite(trace.elbo).all()
    assert ((trace.n_strokes >= 0) & (trace.n_strokes <= 3)).all()
    assert len(trace.strokes) == len(trace.drawn) and len(trace.drawn) <= 3
    counted = torch.stack(trace.drawn).sum(0) if trace.drawn else torch.zeros(4)
    assert torch.equal(counted.float(), trace.n_strokes)
    (trace.elbo.mean() + trace.log_q_discrete.mean()).backward()
    assert model.q.layout_head.weight.grad is not None or not trace.drawn
    assert model.p.log_sigma.grad is not None and model.p.on.weight.grad is not None


def test_stop_terms_when_q_always_draws_and_when_it_never_does():
    torch.manual_seed(1)
    x = (torch.rand(2, 16, 16) > 0.8).float()
    for bias, strokes in ((30.0, 3), (-30.0, 0)):
        model = DooD(CFG)
        with torch.no_grad():
            model.q.on.weight.zero_()
            model.q.on.bias.fill_(bias)
            model.p.on.weight.zero_()
            model.p.on.bias.zero_()  # p_on = 1/2 at every step
        trace = model.infer(x)
        assert torch.equal(trace.n_strokes, torch.full((2,), float(strokes)))
        # q is (almost) certain, p says 1/2 at each decision: max_strokes decisions when it always
        # draws (the last stop is forced, unscored), one decision when it stops at once
        decisions = 3 if strokes == 3 else 1
        assert torch.allclose(trace.log_ratio_discrete, torch.full((2,), decisions * math.log(0.5)), atol=1e-6)
        if strokes == 0:
            assert torch.equal(trace.canvas, torch.zeros_like(x)) and float(trace.log_ratio_continuous.abs().sum()) == 0


def test_glimpse_and_stroke_placement_use_the_same_frame():
    """A stroke placed through a layout lands where the glimpse through that layout looks: render a
    canvas with ink only at the placed points' pixel, glimpse it, and find the ink at the stroke's
    glimpse-frame position."""
    z_l = torch.tensor([[0.0, 0.0, 0.4, -0.3, 0.2]])
    theta = affine_matrix(z_l)
    z_s = torch.tensor([[[0.5, -0.2]]])                     # one point, glimpse frame tanh(z)
    canvas_xy = place_stroke(z_s, theta)[0, 0]
    size = 64
    col = int(((canvas_xy[0] + 1) / 2 * size).floor())
    row = int(((canvas_xy[1] + 1) / 2 * size).floor())
    canvas = torch.zeros(1, size, size)
    canvas[0, row, col] = 1.0
    view = glimpse(canvas, theta, 32)[0]
    r, c = divmod(int(view.argmax()), 32)
    gx, gy = torch.tanh(z_s[0, 0])
    assert abs((c + 0.5) / 32 * 2 - 1 - float(gx)) < 0.15 and abs((r + 0.5) / 32 * 2 - 1 - float(gy)) < 0.15


def test_samples_from_p_are_images_with_counted_strokes():
    model = DooD(CFG)
    imgs, count = model.sample(5, torch.Generator().manual_seed(0))
    assert imgs.shape == (5, 16, 16) and ((imgs >= 0) & (imgs <= 1)).all()
    assert ((count >= 0) & (count <= 3)).all()


def test_training_loop_raises_the_validation_elbo_on_one_repeated_stroke():
    """Every image is the same rendered stroke: a few hundred NVIL steps must raise the ELBO of
    held-out copies well above the untrained model's (the loop's learning curve records it)."""
    from charchallenge.dood2022.bezier import render_curves
    from charchallenge.dood2022.train import evaluate_elbo, iwae, train_dood

    cp = torch.tensor([[[-0.6, -0.1], [-0.2, 0.1], [0.2, -0.1], [0.6, 0.1]]])
    img = (render_curves(cp, size=16, width=0.08, sharpness=30.0) > 0.5).float()
    images, val = img.repeat(64, 1, 1), img.repeat(8, 1, 1)
    model_params = dict(size=16, glimpse=8, max_strokes=2, hidden=16, features=8, render_points=8)
    train_params = dict(lr=0.003, baseline_lr=0.003, batch_size=16, beta=1.0, grad_clip=10.0, max_steps=240, eval_every=60,
                        patience=10,
                        blur_start=0.0, blur_anneal_steps=0)
    torch.manual_seed(0)
    before = float(evaluate_elbo(DooD(DoodConfig(**model_params)), val).mean())
    model, result, strokes = train_dood(images, val, model_params, train_params, seed=0, progress=False)
    after = float(evaluate_elbo(model, val).mean())
    assert len(result.history) == 4 and len(strokes) == 4
    assert after > before + 20, (before, after)
    bound = iwae(model, val[:2], samples=4)
    assert bound.shape == (2,) and torch.isfinite(bound).all()


def test_blur_curriculum_falls_to_a_sharp_likelihood_and_patience_must_span_it():
    from charchallenge.dood2022.model import gaussian_blur, laplace_log_prob
    from charchallenge.dood2022.train import curriculum_blur, train_dood

    assert curriculum_blur(0, 1.5, 1000) == 1.5
    assert curriculum_blur(500, 1.5, 1000) == 0.75
    assert curriculum_blur(1000, 1.5, 1000) == 0.0 == curriculum_blur(5, 1.5, 0)
    img = torch.zeros(1, 16, 16)
    img[0, 8, 8] = 1.0
    blurred = gaussian_blur(img, 1.5)
    assert float(blurred.sum()) == pytest.approx(1.0, abs=1e-5) and float(blurred.max()) < 0.1
    # a stroke one pixel off: the sharp score cannot tell 1 px from 3 px off, the blurred one can
    near, far = torch.roll(img, 1, -1), torch.roll(img, 3, -1)
    log_sigma = torch.tensor(-2.0)
    assert laplace_log_prob(img, near, log_sigma) == laplace_log_prob(img, far, log_sigma)
    assert laplace_log_prob(img, near, log_sigma, 1.5) > laplace_log_prob(img, far, log_sigma, 1.5)
    bad = dict(lr=0.01, baseline_lr=0.01, batch_size=2, beta=1.0, grad_clip=1.0, max_steps=10, eval_every=2, patience=3,
               blur_start=1.0, blur_anneal_steps=6)
    with pytest.raises(ValueError, match="must exceed blur_anneal_steps"):
        train_dood(img.repeat(4, 1, 1), img, dict(size=16, glimpse=8, max_strokes=1, hidden=8, features=8), bad, 0)
