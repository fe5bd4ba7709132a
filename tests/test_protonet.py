"""Prototypical network baseline (Snell et al. 2017): the prototype rule against a brute-force
computation, episode sampling, and a short training run on real background characters that must
beat chance on held-out validation characters (and fails when the network learns nothing)."""

import numpy as np
import pytest
import torch
from torch import nn

from charchallenge.oneshot.protonet import (ConvEmbedding, EpisodeSampler, background_samplers, classify,
                                            downsample, prototype_logits, train_protonet)


def test_prototype_logits_are_minus_squared_distances_to_class_means():
    g = torch.Generator().manual_seed(0)
    support = torch.randn(6, 3, generator=g)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    query = torch.randn(4, 3, generator=g)
    logits = prototype_logits(support, labels, query, 3)
    for q in range(4):
        for c in range(3):
            proto = support[labels == c].mean(0)
            assert logits[q, c] == pytest.approx(-float(((query[q] - proto) ** 2).sum()), rel=1e-5)


class Pixels(nn.Module):
    """Identity embedding: prototypes are the images themselves."""

    def forward(self, images):
        return images.flatten(1)


def test_classify_picks_the_nearest_training_image():
    g = torch.Generator().manual_seed(1)
    train = torch.rand(5, 8, 8, generator=g)
    test = train[[3, 0, 4]] + 0.01 * torch.randn(3, 8, 8, generator=g)
    assert classify(Pixels(), test, train).tolist() == [3, 0, 4]


def test_downsample_keeps_ink_fraction_and_rejects_bad_shapes():
    img = np.zeros((2, 105, 105), bool)
    img[0, :, :] = True
    img[1, :35, :] = True
    small = downsample(img, 28)
    assert small.shape == (2, 28, 28)
    assert float(small[0].mean()) == pytest.approx(1.0)
    assert float(small[1].mean()) == pytest.approx(1 / 3, abs=0.02)
    with pytest.raises(ValueError, match="expected images"):
        downsample(np.zeros((105, 105)), 28)


def test_episodes_draw_distinct_classes_and_rotations_make_new_classes():
    images = torch.rand(12, 8, 8)
    chars = np.repeat(["a/1", "a/2", "b/1"], 4)
    plain = EpisodeSampler.from_characters(images, chars, rotations=False)
    rotated = EpisodeSampler.from_characters(images, chars, rotations=True)
    assert plain.n_classes == 3 and rotated.n_classes == 12
    s, s_lab, q, q_lab = rotated.sample(way=5, shot=1, query=3, generator=torch.Generator().manual_seed(0))
    assert s.shape == (5, 8, 8) and q.shape == (15, 8, 8)
    assert s_lab.tolist() == list(range(5)) and q_lab.tolist() == sorted(list(range(5)) * 3)
    # support and query of one class are different drawings of the same (rotated) character
    flat = rotated.images.flatten(1)
    for c in range(5):
        si = int(torch.nonzero((flat == s[c].flatten()).all(1))[0])
        qi = [int(torch.nonzero((flat == x.flatten()).all(1))[0]) for x in q[q_lab == c]]
        assert si not in qi
        assert len({int(rotated.classes[i]) for i in [si, *qi]}) == 1
    with pytest.raises(ValueError, match="need 13 classes"):
        rotated.sample(way=13, shot=1, query=1, generator=torch.Generator())


PARAMS = {"image_size": 28, "channels": 16, "blocks": 4, "rotations": False, "validation_fraction": 0.2,
          "train": {"way": 10, "shot": 1, "query": 3, "lr": 0.003, "lr_halve_every": 1000, "max_episodes": 120,
                    "eval_every": 40, "patience": 10, "val_way": 10, "val_episodes": 10}}


def test_training_on_real_characters_beats_chance_on_validation_characters(small_dataset):
    train_set, val_set = background_samplers(small_dataset, "small", 28, False, 0.2, seed=0)
    assert train_set.n_classes + val_set.n_classes == 136  # the 5 small1 alphabets, no episode alphabet
    model, result, curve = train_protonet(train_set, val_set, PARAMS, seed=0, progress=False)
    assert len(result.history) == 3 and len(curve) == 3
    assert curve[-1]["val_error"] < 0.6  # 10-way one-shot: chance is 0.9
    untrained = ConvEmbedding(16, 4).eval()
    s, _, q, q_lab = val_set.sample(10, 1, 3, torch.Generator().manual_seed(3))
    assert (classify(model, q, s) == q_lab.numpy()).mean() > (classify(untrained, q, s) == q_lab.numpy()).mean()


def test_a_seed_gives_the_same_network_whatever_torch_drew_before():
    """The initial weights come from ``seed``, not from the global generator's state (which torch
    seeds differently in every process): two runs with draws in between end with equal weights."""
    images = torch.rand(48, 28, 28, generator=torch.Generator().manual_seed(0))
    chars = np.repeat([f"a/{i}" for i in range(12)], 4)
    train_set = EpisodeSampler.from_characters(images[:32], chars[:32], rotations=False)
    val_set = EpisodeSampler.from_characters(images[32:], chars[32:], rotations=False)
    params = {**PARAMS, "channels": 4, "blocks": 2,
              "train": {**PARAMS["train"], "way": 4, "val_way": 4, "max_episodes": 4, "eval_every": 2}}
    weights = []
    for draws in (1, 12345):
        torch.rand(draws)  # another job's draws, or another process's seed
        model, _, _ = train_protonet(train_set, val_set, params, seed=3, progress=False)
        weights.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])
