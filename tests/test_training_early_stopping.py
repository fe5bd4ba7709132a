"""Early stopping, learning curves and the convergence criterion of the shared training loop."""

import numpy as np
import pytest
import torch

from charchallenge.training import Validation, still_improving, train


def scripted(values):
    """A model with one weight, a step that adds 1 to it, and a validation loss read from ``values``
    indexed by the weight (so it is a function of the weights, as a real one is)."""
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)

    def step_fn(step, generator):
        with torch.no_grad():
            model.weight += 1.0
        return float(step)

    def evaluate():
        return values[int(model.weight.item()) - 1]

    return model, opt, step_fn, evaluate


def test_stops_on_plateau_and_restores_the_best_weights():
    vals = [5.0, 4.0, 3.0, 3.5, 3.6, 3.7, 2.0, 1.0]
    model, opt, step_fn, evaluate = scripted(vals)
    res = train(model, opt, step_fn, n_steps=8, seed=0, progress=False,
                validation=Validation(evaluate=evaluate, every=1, patience=3))
    assert res.stopped == "plateau" and res.steps == 6 and res.best_step == 3
    assert model.weight.item() == 3.0  # weights of the best evaluation, not of the last step
    assert [h["val_loss"] for h in res.history] == vals[:6]
    assert [h["train_loss"] for h in res.history] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_without_patience_trains_to_budget_and_keeps_best():
    vals = [5.0, 4.0, 3.0, 2.0, 3.6, 3.7, 3.8, 3.9]
    model, opt, step_fn, evaluate = scripted(vals)
    res = train(model, opt, step_fn, n_steps=8, seed=0, progress=False,
                validation=Validation(evaluate=evaluate, every=2, patience=None))
    assert res.stopped == "budget" and res.steps == 8 and res.best_step == 4
    assert [h["step"] for h in res.history] == [2, 4, 6, 8]
    assert [h["train_loss"] for h in res.history] == [0.5, 2.5, 4.5, 6.5]
    assert model.weight.item() == 4.0


def test_min_delta_counts_small_gains_as_no_improvement():
    vals = [10.0, 9.99, 9.98, 9.97, 9.96]
    model, opt, step_fn, evaluate = scripted(vals)
    res = train(model, opt, step_fn, n_steps=5, seed=0, progress=False,
                validation=Validation(evaluate=evaluate, every=1, patience=2, min_delta=0.01))
    assert res.stopped == "plateau" and res.steps == 3 and res.best_step == 1


def test_resume_continues_the_curve_and_a_finished_run_does_not_train_again(tmp_path):
    vals = [5.0, 4.0, 3.0, 3.5, 3.6, 3.7, 2.0, 1.0]
    kw = dict(n_steps=8, seed=0, progress=False, checkpoint_dir=tmp_path, checkpoint_every=1, fingerprint="f")
    model, opt, step_fn, evaluate = scripted(vals)
    part = train(model, opt, step_fn, stop_after=2, validation=Validation(evaluate, every=1, patience=3), **kw)
    assert part.stopped == "paused" and part.steps == 2
    model, opt, step_fn, evaluate = scripted(vals)
    res = train(model, opt, step_fn, validation=Validation(evaluate, every=1, patience=3), **kw)
    assert res.resumed_from == 2 and res.stopped == "plateau" and res.steps == 6
    assert [h["val_loss"] for h in res.history] == vals[:6] and model.weight.item() == 3.0
    model, opt, step_fn, evaluate = scripted(vals)
    again = train(model, opt, step_fn, validation=Validation(evaluate, every=1, patience=3), **kw)
    assert again.resumed_from == 6 and again.steps == 6 and again.stopped == "plateau"
    assert model.weight.item() == 3.0 and len(again.history) == 6


@pytest.mark.parametrize("curve, improving", [
    (np.linspace(30, 20, 50), True),                       # still falling steadily
    (np.r_[np.linspace(30, 20, 40), np.full(10, 20.0)], False),  # flat last fifth
    (np.r_[np.linspace(30, 20, 40), np.full(9, 20.0), [19.9]], False),  # 0.5% gain: within 1%
    (np.r_[np.linspace(30, 20, 40), np.full(9, 20.0), [19.7]], True),   # 1.5% gain: still improving
    ([25.0], True),                                        # one evaluation: no evidence of convergence
])
def test_still_improving(curve, improving):
    assert still_improving(curve, 0.2, 0.01)[0] is improving


def test_feinman_training_records_train_and_validation_nll_per_epoch():
    from charchallenge.feinman2020.encoding import encode
    from charchallenge.feinman2020.train import train_model
    from test_feinman2020_models import toy_drawings

    enc = encode(toy_drawings(40, seed=3))
    tp = dict(lr=1e-2, batch_size=10, max_epochs=3, patience=5, min_delta=0.0, grad_clip=1.0, checkpoint_every=2,
              eval_batch=8)
    _, res = train_model("baseline_lstm", dict(hidden=8), tp, enc, None, np.arange(30), seed=0,
                         val_idx=np.arange(30, 40))
    assert [h["epoch"] for h in res.history] == [1.0, 2.0, 3.0] and res.stopped == "budget"
    assert all(np.isfinite([h["train_loss"], h["val_loss"]]).all() for h in res.history)
    assert res.history[-1]["val_loss"] < res.history[0]["val_loss"]
