"""The perceptual metric of Figs. 6-7 (Feinman & Lake 2020, "Generating New Concepts"):
cosine distance in the last hidden layer of a CNN classifier trained on the background
characters (the paper: a 964-way classifier on all background classes). Here the classes are
all characters of the models' training set (the holdout's background alphabets), the inputs
the complete 28x28 canvases rendered from the splines - the same renderer as the model samples,
so real characters and samples are compared alike.

Architecture (ours; the paper gives none): 4 blocks [3x3 conv, batch norm, ReLU, 2x2 max-pool],
a dense hidden layer (ReLU, dropout) - the feature layer - and a linear softmax layer.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from . import canvases as cv


class CharacterCNN(nn.Module):
    def __init__(self, n_classes: int, channels=(32, 64, 128, 256), hidden=256, dropout=0.3):
        super().__init__()
        blocks, c = [], 1
        for k in channels:
            blocks += [nn.Conv2d(c, k, 3, padding=1), nn.BatchNorm2d(k), nn.ReLU(), nn.MaxPool2d(2)]
            c = k
        self.body = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(c, hidden), nn.ReLU())
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_classes)

    def features(self, canvas: torch.Tensor) -> torch.Tensor:
        """Last hidden layer for canvases (N, 28, 28) in [0, 1]."""
        return self.body(cv.standardise(canvas, cv.TERM_STATS)[:, None])

    def forward(self, canvas: torch.Tensor) -> torch.Tensor:
        return self.out(self.drop(self.features(canvas)))


def train_classifier(canvas: torch.Tensor, labels: np.ndarray, params: dict, seed: int) -> tuple[CharacterCNN, list]:
    """Adam on cross-entropy; returns the model (eval mode) and the per-epoch training accuracy."""
    torch.manual_seed(seed)
    labels = torch.as_tensor(labels, dtype=torch.long)
    model = CharacterCNN(int(labels.max()) + 1, params["channels"], params["hidden"], params["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=params["lr"])
    g = torch.Generator().manual_seed(seed)
    history = []
    for _ in range(params["epochs"]):
        model.train()
        perm = torch.randperm(len(labels), generator=g)
        correct = 0
        for a in range(0, len(perm), params["batch_size"]):
            idx = perm[a : a + params["batch_size"]]
            logits = model(canvas[idx])
            loss = F.cross_entropy(logits, labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            correct += int((logits.argmax(1) == labels[idx]).sum())
        history.append(correct / len(labels))
    return model.eval(), history


def load_classifier(path) -> tuple[CharacterCNN, np.ndarray]:
    """The trained classifier (eval mode) and the corpus indices of the characters it was trained on."""
    payload = torch.load(path, map_location="cpu", weights_only=False)
    p = payload["params"]
    net = CharacterCNN(payload["n_classes"], p["channels"], p["hidden"], p["dropout"])
    net.load_state_dict(payload["state_dict"])
    return net.eval(), np.asarray(payload["train_idx"])


@torch.no_grad()
def embed(model: CharacterCNN, canvas: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Unit-normalised features, so a dot product is the cosine similarity."""
    out = [model.features(canvas[a : a + batch]) for a in range(0, len(canvas), batch)]
    return F.normalize(torch.cat(out), dim=1)


def nearest(query: torch.Tensor, reference: torch.Tensor, k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k cosine similarities and indices of ``reference`` rows for each ``query`` row."""
    sim = query @ reference.T
    return sim.topk(min(k, reference.shape[0]), dim=1)


def novelty_share(sample_sim: np.ndarray, novel_real_sim: np.ndarray, quantile: float = 0.95) -> tuple[float, float]:
    """Share of samples whose nearest-neighbour similarity exceeds the ``quantile`` of the same
    similarity for held-out real characters of novel classes (5% of those by construction): a
    measure of how many samples mimic a training character more closely than genuinely new
    characters do. Returns (share, level)."""
    level = float(np.quantile(novel_real_sim, quantile))
    return float((np.asarray(sample_sim) > level).mean()), level


def share_interval(share: float, n: int, confidence: float = 0.95) -> list[float]:
    """Exact (Clopper-Pearson) interval of a share of ``n`` independent samples."""
    if n == 0:
        return [float("nan"), float("nan")]
    from scipy.stats import binomtest

    ci = binomtest(int(round(share * n)), n).proportion_ci(confidence, method="exact")
    return [float(ci.low), float(ci.high)]
