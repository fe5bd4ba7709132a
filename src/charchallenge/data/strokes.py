"""Parsing Omniglot stroke files into typed drawings.

File format (Lake et al., 2015): ``START`` opens a drawing; every following line is a point
``x,y,t`` (floats, motor space, t in ms); ``BREAK`` ends a stroke (pen up). Coordinates are
in motor space: x grows to the right (about 0..105), y is zero or negative and grows upwards;
see :mod:`charchallenge.coords` for the map to image pixels.

What counts as malformed, and what is done about it
---------------------------------------------------
Errors (:class:`StrokeFileError`, one line naming file and line):
  a point or ``BREAK`` before ``START``; a second ``START``; a line that is not ``START``,
  ``BREAK`` or three comma-separated numbers; a number that does not parse or is not finite.
Counted skips (recorded in :class:`ParseStats`, the drawing or stroke is left out):
  ``empty_stroke``     -- ``BREAK`` with no points since the last one (stroke dropped);
  ``empty_drawing``    -- a file with ``START`` and no points (the drawing is dropped).
Kept and counted (they are real pen events, not corruption):
  ``single_point_stroke`` -- a stroke of one point: a dot (tap) that the renderer draws;
  ``unterminated_stroke`` -- points after the last ``BREAK`` at end of file: closed there.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class StrokeFileError(ValueError):
    """A stroke file that cannot be read; the message names the file and line."""


@dataclass
class ParseStats:
    """Counts of the documented skips and oddities met while parsing."""

    counts: Counter = field(default_factory=Counter)

    def add(self, other: "ParseStats") -> None:
        self.counts.update(other.counts)

    def as_dict(self) -> dict[str, int]:
        keys = ("empty_stroke", "empty_drawing", "single_point_stroke", "unterminated_stroke")
        return {key: int(self.counts.get(key, 0)) for key in keys}


@dataclass
class Drawing:
    """One person's drawing of one character.

    ``strokes`` holds one float64 array of shape (n, 3) per stroke with columns x, y, t
    (motor space, t in ms). ``image`` is the aligned 105x105 boolean image (ink = True),
    or None when images were not loaded.
    """

    alphabet: str
    character: int  # 1-based, as in the folder name characterNN
    drawer: int  # 1-based, as in the file name suffix _NN
    strokes: list[np.ndarray]
    image_id: str = ""
    image: np.ndarray | None = None

    @property
    def label(self) -> str:
        return f"{self.alphabet}/character{self.character:02d}"

    @property
    def n_points(self) -> int:
        return sum(len(s) for s in self.strokes)


def parse_stroke_text(text: str, source: str = "<string>") -> tuple[list[np.ndarray], ParseStats]:
    """Parse the text of one stroke file into a list of (n, 3) arrays and the counted skips."""
    stats = ParseStats()
    strokes: list[np.ndarray] = []
    current: list[tuple[float, float, float]] = []
    started = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"{source}:{lineno}"
        if line == "START":
            if started:
                raise StrokeFileError(f"{where}: second START in one drawing")
            started = True
            continue
        if not started:
            raise StrokeFileError(f"{where}: {line!r} before START")
        if line == "BREAK":
            if current:
                strokes.append(_finish(current, stats))
                current = []
            else:
                stats.counts["empty_stroke"] += 1
            continue
        current.append(_parse_point(line, where))
    if not started:
        raise StrokeFileError(f"{source}:1: no START line (not an Omniglot stroke file)")
    if current:
        stats.counts["unterminated_stroke"] += 1
        strokes.append(_finish(current, stats))
    if not strokes:
        stats.counts["empty_drawing"] += 1
    return strokes, stats


def parse_stroke_file(path: Path, display: str | None = None) -> tuple[list[np.ndarray], ParseStats]:
    """Parse a stroke file; errors name ``display`` (default: the path)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise StrokeFileError(f"{display or path}: not a text file ({err.reason})") from None
    return parse_stroke_text(text, source=display or str(path))


def parse_drawing_name(path: Path) -> tuple[str, int, int, str]:
    """(alphabet, character, drawer, image_id) from ``<Alphabet>/characterNN/<id>_<drawer>.txt``."""
    path = Path(path)
    stem, char_dir, alphabet = path.stem, path.parent.name, path.parent.parent.name
    try:
        image_id, drawer = stem.rsplit("_", 1)
        if not char_dir.startswith("character"):
            raise ValueError
        return alphabet, int(char_dir[len("character"):]), int(drawer), image_id
    except ValueError:
        raise StrokeFileError(
            f"{path}: expected <Alphabet>/characterNN/<id>_<drawer>.txt"
        ) from None


def _parse_point(line: str, where: str) -> tuple[float, float, float]:
    fields = line.split(",")
    if len(fields) != 3:
        raise StrokeFileError(f"{where}: expected 'x,y,t', START or BREAK, got {line!r}")
    try:
        values = tuple(float(f) for f in fields)
    except ValueError:
        raise StrokeFileError(f"{where}: bad number in {line!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise StrokeFileError(f"{where}: non-finite number in {line!r}")
    return values  # type: ignore[return-value]


def _finish(points: list[tuple[float, float, float]], stats: ParseStats) -> np.ndarray:
    if len(points) == 1:
        stats.counts["single_point_stroke"] += 1
    return np.asarray(points, dtype=np.float64)
