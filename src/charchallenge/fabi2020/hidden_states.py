"""Hidden LSTM states while a letter is drawn (Fabi et al. 2020, section 3.5, Figs. 6 and 7).

"Hidden neural cell state activities c of the LSTM layer and the corresponding trajectories are
plotted in Figure 6 [...] Figure 7 shows some exemplary hidden states h". We regenerate a letter
from its one-hot code with the one-shot-inferred model and record c_t and h_t (units x time).
"""

from __future__ import annotations

import numpy as np

from .data import one_hot
from .model import Generator
from .variants import generate


def record_states(model: Generator, letters: list[int], lengths: list[int], device: str = "cpu"):
    """For each letter: (output (T, 4), h (T, H), c (T, H)), normalised output units."""
    codes = one_hot(letters, model.n_inputs)[None]
    out, h, c = generate([model], codes, lengths, device, return_states=True)
    return [(out[0][i], h[0][i], c[0][i]) for i in range(len(letters))]


def _unit_rows(states: np.ndarray) -> np.ndarray:
    x = states - states.mean(1, keepdims=True)
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)


def state_similarity(states_a: np.ndarray, states_b: np.ndarray) -> float:
    """Largest correlation between time-step state vectors of two letters (a crude sub-dynamics match)."""
    return float((_unit_rows(states_a) @ _unit_rows(states_b).T).max())


def shared_subpatterns(states_a: np.ndarray, states_b: np.ndarray) -> float:
    """How much of each letter's state trajectory (T, H) recurs in the other's: for every time
    step, the best correlation (across units) with any step of the other letter, averaged over
    steps and over both directions. 1: every state of one letter also occurs in the other."""
    corr = _unit_rows(states_a) @ _unit_rows(states_b).T
    return float(0.5 * (corr.max(1).mean() + corr.max(0).mean()))


def similarity_percentile(similarity: np.ndarray, pair: tuple[int, int], exclude=()) -> float:
    """Percentile (0-100) of ``similarity[pair]`` among the other unordered pairs of distinct
    letters (the pairs in ``exclude`` left out): the share of those pairs that are less similar."""
    n = len(similarity)
    skip = {frozenset(pair)} | {frozenset(p) for p in exclude}
    others = [similarity[i, j] for i in range(n) for j in range(i + 1, n) if frozenset((i, j)) not in skip]
    return float(100.0 * np.mean(np.asarray(others) < similarity[pair]))
