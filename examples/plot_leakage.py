"""
The leakage experiment: beat-level versus patient-wise splits
=============================================================

The same pipeline is scored with a beat-level random stratified K-fold (beats of
every patient on both sides) and with a patient-grouped K-fold. The difference is
how much a leaky split inflates the scores. ``sktlft leakage`` runs the same
experiment from a terminal, and adds DS1 -> DS2 when given the full database.
"""

# %%
import numpy as np

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.model_selection import compare_splits
from sktlft.plotting import plot_leakage

ds = load_mitbih_sample()
# 150 beats per class (fewer F), drawn from all nine patients, keep the example quick
rng = np.random.default_rng(0)
idx = np.sort(np.concatenate([
    rng.choice(np.flatnonzero(ds.target == c), min(150, (ds.target == c).sum()),
               replace=False) for c in "NSVF"]))
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
table = compare_splits(pipe, ds.data[idx], ds.target[idx], ds.groups[idx], cv=3)
for protocol, row in table.items():
    print(f"{protocol:<20} accuracy {row['accuracy']:.3f}  macro F1 {row['macro_f1']:.3f}")

# %%
fig = plot_leakage(table)
