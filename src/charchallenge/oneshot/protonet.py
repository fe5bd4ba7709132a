"""Prototypical networks (Snell, Swersky & Zemel 2017, "Prototypical Networks for Few-shot
Learning", NeurIPS): the learned baseline of the one-shot leaderboard (GNS Table 2's
"Prototypical Net" row, 13.7% on the official runs).

An embedding f (:class:`ConvEmbedding`, the paper's "Conv-4": four blocks of 3x3 convolution with
64 filters, batch norm, ReLU and 2x2 max-pooling, so a 28x28 image becomes a 64-vector) maps every
image; a class's prototype is the mean embedding of its support images (one image in one-shot),
and a query is classified by a softmax over negative squared Euclidean distances to the
prototypes (Sec. 2.2, Eq. 1-2). Training is episodic (Sec. 2.2, Algorithm 1): each step samples
``way`` classes, ``shot`` support and ``query`` query drawings of each, and minimises the
cross-entropy of the queries. As in the paper's Omniglot set-up (Sec. 3.1), images are resized to
28x28 and each character rotated by 90, 180 and 270 degrees counts as a class of its own; Adam,
learning rate halved every ``lr_halve_every`` episodes.

Here the classes are the characters of the background alphabets the GNS type prior trains on
(never the alphabets of the episodes), a seeded tenth of them held out as validation characters:
fixed validation episodes of the evaluation's shape (``n_way``-way one-shot) give the loss the
shared training loop early-stops on (:mod:`charchallenge.training`), so the learning curve says
whether the network converged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from charchallenge.fingerprint import digest_arrays, job_fingerprint
from charchallenge.training import TrainResult, Validation, train


class ConvEmbedding(nn.Module):
    """Snell et al.'s Conv-4 embedding: ``blocks`` x [3x3 conv, batch norm, ReLU, 2x2 max-pool]."""

    def __init__(self, channels: int = 64, blocks: int = 4):
        super().__init__()
        layers, c = [], 1
        for _ in range(blocks):
            layers += [nn.Conv2d(c, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2)]
            c = channels
        self.body = nn.Sequential(*layers, nn.Flatten())

    def forward(self, images: Tensor) -> Tensor:
        """Embeddings (N, d) of images (N, size, size) with ink = 1."""
        return self.body(images[:, None])


def downsample(images, size: int) -> Tensor:
    """Binary 105x105 images (ink = 1) as (N, size, size) float ink fractions (area averaging)."""
    x = torch.as_tensor(np.asarray(images), dtype=torch.float32)
    if x.ndim != 3:
        raise ValueError(f"expected images (N, H, W), got shape {tuple(x.shape)}")
    if x.shape[-1] == size:
        return x
    return F.interpolate(x[:, None], size=(size, size), mode="area")[:, 0]


def prototype_logits(support: Tensor, support_labels: Tensor, query: Tensor, n_classes: int) -> Tensor:
    """Eq. 1-2: logits (Q, C) = minus the squared distance of each query embedding to each class's
    prototype, the mean of its support embeddings."""
    one_hot = F.one_hot(support_labels, n_classes).to(support.dtype)            # (S, C)
    prototypes = (one_hot.T @ support) / one_hot.sum(0)[:, None]                  # (C, d)
    return -torch.cdist(query, prototypes).pow(2)


@dataclass(frozen=True)
class EpisodeSampler:
    """Episodes from a pool of classes: ``images`` (N, size, size), ``classes`` (N,) class ids
    0..C-1 (rotated copies of a character are classes of their own)."""

    images: Tensor
    classes: Tensor

    @classmethod
    def from_characters(cls, images: Tensor, character: np.ndarray, rotations: bool) -> "EpisodeSampler":
        """One class per distinct ``character`` key, times 4 with the 90-degree rotations."""
        _, ids = np.unique(np.asarray(character), return_inverse=True)
        ids = torch.as_tensor(ids, dtype=torch.long)
        if not rotations:
            return cls(images, ids)
        n = int(ids.max()) + 1
        rotated = [torch.rot90(images, r, dims=(1, 2)) for r in range(4)]
        return cls(torch.cat(rotated), torch.cat([ids + r * n for r in range(4)]))

    @property
    def n_classes(self) -> int:
        return int(self.classes.max()) + 1

    def sample(self, way: int, shot: int, query: int, generator: torch.Generator):
        """(support images, support labels, query images, query labels) of one episode; labels
        0..way-1. Classes with fewer than shot + query drawings are never drawn."""
        members = self._members()
        eligible = [c for c, m in enumerate(members) if len(m) >= shot + query]
        if len(eligible) < way:
            raise ValueError(f"{way}-way episodes need {way} classes with {shot + query} drawings; "
                             f"only {len(eligible)} have them")
        picked = torch.as_tensor(eligible)[torch.randperm(len(eligible), generator=generator)[:way]]
        s_idx, q_idx = [], []
        for c in picked.tolist():
            m = members[c]
            order = m[torch.randperm(len(m), generator=generator)]
            s_idx.append(order[:shot])
            q_idx.append(order[shot : shot + query])
        labels = torch.arange(way)
        return (self.images[torch.cat(s_idx)], labels.repeat_interleave(shot),
                self.images[torch.cat(q_idx)], labels.repeat_interleave(query))

    def _members(self) -> list[Tensor]:
        if not hasattr(self, "_cache"):
            order = torch.argsort(self.classes, stable=True)
            counts = torch.bincount(self.classes, minlength=self.n_classes).tolist()
            object.__setattr__(self, "_cache", list(torch.split(order, counts)))
        return self._cache


