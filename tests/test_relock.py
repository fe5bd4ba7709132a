"""Recording edited sources in dvc.lock (charchallenge.relock): sources rehashed, data kept."""

import hashlib

import pytest

from charchallenge.relock import RelockError, file_entry, relocked_deps


def _write(root, path, text):
    f = root / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text)
    return f


def test_sources_are_rehashed_data_kept_new_added_lost_dropped(tmp_path):
    _write(tmp_path, "src/pkg/a.py", "x = 2\n")  # edited since it was recorded
    _write(tmp_path, "src/pkg/new.py", "y = 1\n")  # a module the stage now imports
    recorded = [
        {"path": "data/model.pt", "hash": "md5", "md5": "0" * 32, "size": 10},  # not on this machine
        {"path": "src/pkg/a.py", "hash": "md5", "md5": "1" * 32, "size": 6},
        {"path": "src/pkg/gone.py", "hash": "md5", "md5": "2" * 32, "size": 3},  # no longer imported
    ]
    tracked = {"src/pkg/a.py", "src/pkg/new.py"}
    new = relocked_deps(recorded, ["src/pkg/new.py", "data/model.pt", "src/pkg/a.py"], tracked, "s", tmp_path)
    assert [d["path"] for d in new] == ["data/model.pt", "src/pkg/a.py", "src/pkg/new.py"]
    assert new[0] == recorded[0]
    assert new[1]["md5"] == hashlib.md5(b"x = 2\n").hexdigest() and new[1]["size"] == 6
    assert new[2] == file_entry("src/pkg/new.py", tmp_path)


def test_an_untracked_new_dependency_stops_with_its_name(tmp_path):
    _write(tmp_path, "src/pkg/a.py", "x = 1\n")
    with pytest.raises(RelockError, match=r"stage s has a new dependency data/new.npz"):
        relocked_deps([], ["data/new.npz"], {"src/pkg/a.py"}, "s", tmp_path)
    # a source file git does not track is not a source: it cannot be recorded either
    with pytest.raises(RelockError, match="src/pkg/a.py"):
        relocked_deps([], ["src/pkg/a.py"], set(), "s", tmp_path)


def test_a_committed_result_read_by_another_stage_is_kept_as_recorded(tmp_path):
    _write(tmp_path, "results/x/quick/table.csv", "changed\n")
    recorded = [{"path": "results/x/quick/table.csv", "hash": "md5", "md5": "3" * 32, "size": 4}]
    new = relocked_deps(recorded, ["results/x/quick/table.csv"], {"results/x/quick/table.csv"}, "s", tmp_path)
    assert new == recorded  # a changed result is dvc status's to report, not this tool's to hide


def test_params_keys_added_are_recorded_a_changed_value_stops():
    from charchallenge.relock import added_params

    recorded = {"fit": {"iterations": 150, "lr": 0.04}, "k": 5}
    now = {"fit": {"iterations": 150, "lr": 0.04, "new": {"a": 1}}, "k": 5, "claim": 0.95}
    assert added_params(recorded, now, "s") == now
    with pytest.raises(RelockError, match=r"params value gns2021.fit.iterations changed \(150 -> 1500\)"):
        added_params(recorded, {"fit": {"iterations": 1500, "lr": 0.04}, "k": 5}, "s", "gns2021.")
    with pytest.raises(RelockError, match=r"params key k was removed"):
        added_params(recorded, {"fit": {"iterations": 150, "lr": 0.04}}, "s")
