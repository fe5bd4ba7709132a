"""The parses of one one-shot episode, fitted (Feinman & Lake 2021, Sec. 4; Appendix B): the top
``gns2021.classify.k`` parses of every training and test image (:func:`.parses.parse_images`), all
fitted in one batch for ``classify.fit_iterations`` Adam steps (:func:`.fit.fit_parses`). What the
refits of both directions (:mod:`.classify`) start from, for test and validation episodes alike."""

from __future__ import annotations

import time

import numpy as np
import torch

from charchallenge.preprocess.splines import fit_drawing

from .episode_images import episode_images
from .fit import FitParams, FittedParses, fit_parses
from .parses import parse_images


def fit_episode(episode, type_model, gns: dict, seed: int, kind: str = "") -> tuple:
    """An episode's images parsed and fitted (:func:`parse_and_fit`), named ``"<kind> <run> <i>"``
    in the progress output. Returns (images, fitted, owner, parse seconds, seconds in all)."""
    images = episode_images(episode)
    prefix = f"{kind} {episode.name}".strip()
    fitted, owner, parse_seconds, seconds = parse_and_fit(
        images, type_model, gns, seed, [f"{prefix} {i}" for i in range(len(images))],
        label=f"GNS parsing of {prefix}")
    return images, fitted, owner, parse_seconds, seconds


def fit_given_parses(parses: list[list[np.ndarray]], images: np.ndarray, type_model, gns: dict) -> FittedParses:
    """One given parse per image (``parses[i]`` for ``images[i]``) fitted as :func:`parse_and_fit`
    fits the parser's."""
    return fit_parses(parses, torch.tensor(images, dtype=torch.float32), type_model,
                      params=FitParams(**{**gns["fit"], "iterations": gns["classify"]["fit_iterations"]}), progress=True)


def oracle_parses(drawings: list[list[np.ndarray]], splines: dict) -> list[list[np.ndarray]]:
    """The drawers' own strokes (x, y[, t] motor px) as minimal splines (params
    ``preprocess.splines``, as the parser fits its walks): the parse a perfect parser would find,
    for the error budget's oracle row."""
    out = []
    for strokes in drawings:
        fits, _ = fit_drawing([np.asarray(s, dtype=np.float64)[:, :2] for s in strokes],
                              splines["residual_threshold"], splines["max_control_points"], step=splines["resample_step"])
        if not fits:
            raise ValueError("oracle_parses: a drawing without strokes")
        out.append([f.control_points for f in fits])
    return out


def parse_and_fit(images: np.ndarray, type_model, gns: dict, seed: int, names: list[str],
                  label: str) -> tuple[FittedParses, np.ndarray, float, float]:
    """``images`` (N, 105, 105) binary; ``gns`` the params section ``gns2021``. Returns the fitted
    parses, the image of each parse (``owner``), the seconds spent parsing and in all."""
    start = time.time()
    cp = gns["classify"]
    parses, owner = parse_images(images, type_model, gns["parsing"], seed, names, k=cp["k"], label=label)
    parse_seconds = time.time() - start
    fitted = fit_given_parses(parses, images[owner], type_model, gns)
    return fitted, np.asarray(owner), parse_seconds, time.time() - start
