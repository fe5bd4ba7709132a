"""The type model's place in parsing: top-1 against the first walk, paired over drawings."""

import numpy as np
import pandas as pd
import pytest

from charchallenge.gns2021.parsing import type_model_verdict

CRITERIA = {"baseline": "walk_as_splines", "resamples": 2000, "level": 0.95}


def table(top_distance, walk_distance, top_match, walk_match):
    rows = []
    for i, (td, wd, tm, wm) in enumerate(zip(top_distance, walk_distance, top_match, walk_match)):
        rows.append({"drawing": i, "method": "gns_top1", "stroke_distance": td, "count_match": bool(tm)})
        rows.append({"drawing": i, "method": "walk_as_splines", "stroke_distance": wd, "count_match": bool(wm)})
        rows.append({"drawing": i, "method": "walk_without_type_model", "stroke_distance": wd, "count_match": bool(wm)})
    return pd.DataFrame(rows)


def test_closer_parses_at_the_same_counts_hold():
    rng = np.random.default_rng(1)
    walk = rng.uniform(1, 4, 200)
    v = type_model_verdict(table(walk - 0.5, walk, np.ones(200), np.ones(200)), CRITERIA)
    assert v["verdict"] == "holds" and v["stroke_distance_px"]["better"] and not v["count_match"]["worse"]
    assert v["stroke_distance_px"]["difference"] == pytest.approx(-0.5)
    assert v["stroke_distance_px"]["top1_better"] == 200 and v["drawings"] == 200


def test_the_same_parses_fail():
    walk = np.random.default_rng(2).uniform(1, 4, 200)
    match = np.arange(200) % 2 == 0
    v = type_model_verdict(table(walk, walk, match, match), CRITERIA)
    assert v["verdict"] == "fails" and not v["stroke_distance_px"]["better"] and not v["count_match"]["better"]


def test_better_counts_bought_with_worse_distances_fail():
    walk = np.random.default_rng(3).uniform(1, 4, 200)
    v = type_model_verdict(table(walk + 1.0, walk, np.ones(200), np.arange(200) % 2), CRITERIA)
    assert v["count_match"]["better"] and v["stroke_distance_px"]["worse"] and v["verdict"] == "fails"


def test_better_counts_at_no_cost_in_distance_hold():
    rng = np.random.default_rng(4)
    walk = rng.uniform(1, 4, 200)
    noise = rng.normal(0, 0.5, 200)  # distances differ both ways: no verdict on that measure
    v = type_model_verdict(table(walk + noise - noise.mean(), walk, np.ones(200), np.arange(200) % 2), CRITERIA)
    assert not v["stroke_distance_px"]["better"] and not v["stroke_distance_px"]["worse"]
    assert v["count_match"]["better"] and v["verdict"] == "holds"


def test_a_missing_baseline_is_named():
    t = table([1.0], [1.0], [1], [1])
    with pytest.raises(ValueError, match="no rows of method"):
        type_model_verdict(t[t.method != "walk_as_splines"], CRITERIA)
