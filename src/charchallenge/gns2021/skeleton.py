"""The skeleton graph of a character image, the start of the bottom-up parser (Feinman & Lake 2021,
Appendix B step 1, after BPL, Lake et al. 2015: "extracts an undirected skeleton graph from the
character image"; facts section 5).

1. Thin the binary image to a one-pixel skeleton (scikit-image's ``skeletonize``).
2. Nodes: skeleton pixels with one neighbour (endpoints) or three or more (junction pixels);
   8-connected junction pixels, and junction pixels closer than ``merge_radius``, form one
   junction cluster (thinning leaves 2-4 junction pixels where strokes cross).
3. Edges: the pixel paths between nodes (a closed loop with no node gets one node on it and a
   self-loop edge; an isolated pixel is a node with no edge: a dot).
4. Clean-up: a spur - an edge from a junction to an endpoint shorter than ``spur_length`` px -
   is a thinning artefact at a stroke's corner or end and is removed (its junction then may
   become an ordinary path point, and its two remaining edges are joined).

Coordinates of paths are pixel (row, col) here; :meth:`SkeletonGraph.edge_motor` gives motor
(x, y) = (col, -row) for the stroke fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from skimage.morphology import skeletonize

_NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@dataclass
class SkeletonGraph:
    """Undirected multigraph: ``nodes[i]`` (row, col) position; ``edges[e] = (a, b, path)`` with
    ``path`` an (n, 2) float array of pixel positions from node a to node b (ends included)."""

    nodes: list[np.ndarray] = field(default_factory=list)
    edges: list[tuple[int, int, np.ndarray]] = field(default_factory=list)

    def degree(self, node: int) -> int:
        return sum((a == node) + (b == node) for a, b, _ in self.edges)

    def incident(self, node: int) -> list[int]:
        return [e for e, (a, b, _) in enumerate(self.edges) if node in (a, b)]

    def edge_length(self, e: int) -> float:
        path = self.edges[e][2]
        return float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum()) if len(path) > 1 else 0.0

    @staticmethod
    def to_motor(path_rc: np.ndarray) -> np.ndarray:
        return np.stack([path_rc[:, 1], -path_rc[:, 0]], 1)

    def dots(self) -> list[int]:
        """Nodes without edges (isolated dots)."""
        return [i for i in range(len(self.nodes)) if self.degree(i) == 0]


def _neighbours(mask: np.ndarray, r: int, c: int) -> list[tuple[int, int]]:
    h, w = mask.shape
    return [(r + dr, c + dc) for dr, dc in _NEIGHBOURS
            if 0 <= r + dr < h and 0 <= c + dc < w and mask[r + dr, c + dc]]


def skeleton_graph(image: np.ndarray, threshold: float = 0.5, merge_radius: float = 2.5,
                   spur_length: float = 5.0) -> SkeletonGraph:
    """The cleaned skeleton graph of an image (ink = 1 or True), see module doc."""
    ink = np.asarray(image) > threshold
    if not ink.any():
        raise ValueError("the image has no ink: nothing to parse")
    skel = skeletonize(ink)
    count = ndimage.convolve(skel.astype(int), np.ones((3, 3), int), mode="constant") - 1
    count = np.where(skel, count, 0)
    junction_px = skel & (count >= 3)
    endpoint_px = skel & (count <= 1)

    # Junction clusters: 8-connected junction pixels, then clusters whose centres lie close merge.
    labels, n_clusters = ndimage.label(junction_px, structure=np.ones((3, 3)))
    centres = [np.argwhere(labels == k + 1).mean(0) for k in range(n_clusters)]
    parent = list(range(n_clusters))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n_clusters):
        for j in range(i + 1, n_clusters):
            if np.linalg.norm(centres[i] - centres[j]) <= merge_radius:
                parent[find(i)] = find(j)
    roots = sorted({find(i) for i in range(n_clusters)})
    graph = SkeletonGraph()
    node_of: dict[tuple[int, int], int] = {}
    for root in roots:
        members = [k for k in range(n_clusters) if find(k) == root]
        pixels = np.concatenate([np.argwhere(labels == k + 1) for k in members])
        for p in pixels:
            node_of[tuple(p)] = len(graph.nodes)
        graph.nodes.append(pixels.mean(0))
    for p in np.argwhere(endpoint_px):
        node_of[tuple(p)] = len(graph.nodes)
        graph.nodes.append(p.astype(float))

    # Trace every edge: leave each node pixel through each non-node neighbour, walk to a node.
    visited = np.zeros_like(skel)
    for (r, c), node in list(node_of.items()):
        for start in _neighbours(skel, r, c):
            if start in node_of:
                a, b = node, node_of[start]
                if a < b and not any({a, b} == {x, y} and len(p) == 2 for x, y, p in graph.edges):
                    graph.edges.append((a, b, np.array([graph.nodes[a], graph.nodes[b]])))
                continue
            if visited[start]:
                continue
            path, prev, cur = [graph.nodes[node], np.array(start, float)], (r, c), start
            visited[cur] = True
            while True:
                nxt = [q for q in _neighbours(skel, *cur) if q != prev and not (q in node_of and node_of[q] == node
                                                                                 and len(path) < 3)]
                ends = [q for q in nxt if q in node_of]
                if ends:
                    end = node_of[ends[0]]
                    path.append(graph.nodes[end])
                    graph.edges.append((node, end, np.array(path)))
                    break
                nxt = [q for q in nxt if not visited[q]]
                if not nxt:  # dead end without a node (should not happen) or back at a visited pixel
                    break
                prev, cur = cur, nxt[0]
                visited[cur] = True
                path.append(np.array(cur, float))

    # Closed loops without any node: one node on the loop, a self-loop edge.
    rest = skel & ~visited & ~junction_px & ~endpoint_px
    loop_labels, n_loops = ndimage.label(rest, structure=np.ones((3, 3)))
    for k in range(n_loops):
        pixels = [tuple(p) for p in np.argwhere(loop_labels == k + 1)]
        if len(pixels) == 1 and not _neighbours(skel, *pixels[0]):
            graph.nodes.append(np.array(pixels[0], float))  # an isolated dot
            continue
        start = pixels[0]
        node = len(graph.nodes)
        graph.nodes.append(np.array(start, float))
        path, prev, cur = [np.array(start, float)], None, start
        seen = {start}
        while True:
            nxt = [q for q in _neighbours(skel, *cur) if q != prev and q not in seen and loop_labels[q] == k + 1]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            seen.add(cur)
            path.append(np.array(cur, float))
        path.append(np.array(start, float))
        graph.edges.append((node, node, np.array(path)))
    for p in np.argwhere(skel & (count == 0)):  # isolated single pixels (dots)
        if tuple(p) not in node_of:
            graph.nodes.append(p.astype(float))
    return remove_spurs(graph, spur_length)


def remove_spurs(graph: SkeletonGraph, spur_length: float) -> SkeletonGraph:
    """Drop junction-to-endpoint edges shorter than ``spur_length`` (thinning artefacts), then join
    the two edges of any node left with degree 2 (no longer a junction), and renumber the nodes."""
    edges = list(graph.edges)
    changed = True
    while changed:
        changed = False
        degree = np.zeros(len(graph.nodes), int)
        for a, b, _ in edges:
            degree[a] += 1
            degree[b] += 1
        for e, (a, b, path) in enumerate(edges):
            length = float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())
            if a != b and length < spur_length and min(degree[a], degree[b]) == 1 and max(degree[a], degree[b]) >= 3:
                edges.pop(e)
                changed = True
                break
        if changed:
            continue
        for n in range(len(graph.nodes)):
            inc = [e for e, (a, b, _) in enumerate(edges) if n in (a, b)]
            if len(inc) == 2 and inc[0] != inc[1] and all(edges[e][0] != edges[e][1] for e in inc):
                (a1, b1, p1), (a2, b2, p2) = edges[inc[0]], edges[inc[1]]
                p1 = p1 if b1 == n else p1[::-1]
                p2 = p2 if a2 == n else p2[::-1]
                start, end = (a1 if b1 == n else b1), (b2 if a2 == n else a2)
                joined = (start, end, np.concatenate([p1, p2[1:]]))
                edges = [x for i, x in enumerate(edges) if i not in inc] + [joined]
                changed = True
                break
    used = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges}
                  | {i for i in range(len(graph.nodes)) if graph.degree(i) == 0})
    index = {old: new for new, old in enumerate(used)}
    return SkeletonGraph([graph.nodes[i] for i in used], [(index[a], index[b], p) for a, b, p in edges])
