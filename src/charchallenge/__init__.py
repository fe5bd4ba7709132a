"""charchallenge: reference reproduction of the Omniglot character-challenge papers.

Shared mechanisms (data, coordinates, trajectories, minimal splines, renderer, training
loop) live here once; each paper's models and figures build on them.
"""

__version__ = "0.1.0"
