"""Feinman & Lake (2020) support code: splits, canvas cache, classifier metric, figure layout."""

import numpy as np
import torch

from charchallenge.feinman2020 import canvases as cv
from charchallenge.feinman2020.classifier import embed, nearest, novelty_share, train_classifier
from charchallenge.feinman2020.encoding import encode, make_batch
from charchallenge.feinman2020.plotting import similarity_grid
from charchallenge.feinman2020.splits import SMALL1, SMALL2_ONLY, alphabet_split, character_split, holdout_split

torch.set_num_threads(1)


def labels(n_alphabets=8, chars=10, drawers=3):
    names = ["Greek", "Latin", "Korean", "Balinese", "Early_Aramaic", "Japanese_(katakana)", "Sanskrit", "Tagalog"]
    alphabet = np.repeat(names[:n_alphabets], chars * drawers)
    character = np.tile(np.repeat(np.arange(1, chars + 1), drawers), n_alphabets)
    return alphabet, character


def test_alphabet_splits_are_80_20_by_alphabet_and_differ():
    alphabet, _ = labels()
    tests = []
    for s in (1, 2, 3):
        train, test = alphabet_split(alphabet, s, seed=0)
        assert not set(alphabet[train]) & set(alphabet[test])
        assert len(set(alphabet[test])) == 2 and len(train) + len(test) == len(alphabet)
        tests.append(frozenset(alphabet[test]))
    assert len(set(tests)) == 3


def test_character_splits_keep_alphabets_and_hold_out_whole_characters():
    alphabet, character = labels()
    train, test = character_split(alphabet, character, 1, seed=0)
    key = lambda i: (alphabet[i], character[i])  # noqa: E731
    assert not {key(i) for i in train} & {key(i) for i in test}
    for a in set(alphabet):
        assert len({character[i] for i in test if alphabet[i] == a}) == 2  # 20% of 10 characters
    assert set(alphabet[train]) == set(alphabet[test])


def test_holdout_is_small1_vs_small2_only():
    alphabet, _ = labels()
    train, test = holdout_split(alphabet, "small")
    assert set(alphabet[train]) == set(SMALL1) and set(alphabet[test]) == set(SMALL2_ONLY)


def test_canvas_cache_round_trip_and_batch_alignment(tmp_path):
    drawings = [[np.array([[20.0, -20.0], [60.0, -20.0]])], [np.array([[50.0, -30.0]]), np.array([[30.0, -70.0], [70.0, -70.0]])]]
    cv.build_canvas_cache(drawings, tmp_path / "c.npy")
    cache = cv.load_canvas_cache(tmp_path / "c.npy")
    assert cache.shape == (5, 28, 28)
    assert cache[0].abs().max() == 0 and cache[2].abs().max() == 0  # blank canvases
    direct = cv.partial_canvases(drawings)
    torch.testing.assert_close(cache, direct, atol=1e-3, rtol=0)
    batch = make_batch(encode(drawings), torch.tensor([1]), cache)
    torch.testing.assert_close(batch.canvas_before[1], cache[3])  # before stroke 2 = after stroke 1
    torch.testing.assert_close(batch.canvas_after[1], cache[4])
    assert batch.is_last.tolist() == [False, True]


def test_classifier_features_and_novelty_share():
    g = torch.Generator().manual_seed(0)
    canvas = torch.rand(40, 28, 28, generator=g)
    y = np.arange(40) % 4
    params = dict(channels=[4, 4, 4, 4], hidden=8, dropout=0.0, epochs=1, batch_size=20, lr=1e-3)
    model, history = train_classifier(canvas, y, params, seed=0)
    feats = embed(model, canvas)
    torch.testing.assert_close(feats.norm(dim=1), torch.ones(40))
    sim, idx = nearest(feats[:5], feats, 3)
    assert (idx[:, 0] == torch.arange(5)).all() and torch.allclose(sim[:, 0], torch.ones(5))
    share, level = novelty_share(np.array([0.1, 0.99, 0.5]), np.linspace(0, 1, 101))
    assert abs(level - 0.95) < 1e-9 and share == 1 / 3


def test_similarity_grid_is_a_permutation():
    feats = torch.randn(16, 5, generator=torch.Generator().manual_seed(0))
    order = similarity_grid(feats, 4)
    assert sorted(order.tolist()) == list(range(16))
