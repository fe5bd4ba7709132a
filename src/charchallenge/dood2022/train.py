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


def baseline_parameters(model: DooD | AIR) -> list[torch.nn.Parameter]:
    """The weights of NVIL's baseline network (DooD's ``q.baseline``, AIR's ``baseline_net``)."""
    net = model.q.baseline if isinstance(model, DooD) else model.baseline_net
    return list(net.parameters())


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
    baseline = baseline_parameters(model)
    weights = [w for w in model.parameters() if all(w is not v for v in baseline)]
    # NVIL's baseline has its own rate (as the released code's --bl_lr) and is not clipped with the
    # model: its squared-error gradient is orders of magnitude larger than the objective's
    optimizer = torch.optim.Adam([{"params": weights, "lr": t["lr"]},
                                  {"params": baseline, "lr": t["baseline_lr"]}])
    normaliser = SignalNormaliser()

    def step_fn(step: int, generator: torch.Generator) -> float:
        x = images[torch.randint(len(images), (t["batch_size"],), generator=generator)]
        trace = model.infer(x, blur=curriculum_blur(step, t["blur_start"], t["blur_anneal_steps"]))
        surrogate, baseline_loss, elbo = nvil_surrogate(
            trace.log_lik, trace.step_ratio, trace.step_log_q, trace.step_baseline, trace.decided,
            t["beta"], normaliser)
        loss = -surrogate.mean() + baseline_loss.mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(weights, t["grad_clip"])
        optimizer.step()
        return float(-elbo.mean())

    strokes: list[dict] = []

    def evaluate() -> float:
        model.eval()
        # the same draws of q's noise at every evaluation (common random numbers), so that the
        # validation curve moves with the model, not with the draw
        with torch.no_grad(), torch.random.fork_rng():
            torch.manual_seed(seed)
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



def variant_settings(params: dict, variant: str, dataset: str | None = None) -> tuple[str, dict]:
    """(kind, model settings) of a variant of params ``dood2022.models`` trained on ``dataset``:
    the kind's section (``dood2022.dood`` or ``dood2022.air``) with the variant's overrides, and
    then its ``by_dataset`` overrides for that dataset."""
    if variant not in params["models"]:
        raise KeyError(f"params dood2022.models has no variant {variant!r} (has {sorted(params['models'])})")
    spec = dict(params["models"][variant])
    kind = spec.pop("kind")
    by_dataset = spec.pop("by_dataset", {})
    return kind, {**params[kind], **spec, **by_dataset.get(dataset, {})}


def load_model(path) -> tuple[DooD | AIR, dict]:
    """A model saved by the ``dood2022_train`` job (eval mode) and its saved record."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    model = build_model(saved["kind"], saved["model_params"], saved["image_size"])
    model.load_state_dict(saved["state_dict"])
    return model.eval(), saved
