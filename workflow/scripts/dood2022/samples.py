"""Snakemake script: DooD's Fig. 6 (Liang et al. 2022, Sec. 3.2 "Unconditional generation").
``dood2022.samples.n`` samples of every trained model (variant x dataset x seed), and GNS's new
concepts on Omniglot (the type prior at T = ``gns2021.concepts.temperature``, one token each,
area-averaged to the same size), each scored by the Frechet distance (:mod:`.fid`) to the
dataset's held-out test images. The features are the unit-normalised last hidden layer of the
character classifier trained here on Omniglot background characters (no Inception weights
offline), so the values compare the models here with each other, not with the paper's 0.051
(DooD) and 0.133 (GNS). A floor row scores the dataset's own training images the same way."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from charchallenge.dood2022.data import load_split  # noqa: E402
from charchallenge.dood2022.fid import frechet_distance  # noqa: E402
from charchallenge.dood2022.train import load_model  # noqa: E402
from charchallenge.feinman2020.canvases import SIZE  # noqa: E402
from charchallenge.feinman2020.classifier import embed, load_classifier  # noqa: E402
from charchallenge.feinman2020.plotting import image_grid  # noqa: E402
from charchallenge.feinman2020.sampling import draw_on_canvas  # noqa: E402
from charchallenge.gns2021.fit import token_images  # noqa: E402
from charchallenge.gns2021.type_model import load_type_model  # noqa: E402
from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402
from charchallenge.oneshot.protonet import downsample  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
n = d["samples"]["n"]
datasets = list(smk.params.datasets)
torch.set_num_threads(smk.threads)
net, _ = load_classifier(smk.input.classifier)


def features(images: torch.Tensor) -> np.ndarray:
    x = images.float()
    if x.shape[-1] != SIZE:
        x = F.interpolate(x[:, None], size=(SIZE, SIZE), mode="area")[:, 0]
    return embed(net, x).numpy()


data = dict(zip(datasets, smk.input.data))
real = {ds: features(load_split(data[ds], "test")) for ds in datasets}
rows, shown = [], {}
for ds in datasets:
    train = load_split(data[ds], "train")
    pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(run["seed"]))[:n]
    rows.append({"model": "real (training images)", "variant": "real", "dataset": ds, "seed": run["seed"],
                 "n": len(pick), "fid": frechet_distance(features(train[pick]), real[ds]), "strokes_mean": np.nan})
    shown[("real", ds)] = train[pick[: d["samples"]["figure"]]].numpy()
for path in smk.input.models:
    model, saved = load_model(path)
    images, count = model.sample(n, torch.Generator().manual_seed(saved["seed"]))
    rows.append({"model": saved["variant"], "variant": saved["variant"], "dataset": saved["dataset"],
                 "seed": saved["seed"], "n": n, "fid": frechet_distance(features(images), real[saved["dataset"]]),
                 "strokes_mean": float(count.mean())})
    if saved["seed"] == d["seeds"][0]:
        shown[(saved["variant"], saved["dataset"])] = images[: d["samples"]["figure"]].numpy()
    print(f"{saved['variant']} on {saved['dataset']} seed {saved['seed']}: FID {rows[-1]['fid']:.4f}, "
          f"{float(count.mean()):.2f} strokes per sample")
if "omniglot" in datasets:
    c = run["gns2021"]["concepts"]
    drawn = draw_on_canvas(load_type_model(smk.input.type_model).density, n, c["temperature"], run["seed"],
                           c["max_strokes"], c["max_control_points"], c["max_draws_per_sample"])
    tokens = token_images(drawn["drawings"], torch.Generator().manual_seed(run["seed"]))
    gns = downsample(np.stack(tokens).astype(np.float32), d["image_size"])
    rows.append({"model": f"GNS (type prior T = {c['temperature']}, trained here)", "variant": "gns",
                 "dataset": "omniglot", "seed": run["seed"], "n": len(gns),
                 "fid": frechet_distance(features(gns), real["omniglot"]),
                 "strokes_mean": float(np.mean([len(t) for t in drawn["drawings"]]))})
    shown[("gns", "omniglot")] = gns[: d["samples"]["figure"]].numpy()
    print(f"GNS on omniglot: FID {rows[-1]['fid']:.4f}")
runs = pd.DataFrame(rows)
table = (runs.groupby(["model", "variant", "dataset"], sort=False)
         .agg(fid=("fid", "mean"), fid_sd=("fid", "std"), seeds=("seed", "count"), n=("n", "first"),
              strokes_mean=("strokes_mean", "mean")).reset_index())
table["features"] = "Omniglot character classifier trained here (not Inception)"
table["paper_fid"] = [{("dood", "omniglot"): 0.051, ("gns", "omniglot"): 0.133}.get((v, ds), np.nan)
                      for v, ds in zip(table.variant, table.dataset)]
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "fid": {f"{r.variant}_{r.dataset}": round(float(r.fid), 5) for r in table.itertuples()},
    "per_run": runs.to_dict("records"), "samples": n, "datasets": datasets,
    "provenance": provenance(run["scale"], d["seeds"], "cpu")})
print(table.to_string(index=False))

columns = ["real"] + list(d["models"]) + (["gns"] if "omniglot" in datasets else [])
fig, axes = plt.subplots(len(datasets), len(columns), figsize=(2.0 * len(columns), 2.6 * len(datasets) + 0.4),
                         squeeze=False)
fids = {(r.variant, r.dataset): r for r in table.itertuples()}
side = int(np.ceil(np.sqrt(d["samples"]["figure"])))
for i, ds in enumerate(datasets):
    for j, col in enumerate(columns):
        ax = axes[i, j]
        if (col, ds) not in shown:
            ax.axis("off")
            continue
        r = fids[(col, ds)]
        sd = "" if np.isnan(r.fid_sd) else f" ± {r.fid_sd:.3f}"
        image_grid(ax, shown[(col, ds)], side, title=f"{col} ({ds})\nFID {r.fid:.3f}{sd}")
fig.suptitle(f"Fig. 6: unconditional samples, FID to held-out images on our classifier's features "
             f"({run['scale']} scale)", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output.figure, dpi=110)
