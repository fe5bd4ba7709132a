"""Omniglot archives: where they come from, what they must hash to, and how they are unpacked.

The Omniglot data set (Lake, Salakhutdinov & Tenenbaum, 2015) is published in the public
repository ``brendenlake/omniglot``; the release with stroke data is the commit pinned below.
An archive is fetched from its canonical address when online, or read from a mirror folder
(params ``data.mirror`` or the environment variable ``OMNIGLOT_MIRROR``) when offline. Either
way it is verified against the official MD5 sums and unpacked atomically: the final folder
appears only after the whole archive has been extracted, so a failed or interrupted step
never leaves something a later step could mistake for good data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path

OMNIGLOT_COMMIT = "ceffff1ba059df9c19f12021b738dd1e0d8dd650"
BASE_URL = f"https://github.com/brendenlake/omniglot/raw/{OMNIGLOT_COMMIT}/python"

# Official MD5 sums of every Omniglot archive (facts, from the released data).
MD5SUMS = {
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


class ArchiveError(RuntimeError):
    """An archive is missing, corrupt or cannot be unpacked (message is one line)."""


def archive_names() -> list[str]:
    """Every official archive name, without the ``.zip`` suffix."""
    return [name[: -len(".zip")] for name in MD5SUMS]


def canonical_url(archive: str) -> str:
    """Canonical download address of ``archive`` (name with or without ``.zip``)."""
    filename = _zip_name(archive)
    if filename == "all_runs.zip":
        return f"{BASE_URL}/one-shot-classification/{filename}"
    return f"{BASE_URL}/{filename}"


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


def md5_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_archive(archive: str, destination: Path, mirror: Path | None) -> Path:
    """Copy ``archive`` from ``mirror`` (or download it) to ``destination`` and verify its MD5.

    The file is written under a temporary name and renamed only after its checksum matched,
    so ``destination`` exists only when it holds the official archive.
    """
    filename = _zip_name(archive)
    expected = MD5SUMS[filename]
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".part")
    try:
        if mirror is not None:
            source = Path(mirror) / filename
            if not source.is_file():
                raise ArchiveError(
                    f"Omniglot archive {filename} is not in the mirror folder {mirror}; "
                    f"fetch it from {canonical_url(filename)} and put it there, "
                    "or unset the mirror to download it"
                )
            shutil.copyfile(source, tmp)
            origin = str(source)
        else:
            origin = canonical_url(filename)
            try:
                with urllib.request.urlopen(origin, timeout=60) as response, open(tmp, "wb") as out:
                    shutil.copyfileobj(response, out)
            except OSError as err:
                raise ArchiveError(
                    f"cannot download Omniglot archive {filename} from {origin} ({err}); "
                    "offline, set params data.mirror or OMNIGLOT_MIRROR to a folder holding it"
                ) from None
        actual = md5_of(tmp)
        if actual != expected:
            raise ArchiveError(
                f"checksum mismatch for {filename} from {origin}: "
                f"expected MD5 {expected}, got {actual}"
            )
        os.replace(tmp, destination)
    finally:
        tmp.unlink(missing_ok=True)
    return destination


def unpack_archive(zip_path: Path, destination: Path) -> Path:
    """Extract ``zip_path`` so that ``destination`` holds its top-level folder's contents.

    Extraction goes to a temporary sibling folder that is renamed into place at the end;
    macOS resource forks (``__MACOSX``) are skipped.
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
            raise ArchiveError(f"{zip_path}: not a valid zip archive ({err})") from None
        roots = [p for p in tmp.iterdir()]
        content = roots[0] if len(roots) == 1 and roots[0].is_dir() else tmp
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(content, destination)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return destination


def _zip_name(archive: str) -> str:
    filename = archive if archive.endswith(".zip") else archive + ".zip"
    if filename not in MD5SUMS:
        known = ", ".join(archive_names())
        raise ArchiveError(f"unknown Omniglot archive {archive!r}; known: {known}")
    return filename
