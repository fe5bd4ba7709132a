"""Table 3's ordering tested (Feinman & Lake 2021, Sec. 5; issue 28): GNS's log-likelihood per pixel
against a pixel model trained here on the same background drawings (:mod:`.pixel_vae`), on the same
held-out images, in the order the pipeline runs it:

1. :func:`train_pixel_vae`: the VAE trained on the background drawings at ``size`` x ``size``
   (ELBO, Adam), early-stopped on a validation share of them; its learning curve.
2. :func:`score_images`: the importance-weighted bound of held-out images (``test_samples``
   samples each).
3. :func:`pixel_table`: Table 3's paper rows, GNS's annealed bound and the VAE's bound on the same
   images, nats per image and per pixel with 95% intervals over images, and the verdict on "GNS
   ahead per pixel" by the criterion in params ``gns2021.pixel_model.verdict``: the paired
   difference per pixel (GNS minus VAE) over the images, resampled; "holds" if its interval lies
   above 0, "fails" if below, and "not evidence" if it includes 0, if GNS's bound is itself not
   evidence by Table 3's criteria, or if the VAE's learning curve was still improving.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from charchallenge.feinman2020.splits import holdout_split
from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import Validation, still_improving, train

from .likelihood import PAPER_TABLE3
from .pixel_vae import PixelVAE, downsample


def background_split(dataset, background: str, size: int, validation_fraction: float, seed: int):
    """The background drawings (those the type model learned from) at ``size`` x ``size``, as
    (training, validation) binary vectors; the validation share drawn at random (seeded)."""
    train_idx, _ = holdout_split(dataset.alphabet_of(), background)
    train_idx = np.random.default_rng(seed).permutation(train_idx)
    n_val = max(1, int(round(validation_fraction * len(train_idx))))
    x = downsample(dataset.images(train_idx.tolist()), size)
    return x[n_val:], x[:n_val]


def train_pixel_vae(train_x: torch.Tensor, val_x: torch.Tensor, pm: dict, seed: int, checkpoint_dir=None,
                    extra_code=()):
    """Step 1 (``pm``: params ``gns2021.pixel_model``). Returns the model (best validation bound)
    and the :class:`charchallenge.training.TrainResult`; the validation loss is the negative
    ``val_samples``-sample bound in nats per image, with the same draws at every evaluation."""
    fingerprint = job_fingerprint({"model": "pixel_vae", "params": pm, "seed": seed},
                                  data={"train": digest_arrays(train_x.numpy()), "val": digest_arrays(val_x.numpy())},
                                  extra_code=extra_code)
    torch.manual_seed(seed)
    model = PixelVAE(train_x.shape[1], pm["hidden"], pm["latent"])
    opt = torch.optim.Adam(model.parameters(), lr=pm["lr"])

    def step(_, generator):
        batch = train_x[torch.randint(0, len(train_x), (pm["batch_size"],), generator=generator)]
        loss = -model.bound(batch, pm["train_samples"], generator).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    def evaluate():
        model.eval()
        return -float(model.log_likelihood_bound(val_x, pm["val_samples"], torch.Generator().manual_seed(seed)).mean())

    result = train(model, opt, step, pm["max_steps"], seed, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=pm["eval_every"] * 4, fingerprint=fingerprint, desc="pixel VAE",
                   validation=Validation(evaluate, pm["eval_every"], pm["patience"]))
    model.eval()
    return model, result


def score_images(model: PixelVAE, x: torch.Tensor, samples: int, seed: int) -> np.ndarray:
    """Step 2: the ``samples``-sample bound of every image of ``x`` (nats), float64."""
    return model.log_likelihood_bound(x, samples, torch.Generator().manual_seed(seed)).numpy()


def mean_interval(values, resamples: int, level: float, seed: int) -> tuple[float, float, float]:
    """The mean of ``values`` and its percentile bootstrap interval at ``level`` over the values."""
    v = np.asarray(values, dtype=float)
    boot = v[np.random.default_rng(seed).integers(0, len(v), (resamples, len(v)))].mean(1)
    tail = 100 * (1 - level) / 2
    return float(v.mean()), float(np.percentile(boot, tail)), float(np.percentile(boot, 100 - tail))


def pixel_verdict(gns_per_pixel, vae_per_pixel, gns_evidence: bool, vae_converged: bool, criterion: dict,
                  seed: int) -> dict:
    """"GNS ahead per pixel": the paired difference (GNS minus VAE, nats per pixel) over the same
    images with its interval; the verdict as the module says."""
    diff, low, high = mean_interval(np.asarray(gns_per_pixel) - np.asarray(vae_per_pixel), criterion["resamples"],
                                    criterion["level"], seed)
    if not gns_evidence:
        verdict = "not evidence: GNS's bound is not evidence by Table 3's criteria"
    elif not vae_converged:
        verdict = "not evidence: the pixel model was still improving when its training stopped"
    elif low > 0:
        verdict = "holds"
    elif high < 0:
        verdict = "fails"
    else:
        verdict = "not evidence: the interval of the difference includes 0"
    return {"gns_minus_vae_per_pixel": diff, "ci_low": low, "ci_high": high, "images": len(gns_per_pixel),
            "verdict": verdict}


def pixel_table(gns: pd.DataFrame, vae_same: np.ndarray, vae_test: np.ndarray, size: int, gns_pixels: int,
                criterion: dict, seed: int) -> pd.DataFrame:
    """Step 3's table: the paper's rows, then GNS's annealed bound (``gns``: Table 3's per-image
    table, ``annealed_bound`` per drawing), the VAE on the same drawings (``vae_same``) and on the
    larger held-out set (``vae_test``), each with its 95% interval over images."""
    rows = [{"model": m, "resolution": r, "images": 1000, "log_likelihood": ll, "ci_low": np.nan,
             "ci_high": np.nan, "per_pixel": px, "source": "paper, Table 3"} for m, r, ll, px in PAPER_TABLE3]
    pixels = size * size

    def row(model, resolution, values, n_pixels, source):
        mean, low, high = mean_interval(values, criterion["resamples"], criterion["level"], seed)
        return {"model": model, "resolution": resolution, "images": len(values), "log_likelihood": mean,
                "ci_low": low, "ci_high": high, "per_pixel": mean / n_pixels, "source": source}

    rows.append(row("GNS (ours, annealed bound)", "105x105", gns.annealed_bound.to_numpy(), gns_pixels,
                    "this run: Table 3's held-out images"))
    rows.append(row("VAE (ours, IWAE bound)", f"{size}x{size}", vae_same, pixels, "the same images"))
    rows.append(row("VAE (ours, IWAE bound)", f"{size}x{size}", vae_test, pixels, "held-out images (larger set)"))
    return pd.DataFrame(rows)


def vae_converged(history: list[dict], convergence: dict) -> tuple[bool, float]:
    """Whether the VAE's learning curve had stopped improving (:func:`charchallenge.training.still_improving`)."""
    improving, rel = still_improving([h["val_loss"] for h in history], convergence["last_fraction"],
                                     convergence["max_improvement"])
    return not improving, rel