def episode_loss(model: ConvEmbedding, episode) -> tuple[Tensor, float]:
    """Cross-entropy of the queries (mean) and their error rate, for one sampled episode."""
    s, s_labels, q, q_labels = episode
    emb = model(torch.cat([s, q]))
    way = int(s_labels.max()) + 1
    logits = prototype_logits(emb[: len(s)], s_labels, emb[len(s):], way)
    return F.cross_entropy(logits, q_labels), float((logits.argmax(1) != q_labels).float().mean())


def background_samplers(dataset, background: str, size: int, rotations: bool, validation_fraction: float,
                        seed: int) -> tuple[EpisodeSampler, EpisodeSampler]:
    """Training and validation classes from the background alphabets the GNS type prior trains on
    (:func:`charchallenge.feinman2020.splits.holdout_split`; the episodes' alphabets stay unseen),
    a seeded ``validation_fraction`` of the characters, all their drawers, held out."""
    from charchallenge.feinman2020.splits import holdout_split, validation_split

    alphabet = dataset.alphabet_of()
    train_idx, _ = holdout_split(alphabet, background)
    fit_idx, val_idx = validation_split(train_idx, alphabet, dataset.character, validation_fraction, seed)

    def sampler(idx):
        keys = np.char.add(np.char.add(alphabet[idx].astype(str), "/"), dataset.character[idx].astype(str))
        return EpisodeSampler.from_characters(downsample(dataset.images(idx), size), keys, rotations)

    return sampler(fit_idx), sampler(val_idx)


def train_protonet(train_set: EpisodeSampler, val_set: EpisodeSampler, params: dict, seed: int,
                   checkpoint_dir=None, progress: bool = True,
                   extra_code=()) -> tuple[ConvEmbedding, TrainResult, list[dict]]:
    """Episodic training (Algorithm 1) with early stopping on fixed validation episodes; returns the
    model (eval mode, best validation weights), the loop's result and the validation curve
    (loss and error per evaluation). ``extra_code``: source files outside the package that the
    fingerprint covers too (the job's workflow script)."""
    t = params["train"]
    torch.manual_seed(seed)  # the initial weights depend only on ``seed`` (train() seeds too late for them)
    model = ConvEmbedding(params["channels"], params["blocks"])
    optimizer = torch.optim.Adam(model.parameters(), lr=t["lr"])

    def step_fn(step: int, generator: torch.Generator) -> float:
        for group in optimizer.param_groups:  # a function of the step, so a resumed run gets it right
            group["lr"] = t["lr"] * 0.5 ** (step // t["lr_halve_every"])
        loss, _ = episode_loss(model, train_set.sample(t["way"], t["shot"], t["query"], generator))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    g = torch.Generator().manual_seed(seed + 1)
    val_episodes = [val_set.sample(t["val_way"], 1, t["query"], g) for _ in range(t["val_episodes"])]
    curve: list[dict] = []

    @torch.no_grad()
    def evaluate() -> float:
        model.eval()
        out = [episode_loss(model, e) for e in val_episodes]
        curve.append({"val_loss": float(np.mean([float(l) for l, _ in out])),
                      "val_error": float(np.mean([e for _, e in out]))})
        return curve[-1]["val_loss"]

    key = job_fingerprint({"model": "protonet", "params": params, "seed": seed},
                          data={"train": digest_arrays(train_set.images.numpy(), train_set.classes.numpy()),
                                "val": digest_arrays(val_set.images.numpy(), val_set.classes.numpy())},
                          extra_code=extra_code)
    result = train(model, optimizer, step_fn, n_steps=t["max_episodes"], seed=seed, checkpoint_dir=checkpoint_dir,
                   checkpoint_every=t["eval_every"], fingerprint=key, progress=progress, desc="prototypical network",
                   validation=Validation(evaluate, every=t["eval_every"], patience=t["patience"]))
    return model.eval(), result, curve


@torch.no_grad()
def classify(model: ConvEmbedding, test_images: Tensor, train_images: Tensor) -> np.ndarray:
    """One-shot classification of one run: the training image (prototype) nearest to each test image."""
    model.eval()
    emb = model(torch.cat([train_images, test_images]))
    n = len(train_images)
    logits = prototype_logits(emb[:n], torch.arange(n), emb[n:], n)
    return logits.argmax(1).numpy()


def learning_curve(history: list[dict], evaluations: list[dict]) -> pd.DataFrame:
    """The training run's history (step, training and validation loss) with the validation error of
    ``evaluations``, this call's evaluations (a resumed run lacks the earlier ones: NaN there)."""
    history = pd.DataFrame(history)
    errors = [c["val_error"] for c in evaluations]
    history["val_error"] = [float("nan")] * (len(history) - len(errors)) + errors
    return history[["step", "train_loss", "val_loss", "val_error"]]
