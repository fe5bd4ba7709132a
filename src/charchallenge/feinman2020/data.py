"""The corpus every Feinman & Lake (2020) job reads: splines, their labels, encoding, canvases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.preprocess.spline_set import SplineSet

from .canvases import load_canvas_cache
from .encoding import EncodedDrawings, encode, spline_drawings


@dataclass
class Corpus:
    """Kept drawings (control points, motor px), their alphabet and character labels, the
    shared encoding and (optionally) the cached partial canvases."""

    drawings: list
    alphabet: np.ndarray
    character: np.ndarray
    enc: EncodedDrawings
    canvases: torch.Tensor | None

    def complete_canvases(self, idx) -> torch.Tensor:
        """The finished canvas of each drawing in ``idx`` (28x28 in [0, 1])."""
        idx = torch.as_tensor(np.asarray(idx), dtype=torch.long)
        return self.canvases[self.enc.canvas_starts[idx] + self.enc.n_strokes[idx]]

    def labels(self) -> np.ndarray:
        """One class id per (alphabet, character)."""
        keys = np.char.add(np.char.add(self.alphabet.astype(str), "/"), self.character.astype(str))
        return np.unique(keys, return_inverse=True)[1]


def load_corpus(splines_path, dataset_path, canvases_path=None) -> Corpus:
    splines = SplineSet.load(splines_path)
    dataset = OmniglotDataset.load(dataset_path)
    drawings = spline_drawings(splines)
    kept = splines.dataset_index
    return Corpus(drawings=drawings, alphabet=dataset.alphabet_of()[kept], character=np.asarray(dataset.character[kept]),
                  enc=encode(drawings, ids=np.arange(len(drawings))),
                  canvases=load_canvas_cache(canvases_path) if canvases_path else None)
