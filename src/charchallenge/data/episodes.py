"""One-shot classification episodes in the official Omniglot run format.

Official format (Lake et al., 2015; ``all_runs.zip``)::

    runNN/class_labels.txt     one line per test item: "runNN/test/itemKK.png runNN/training/classJJ.png"
    runNN/training/classJJ.png one image per class (the single training example)
    runNN/test/itemKK.png      the test items

Each run is a 20-way within-alphabet episode of 20 test items. :func:`load_runs` reads this
format; :func:`generate_runs` writes episodes of the same format from a background alphabet
(stroke files ``classJJ.txt`` / ``itemKK.txt`` are written beside the images, for models that
read strokes), so the same classification code evaluates both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .dataset import OmniglotDataset, load_image
from .strokes import parse_stroke_file


class EpisodeFormatError(ValueError):
    """A run folder does not follow the official format; the message names file and line."""


@dataclass
class Episode:
    """One run. ``labels[k]`` is the index of the training class of test item ``k``."""

    name: str
    train_paths: list[Path]
    test_paths: list[Path]
    labels: np.ndarray

    @property
    def n_way(self) -> int:
        return len(self.train_paths)

    def train_images(self) -> np.ndarray:
        return np.stack([load_image(p) for p in self.train_paths])

    def test_images(self) -> np.ndarray:
        return np.stack([load_image(p) for p in self.test_paths])

    def train_strokes(self) -> list[list[np.ndarray]] | None:
        return _strokes_beside(self.train_paths)

    def test_strokes(self) -> list[list[np.ndarray]] | None:
        return _strokes_beside(self.test_paths)


def load_run(run_dir: Path) -> Episode:
    """Read one ``runNN`` folder (its ``class_labels.txt`` names paths relative to its parent)."""
    run_dir = Path(run_dir)
    labels_file = run_dir / "class_labels.txt"
    if not labels_file.is_file():
        raise EpisodeFormatError(f"{labels_file}: missing (not an Omniglot run folder)")
    train_paths = sorted((run_dir / "training").glob("class*.png"))
    if not train_paths:
        raise EpisodeFormatError(f"{run_dir / 'training'}: no classNN.png images")
    index = {p.name: i for i, p in enumerate(train_paths)}
    test_paths, labels = [], []
    for lineno, line in enumerate(labels_file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2:
            raise EpisodeFormatError(f"{labels_file}:{lineno}: expected 'test_path training_path', got {line!r}")
        test_rel, train_rel = (Path(f) for f in fields)
        test_path = run_dir.parent / test_rel
        if train_rel.name not in index:
            raise EpisodeFormatError(f"{labels_file}:{lineno}: {train_rel} is not an image in {run_dir / 'training'}")
        if not test_path.is_file():
            raise EpisodeFormatError(f"{labels_file}:{lineno}: {test_path} does not exist")
        test_paths.append(test_path)
        labels.append(index[train_rel.name])
    if not test_paths:
        raise EpisodeFormatError(f"{labels_file}: no test items listed")
    return Episode(run_dir.name, train_paths, test_paths, np.asarray(labels))


def load_runs(root: Path) -> list[Episode]:
    """Every ``run*`` folder under ``root``, in order."""
    runs = sorted(p for p in Path(root).glob("run*") if p.is_dir())
    if not runs:
        raise EpisodeFormatError(f"{root}: no runNN folders")
    return [load_run(r) for r in runs]


def generate_runs(dataset: OmniglotDataset, alphabets: list[str], n_runs: int, out_dir: Path,
                  n_way: int = 20, seed: int = 0) -> list[Path]:
    """Write ``n_runs`` 20-way within-alphabet one-shot episodes in the official format.

    Run r takes the alphabet ``alphabets[r % len(alphabets)]``, ``n_way`` of its characters (all
    of them when it has fewer), and two distinct drawers: all training examples come from the first and all test items
    from the second (as in the official runs). Test items are shuffled. Seeded.
    The folder is written to a temporary sibling and moved into place when complete.
    """
    if dataset.packed_images is None:
        raise ValueError("episodes need a dataset built with images")
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        for r in range(n_runs):
            alphabet = alphabets[r % len(alphabets)]
            characters = dataset.characters(alphabet)
            way = min(n_way, len(characters))  # an alphabet of fewer characters: all of them
            chosen = rng.choice(characters, size=way, replace=False)
            drawers = sorted(set(dataset.drawer[dataset.indices(alphabet)].tolist()))
            train_drawer, test_drawer = rng.choice(drawers, size=2, replace=False)
            _write_run(dataset, tmp / f"run{r + 1:02d}", alphabet, chosen, int(train_drawer),
                       int(test_drawer), rng.permutation(way))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(out_dir.glob("run*"))


def _write_run(dataset, run_dir, alphabet, characters, train_drawer, test_drawer, order) -> None:
    (run_dir / "training").mkdir(parents=True)
    (run_dir / "test").mkdir()
    lines = []
    for j, character in enumerate(characters):
        _write_item(dataset, alphabet, character, train_drawer, run_dir / "training" / f"class{j + 1:02d}")
    for k, j in enumerate(order):
        _write_item(dataset, alphabet, characters[j], test_drawer, run_dir / "test" / f"item{k + 1:02d}")
        lines.append(f"{run_dir.name}/test/item{k + 1:02d}.png {run_dir.name}/training/class{j + 1:02d}.png")
    (run_dir / "class_labels.txt").write_text("\n".join(lines) + "\n")


def _write_item(dataset, alphabet, character, drawer, stem: Path) -> None:
    hits = dataset.indices(alphabet, int(character), int(drawer))
    if len(hits) != 1:
        raise ValueError(f"no drawing of {alphabet} character {character} by drawer {drawer}")
    i = int(hits[0])
    Image.fromarray(np.where(dataset.image(i), 0, 255).astype(np.uint8)).save(stem.with_suffix(".png"))
    text = ["START"]
    for stroke in dataset.strokes(i):
        text += [f"{x!r},{y!r},{t!r}" for x, y, t in stroke.tolist()] + ["BREAK"]
    stem.with_suffix(".txt").write_text("\n".join(text) + "\n")


def _strokes_beside(paths: list[Path]) -> list[list[np.ndarray]] | None:
    texts = [p.with_suffix(".txt") for p in paths]
    if not all(t.is_file() for t in texts):
        return None
    return [parse_stroke_file(t)[0] for t in texts]
