"""Trajectory features (dx, dy, pen, onset) for the Fabi et al. generator."""

import numpy as np

from charchallenge.preprocess.trajectories import (
    TrajectorySet, drawing_to_trajectory, normalisation_stats, trajectory_to_strokes,
)


def two_strokes():
    return [np.array([[10.0, -10, 0], [30, -10, 5]]), np.array([[20.0, -20, 9], [20, -40, 12]])]


def test_features_mark_ink_travel_and_onsets():
    traj = drawing_to_trajectory(two_strokes(), step=2.0)
    pen, onset = traj[:, 2], traj[:, 3]
    assert traj.shape[1] == 4
    assert onset.sum() == 2 and onset[0] == 1
    assert pen[0] == 0  # nothing drawn before the first point
    # pen-up travel runs between the strokes: 10 px ink, ~14 px travel, 20 px ink at 2 px steps
    first_onset_after = np.flatnonzero(onset)[1]
    assert np.all(pen[first_onset_after - 3 : first_onset_after + 1] == 0)
    steps = np.linalg.norm(traj[1:, :2], axis=1)
    assert np.all((steps > 1.5) & (steps < 2.5))  # about one step of 2 px each, travel included
    np.testing.assert_allclose(traj[:, :2].sum(axis=0), [20 - 10, -40 + 10], atol=1e-9)


def test_strokes_round_trip_without_travel():
    strokes = two_strokes()
    traj = drawing_to_trajectory(strokes, step=1.0)
    drawn = trajectory_to_strokes(traj, origin=strokes[0][0, :2])
    assert len(drawn) == 2
    for original, ink in zip(strokes, drawn):
        np.testing.assert_allclose(ink[0], original[0, :2], atol=1e-9)
        np.testing.assert_allclose(ink[-1], original[-1, :2], atol=1e-9)


def test_dot_strokes_survive():
    strokes = [np.array([[5.0, -5, 0]]), np.array([[10.0, -5, 1], [20, -5, 2]])]
    drawn = trajectory_to_strokes(drawing_to_trajectory(strokes, 2.0), origin=(5, -5))
    assert len(drawn) == 2
    np.testing.assert_allclose(drawn[0].mean(axis=0), [5, -5], atol=1e-9)


def test_generated_trajectories_with_soft_values_can_be_drawn():
    rng = np.random.default_rng(0)
    traj = np.column_stack([rng.normal(size=(50, 2)), rng.uniform(size=50), rng.uniform(size=50)])
    strokes = trajectory_to_strokes(traj)
    assert all(len(s) >= 1 and s.shape[1] == 2 for s in strokes)


def test_normalisation_stats_leave_binary_features_alone():
    stats = normalisation_stats([drawing_to_trajectory(two_strokes(), 2.0)])
    assert stats["mean"][2:] == [0.0, 0.0] and stats["std"][2:] == [1.0, 1.0]


def test_trajectory_set_on_real_data(small_dataset, tmp_path):
    latin = small_dataset.indices("Latin")
    trajectories = TrajectorySet.from_dataset(small_dataset, step=2.0)
    trajectories.save(tmp_path / "t.npz")
    loaded = TrajectorySet.load(tmp_path / "t.npz")
    i = loaded.index("Latin", 1, 1)
    assert i in latin
    traj = loaded.trajectory(i)
    assert traj[:, 3].sum() == len(small_dataset.strokes(i))
    np.testing.assert_allclose(loaded.denormalise(loaded.normalise(traj)), traj, atol=1e-4)
