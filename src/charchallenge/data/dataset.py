"""The Omniglot dataset layer: stroke files and images parsed once into a compact artifact.

``build_dataset`` walks unpacked stroke folders (``<Alphabet>/characterNN/<id>_<drawer>.txt``)
with their aligned image folders (same names, ``.png``), and ``OmniglotDataset.save`` writes
one uncompressed ``.npz`` holding every point of every stroke in a single array plus offset
indices, and the images bit-packed. ``OmniglotDataset.load`` reads it back in a fraction of a
second (see tests/test_dataset.py) so later pipeline steps never re-parse text files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from PIL import Image

from ..io import save_npz
from .strokes import Drawing, ParseStats, StrokeFileError, parse_drawing_name, parse_stroke_file

IMAGE_SIZE = 105
FORMAT_VERSION = 1


class OmniglotDataset:
    """Drawings of one background set, in flat arrays.

    Attributes: ``points`` (P, 3) float64 x, y, t; ``stroke_starts`` (S+1,) offsets into
    ``points``; ``drawing_starts`` (D+1,) offsets into strokes; per drawing ``alphabet_index``,
    ``character``, ``drawer`` and ``image_ids``; ``alphabets`` (names); ``packed_images``
    (D, bit-packed 105x105) or None; ``stats`` (parse counts).
    """

    def __init__(self, points, stroke_starts, drawing_starts, alphabet_index, character, drawer,
                 image_ids, alphabets, packed_images=None, stats=None):
        self.points = points
        self.stroke_starts = stroke_starts
        self.drawing_starts = drawing_starts
        self.alphabet_index = alphabet_index
        self.character = character
        self.drawer = drawer
        self.image_ids = image_ids
        self.alphabets = list(alphabets)
        self.packed_images = packed_images
        self.stats = dict(stats or {})

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_drawings(cls, drawings: Sequence[Drawing], stats: dict | None = None) -> "OmniglotDataset":
        alphabets = sorted({d.alphabet for d in drawings})
        lookup = {name: i for i, name in enumerate(alphabets)}
        strokes = [s for d in drawings for s in d.strokes]
        points = np.concatenate(strokes) if strokes else np.zeros((0, 3))
        stroke_starts = np.concatenate([[0], np.cumsum([len(s) for s in strokes])])
        drawing_starts = np.concatenate([[0], np.cumsum([len(d.strokes) for d in drawings])])
        have_images = drawings and all(d.image is not None for d in drawings)
        packed = (
            np.packbits(np.stack([d.image for d in drawings]).reshape(len(drawings), -1), axis=1)
            if have_images else None
        )
        return cls(
            points=points.astype(np.float64),
            stroke_starts=stroke_starts.astype(np.int64),
            drawing_starts=drawing_starts.astype(np.int64),
            alphabet_index=np.array([lookup[d.alphabet] for d in drawings], dtype=np.int16),
            character=np.array([d.character for d in drawings], dtype=np.int16),
            drawer=np.array([d.drawer for d in drawings], dtype=np.int16),
            image_ids=np.array([d.image_id for d in drawings]),
            alphabets=alphabets,
            packed_images=packed,
            stats=stats,
        )

    # -- access ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.drawing_starts) - 1

    def __getitem__(self, i: int) -> Drawing:
        return self.drawing(i)

    def __iter__(self) -> Iterator[Drawing]:
        return (self.drawing(i) for i in range(len(self)))

    def strokes(self, i: int) -> list[np.ndarray]:
        a, b = self.drawing_starts[i], self.drawing_starts[i + 1]
        starts = self.stroke_starts[a : b + 1]
        return [self.points[starts[k] : starts[k + 1]] for k in range(len(starts) - 1)]

    def image(self, i: int) -> np.ndarray | None:
        if self.packed_images is None:
            return None
        flat = np.unpackbits(self.packed_images[i], count=IMAGE_SIZE * IMAGE_SIZE)
        return flat.reshape(IMAGE_SIZE, IMAGE_SIZE).astype(bool)

    def images(self, indices: Sequence[int] | None = None) -> np.ndarray:
        """Boolean images (N, 105, 105) for ``indices`` (default all)."""
        if self.packed_images is None:
            raise ValueError("this dataset was built without images")
        packed = self.packed_images if indices is None else self.packed_images[np.asarray(indices)]
        flat = np.unpackbits(packed, axis=1, count=IMAGE_SIZE * IMAGE_SIZE)
        return flat.reshape(-1, IMAGE_SIZE, IMAGE_SIZE).astype(bool)

    def drawing(self, i: int) -> Drawing:
        return Drawing(
            alphabet=self.alphabets[self.alphabet_index[i]],
            character=int(self.character[i]),
            drawer=int(self.drawer[i]),
            strokes=self.strokes(i),
            image_id=str(self.image_ids[i]),
            image=self.image(i),
        )

    def alphabet_of(self) -> np.ndarray:
        """Alphabet name per drawing."""
        return np.asarray(self.alphabets)[self.alphabet_index]

    def indices(self, alphabet: str | None = None, character: int | None = None,
                drawer: int | None = None) -> np.ndarray:
        """Indices of drawings matching every given field."""
        mask = np.ones(len(self), dtype=bool)
        if alphabet is not None:
            if alphabet not in self.alphabets:
                raise KeyError(f"alphabet {alphabet!r} not in this dataset; have {self.alphabets}")
            mask &= self.alphabet_index == self.alphabets.index(alphabet)
        if character is not None:
            mask &= self.character == character
        if drawer is not None:
            mask &= self.drawer == drawer
        return np.flatnonzero(mask)

    def characters(self, alphabet: str) -> list[int]:
        return sorted(set(self.character[self.indices(alphabet)].tolist()))

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the artifact atomically (temporary file, then rename)."""
        arrays = dict(
            points=self.points, stroke_starts=self.stroke_starts, drawing_starts=self.drawing_starts,
            alphabet_index=self.alphabet_index, character=self.character, drawer=self.drawer,
            image_ids=self.image_ids, alphabets=np.array(self.alphabets),
            meta=np.array(json.dumps({"format": FORMAT_VERSION, "stats": self.stats})),
        )
        if self.packed_images is not None:
            arrays["packed_images"] = self.packed_images
        save_npz(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> "OmniglotDataset":
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(f"{path}: dataset format {meta.get('format')}, expected {FORMAT_VERSION}; rebuild it")
            return cls(
                points=f["points"], stroke_starts=f["stroke_starts"], drawing_starts=f["drawing_starts"],
                alphabet_index=f["alphabet_index"], character=f["character"], drawer=f["drawer"],
                image_ids=f["image_ids"], alphabets=f["alphabets"].tolist(),
                packed_images=f["packed_images"] if "packed_images" in f.files else None,
                stats=meta["stats"],
            )


def build_dataset(stroke_roots: Sequence[Path], image_roots: Sequence[Path] | None = None,
                  progress: bool = False) -> OmniglotDataset:
    """Parse every drawing under ``stroke_roots`` (with images from the matching ``image_roots``).

    Drawings present in several roots (Greek and Latin are in both small background sets)
    must be identical and are kept once; a difference is an error naming both files.
    """
    image_roots = list(image_roots) if image_roots is not None else [None] * len(stroke_roots)
    if len(image_roots) != len(stroke_roots):
        raise ValueError("give one image root per stroke root")
    stats = ParseStats()
    seen: dict[tuple[str, int, int], tuple[Drawing, str]] = {}
    files = [(root, img, p) for root, img in zip(stroke_roots, image_roots)
             for p in sorted(Path(root).glob("*/character*/*.txt"))]
    if not files:
        raise FileNotFoundError(f"no stroke files (<Alphabet>/characterNN/*.txt) under {list(map(str, stroke_roots))}")
    iterator = files
    if progress:
        from charchallenge.progress import progress as _progress
        iterator = _progress(files, "parsing stroke files", unit="files")
    dropped: set[tuple[str, int, int]] = set()
    for root, image_root, path in iterator:
        rel = path.relative_to(root)
        alphabet, character, drawer, image_id = parse_drawing_name(rel)
        key = (alphabet, character, drawer)
        strokes, file_stats = parse_stroke_file(path)
        if key not in seen and key not in dropped:  # a drawing in two archives is counted once
            stats.add(file_stats)
        if not strokes:
            dropped.add(key)
            continue
        image = None
        if image_root is not None:
            image = load_image(Path(image_root) / rel.with_suffix(".png"))
        drawing = Drawing(alphabet, character, drawer, strokes, image_id, image)
        if key in seen:
            _check_same(seen[key], (drawing, str(path)))
            continue
        seen[key] = (drawing, str(path))
    drawings = [seen[k][0] for k in sorted(seen)]
    summary = stats.as_dict()
    summary["drawings"] = len(drawings)
    return OmniglotDataset.from_drawings(drawings, stats=summary)


def load_image(path: Path) -> np.ndarray:
    """A 105x105 Omniglot PNG as a boolean array with ink = True (the PNGs are black on white)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: image missing for its stroke file")
    with Image.open(path) as im:
        array = np.asarray(im.convert("L"))
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"{path}: image is {array.shape}, expected ({IMAGE_SIZE}, {IMAGE_SIZE})")
    return array < 128


def _check_same(a: tuple[Drawing, str], b: tuple[Drawing, str]) -> None:
    (da, pa), (db, pb) = a, b
    same = len(da.strokes) == len(db.strokes) and all(
        np.array_equal(x, y) for x, y in zip(da.strokes, db.strokes)
    )
    if not same:
        raise StrokeFileError(f"{pb}: differs from {pa}, which has the same alphabet, character and drawer")
