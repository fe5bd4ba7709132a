"""Every file the pipeline fetches from the internet: where it comes from, what it must hash to,
and the one way it is fetched (with ``pooch``).

The registry holds each remote file with its canonical address and MD5:

- the nine Omniglot archives (Lake, Salakhutdinov & Tenenbaum, 2015) of the public repository
  ``brendenlake/omniglot`` at the commit pinned below, with the official MD5 sums;
- the image datasets beyond Omniglot that DooD trains on (Liang et al. 2022, Sec. 3.1): MNIST
  from torchvision's S3 mirror, KMNIST from ROIS-CODH, EMNIST's one ``gzip.zip`` from NIST, with
  torchvision's MD5 sums (facts read from its released code); QuickDraw's 28x28 bitmaps (Google,
  one ``.npy`` per category, listed in params) have no published sums: a download is checked
  against the MD5 that Google's storage sends with it (``x-goog-hash``), a copy from a mirror only
  against a sum pinned in params (``dood2022.download.quickdraw.md5``), so that no file enters the
  pipeline unverified.

A file's key is its path relative to ``data/raw`` and to the mirror folder alike:
``<archive>.zip`` for Omniglot, ``<dataset>/<file>`` for the others. :func:`fetch` hands it to
``pooch``, which writes to a temporary file in the destination folder and moves it into place
only after the hash matched; offline (params ``data.mirror`` or ``$OMNIGLOT_MIRROR``) a pooch
downloader copies it from the mirror instead of the canonical address. Every failure is a
:class:`FetchError` with a one-line message, and leaves nothing at the destination.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pooch

OMNIGLOT_COMMIT = "ceffff1ba059df9c19f12021b738dd1e0d8dd650"
OMNIGLOT_URL = f"https://github.com/brendenlake/omniglot/raw/{OMNIGLOT_COMMIT}/python/"
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
KMNIST_URL = "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"
EMNIST_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
QUICKDRAW_URL = "https://storage.googleapis.com/quickdraw_dataset/full/numpy_bitmap/"

# Official MD5 sums of every Omniglot archive (facts, from the released data).
OMNIGLOT_MD5 = {
    "images_background.zip": "68d2efa1b9178cc56df9314c21c6e718",
    "images_background_small1.zip": "e704a628b5459e08445c13499850abc4",
    "images_background_small2.zip": "b75a71a51d3b13f821f212756fe481fd",
    "images_evaluation.zip": "6b91aef0f799c5bb55b94e3f2daec811",
    "strokes_background.zip": "8714451f82a60597a9f2bf957fbb8dc4",
    "strokes_background_small1.zip": "830eb54f8a9297820a4471fcc4f9d9bc",
    "strokes_background_small2.zip": "84d9defc54b809861ffd9886798dcffb",
    "strokes_evaluation.zip": "2d5e82111f163f816a2bacc0153cc84d",
    "all_runs.zip": "e8996daecdf12afeeb4a53a179f06b19",
}
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz")
# torchvision's MD5 sums of the MNIST-family files.
IDX_MD5 = {
    "mnist": dict(zip(IDX_FILES, ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                                  "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"))),
    "kmnist": dict(zip(IDX_FILES, ("bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344",
                                   "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"))),
}
EMNIST_MD5 = "58c8d27c78d21e728a6bc7b3cc06412e"

# The datasets beyond Omniglot, fetched file by file to data/raw/<dataset>/<file>.
REMOTE_DATASETS = ("mnist", "emnist", "kmnist", "quickdraw")

# Background sets: which archive pairs (strokes, images) make each one.
BACKGROUND_SETS = {
    "small1": ["background_small1"],
    "small2": ["background_small2"],
    "small": ["background_small1", "background_small2"],
    "full": ["background"],
}
# Every set the dataset rule can build: the background sets and the evaluation set (used when
# present: it is not in the offline mirror, so no default target needs it).
DATASETS = {**BACKGROUND_SETS, "evaluation": ["evaluation"]}

DOWNLOAD_TIMEOUT_S = 60
CHUNK_BYTES = 1 << 16


class FetchError(RuntimeError):
    """A remote file is missing from the mirror, cannot be downloaded or fails its checksum
    (message is one line)."""


@dataclass(frozen=True)
class RemoteFile:
    """One remote file: its dataset (``omniglot`` for the archives), its name on disk, its
    canonical address, and its MD5 (None: an unpinned QuickDraw file, checked against the MD5
    the server sends)."""

    dataset: str
    name: str
    url: str
    md5: str | None

    @property
    def key(self) -> str:
        """Path relative to ``data/raw`` and to the mirror folder."""
        return self.name if self.dataset == "omniglot" else f"{self.dataset}/{self.name}"

    @property
    def known_hash(self) -> str | None:
        """The hash in pooch's notation (``md5:<hex>``)."""
        return None if self.md5 is None else f"md5:{self.md5}"

    @property
    def label(self) -> str:
        """How messages name the file."""
        return f"Omniglot archive {self.name}" if self.dataset == "omniglot" else f"{self.dataset} file {self.name}"


