"""
Annotating a WFDB record
========================

Train a model, save it, and label every beat of a record with it. The result is
a WFDB annotation file (it opens in any WFDB viewer) and a CSV with one row per
beat. The same runs from a terminal as
``sktlft predict RECORD --model MODEL --out DIR``.
"""

# %%
import tempfile
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import wfdb

from sktlft import make_tlft_pipeline
from sktlft.annotate import annotate_record
from sktlft.datasets import load_mitbih_sample
from sktlft.persistence import save_model

ds = load_mitbih_sample()
test = ds.record == "208"  # keep one patient out of training
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
pipe.fit(ds.data[~test], ds.target[~test])

work = Path(tempfile.mkdtemp())
model = save_model(pipe, work / "model.joblib",
                   config={"fs": ds.fs, "leads": list(ds.leads), "window": ds.window})
record = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample" / "208"))
result = annotate_record(record, model, work / "out")
print(result["counts"], result["source"])

# %%
# The first ten seconds, with the reference and the predicted labels.
rec = wfdb.rdrecord(str(record), channels=[0], sampto=3600)
ref = wfdb.rdann(str(record), "atr", sampto=3600)
got = wfdb.rdann(str(work / "out" / "208"), "tlft", sampto=3600)
fig, ax = plt.subplots(figsize=(10, 3), layout="constrained")
t = [i / rec.fs for i in range(rec.sig_len)]
ax.plot(t, rec.p_signal[:, 0], lw=0.8, color="k")
for s, sym in zip(ref.sample, ref.symbol):
    ax.text(s / rec.fs, 1.9, sym, ha="center", color="C0")
for s, sym in zip(got.sample, got.symbol):
    ax.text(s / rec.fs, -1.6, sym, ha="center", color="C3")
ax.set_ylim(-2, 2.2)
ax.set_xlabel("s")
ax.set_ylabel("MLII (mV)")
ax.set_title("record 208: reference (top, MIT-BIH symbols) and sktlft (bottom, AAMI)")
