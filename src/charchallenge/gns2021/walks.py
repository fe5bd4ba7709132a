"""Candidate stroke decompositions of a skeleton graph by random walks (Feinman & Lake 2021,
Appendix B step 1, after BPL's bottom-up parser; numbers in ``shared/reference/gns-facts.md``
section 5).

A walk traces the whole graph with the pen: it puts the pen down at a node, follows edges, and
at every node chooses between the unvisited edges, re-using a visited edge and lifting the pen,
until every edge has been drawn. Each choice has an angle - the turn between the direction it
arrived in and the direction it would leave in, both measured over the ``angle_px`` pixels next
to the node - or a pseudo-angle (re-use an edge 90 deg, lift the pen 45 deg, an edge too short to
measure 45 deg), and is taken with probability proportional to ``exp(-lambda angle / 180)``.
The pen goes down at a node with weight ``(unvisited degree) ** -exponent`` (ends first).

* Deterministic walks (``n_deterministic``): the smallest angle always wins; walk j starts at the
  j-th best start node.
* Stochastic walks: each draws an exponent from ``exponents`` and a softness lambda from
  ``lambdas``; a walk with more than ``max_strokes`` strokes is redrawn; walks are drawn until
  ``min_unique_strokes`` distinct strokes, ``max_unique_walks`` distinct walks or ``max_trials``.

Walks are canonicalised (each stroke as its edge sequence in the smaller of its two directions,
strokes sorted: order and direction are chosen later, by the type model) and de-duplicated.
Isolated dots are one-point strokes of every walk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .skeleton import SkeletonGraph

REUSE_ANGLE, LIFT_ANGLE, SHORT_ANGLE = 90.0, 45.0, 45.0


@dataclass(frozen=True)
class WalkParams:
    n_deterministic: int = 5
    exponents: tuple[int, ...] = (2, 4, 6)
    lambdas: tuple[float, ...] = (2.0, 4.0, 8.0, 16.0)
    max_strokes: int = 8
    min_unique_strokes: int = 100
    max_unique_walks: int = 150
    max_trials: int = 150
    angle_px: float = 5.0


Step = tuple[int, bool]  # (edge, reversed)
Walk = tuple[tuple[Step, ...], ...]


def _direction(path: np.ndarray, angle_px: float) -> np.ndarray | None:
    """Unit direction from path[0] to the first point at least ``angle_px`` away along the path
    (or the last point); None when the path is too short to measure."""
    d = np.linalg.norm(path - path[0], axis=1)
    far = np.nonzero(d >= min(angle_px, d.max()))[0]
    if len(path) < 2 or d.max() < 1.0:
        return None
    v = path[far[0]] - path[0]
    return v / np.linalg.norm(v)


def _oriented(graph: SkeletonGraph, step: Step) -> np.ndarray:
    path = graph.edges[step[0]][2]
    return path[::-1] if step[1] else path


def _turn(graph: SkeletonGraph, came: Step | None, leave: Step, angle_px: float) -> float:
    if came is None:
        return 0.0
    into = _direction(_oriented(graph, came)[::-1], angle_px)  # pointing back from the node
    out = _direction(_oriented(graph, leave), angle_px)
    if into is None or out is None:
        return SHORT_ANGLE
    cos = float(np.clip(-into @ out, -1.0, 1.0))  # straight on = 0 deg
    return float(np.degrees(np.arccos(cos)))


def _options(graph: SkeletonGraph, node: int, came: Step | None, visited: set[int], angle_px: float):
    """(step or None for lifting the pen, angle) for every choice at ``node``."""
    out = []
    for e, (a, b, _) in enumerate(graph.edges):
        for rev, start in ((False, a), (True, b)):
            if start != node or (a == b and rev):  # a self-loop is walked in one direction
                continue
            step = (e, rev)
            if e in visited:
                out.append((step, REUSE_ANGLE))
            else:
                out.append((step, _turn(graph, came, step, angle_px)))
    out.append((None, LIFT_ANGLE))
    return out


def _unvisited_degree(graph: SkeletonGraph, visited: set[int]) -> np.ndarray:
    deg = np.zeros(len(graph.nodes))
    for e, (a, b, _) in enumerate(graph.edges):
        if e not in visited:
            deg[a] += 1
            deg[b] += 1
    return deg


def _start_order(graph: SkeletonGraph, visited: set[int], exponent: float) -> tuple[np.ndarray, np.ndarray]:
    deg = _unvisited_degree(graph, visited)
    nodes = np.nonzero(deg > 0)[0]
    weights = deg[nodes] ** (-float(exponent))
    return nodes, weights / weights.sum()


def walk(graph: SkeletonGraph, rng: np.random.RandomState | None, exponent: float = 2.0, lam: float = 8.0,
         first_start: int = 0, angle_px: float = 5.0) -> Walk:
    """One walk over every edge; ``rng=None`` is deterministic (smallest angle, ``first_start``-th
    best start node for the first stroke, best start node after)."""
    visited: set[int] = set()
    strokes: list[tuple[Step, ...]] = []
    max_steps = 4 * max(1, len(graph.edges))
    while len(visited) < len(graph.edges):
        nodes, p = _start_order(graph, visited, exponent)
        if rng is None:
            order = np.lexsort((nodes, -p))
            node = int(nodes[order[min(first_start, len(order) - 1)] if not strokes else order[0]])
        else:
            node = int(rng.choice(nodes, p=p))
        stroke: list[Step] = []
        came = None
        for _ in range(max_steps):
            if len(visited) == len(graph.edges):
                break
            options = _options(graph, node, came, visited, angle_px)
            if not stroke:
                options = [o for o in options if o[0] is not None and o[0][0] not in visited] or options
            angles = np.array([a for _, a in options])
            if rng is None:
                choice = options[int(np.argmin(angles))][0]
            else:
                w = np.exp(-lam * angles / 180.0)
                choice = options[int(rng.choice(len(options), p=w / w.sum()))][0]
            if choice is None:
                break
            stroke.append(choice)
            visited.add(choice[0])
            a, b, _ = graph.edges[choice[0]]
            node = a if choice[1] else b
            came = choice
        if not stroke:  # nothing drawable from here (should not happen); avoid an endless loop
            break
        strokes.append(tuple(stroke))
    return tuple(strokes)


def canonical(w: Walk) -> tuple:
    """Order- and direction-free key of a walk: each stroke's edge sequence in its smaller
    direction, strokes sorted."""
    keys = []
    for s in w:
        fwd = tuple(e for e, _ in s)
        keys.append(min(fwd, fwd[::-1]))
    return tuple(sorted(keys))


def propose_walks(graph: SkeletonGraph, params: WalkParams = WalkParams(), seed: int = 0) -> list[Walk]:
    """Distinct walks: the deterministic ones first, then stochastic ones (see module doc)."""
    found: dict[tuple, Walk] = {}
    if not graph.edges:
        return [()]
    for j in range(params.n_deterministic):
        w = walk(graph, None, exponent=params.exponents[0], first_start=j, angle_px=params.angle_px)
        found.setdefault(canonical(w), w)
    rng = np.random.RandomState(seed)
    trials = 0
    strokes = {s for key in found for s in key}
    while trials < params.max_trials and len(found) < params.max_unique_walks and len(strokes) < params.min_unique_strokes:
        trials += 1
        exponent = params.exponents[rng.randint(len(params.exponents))]
        lam = params.lambdas[rng.randint(len(params.lambdas))]
        for _ in range(20):  # redraw walks with too many strokes
            w = walk(graph, rng, exponent, lam, angle_px=params.angle_px)
            if len(w) <= params.max_strokes:
                break
        else:
            continue
        key = canonical(w)
        found.setdefault(key, w)
        strokes |= set(key)
    return list(found.values())


def walk_strokes(graph: SkeletonGraph, w: Walk) -> list[np.ndarray]:
    """The strokes of a walk as motor-coordinate point arrays (x, y), dots included."""
    out = []
    for stroke in w:
        pieces = [_oriented(graph, step) for step in stroke]
        path = np.concatenate([pieces[0]] + [p[1:] for p in pieces[1:]])
        out.append(SkeletonGraph.to_motor(path))
    for node in graph.dots():
        out.append(SkeletonGraph.to_motor(graph.nodes[node][None]))
    return out