def _fixed_files() -> dict[str, RemoteFile]:
    files = [RemoteFile("omniglot", name, OMNIGLOT_URL + ("one-shot-classification/" if name == "all_runs.zip"
                                                          else "") + name, md5)
             for name, md5 in OMNIGLOT_MD5.items()]
    for dataset, base in (("mnist", MNIST_URL), ("kmnist", KMNIST_URL)):
        files += [RemoteFile(dataset, name, base + name, md5) for name, md5 in IDX_MD5[dataset].items()]
    files.append(RemoteFile("emnist", "gzip.zip", EMNIST_URL, EMNIST_MD5))
    return {f.key: f for f in files}


# Every remote file with a published sum, by key. QuickDraw's files depend on the categories in
# params: :func:`remote_files` makes them.
REGISTRY: dict[str, RemoteFile] = _fixed_files()


def archive_names() -> list[str]:
    """Every official Omniglot archive name, without the ``.zip`` suffix."""
    return [name[: -len(".zip")] for name in OMNIGLOT_MD5]


def omniglot_archive(archive: str) -> RemoteFile:
    """The registry entry of an Omniglot archive (name with or without ``.zip``)."""
    filename = archive if archive.endswith(".zip") else archive + ".zip"
    if filename not in OMNIGLOT_MD5:
        raise FetchError(f"unknown Omniglot archive {archive!r}; known: {', '.join(archive_names())}")
    return REGISTRY[filename]


def quickdraw_file_name(category: str) -> str:
    """On-disk name of a QuickDraw category's bitmaps (spaces become underscores)."""
    return category.replace(" ", "_") + ".npy"


def remote_files(dataset: str, quickdraw_categories: list[str] = (), quickdraw_md5: dict | None = None
                 ) -> list[RemoteFile]:
    """Every file ``dataset`` needs (``omniglot``: the nine archives; QuickDraw: one per category,
    in the given order, with its MD5 if pinned in ``quickdraw_md5``)."""
    if dataset == "quickdraw":
        if not quickdraw_categories:
            raise FetchError("dood2022.quickdraw.categories: no category listed")
        pins = quickdraw_md5 or {}
        return [RemoteFile("quickdraw", quickdraw_file_name(c), QUICKDRAW_URL + urllib.parse.quote(c) + ".npy",
                           pins.get(c)) for c in quickdraw_categories]
    files = [f for f in REGISTRY.values() if f.dataset == dataset]
    if not files:
        raise FetchError(f"no remote files for dataset {dataset!r}; known: {['omniglot', *REMOTE_DATASETS]}")
    return files


def resolve_mirror(configured: str | None, root: Path | None = None) -> Path | None:
    """The mirror folder to read: the params value if set, else ``$OMNIGLOT_MIRROR``, else None.

    A relative path is taken relative to ``root`` (the repository root).
    """
    value = configured or os.environ.get("OMNIGLOT_MIRROR") or None
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute() and root is not None:
        path = root / path
    return path


def md5_of(path: Path) -> str:
    return pooch.file_hash(str(path), alg="md5")


def server_md5(headers) -> str | None:
    """The MD5 (hex) that Google Cloud Storage publishes in ``x-goog-hash: crc32c=...,md5=<base64>``
    (repeated headers arrive joined by commas)."""
    for part in (headers.get("x-goog-hash") or "").split(","):
        key, _, b64 = part.strip().partition("=")
        if key == "md5":
            return base64.b64decode(b64).hex()
    return None


