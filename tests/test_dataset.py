"""The dataset artifact on the real mirrored data: contents, alignment and round trip."""

import numpy as np
import pytest

from charchallenge.data.dataset import OmniglotDataset, build_dataset
from charchallenge.data.strokes import StrokeFileError


def test_small_background_has_the_documented_size(small_dataset):
    assert len(small_dataset) == 4840
    assert len(small_dataset.alphabets) == 8
    n_characters = len({(a, c) for a, c in zip(small_dataset.alphabet_index, small_dataset.character)})
    assert n_characters == 242
    assert small_dataset.stats["empty_drawing"] == 0
    assert len(small_dataset.characters("Latin")) == 26
    assert set(small_dataset.drawer[small_dataset.indices("Latin")]) == set(range(1, 21))


def test_save_load_round_trip_is_exact(small_dataset, tmp_path):
    path = tmp_path / "ds.npz"
    small_dataset.save(path)
    loaded = OmniglotDataset.load(path)
    assert not list(tmp_path.glob("*.part*"))
    for i in (0, 1234, len(small_dataset) - 1):
        a, b = small_dataset.drawing(i), loaded.drawing(i)
        assert (a.alphabet, a.character, a.drawer, a.image_id) == (b.alphabet, b.character, b.drawer, b.image_id)
        assert all(np.array_equal(x, y) for x, y in zip(a.strokes, b.strokes))
        assert np.array_equal(a.image, b.image)
    assert np.array_equal(loaded.images([3, 5]), small_dataset.images([3, 5]))


def test_images_are_binary_with_ink_true(small_dataset):
    images = small_dataset.images(range(50))
    assert images.shape == (50, 105, 105) and images.dtype == bool
    ink = images.mean()
    assert 0.01 < ink < 0.2  # thin black pen on a white page


def test_conflicting_duplicates_across_archives_are_an_error(tmp_path):
    for root, y in (("a", "-1"), ("b", "-2")):
        folder = tmp_path / root / "Latin" / "character01"
        folder.mkdir(parents=True)
        (folder / "0001_01.txt").write_text(f"START\n1,{y},0\n2,-2,1\nBREAK\n")
    with pytest.raises(StrokeFileError, match="differs from"):
        build_dataset([tmp_path / "a", tmp_path / "b"])


def test_missing_image_names_the_file(tmp_path):
    folder = tmp_path / "s" / "Latin" / "character01"
    folder.mkdir(parents=True)
    (folder / "0001_01.txt").write_text("START\n1,-1,0\n2,-2,1\nBREAK\n")
    (tmp_path / "i").mkdir()
    with pytest.raises(FileNotFoundError, match="0001_01.png"):
        build_dataset([tmp_path / "s"], [tmp_path / "i"])


def test_parse_counts_count_each_drawing_once(small_dataset):
    """Greek and Latin are in both small background archives: their strokes are counted once, so
    the one-point count equals the one-point strokes actually in the dataset (620, not 692)."""
    one_point = sum(
        1 for i in range(len(small_dataset)) for s in small_dataset.strokes(i) if len(s) == 1
    )
    assert small_dataset.stats["single_point_stroke"] == one_point == 620
