"""Feinman & Lake (2020) models: exact densities, sum of parts, samplers, temperature, resume."""

import numpy as np
import pytest
import torch

from charchallenge.feinman2020 import canvases as cv
from charchallenge.feinman2020.baseline_lstm import BaselineLSTM, pen_sequences
from charchallenge.feinman2020.encoding import decode, encode, make_batch, normalise
from charchallenge.feinman2020.full_ns import FullNS
from charchallenge.feinman2020.hierarchical_lstm import HierarchicalLSTM
from charchallenge.feinman2020.train import evaluate, train_model
from charchallenge.mixtures import bernoulli_log_prob, gmm_log_prob

torch.set_num_threads(1)

TINY = {
    "full_ns": lambda: FullNS(location=dict(channels=(4, 4, 4, 4), dense=8), termination=dict(channels=4, dense=4),
                              stroke=dict(hidden=8, layers=1, attention=8, cnn=(4, 4, 8))),
    "hierarchical_lstm": lambda: HierarchicalLSTM(char_hidden=8, encoder_hidden=8, stroke_hidden=8, mlp_hidden=8),
    "baseline_lstm": lambda: BaselineLSTM(hidden=8),
}


def toy_drawings(n=6, seed=0):
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(n):
        strokes = []
        for _ in range(rng.randint(1, 4)):
            k = rng.randint(1, 6)
            start = rng.uniform([20, -80], [80, -20])
            strokes.append(start + np.cumsum(np.vstack([np.zeros(2), rng.normal(0, 6, (k - 1, 2))]), 0))
        out.append(strokes)
    return out


def tiny(name, seed=0):
    torch.manual_seed(seed)
    return TINY[name]().eval()


def batch_for(model, drawings):
    enc = encode(drawings)
    cans = cv.partial_canvases(drawings) if model.needs_canvases else None
    return make_batch(enc, torch.arange(len(drawings)), cans)


def test_encoding_round_trip():
    drawings = toy_drawings()
    enc = encode(drawings)
    s = 0
    for d in drawings:
        for cp in d:
            back = decode(enc.start[s].double().numpy(), enc.offsets[s, : len(cp) - 1].double().numpy())
            np.testing.assert_allclose(back, cp, atol=1e-4)
            s += 1


def test_location_density_integrates_to_one():
    model = tiny("full_ns")
    canvas = cv.partial_canvases(toy_drawings(1))[1:2]
    with torch.no_grad():
        gmm = model.location(canvas, torch.tensor(normalise(np.zeros((1, 2))), dtype=torch.float32))
    lin = torch.linspace(-12, 12, 481, dtype=torch.float64)
    xx, yy = torch.meshgrid(lin, lin, indexing="ij")
    pts = torch.stack([xx, yy], -1).reshape(-1, 2)
    g = type(gmm)(*(t.double().expand(len(pts), *t.shape[1:]) for t in (gmm.logits, gmm.mu, gmm.sigma, gmm.rho)))
    mass = float(torch.exp(gmm_log_prob(g, pts)).sum() * (lin[1] - lin[0]) ** 2)
    assert abs(mass - 1) < 2e-3


def test_full_ns_nll_is_sum_of_parts():
    """Total = location + stroke (offsets + end flags) + termination, each recomputed by hand."""
    model = tiny("full_ns")
    drawing = toy_drawings(4, seed=3)[1]
    if len(drawing) < 2:
        drawing = drawing + [np.array([[40.0, -40.0], [50.0, -45.0]])]
    total = float(model.log_prob(batch_for(model, [drawing]))[0])
    canvases = cv.partial_canvases([drawing])
    manual, prev = 0.0, torch.tensor(normalise(np.zeros(2)), dtype=torch.float32)[None]
    for t, cp in enumerate(drawing):
        c = normalise(cp)
        start = torch.tensor(c[:1], dtype=torch.float32)
        manual += float(model.location(canvases[t : t + 1], prev).log_prob(start)[0])
        state = model.stroke.init_state(canvases[t : t + 1], start)
        prev_off = torch.zeros(1, 2)
        for j in range(len(c)):
            gmm, end_logit, state = model.stroke.step(state, prev_off)
            is_end = j == len(c) - 1
            manual += float(bernoulli_log_prob(end_logit, torch.tensor([float(is_end)]))[0])
            if not is_end:
                prev_off = torch.tensor(c[j + 1 : j + 2] - c[j : j + 1], dtype=torch.float32)
                manual += float(gmm_log_prob(gmm, prev_off)[0])
        last = float(t == len(drawing) - 1)
        manual += float(bernoulli_log_prob(model.termination(canvases[t + 1 : t + 2]), torch.tensor([last]))[0])
        prev = torch.tensor(c[-1:], dtype=torch.float32)
    assert total == pytest.approx(manual, abs=1e-3)


