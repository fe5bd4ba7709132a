"""The study's data: one alphabet's trajectories, its trained/novel split and the shown drawer.

Fabi et al. (2020), section 2: "The first 50% of the characters of the alphabet (a - m) were
used to train the network, whereas only one variant of the remaining untrained characters
(n - z) each was presented". Here the alphabet is an Omniglot alphabet (Latin by default:
character01..26 are a..z, 20 drawers each); the split and the drawer shown are params
(``fabi2020.alphabet``, ``labels``, ``trained``, ``novel``, ``shown_drawer``), so the same study
runs on any alphabet. The one-hot code has one entry per character of the alphabet.

Trajectories are normalised with the artifact's statistics (dx, dy standardised; pen and
onset stay 0/1), the space in which the model is trained and the sequence MSE is measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from charchallenge.preprocess.trajectories import TrajectorySet


@dataclass
class Study:
    alphabet: str
    labels: list[str]          # one name per character of the alphabet, in Omniglot order
    characters: list[int]      # Omniglot character numbers (1-based), same order
    trained: list[int]         # indices into labels
    novel: list[int]
    shown_drawer: int
    drawers: list[int]
    trajectories: TrajectorySet

    @property
    def n_inputs(self) -> int:
        return len(self.labels)

    def index(self, label: str) -> int:
        try:
            return self.labels.index(str(label))
        except ValueError:
            raise KeyError(f"'{label}' is not a character label of {self.alphabet} ({self.labels})") from None

    def sequence(self, char_index: int, drawer: int) -> np.ndarray:
        """Normalised (T, 4) trajectory of one drawing."""
        ts = self.trajectories
        raw = ts.trajectory(ts.index(self.alphabet, self.characters[char_index], drawer))
        return ts.normalise(raw).astype(np.float32)

    def raw(self, normalised: np.ndarray) -> np.ndarray:
        """Back to motor units (pixels) for drawing and distances."""
        return self.trajectories.denormalise(np.asarray(normalised, dtype=np.float64))

    def training_set(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Every drawer's version of every trained character: (sequences, character indices)."""
        seqs, labels = [], []
        for c in self.trained:
            for d in self.drawers:
                seqs.append(self.sequence(c, d))
                labels.append(c)
        return seqs, np.asarray(labels)

    def shown(self) -> list[np.ndarray]:
        """The one example of each novel character (drawer ``shown_drawer``)."""
        return [self.sequence(c, self.shown_drawer) for c in self.novel]

    def other_drawers(self) -> list[int]:
        return [d for d in self.drawers if d != self.shown_drawer]


def _select(spec, labels: list[str], half: str) -> list[int]:
    n = len(labels)
    if spec == "first_half":
        return list(range((n + 1) // 2))
    if spec == "second_half":
        return list(range((n + 1) // 2, n))
    return [labels.index(str(s)) for s in spec]


def load_study(trajectories: TrajectorySet | str, params: dict) -> Study:
    """Resolve ``params`` (the ``fabi2020`` section) against the trajectory artifact."""
    ts = trajectories if isinstance(trajectories, TrajectorySet) else TrajectorySet.load(trajectories)
    alphabet = params["alphabet"]
    mask = ts.alphabet == alphabet
    if not mask.any():
        raise KeyError(f"alphabet {alphabet!r} is not in the trajectory artifact ({sorted(set(ts.alphabet))})")
    characters = sorted(int(c) for c in np.unique(ts.character[mask]))
    labels = params.get("labels")
    if labels is None:
        labels = [f"{c:02d}" for c in characters]
    labels = [str(s) for s in labels]
    if len(labels) != len(characters):
        raise ValueError(f"{len(labels)} labels for {len(characters)} characters of {alphabet}")
    drawers = sorted(int(d) for d in np.unique(ts.drawer[mask]))
    trained = _select(params["trained"], labels, "first")
    novel = _select(params["novel"], labels, "second")
    if set(trained) & set(novel):
        raise ValueError("a character is both trained and novel")
    if params["shown_drawer"] not in drawers:
        raise ValueError(f"shown_drawer {params['shown_drawer']} not among {drawers}")
    return Study(alphabet, labels, characters, trained, novel, int(params["shown_drawer"]), drawers, ts)


def pad(sequences: list[np.ndarray], length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-padded (B, T, 4) tensor and (B, T) mask of valid steps."""
    length = length or max(len(s) for s in sequences)
    x = torch.zeros(len(sequences), length, sequences[0].shape[1])
    mask = torch.zeros(len(sequences), length)
    for i, s in enumerate(sequences):
        x[i, : len(s)] = torch.as_tensor(s)
        mask[i, : len(s)] = 1.0
    return x, mask


def masked_mse(output: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per-sequence mean squared error over valid steps and the 4 features (shape = mask.shape[:-1])."""
    se = ((output - target) ** 2).sum(-1) * mask
    return se.sum(-1) / (mask.sum(-1) * target.shape[-1])


def one_hot(indices, n: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.as_tensor(indices), n).float()

