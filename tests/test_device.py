"""One mapping from a study's ``device`` setting to a torch device, shared by every study."""

import torch

from charchallenge.device import resolve_device


def test_auto_picks_cuda_only_where_torch_sees_it_and_other_settings_pass_through():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("cuda") == "cuda"


def test_every_study_uses_the_shared_mapping():
    import re

    from charchallenge.config import REPO_ROOT
    from charchallenge.fabi2020 import pipeline as fabi_pipeline
    from charchallenge.gns2021 import type_model

    for module in (fabi_pipeline, type_model):
        assert module.resolve_device is resolve_device, module.__name__
    # no copy of it anywhere, and every user imports it from its one place
    files = [*(REPO_ROOT / "src" / "charchallenge").rglob("*.py"), *(REPO_ROOT / "workflow" / "scripts").rglob("*.py")]
    for path in files:
        text = path.read_text()
        if path.name != "device.py":
            assert "def resolve_device" not in text, path
        for line in re.findall(r"^from \S+ import .*\bresolve_device\b.*$", text, flags=re.M):
            assert line.startswith("from charchallenge.device import"), (path, line)
