"""Atomic writers: a target appears only complete; a failed write leaves nothing behind."""

import numpy as np
import pandas as pd
import pytest

from charchallenge.fabi2020.pipeline import over_seeds
from charchallenge.io import atomic_path, save_npz, write_csv, write_json


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "sub" / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("bad input")
    assert not target.exists() and list(target.parent.iterdir()) == []
    write_json(target, {"a": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("bad input")
    assert target.read_text().strip().startswith("{") and list(target.parent.iterdir()) == [target]


def test_writers_round_trip(tmp_path):
    save_npz(tmp_path / "a.npz", x=np.arange(3))
    with np.load(tmp_path / "a.npz") as f:
        assert f["x"].tolist() == [0, 1, 2]
    write_csv(tmp_path / "t.csv", pd.DataFrame({"v": [1.23456]}))
    assert pd.read_csv(tmp_path / "t.csv")["v"][0] == pytest.approx(1.235)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz", "t.csv"]


def test_over_seeds_columns():
    cols = over_seeds("mhd", [1.0, 3.0], seeds=[0, 5])
    assert cols == {"mhd_mean": 2.0, "mhd_sd": pytest.approx(np.sqrt(2)), "mhd_seed0": 1.0, "mhd_seed5": 3.0}
    assert over_seeds("x", [2.0]) == {"x_mean": 2.0, "x_sd": 0.0}