@pytest.mark.parametrize("name", list(TINY))
def test_batch_equals_sum_of_single_drawings(name):
    model = tiny(name)
    drawings = toy_drawings(5, seed=1)
    together = model.log_prob(batch_for(model, drawings))
    parts = model.log_prob_parts(batch_for(model, drawings))
    alone = torch.cat([model.log_prob(batch_for(model, [d])) for d in drawings])
    torch.testing.assert_close(together, alone, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(together, sum(parts.values()), atol=1e-5, rtol=0)


def test_baseline_sequence_encodes_the_same_variables():
    drawings = [[np.array([[10.0, -10.0], [20.0, -10.0]]), np.array([[30.0, -30.0]])]]
    deltas, pen, mask = pen_sequences(make_batch(encode(drawings), torch.arange(1)))
    assert pen[0].tolist() == [0, 1, 2] and mask.all()
    points = torch.cumsum(deltas[0].double(), 0) + torch.tensor(normalise(np.zeros(2)))
    np.testing.assert_allclose(points.numpy(), normalise(np.array([[10, -10], [20, -10], [30, -30]])), atol=1e-5)


@pytest.mark.parametrize("name", list(TINY))
def test_sampler_matches_density_and_is_valid(name):
    """Samples are renderable drawings; the sampler's own log-probability equals log_prob."""
    model = tiny(name, seed=2)
    drawings, logp = model.sample(12, 1.0, torch.Generator().manual_seed(0), max_strokes=4, max_control_points=8)
    assert all(1 <= len(d) <= 4 and all(1 <= len(c) <= 8 and np.isfinite(c).all() for c in d) for d in drawings)
    images = cv.render_drawings(drawings)
    assert images.shape == (12, 28, 28) and torch.isfinite(images).all()
    full = [i for i, d in enumerate(drawings) if len(d) < 4 and all(len(c) < 8 for c in d)]  # not truncated
    assert full
    again = model.log_prob(batch_for(model, [drawings[i] for i in full]))
    torch.testing.assert_close(again, logp[full], atol=2e-3, rtol=1e-4)


@pytest.mark.parametrize("name", list(TINY))
def test_temperature_lowers_diversity(name):
    model = tiny(name, seed=4)

    def spread(t):
        d, _ = model.sample(40, t, torch.Generator().manual_seed(1), max_strokes=3, max_control_points=6)
        starts = np.array([s[0][0] for s in d])
        return starts.var(0).sum()

    assert spread(0.1) < 0.5 * spread(1.0)


def test_training_decreases_loss_and_resumes(tmp_path):
    drawings = toy_drawings(30, seed=5)
    enc = encode(drawings)
    tp = dict(lr=1e-2, batch_size=10, max_epochs=2, grad_clip=1.0, checkpoint_every=2)
    hp = dict(hidden=8)
    full, res = train_model("baseline_lstm", hp, tp, enc, None, np.arange(30), seed=0)
    part_dir = tmp_path / "ckpt"
    train_model("baseline_lstm", hp, tp, enc, None, np.arange(30), seed=0, checkpoint_dir=part_dir, stop_after=3)
    resumed, res2 = train_model("baseline_lstm", hp, tp, enc, None, np.arange(30), seed=0, checkpoint_dir=part_dir)
    assert res2.resumed_from == 3 and res2.steps == res.steps == 6
    for a, b in zip(full.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b)
    nll = evaluate(full, enc, None, np.arange(30))
    assert nll["nll"].shape == (30,) and np.isfinite(nll["nll"]).all()
