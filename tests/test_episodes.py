"""One-shot episodes: generated runs load through the same loader as the official format."""

import numpy as np
import pytest
from PIL import Image

from charchallenge.data.episodes import EpisodeFormatError, generate_runs, load_run, load_runs


def test_generated_runs_load_and_are_correctly_labelled(small_dataset, tmp_path):
    generate_runs(small_dataset, ["Greek", "Korean"], n_runs=3, out_dir=tmp_path / "runs", seed=3)
    episodes = load_runs(tmp_path / "runs")
    assert [e.name for e in episodes] == ["run01", "run02", "run03"]
    for episode in episodes:
        assert episode.n_way == 20 and len(episode.test_paths) == 20
        assert sorted(episode.labels) == list(range(20))
        train, test = episode.train_strokes(), episode.test_strokes()
        # identify each item's (character, drawer) by its strokes in the dataset
        def identify(strokes):
            for i in range(len(small_dataset)):
                s = small_dataset.strokes(i)
                if len(s) == len(strokes) and all(np.array_equal(a, b) for a, b in zip(s, strokes)):
                    return small_dataset.alphabet_of()[i], int(small_dataset.character[i]), int(small_dataset.drawer[i])
        train_ids = [identify(s) for s in train[:3]]
        test_ids = [identify(test[k]) for k in range(3)]
        assert len({a for a, _, _ in train_ids + test_ids}) == 1  # within one alphabet
        assert len({d for _, _, d in train_ids}) == 1 and len({d for _, _, d in test_ids}) == 1
        assert train_ids[0][2] != test_ids[0][2]  # a different drawer for the test items
        for k in range(3):
            assert test_ids[k][1] == identify(train[episode.labels[k]])[1]
    images = episodes[0].test_images()
    assert images.shape == (20, 105, 105) and images.dtype == bool


def test_generation_is_seeded(small_dataset, tmp_path):
    a = generate_runs(small_dataset, ["Latin"], 1, tmp_path / "a", seed=7)[0]
    b = generate_runs(small_dataset, ["Latin"], 1, tmp_path / "b", seed=7)[0]
    assert (a / "class_labels.txt").read_text() == (b / "class_labels.txt").read_text()


def make_official_run(root, n=3):
    run = root / "run01"
    (run / "training").mkdir(parents=True)
    (run / "test").mkdir()
    blank = Image.fromarray(np.full((105, 105), 255, np.uint8))
    lines = []
    for j in range(n):
        blank.save(run / "training" / f"class{j + 1:02d}.png")
        blank.save(run / "test" / f"item{j + 1:02d}.png")
        lines.append(f"run01/test/item{j + 1:02d}.png run01/training/class{(j + 1) % n + 1:02d}.png")
    (run / "class_labels.txt").write_text("\n".join(lines) + "\n")
    return run


def test_official_format_without_strokes(tmp_path):
    episode = load_run(make_official_run(tmp_path))
    assert list(episode.labels) == [1, 2, 0]
    assert episode.train_strokes() is None


def test_malformed_class_labels_name_file_and_line(tmp_path):
    run = make_official_run(tmp_path)
    with open(run / "class_labels.txt", "a") as f:
        f.write("run01/test/item01.png run01/training/class99.png\n")
    with pytest.raises(EpisodeFormatError, match=r"class_labels.txt:4: .*class99"):
        load_run(run)
    with pytest.raises(EpisodeFormatError, match="no runNN folders"):
        load_runs(tmp_path / "run01" / "training")


def test_an_alphabet_smaller_than_the_way_gives_a_run_of_all_its_characters(small_dataset, tmp_path):
    (run,) = generate_runs(small_dataset, ["Tagalog"], 1, tmp_path / "runs")
    episode = load_run(run)
    assert episode.n_way == 17 and len(episode.test_paths) == 17  # Tagalog has 17 characters
    assert sorted(episode.labels.tolist()) == list(range(17))