def fetch(file: RemoteFile, destination: Path, mirror: Path | None, progressbar: bool = True) -> Path:
    """``file`` at ``destination``, verified by MD5: copied from ``mirror/<key>`` when a mirror is
    set, else downloaded from its address (with a progress bar when ``progressbar``).

    A destination that already holds the verified file is kept; anything else there is removed
    first, so that after a failure (a :class:`FetchError`) nothing is left at ``destination``.
    """
    destination = Path(destination)
    if destination.exists() and not (file.md5 is not None and md5_of(destination) == file.md5):
        destination.unlink()
    # A one-file registry whose folder is the destination's: pooch downloads to a temporary file
    # there and moves it to ``destination`` only after the hash matched.
    registry = pooch.create(path=destination.parent.absolute(), base_url="",
                            registry={destination.name: file.known_hash}, urls={destination.name: file.url})
    if mirror is not None:
        downloader, origin = MirrorCopy(file, Path(mirror)), str(Path(mirror) / file.key)
    else:
        downloader, origin = Download(file, progressbar), file.url
    try:
        with _quiet_pooch(mirror is not None):
            registry.fetch(destination.name, downloader=downloader)
    except FetchError:
        raise
    except ValueError as err:  # pooch's own hash check (the downloaders check first)
        raise FetchError(f"checksum mismatch for {_mismatch_name(file)} from {origin}: {_one_line(err)}") from None
    except OSError as err:  # requests' errors are OSErrors
        if mirror is not None:
            raise FetchError(f"cannot copy {file.label} from {origin} ({_one_line(err)})") from None
        raise FetchError(f"cannot download {file.label} from {file.url} ({_one_line(err)}); offline, set params "
                         f"data.mirror or OMNIGLOT_MIRROR to a folder holding {file.key}") from None
    return destination


class MirrorCopy:
    """A pooch downloader that copies a file from the mirror folder (``<mirror>/<key>``) and checks
    its MD5; a file without a pinned MD5 is refused (a mirror sends no checksum)."""

    def __init__(self, file: RemoteFile, mirror: Path):
        self.file, self.source = file, Path(mirror) / file.key

    def __call__(self, url: str, output_file: str, pooch_: pooch.Pooch | None, check_only: bool = False):
        if check_only:
            return self.source.is_file()
        if not self.source.is_file():
            raise FetchError(f"{self.file.label} is not in the mirror folder {self.source.parent}; fetch it from "
                             f"{self.file.url} and put it there, or unset the mirror to download it")
        if self.file.md5 is None:
            raise FetchError(f"{self.file.label} from the mirror {self.source.parent} has no checksum to verify: "
                             "pin its MD5 in params dood2022.quickdraw.md5")
        shutil.copyfile(self.source, output_file)
        _verify(self.file, output_file, self.file.md5, str(self.source))


class Download:
    """A pooch downloader over HTTP(S) (pooch's, with its progress bar) that checks the MD5: the
    registry's, or, for a file without one, the MD5 the server sent (``x-goog-hash``)."""

    def __init__(self, file: RemoteFile, progressbar: bool = True):
        self.file = file
        self.headers = None
        self.http = pooch.HTTPDownloader(progressbar=progressbar, chunk_size=CHUNK_BYTES, timeout=DOWNLOAD_TIMEOUT_S,
                                         hooks={"response": self._record})

    def _record(self, response, *args, **kwargs):
        if not response.is_redirect:  # the headers of the response that carries the file
            self.headers = response.headers
        return response

    def __call__(self, url: str, output_file: str, pooch_: pooch.Pooch | None, check_only: bool = False):
        if check_only:
            return self.http(url, output_file, pooch_, check_only=True)
        self.headers = None
        self.http(url, output_file, pooch_)
        expected = self.file.md5
        if expected is None:
            expected = server_md5(self.headers or {})
            if expected is None:
                raise FetchError(f"{self.file.label} from {url}: the server sent no MD5 and none is pinned in "
                                 "params dood2022.quickdraw.md5")
        _verify(self.file, output_file, expected, url)


def _verify(file: RemoteFile, path: str, expected: str, origin: str) -> None:
    actual = md5_of(path)
    if actual != expected.lower():
        raise FetchError(f"checksum mismatch for {_mismatch_name(file)} from {origin}: expected MD5 {expected}, "
                         f"got {actual}")


def _mismatch_name(file: RemoteFile) -> str:
    """How a checksum mismatch names the file (an Omniglot archive by its name alone, as it always has)."""
    return file.name if file.dataset == "omniglot" else file.label


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


@contextmanager
def _quiet_pooch(quiet: bool):
    """Pooch logs 'Downloading file ... from <address>': true for a download, not for a mirror copy."""
    logger = pooch.get_logger()
    level = logger.level
    if quiet:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
