"""
Annotating a WFDB record
========================

Train a model, save it, and label every beat of a record with it. The result is
a WFDB annotation file (it opens in any WFDB viewer) and a CSV with one row per
beat. The fitted pipeline says what it needs (its leads, rate and window, the
rhythm features and the reference beat), and
:func:`~sktlft.annotate.annotate_record` reads the record with
:func:`~sktlft.datasets.read_record` and builds those inputs from the record
alone. The same runs from a terminal as
``sktlft predict RECORD --model MODEL --out DIR`` (``--lead NAME|INDEX`` for
records whose leads are not named MLII).
"""

# %%
import shutil
import tempfile
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import wfdb

from sktlft import make_tlft_pipeline
from sktlft.annotate import annotate_record
from sktlft.datasets import load_mitbih_sample, read_record
from sktlft.persistence import save_model

ds = load_mitbih_sample()
train = ds.subset(ds.record != "208")  # keep one patient out of training
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__max_per_class=300,
                          resnet__weights=None, resnet__random_state=0, resnet__verbose=0)
pipe.fit(train.inputs(), train.target)

work = Path(tempfile.mkdtemp())
model = save_model(pipe, work / "model.sktlft")
record = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample" / "208"))
result = annotate_record(record, model, work / "out")
print(result["counts"], result["source"])

# %%
# The first ten seconds, with the reference and the predicted labels. The record
# is read with the same reader (lead MLII by name; ``leads=(0,)`` would take the
# first signal, as svdb's unnamed leads need).
rec = read_record(record, leads=("MLII",))
got = wfdb.rdann(str(work / "out" / "208"), "tlft", sampto=3600)
n = 10 * int(rec.fs)
shown = rec.peaks < n
fig, ax = plt.subplots(figsize=(10, 3), layout="constrained")
ax.plot(np.arange(n) / rec.fs, rec.signal[:n, 0], lw=0.8, color="k")
for s, sym in zip(rec.peaks[shown], rec.symbols[shown]):
    ax.text(s / rec.fs, 1.9, sym, ha="center", color="C0")
for s, sym in zip(got.sample, got.symbol):
    ax.text(s / rec.fs, -1.6, sym, ha="center", color="C3")
ax.set_ylim(-2, 2.2)
ax.set_xlabel("s")
ax.set_ylabel(f"{rec.leads[0]} (mV)")
ax.set_title("record 208: reference (top, MIT-BIH symbols) and sktlft (bottom, AAMI)")

# %%
# The temporary folder goes: an example leaves nothing behind.
shutil.rmtree(work)
