"""
The leakage experiment: beat-level versus patient-wise splits
=============================================================

The same estimator is scored with a beat-level random stratified K-fold (beats of
every patient on both sides), with a patient-grouped K-fold and, since the bundled
sample holds records of both halves, with its DS1 -> DS2 split.
:func:`~sktlft.model_selection.compare_splits` takes the estimator and a
:class:`~sktlft.datasets.BeatDataset`; the difference between the first two rows
is how much a leaky split inflates the scores. ``sktlft leakage`` runs the same
experiment from a terminal.
"""

# %%
import numpy as np

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.model_selection import compare_splits
from sktlft.pipeline import make_baseline_pipeline
from sktlft.plotting import plot_leakage

ds = load_mitbih_sample()
# at most 150 beats per class, drawn from all nine patients, keep the example quick
rng = np.random.default_rng(0)
idx = np.sort(np.concatenate([
    rng.choice(np.flatnonzero(ds.target == c), min(150, (ds.target == c).sum()),
               replace=False) for c in "NSVF"]))
small = ds.subset(idx)

pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__batch_size=32, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
table = compare_splits(pipe, small, cv=3)
for protocol, row in table.items():
    print(f"{protocol:<24} accuracy {row['accuracy']:.3f}  macro F1 {row['macro_f1']:.3f}  "
          f"(N, S, V: {row['macro_f1_nsv']:.3f})")

# %%
fig = plot_leakage(table)

# %%
# The baseline under the same splits
# ----------------------------------
# The linear discriminant on rhythm and morphology features
# (``make_baseline_pipeline(morphology=True)``), on every beat of the sample:
# beats of a patient resemble each other, so it too scores higher when the
# patient's beats are on both sides.
table = compare_splits(make_baseline_pipeline(morphology=True), ds, cv=3)
for protocol, row in table.items():
    print(f"{protocol:<24} accuracy {row['accuracy']:.3f}  macro F1 {row['macro_f1']:.3f}")
fig = plot_leakage(table)
