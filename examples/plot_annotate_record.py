"""
Annotating a WFDB record
========================

Label every beat of a record with a saved model. The result is a WFDB
annotation file (it opens in any WFDB viewer) and a CSV with one row per beat.
The fitted pipeline says what it needs (its leads, rate and window, the rhythm
features and the reference beat), and :func:`~sktlft.annotate.annotate_record`
reads the record with :func:`~sktlft.datasets.read_record` and builds those
inputs from the record alone. The same runs from a terminal as
``sktlft predict RECORD --model MODEL --out DIR`` (``--lead NAME|INDEX`` for
records whose leads are not named MLII; without ``--model``, the built-in one).

Record 213 is from DS2: neither model below has seen its patient.
"""

# %%
import shutil
import tempfile
from collections import Counter
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import wfdb

from sktlft import make_tlft_pipeline
from sktlft.annotate import annotate_record
from sktlft.datasets import SYMBOL_TO_AAMI, load_mitbih_sample, read_record
from sktlft.persistence import save_model

record = Path(str(resources.files("sktlft.datasets") / "data" / "mitdb_sample" / "213"))
reference = Counter(SYMBOL_TO_AAMI[s] for s in wfdb.rdann(str(record), "atr").symbol
                    if s in SYMBOL_TO_AAMI)
print("reference", dict(reference))

# %%
# A model of our own: a small ResNet-18 trained for seconds on the other eight
# excerpts of the bundled sample, saved, and used to label the record. Three
# minutes of eight patients teach it little: expect poor labels.
ds = load_mitbih_sample()
train = ds.subset(ds.record != "213")  # keep the patient out of training
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__max_per_class=300,
                          resnet__weights=None, resnet__random_state=0, resnet__verbose=0)
pipe.fit(train.inputs(), train.target)
work = Path(tempfile.mkdtemp())
model = save_model(pipe, work / "model.sktlft")
result = annotate_record(record, model, work / "own")
print("own model", result["counts"], "| beats from the", result["source"])

# %%
# The built-in model (``"builtin"``; see the :doc:`model card <../model_card>`),
# trained on DS1 and svdb-A. On this record it calls the fusion (F) beats, the
# class it knows least, normal, and finds half of the V beats: record 213 is one of
# the hard ones (see the Results page for its figures on whole databases).
result = annotate_record(record, "builtin", work / "builtin")
print("built-in model", result["counts"])

# %%
# The first ten seconds, with the reference and the built-in model's labels. The
# record is read with the same reader (lead MLII by name; ``leads=(0,)`` would
# take the first signal, as svdb's unnamed leads need).
rec = read_record(record, leads=("MLII",))
got = wfdb.rdann(str(work / "builtin" / "213"), "tlft", sampto=3600)
n = 10 * int(rec.fs)
shown = rec.peaks < n
low, high = rec.signal[:n, 0].min(), rec.signal[:n, 0].max()
fig, ax = plt.subplots(figsize=(10, 3), layout="constrained")
ax.plot(np.arange(n) / rec.fs, rec.signal[:n, 0], lw=0.8, color="k")
for s, sym in zip(rec.peaks[shown], rec.symbols[shown]):
    ax.text(s / rec.fs, high + 0.3, sym, ha="center", color="C0")
for s, sym in zip(got.sample, got.symbol):
    ax.text(s / rec.fs, low - 0.5, sym, ha="center", color="C3")
ax.set_ylim(low - 0.7, high + 0.7)
ax.set_xlabel("s")
ax.set_ylabel(f"{rec.leads[0]} (mV)")
ax.set_title("record 213: reference (top, MIT-BIH symbols) and the built-in model "
             "(bottom, AAMI)")

# %%
# The temporary folder goes: an example leaves nothing behind.
shutil.rmtree(work)
