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
    codes = one_hot(letters, model.ff.in_features)[None]
    out, h, c = generate([model], codes, lengths, device, return_states=True)
    return [(out[0][i], h[0][i], c[0][i]) for i in range(len(letters))]


def state_similarity(states_a: np.ndarray, states_b: np.ndarray) -> float:
    """Largest correlation between time-step state vectors of two letters (a crude sub-dynamics match)."""
    a = states_a - states_a.mean(1, keepdims=True)
    b = states_b - states_b.mean(1, keepdims=True)
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
    return float((a @ b.T).max())
