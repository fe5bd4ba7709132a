"""An episode's images in the order GNS one-shot classification uses them (Feinman & Lake 2021,
Sec. 4): training images first, then test images - the rows of its parse tables and the axes of its
refit grids. Kept apart from the parser (:mod:`.episode_fit`), so that the refits, which read saved
parses, do not depend on it."""

from __future__ import annotations

import numpy as np


def episode_images(episode) -> np.ndarray:
    """An episode's training images, then its test images, binary (N, 105, 105)."""
    return np.concatenate([episode.train_images(), episode.test_images()]) > 0.5


def fitted_episode(saved: dict, episode, device) -> tuple:
    """What a parse-and-fit job saved (``saved``, the loaded file) for ``episode``, on ``device``:
    (images, fitted parses, owner of each parse, number of training images)."""
    return episode_images(episode), saved["fitted"].to(device), np.asarray(saved["owner"]), saved["n_train"]
