"""Archive acquisition: MD5 verification, clear errors, nothing partial left behind."""

import shutil
import zipfile

import pytest

from charchallenge.data.archives import (
    MD5SUMS, ArchiveError, canonical_url, fetch_archive, md5_of, resolve_mirror, unpack_archive,
)

ARCHIVE = "images_background_small1"  # the smallest mirrored archive


def test_every_official_archive_has_a_sum_and_address():
    assert len(MD5SUMS) == 9
    assert canonical_url("all_runs").endswith("/python/one-shot-classification/all_runs.zip")
    assert canonical_url("strokes_background.zip").endswith(
        "ceffff1ba059df9c19f12021b738dd1e0d8dd650/python/strokes_background.zip")


def test_sums_agree_with_the_mirror_file(mirror):
    listed = dict(line.split()[::-1] for line in (mirror / "MD5SUMS").read_text().splitlines() if line.strip())
    assert listed == MD5SUMS


def test_fetch_from_mirror_verifies_and_copies(mirror, tmp_path):
    out = fetch_archive(ARCHIVE, tmp_path / "raw" / f"{ARCHIVE}.zip", mirror)
    assert md5_of(out) == MD5SUMS[f"{ARCHIVE}.zip"]
    assert sorted(p.name for p in out.parent.iterdir()) == [f"{ARCHIVE}.zip"]


def test_missing_archive_names_archive_mirror_and_address(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    out = tmp_path / "raw" / "strokes_evaluation.zip"
    with pytest.raises(ArchiveError) as err:
        fetch_archive("strokes_evaluation", out, empty)
    message = str(err.value)
    assert "strokes_evaluation.zip" in message and str(empty) in message
    assert canonical_url("strokes_evaluation") in message
    assert "\n" not in message
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_corrupt_archive_reports_both_sums_and_leaves_nothing(mirror, tmp_path):
    bad_mirror = tmp_path / "bad"
    bad_mirror.mkdir()
    data = bytearray((mirror / f"{ARCHIVE}.zip").read_bytes())
    data[1000] ^= 0xFF
    (bad_mirror / f"{ARCHIVE}.zip").write_bytes(bytes(data))
    out = tmp_path / "raw" / f"{ARCHIVE}.zip"
    with pytest.raises(ArchiveError) as err:
        fetch_archive(ARCHIVE, out, bad_mirror)
    assert MD5SUMS[f"{ARCHIVE}.zip"] in str(err.value)
    assert md5_of(bad_mirror / f"{ARCHIVE}.zip") in str(err.value)
    assert list(out.parent.iterdir()) == []


def test_unknown_archive_name():
    with pytest.raises(ArchiveError, match="unknown Omniglot archive"):
        canonical_url("strokes_everything")


def test_unpack_is_complete_or_absent(mirror, tmp_path):
    folder = unpack_archive(mirror / f"{ARCHIVE}.zip", tmp_path / "omniglot" / ARCHIVE)
    assert (folder / "Latin" / "character01").is_dir()
    assert not (folder / "__MACOSX").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == [ARCHIVE]

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes((mirror / f"{ARCHIVE}.zip").read_bytes()[:5000])
    with pytest.raises(ArchiveError, match="not a valid zip"):
        unpack_archive(truncated, tmp_path / "out" / "x")
    assert list((tmp_path / "out").iterdir()) == []


def test_mirror_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("OMNIGLOT_MIRROR", "/from/env")
    assert str(resolve_mirror(None)) == "/from/env"
    assert resolve_mirror("rel", root=tmp_path) == tmp_path / "rel"
    monkeypatch.delenv("OMNIGLOT_MIRROR")
    assert resolve_mirror(None) is None
