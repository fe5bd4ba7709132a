"""Shared fixtures: the Omniglot mirror and a dataset built from it once per test session."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from charchallenge.config import REPO_ROOT
from charchallenge.data.dataset import build_dataset


def mirror_folder() -> Path:
    return Path(os.environ.get("OMNIGLOT_MIRROR", REPO_ROOT.parent / "shared" / "data" / "omniglot")).resolve()


@pytest.fixture(scope="session")
def mirror() -> Path:
    folder = mirror_folder()
    if not (folder / "strokes_background_small1.zip").is_file():
        pytest.skip(f"Omniglot mirror not found at {folder}; set OMNIGLOT_MIRROR")
    return folder


def _unzip(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        z.extractall(target, members=[m for m in z.namelist() if not m.startswith("__MACOSX")])
    return target / archive.stem


@pytest.fixture(scope="session")
def unpacked(mirror, tmp_path_factory) -> dict[str, Path]:
    """The mirrored archives unpacked once: name (without .zip) -> folder."""
    root = tmp_path_factory.mktemp("omniglot")
    names = ["strokes_background_small1", "strokes_background_small2",
             "images_background_small1", "images_background_small2"]
    return {name: _unzip(mirror / f"{name}.zip", root) for name in names}


@pytest.fixture(scope="session")
def small_dataset(unpacked):
    """The `small` background set (8 alphabets, 4,840 drawings) with images."""
    return build_dataset(
        [unpacked["strokes_background_small1"], unpacked["strokes_background_small2"]],
        [unpacked["images_background_small1"], unpacked["images_background_small2"]],
    )
