"""Reading what :mod:`charchallenge.data.remote` fetched: Omniglot's zip archives unpacked
atomically, and the formats of DooD's other datasets (the MNIST family's IDX files, EMNIST's
``gzip.zip``, QuickDraw's ``.npy`` bitmaps)."""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .remote import IDX_FILES, quickdraw_file_name


class FormatError(RuntimeError):
    """A fetched file cannot be unpacked or read (message is one line)."""


def unpack_archive(zip_path: Path, destination: Path) -> Path:
    """Extract ``zip_path`` so that ``destination`` holds its top-level folder's contents.

    Extraction goes to a temporary sibling folder that is renamed into place at the end, so the
    final folder appears only after the whole archive has been extracted; macOS resource forks
    (``__MACOSX``) are skipped.
    """
    zip_path, destination = Path(zip_path), Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=destination.name + ".", dir=destination.parent))
    try:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                members = [m for m in archive.namelist() if not m.startswith("__MACOSX")]
                archive.extractall(tmp, members=members)
        except zipfile.BadZipFile as err:
            raise FormatError(f"{zip_path}: not a valid zip archive ({err})") from None
        roots = [p for p in tmp.iterdir()]
        content = roots[0] if len(roots) == 1 and roots[0].is_dir() else tmp
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(content, destination)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return destination


def read_idx(data: bytes, name: str = "idx") -> np.ndarray:
    """An IDX array (the MNIST family's format: zero bytes, type code 0x08 = uint8, rank, sizes
    as big-endian int32, then the values), gzip-compressed or not."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise FormatError(f"{name}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    values = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if values.size != int(np.prod(shape)):
        raise FormatError(f"{name}: {values.size} values for shape {shape}")
    return values.reshape(shape)


def idx_dataset(folder: Path) -> dict[str, np.ndarray]:
    """MNIST or KMNIST from its four IDX files: images (N, 28, 28) uint8 (ink high) and labels."""
    arrays = [read_idx(Path(folder, n).read_bytes(), str(Path(folder, n))) for n in IDX_FILES]
    return {"train_images": arrays[0], "train_labels": arrays[1], "test_images": arrays[2], "test_labels": arrays[3]}


def emnist_dataset(zip_path: Path, split: str) -> dict[str, np.ndarray]:
    """One EMNIST split (balanced, letters, digits, ...) from NIST's ``gzip.zip``. EMNIST stores
    each image transposed relative to MNIST: transposed back here."""
    out = {}
    with zipfile.ZipFile(zip_path) as archive:
        for part, stem in (("train", "train"), ("test", "test")):
            for kind, idx in (("images", "idx3"), ("labels", "idx1")):
                member = f"gzip/emnist-{split}-{stem}-{kind}-{idx}-ubyte.gz"
                try:
                    raw = archive.read(member)
                except KeyError:
                    raise FormatError(f"{zip_path}: no member {member} (split {split!r})") from None
                a = read_idx(raw, member)
                out[f"{part}_{kind}"] = a.transpose(0, 2, 1) if kind == "images" else a
    return out


def quickdraw_dataset(folder: Path, categories: list[str], per_category: int | None = None,
                      seed: int = 0) -> dict[str, np.ndarray]:
    """QuickDraw bitmaps of ``categories``: images (N, 28, 28) uint8 (ink high), labels = index of
    the category in the list; at most ``per_category`` drawings of each (a seeded choice, in file
    order; a category file holds 100,000 or more)."""
    images, labels = [], []
    rng = np.random.default_rng(seed)
    for k, c in enumerate(categories):
        path = Path(folder, quickdraw_file_name(c))
        a = np.load(path, mmap_mode="r", allow_pickle=False)
        if a.ndim != 2 or a.shape[1] != 784 or a.dtype != np.uint8:
            raise FormatError(f"{path}: expected (N, 784) uint8 bitmaps, got {a.shape} {a.dtype}")
        if per_category is not None and len(a) > per_category:
            a = a[np.sort(rng.choice(len(a), per_category, replace=False))]
        a = np.asarray(a).reshape(-1, 28, 28)
        images.append(a)
        labels.append(np.full(len(a), k, dtype=np.int64))
    return {"images": np.concatenate(images), "labels": np.concatenate(labels)}
