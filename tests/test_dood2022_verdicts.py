"""The transfer table's verdicts can come out every way: a clear lead holds, a clear deficit
fails, a gap inside the error is undecided, an unconverged run makes it "not evidence", and a
model at the empty-canvas floor fails the one-sided floor claim."""

from types import SimpleNamespace

from charchallenge.dood2022.verdicts import compare_cells, compare_with_floor, verdict


def cell(ll, sd=2.0, seeds=2, se_images=10.0, improving=0, floor=600.0):
    return SimpleNamespace(log_likelihood=ll, sd_over_seeds=sd, seeds=seeds, se_images=se_images,
                           runs_still_improving=improving, floor_empty_canvas=floor)


def test_comparisons_hold_fail_or_stay_undecided_by_twice_the_combined_error():
    assert compare_cells("dood", "air", cell(700), cell(600))["verdict"] == "holds"
    assert compare_cells("dood", "air", cell(600), cell(700))["verdict"] == "fails"
    out = compare_cells("dood", "air", cell(602), cell(600))  # 2 nats against 2 * sqrt(2 + 2) = 4
    assert out["verdict"] == "undecided" and abs(out["threshold"] - 4.0) < 1e-9
    # one seed: the error over images decides (2 * sqrt(200) = 28.3)
    assert compare_cells("dood", "air", cell(620, seeds=1), cell(600, seeds=1))["verdict"] == "undecided"


def test_an_unconverged_run_makes_any_gap_not_evidence():
    out = compare_cells("dood", "air", cell(900, improving=1), cell(600))
    assert out["verdict"] == "not evidence" and out["runs_still_improving"] == 1
    assert verdict(-500.0, 1.0, 2) == "not evidence"


def test_the_floor_claim_is_one_sided():
    assert compare_with_floor("dood", cell(700))["verdict"] == "holds"
    assert compare_with_floor("air", cell(601.0))["verdict"] == "fails"   # within the error: no ink explained
    assert compare_with_floor("air", cell(500.0))["verdict"] == "fails"
    assert compare_with_floor("air", cell(500.0, improving=2))["verdict"] == "not evidence"
