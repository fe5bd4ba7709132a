"""The image datasets beyond Omniglot that DooD trains on (Liang et al. 2022, Sec. 3.1: MNIST,
EMNIST, KMNIST, QuickDraw): where each file comes from, what it must hash to, how it is read.

Addresses and MD5 sums are those of torchvision's downloaders (facts read from its released
code): MNIST from torchvision's S3 mirror, KMNIST from ROIS-CODH, EMNIST's one ``gzip.zip``
from NIST. QuickDraw's 28x28 bitmaps (Google, one ``.npy`` per category) have no published
sums: a download is checked against the MD5 that Google's storage sends with it
(``x-goog-hash``), and a copy from a mirror only against a sum pinned in params
(``dood2022.quickdraw.md5``), so that no file enters the pipeline unverified.

Like the Omniglot archives (:mod:`.archives`), a file is downloaded when online or copied from a
mirror folder (``<mirror>/<dataset>/<file>``), written under a temporary name and renamed only
after its checksum matched.
"""

from __future__ import annotations

import base64
import gzip
import os
import shutil
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .archives import ArchiveError, md5_of

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
KMNIST_URL = "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"
EMNIST_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
QUICKDRAW_URL = "https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/"

IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz")
MD5SUMS = {
    "mnist": dict(zip(IDX_FILES, ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                                  "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"))),
    "kmnist": dict(zip(IDX_FILES, ("bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344",
                                   "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"))),
    "emnist": {"gzip.zip": "58c8d27c78d21e728a6bc7b3cc06412e"},
}
REMOTE_DATASETS = ("mnist", "emnist", "kmnist", "quickdraw")


class DownloadError(ArchiveError):
    """A dataset file is missing, cannot be fetched or fails its checksum (one line)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: its name on disk, its address, and its MD5 (None: QuickDraw,
    checked against the server's sum or a pinned one)."""

    dataset: str
    name: str
    url: str
    md5: str | None


def quickdraw_file_name(category: str) -> str:
    """On-disk name of a QuickDraw category's bitmaps (spaces become underscores)."""
    return category.replace(" ", "_") + ".npy"


def remote_files(dataset: str, quickdraw_categories: list[str] = (), quickdraw_md5: dict | None = None
                 ) -> list[RemoteFile]:
    """Every file ``dataset`` needs (QuickDraw: one per category, in the given order)."""
    if dataset in ("mnist", "kmnist"):
        base = MNIST_URL if dataset == "mnist" else KMNIST_URL
        return [RemoteFile(dataset, n, base + n, md5) for n, md5 in MD5SUMS[dataset].items()]
    if dataset == "emnist":
        return [RemoteFile("emnist", "gzip.zip", EMNIST_URL, MD5SUMS["emnist"]["gzip.zip"])]
    if dataset == "quickdraw":
        if not quickdraw_categories:
            raise DownloadError("dood2022.quickdraw.categories: no category listed")
        pins = quickdraw_md5 or {}
        return [RemoteFile("quickdraw", quickdraw_file_name(c), QUICKDRAW_URL + urllib.parse.quote(c) + ".npy",
                           pins.get(c)) for c in quickdraw_categories]
    raise DownloadError(f"no remote files for dataset {dataset!r}; known: {list(REMOTE_DATASETS)}")


def server_md5(headers) -> str | None:
    """The MD5 (hex) that Google Cloud Storage publishes in ``x-goog-hash: crc32c=...,md5=<base64>``."""
    for value in headers.get_all("x-goog-hash") or []:
        for part in value.split(","):
            key, _, b64 = part.strip().partition("=")
            if key == "md5":
                return base64.b64decode(b64).hex()
    return None


def fetch_remote(file: RemoteFile, destination: Path, mirror: Path | None, opener=urllib.request.urlopen) -> Path:
    """Copy ``file`` from ``mirror/<dataset>/`` (or download it) to ``destination``, verified by
    MD5; ``destination`` appears only when the check passed."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    try:
        expected = file.md5
        if mirror is not None:
            source = Path(mirror) / file.dataset / file.name
            if not source.is_file():
                raise DownloadError(f"{file.dataset} file {file.name} is not in the mirror folder {source.parent}; "
                                    f"fetch it from {file.url} and put it there, or unset the mirror to download it")
            if expected is None:
                raise DownloadError(f"{file.dataset} file {file.name} from the mirror {source.parent} has no checksum "
                                    "to verify: pin its MD5 in params dood2022.quickdraw.md5")
            shutil.copyfile(source, tmp)
            origin = str(source)
        else:
            origin = file.url
            try:
                with opener(origin, timeout=60) as response, open(tmp, "wb") as out:
                    shutil.copyfileobj(response, out)
                    published = server_md5(response.headers)
            except OSError as err:
                raise DownloadError(f"cannot download {file.dataset} file {file.name} from {origin} ({err}); "
                                    "offline, set params data.mirror to a folder holding "
                                    f"{file.dataset}/{file.name}") from None
            if expected is None:
                if published is None:
                    raise DownloadError(f"{file.dataset} file {file.name} from {origin}: the server sent no MD5 "
                                        "and none is pinned in params dood2022.quickdraw.md5")
                expected = published
        actual = md5_of(tmp)
        if actual != expected:
            raise DownloadError(f"checksum mismatch for {file.dataset} file {file.name} from {origin}: "
                                f"expected MD5 {expected}, got {actual}")
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)
    return destination


def read_idx(data: bytes, name: str = "idx") -> np.ndarray:
    """An IDX array (the MNIST family's format: zero bytes, type code 0x08 = uint8, rank, sizes
    as big-endian int32, then the values), gzip-compressed or not."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise DownloadError(f"{name}: not an IDX file of unsigned bytes")
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank))
    values = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if values.size != int(np.prod(shape)):
        raise DownloadError(f"{name}: {values.size} values for shape {shape}")
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
                    raise DownloadError(f"{zip_path}: no member {member} (split {split!r})") from None
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
            raise DownloadError(f"{path}: expected (N, 784) uint8 bitmaps, got {a.shape} {a.dtype}")
        if per_category is not None and len(a) > per_category:
            a = a[np.sort(rng.choice(len(a), per_category, replace=False))]
        a = np.asarray(a).reshape(-1, 28, 28)
        images.append(a)
        labels.append(np.full(len(a), k, dtype=np.int64))
    return {"images": np.concatenate(images), "labels": np.concatenate(labels)}
