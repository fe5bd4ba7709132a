"""One mapping from a study's ``device`` setting to a torch device, shared by every study."""

import torch

from charchallenge.device import resolve_device


def test_auto_picks_cuda_only_where_torch_sees_it_and_other_settings_pass_through():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("cuda") == "cuda"


def test_every_study_uses_the_shared_mapping():
    from charchallenge.fabi2020 import data as fabi_data, pipeline as fabi_pipeline
    from charchallenge.feinman2020 import data as fl_data
    from charchallenge.gns2021 import type_model

    for module in (fabi_data, fabi_pipeline, fl_data, type_model):
        assert module.resolve_device is resolve_device, module.__name__
