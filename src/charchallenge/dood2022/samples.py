"""DooD's Fig. 6 (Liang et al. 2022, Sec. 3.2 "Unconditional generation"): samples of every
trained model scored by the Frechet distance (:mod:`.fid`) to the dataset's held-out test images,
beside GNS's new concepts on Omniglot (the type prior at a temperature, one token each,
area-averaged to the same size) and a floor row: the dataset's own training images.

The features are the unit-normalised last hidden layer of the character classifier trained here
on Omniglot background characters (:func:`charchallenge.feinman2020.classifier.embed`; no
Inception weights offline), so the values compare the models here with each other, not with the
paper's 0.051 (DooD) and 0.133 (GNS) (:data:`PAPER_FID`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from charchallenge.feinman2020.canvases import SIZE
from charchallenge.feinman2020.classifier import embed
from charchallenge.feinman2020.sampling import draw_on_canvas
from charchallenge.gns2021.fit import token_images
from charchallenge.oneshot.protonet import downsample

from .data import load_split
from .fid import frechet_distance

PAPER_FID = {("dood", "omniglot"): 0.051, ("gns", "omniglot"): 0.133}  # Liang et al. (2022), Fig. 6
FEATURES = "Omniglot character classifier trained here (not Inception)"


def classifier_features(net, images: torch.Tensor) -> np.ndarray:
    """The classifier's features of ``images`` (N, H, W), area-resized to its input size first."""
    x = images.float()
    if x.shape[-1] != SIZE:
        x = F.interpolate(x[:, None], size=(SIZE, SIZE), mode="area")[:, 0]
    return embed(net, x).numpy()


def sample_fid(models, data: dict, net, params: dict, seed: int, type_prior=None, concepts: dict | None = None):
    """FID of every model's ``params['samples']['n']`` samples and of the floor, per dataset.

    ``models`` yields (model, saved record); ``data`` maps dataset -> its images file; ``params``
    is params ``dood2022``; GNS's samples are scored too when ``type_prior`` is given and Omniglot is
    among the datasets: it is called then (after the models', so that the models are sampled
    first) and returns the type prior's density (of the ``full_ns`` model); ``concepts``: params
    ``gns2021.concepts``. Returns one row per run and, per (variant, dataset), the first
    ``params['samples']['figure']`` samples (the first seed's for trained models)."""
    n, show = params["samples"]["n"], params["samples"]["figure"]
    datasets = list(data)
    real = {ds: classifier_features(net, load_split(data[ds], "test")) for ds in datasets}
    rows, shown = [], {}
    for ds in datasets:
        train = load_split(data[ds], "train")
        pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:n]
        rows.append({"model": "real (training images)", "variant": "real", "dataset": ds, "seed": seed,
                     "n": len(pick), "fid": frechet_distance(classifier_features(net, train[pick]), real[ds]),
                     "strokes_mean": np.nan})
        shown[("real", ds)] = train[pick[:show]].numpy()
    for model, saved in models:
        images, count = model.sample(n, torch.Generator().manual_seed(saved["seed"]))
        rows.append({"model": saved["variant"], "variant": saved["variant"], "dataset": saved["dataset"],
                     "seed": saved["seed"], "n": n,
                     "fid": frechet_distance(classifier_features(net, images), real[saved["dataset"]]),
                     "strokes_mean": float(count.mean())})
        if saved["seed"] == params["seeds"][0]:
            shown[(saved["variant"], saved["dataset"])] = images[:show].numpy()
        print(f"{saved['variant']} on {saved['dataset']} seed {saved['seed']}: FID {rows[-1]['fid']:.4f}, "
              f"{float(count.mean()):.2f} strokes per sample")
    if "omniglot" in datasets and type_prior is not None:
        c = concepts
        drawn = draw_on_canvas(type_prior(), n, c["temperature"], seed, c["max_strokes"], c["max_control_points"],
                               c["max_draws_per_sample"])
        tokens = token_images(drawn["drawings"], torch.Generator().manual_seed(seed))
        gns = downsample(np.stack(tokens).astype(np.float32), params["image_size"])
        rows.append({"model": f"GNS (type prior T = {c['temperature']}, trained here)", "variant": "gns",
                     "dataset": "omniglot", "seed": seed, "n": len(gns),
                     "fid": frechet_distance(classifier_features(net, gns), real["omniglot"]),
                     "strokes_mean": float(np.mean([len(t) for t in drawn["drawings"]]))})
        shown[("gns", "omniglot")] = gns[:show].numpy()
        print(f"GNS on omniglot: FID {rows[-1]['fid']:.4f}")
    return pd.DataFrame(rows), shown


def fid_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per (model, variant, dataset): the FID's mean and SD over seeds beside the paper's."""
    table = (runs.groupby(["model", "variant", "dataset"], sort=False)
             .agg(fid=("fid", "mean"), fid_sd=("fid", "std"), seeds=("seed", "count"), n=("n", "first"),
                  strokes_mean=("strokes_mean", "mean")).reset_index())
    table["features"] = FEATURES
    table["paper_fid"] = [PAPER_FID.get((v, ds), np.nan) for v, ds in zip(table.variant, table.dataset)]
    return table
