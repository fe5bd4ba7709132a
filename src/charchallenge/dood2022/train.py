"""Learning DooD (Liang et al. 2022, Sec. 2.3, Eq. 9): Adam on the NVIL surrogate of the
beta-weighted ELBO, through the shared training loop (:mod:`charchallenge.training`:
checkpoints, resume, early stopping on the validation ELBO, learning curve), and the IWAE
estimate of log p(x) used to evaluate it."""

from __future__ import annotations

import torch
from torch import Tensor

from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import TrainResult, Validation, train

from .air import AIR, AirConfig
from .model import DooD, DoodConfig
from .objectives import SignalNormaliser, iwae_bound, nvil_surrogate

KINDS = {"dood": (DooD, DoodConfig), "air": (AIR, AirConfig)}


def build_model(kind: str, params: dict, size: int) -> DooD | AIR:
    """A fresh DooD or AIR (``kind``) with the settings ``params`` (params ``dood2022.dood`` or
    ``dood2022.air``, plus a variant's overrides) on ``size`` x ``size`` images."""
    if kind not in KINDS:
        raise ValueError(f"dood2022: unknown model kind {kind!r}; expected one of {sorted(KINDS)}")
    model_cls, config_cls = KINDS[kind]
    return model_cls(config_cls(**{**params, "size": size}))


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


def curriculum_blur(step: int, start: float, anneal_steps: int) -> float:
    """Blur (pixels) of the training likelihood at ``step``: ``start`` falling linearly to 0 at
    ``anneal_steps`` (see :func:`charchallenge.dood2022.model.laplace_log_prob`); 0 after it."""
    return start * max(0.0, 1.0 - step / anneal_steps) if anneal_steps > 0 else 0.0


def train_dood(images: Tensor, val_images: Tensor, model_params: dict, train_params: dict, seed: int,
               checkpoint_dir=None, progress: bool = True, kind: str = "dood",
               extra_code=()) -> tuple[DooD | AIR, TrainResult, list[dict]]:
    """Train a DooD or AIR model (``kind``) on ``images`` (N, S, S) in [0, 1], early-stopped on the
    (sharp) ELBO of ``val_images``; the training likelihood is blurred by ``blur_start`` pixels at
    first, falling to none at ``blur_anneal_steps`` (:func:`curriculum_blur`).
    Returns the model (best validation weights, eval mode), the loop's result and per evaluation
    the mean strokes per validation image (the stop variable's behaviour, a learning curve).
    ``extra_code``: source files outside the package that the fingerprint covers too (the job's
    workflow script)."""
    t = train_params
    if t["patience"] * t["eval_every"] <= t["blur_anneal_steps"]:
        raise ValueError(
            f"params dood2022.train: patience x eval_every ({t['patience']} x {t['eval_every']}) must exceed "
            f"blur_anneal_steps ({t['blur_anneal_steps']}), or early stopping ends training inside the blur curriculum")
    torch.manual_seed(seed)
    model = build_model(kind, model_params, images.shape[-1])
    optimizer = torch.optim.Adam(model.parameters(), lr=t["lr"])
    normaliser = SignalNormaliser()

    def step_fn(step: int, generator: torch.Generator) -> float:
        x = images[torch.randint(len(images), (t["batch_size"],), generator=generator)]
        trace = model.infer(x, blur=curriculum_blur(step, t["blur_start"], t["blur_anneal_steps"]))
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

    key = job_fingerprint({"model": kind, "model_params": model_params, "train": t, "seed": seed},
                          data={"train": digest_arrays(images.numpy()), "val": digest_arrays(val_images.numpy())},
                          extra_code=extra_code)
    result = train(model, optimizer, step_fn, n_steps=t["max_steps"], seed=seed, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=t["eval_every"], fingerprint=key, progress=progress, desc=kind,
                   validation=Validation(evaluate, every=t["eval_every"], patience=t["patience"]))
    return model.eval(), result, strokes



def variant_settings(params: dict, variant: str) -> tuple[str, dict]:
    """(kind, model settings) of a variant of params ``dood2022.models``: the kind's section
    (``dood2022.dood`` or ``dood2022.air``) with the variant's overrides."""
    if variant not in params["models"]:
        raise KeyError(f"params dood2022.models has no variant {variant!r} (has {sorted(params['models'])})")
    spec = dict(params["models"][variant])
    kind = spec.pop("kind")
    return kind, {**params[kind], **spec}


def load_model(path) -> tuple[DooD | AIR, dict]:
    """A model saved by the ``dood2022_train`` job (eval mode) and its saved record."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    model = build_model(saved["kind"], saved["model_params"], saved["image_size"])
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved
