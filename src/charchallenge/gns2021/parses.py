"""Discrete parse selection (Feinman & Lake 2021, Appendix B steps 1-2; facts section 5): from an
image to its top-K candidate types.

1. Skeleton graph and random walks (:mod:`.skeleton`, :mod:`.walks`) propose stroke sets.
2. Every stroke is resampled at 1 px and fitted with a minimal spline (threshold 0.7, at most 50
   control points; :func:`charchallenge.preprocess.splines.fit_minimal_spline`).
3. Stroke order and direction: every configuration when ``n! 2^n <= max_configurations`` (800),
   else 800 sampled ones; walks of more than ``max_parse_strokes`` (9) strokes are skipped. All
   configurations of all walks are scored by the type model alone (:class:`.type_model.TypeModel`,
   one batched call), the best per walk is kept.
4. The walks' best parses are pooled and the top K (5) kept, distinct walks only (two parses may
   share a score and still differ).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from charchallenge.preprocess.splines import fit_minimal_spline

from .image_model import check_image
from .skeleton import skeleton_graph
from .walks import WalkParams, canonical, propose_walks, walk_strokes


@dataclass
class Parse:
    """One candidate type: ordered, directed strokes as (k, 2) motor-px control points."""

    strokes: list[np.ndarray]
    type_log_prob: float
    walk: tuple


def stroke_splines(strokes: list[np.ndarray], threshold: float = 0.7, max_control_points: int = 50) -> list[np.ndarray]:
    return [fit_minimal_spline(s, threshold, max_control_points).control_points for s in strokes]


def configurations(splines: list[np.ndarray], max_configurations: int, rng: np.random.RandomState):
    """(order, flips) pairs: all of them, or ``max_configurations`` distinct random ones.
    One-point strokes have a single direction."""
    n = len(splines)
    flippable = [i for i, s in enumerate(splines) if len(s) > 1]
    total = math.factorial(n) * 2 ** len(flippable)
    if total <= max_configurations:
        out = []
        for order in itertools.permutations(range(n)):
            for bits in itertools.product((False, True), repeat=len(flippable)):
                flips = [False] * n
                for i, b in zip(flippable, bits):
                    flips[i] = b
                out.append((order, tuple(flips)))
        return out
    seen = set()
    while len(seen) < max_configurations:
        order = tuple(rng.permutation(n).tolist())
        flips = [False] * n
        for i in flippable:
            flips[i] = bool(rng.randint(2))
        seen.add((order, tuple(flips)))
    return sorted(seen)


def arrange(splines: list[np.ndarray], order, flips) -> list[np.ndarray]:
    return [splines[i][::-1].copy() if flips[i] else splines[i] for i in order]


def top_parses(image: np.ndarray, type_model, k: int = 5, walk_params: WalkParams = WalkParams(),
               max_configurations: int = 800, max_parse_strokes: int = 9, seed: int = 0,
               spline_threshold: float = 0.7, max_control_points: int = 50, name: str = "image") -> list[Parse]:
    """The top ``k`` parses of a binary 105x105 image (ink = 1), best first. Bad input (another
    shape, non-binary values, no ink, all ink) is a one-line ``ValueError`` naming ``name``
    (:func:`.image_model.check_image`)."""
    graph = skeleton_graph(check_image(image, name))
    rng = np.random.RandomState(seed)
    candidates, owner, walks = [], [], []
    for w in propose_walks(graph, walk_params, seed):
        strokes = walk_strokes(graph, w)
        if len(strokes) > max_parse_strokes:
            continue
        splines = stroke_splines(strokes, spline_threshold, max_control_points)
        for order, flips in configurations(splines, max_configurations, rng):
            candidates.append(arrange(splines, order, flips))
            owner.append(len(walks))
        walks.append(canonical(w))
    if not candidates:
        raise ValueError(f"{name}: no parse with at most max_parse_strokes = {max_parse_strokes} strokes")
    scores = type_model.log_prob(candidates)
    best: dict[int, int] = {}
    for i, (w, s) in enumerate(zip(owner, scores)):
        if w not in best or s > scores[best[w]]:
            best[w] = i
    ranked = sorted(best.items(), key=lambda kv: -scores[kv[1]])[:k]
    return [Parse(candidates[i], float(scores[i]), walks[w]) for w, i in ranked]


def parse_images(images, type_model, parsing: dict, seed: int, names: list[str], k: int | None = None,
                 label: str = "GNS parsing") -> tuple[list[list[np.ndarray]], list[int]]:
    """The top-K parses of every image, pooled for one batched fit (:func:`.fit.fit_parses`):
    the parses' strokes and, per parse, the index of its image. ``parsing`` is the params section
    ``gns2021.parsing`` (``k`` overrides its K); ``names`` name the images in errors."""
    from charchallenge.progress import Progress

    parses, owner = [], []
    bar = Progress(len(images), label, unit="images")
    for i, image in enumerate(images):
        for p in top_parses(image, type_model, k=k or parsing["k"], walk_params=WalkParams(**parsing["walks"]),
                            max_configurations=parsing["max_configurations"],
                            max_parse_strokes=parsing["max_parse_strokes"], seed=seed, name=names[i]):
            parses.append(p.strokes)
            owner.append(i)
        bar.update(1)
    bar.close()
    return parses, owner
