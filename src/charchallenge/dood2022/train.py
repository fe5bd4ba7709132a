"""Learning DooD (Liang et al. 2022, Sec. 2.3, Eq. 9): Adam on the NVIL surrogate of the
beta-weighted ELBO, through the shared training loop (:mod:`charchallenge.training`:
checkpoints, resume, early stopping on the validation ELBO, learning curve), and the IWAE
estimate of log p(x) used to evaluate it."""

from __future__ import annotations

import torch
from torch import Tensor

from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import TrainResult, Validation, train

from .model import DooD, DoodConfig
from .objectives import SignalNormaliser, iwae_bound, nvil_surrogate


def model_config(params: dict) -> DoodConfig:
    """The model's settings from the params section ``dood2022.model``."""
    return DoodConfig(**params)


@torch.no_grad()
def evaluate_elbo(model: DooD, images: Tensor, batch: int = 256) -> Tensor:
    """One-draw ELBO per image (eval mode)."""
    model.eval()
    return torch.cat([model.infer(images[a : a + batch]).elbo for a in range(0, len(images), batch)])


@torch.no_grad()
def iwae(model: DooD, images: Tensor, samples: int, batch: int = 256) -> Tensor:
    """IWAE estimate of log p(x) per image from ``samples`` draws of q (Burda et al. 2016)."""
    model.eval()
    out = []
    for a in range(0, len(images), batch):
        x = images[a : a + batch]
        out.append(iwae_bound(torch.stack([model.infer(x).elbo for _ in range(samples)])))
    return torch.cat(out)


def train_dood(images: Tensor, val_images: Tensor, model_params: dict, train_params: dict, seed: int,
               checkpoint_dir=None, progress: bool = True) -> tuple[DooD, TrainResult, list[dict]]:
    """Train on ``images`` (N, S, S) in [0, 1], early-stopped on the ELBO of ``val_images``.
    Returns the model (best validation weights, eval mode), the loop's result and per evaluation
    the mean strokes per validation image (the stop variable's behaviour, a learning curve)."""
    t = train_params
    torch.manual_seed(seed)
    model = DooD(model_config(model_params))
    optimizer = torch.optim.Adam(model.parameters(), lr=t["lr"])
    normaliser = SignalNormaliser()

    def step_fn(step: int, generator: torch.Generator) -> float:
        x = images[torch.randint(len(images), (t["batch_size"],), generator=generator)]
        trace = model.infer(x)
        surrogate, baseline_loss, elbo = nvil_surrogate(
            trace.log_lik, trace.log_ratio_continuous, trace.log_ratio_discrete, trace.log_q_discrete,
            trace.baseline, t["beta"], normaliser)
        loss = -surrogate.mean() + baseline_loss.mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
        optimizer.step()
        return float(-elbo.mean())

    strokes: list[dict] = []

    def evaluate() -> float:
        model.eval()
        with torch.no_grad():
            traces = [model.infer(val_images[a : a + 256]) for a in range(0, len(val_images), 256)]
        strokes.append({"val_strokes": float(torch.cat([tr.n_strokes for tr in traces]).mean())})
        return float(-torch.cat([tr.elbo for tr in traces]).mean())

    key = job_fingerprint({"model": "dood", "model_params": model_params, "train": t, "seed": seed},
                          data={"train": digest_arrays(images.numpy()), "val": digest_arrays(val_images.numpy())})
    result = train(model, optimizer, step_fn, n_steps=t["max_steps"], seed=seed, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=t["eval_every"], fingerprint=key, progress=progress, desc="DooD",
                   validation=Validation(evaluate, every=t["eval_every"], patience=t["patience"]))
    return model.eval(), result, strokes

