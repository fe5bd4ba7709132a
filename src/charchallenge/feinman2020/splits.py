"""Train/test splits of Table 1 (Feinman & Lake 2020, "Evaluation on Held-Out Concepts").

* Alphabet splits: 3 splits of the background alphabets, 80% train / 20% test, by alphabet
  ("generalize to new characters from novel alphabets").
* Character splits: 3 splits sampling 80% of the characters of every alphabet for training and
  20% for test ("new character classes from familiar alphabets").
* Holdout: train on the whole background set, test on novel alphabets. With the full data this
  is background (30 alphabets) vs evaluation; offline, with only the 8 mirrored alphabets, train
  on the 5 alphabets of ``small1`` and test on the 3 alphabets only in ``small2``.

Validation (model selection and early stopping) is a slice of the *training* characters,
all drawers of a character together (:func:`validation_split`); no test drawing is ever looked
at before the test score.

Test sizes are ``max(1, round(0.2 n))`` alphabets (or characters of an alphabet). Every split
is a pair of index arrays into the drawings of the encoded set, with all drawers of a character
on the same side.
"""

from __future__ import annotations

import numpy as np

SMALL1 = ["Balinese", "Early_Aramaic", "Greek", "Korean", "Latin"]
SMALL2_ONLY = ["Japanese_(katakana)", "Sanskrit", "Tagalog"]


def _n_test(n: int, fraction: float) -> int:
    return max(1, int(round(fraction * n)))


def alphabet_split(alphabet: np.ndarray, split: int, seed: int, test_fraction: float = 0.2):
    """``split`` in 1..3; successive splits rotate through a seeded permutation of alphabets,
    so their test sets differ (disjoint while the alphabets last)."""
    names = sorted(set(alphabet.tolist()))
    perm = np.random.RandomState(seed).permutation(len(names))
    k = _n_test(len(names), test_fraction)
    test_names = {names[perm[(j + (split - 1) * k) % len(names)]] for j in range(k)}
    test = np.isin(alphabet, sorted(test_names))
    return np.flatnonzero(~test), np.flatnonzero(test)


def character_split(alphabet: np.ndarray, character: np.ndarray, split: int, seed: int, test_fraction: float = 0.2):
    """20% of the characters of every alphabet to test, independently drawn per split."""
    rng = np.random.RandomState(seed * 1000 + split)
    test = np.zeros(len(alphabet), dtype=bool)
    for a in sorted(set(alphabet.tolist())):
        in_a = alphabet == a
        chars = np.unique(character[in_a])
        pick = rng.choice(chars, _n_test(len(chars), test_fraction), replace=False)
        test |= in_a & np.isin(character, pick)
    return np.flatnonzero(~test), np.flatnonzero(test)


def holdout_split(alphabet: np.ndarray, background: str):
    """Train on the background alphabets, test on novel ones (see module doc)."""
    if background != "small":
        raise ValueError(f"the offline holdout needs data.background = small (both mirrored sets); got {background!r}. "
                         "The paper's background/evaluation holdout needs the evaluation set, not in the mirror.")
    train = np.isin(alphabet, SMALL1)
    test = np.isin(alphabet, SMALL2_ONLY)
    return np.flatnonzero(train), np.flatnonzero(test)


def make_split(task: str, split: int, alphabet, character, seed: int, test_fraction: float, background: str):
    if task == "alphabet":
        return alphabet_split(alphabet, split, seed, test_fraction)
    if task == "character":
        return character_split(alphabet, character, split, seed, test_fraction)
    if task == "holdout":
        return holdout_split(alphabet, background)
    raise ValueError(f"unknown task {task!r}")


def validation_split(train_idx: np.ndarray, alphabet, character, fraction: float, seed: int):
    """Split the training drawings ``train_idx`` into (train, validation) by character: a seeded
    ``fraction`` of the training characters (at least one), all their drawings, goes to
    validation."""
    train_idx = np.asarray(train_idx)
    keys = np.char.add(np.char.add(np.asarray(alphabet)[train_idx].astype(str), "/"),
                       np.asarray(character)[train_idx].astype(str))
    chars = np.unique(keys)
    n_val = max(1, int(round(fraction * len(chars))))
    if n_val >= len(chars):
        raise ValueError(f"validation_fraction {fraction} leaves no training character ({len(chars)} characters)")
    pick = np.random.RandomState(seed).choice(len(chars), n_val, replace=False)
    is_val = np.isin(keys, chars[pick])
    return train_idx[~is_val], train_idx[is_val]


def subsample(idx: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    """At most ``n`` of ``idx`` (sorted), for smoke runs; None keeps all."""
    if n is None or len(idx) <= n:
        return idx
    return np.sort(np.random.RandomState(seed).choice(idx, n, replace=False))
