"""
Quick start: the network and the baseline, scored patient-wise
==============================================================

Load the real MIT-BIH excerpt that ships with sktlft, build the TLFT pipeline
(beat segmentation, Fourier images of the beat and of its difference from the
patient's typical beat, a ResNet-18 that also reads the beat's rhythm) and score
it with :func:`sktlft.evaluation.evaluate`: a patient-grouped 3-fold
cross-validation, so that no patient has beats on both sides. The classic
baseline, :func:`~sktlft.pipeline.make_baseline_pipeline` (a linear discriminant
on the rhythm features), is scored the same way beside it.
"""

# %%
# The data
# --------
# One row per beat: the window around its R peak, its AAMI class, its patient,
# its 16 rhythm features (12 classic ones, 4 of prematurity) and its record's median
# beat (the patient's reference).
import numpy as np

from sktlft import make_tlft_pipeline
from sktlft.datasets import DS1, DS2, load_mitbih_sample
from sktlft.evaluation import evaluate
from sktlft.metrics import format_report
from sktlft.pipeline import make_baseline_pipeline
from sktlft.plotting import plot_example_images

ds = load_mitbih_sample()
print(ds.data.shape, ds.rr.shape, ds.reference.shape)
print({c: int((ds.target == c).sum()) for c in "NSVF"}, "patients:", np.unique(ds.groups))

# %%
# ``ds.inputs()`` is what the estimators take: a :class:`skorch.helper.SliceDict`
# of the beats, the rhythm features and the reference, which scikit-learn
# indexes like an array (``X[train]`` selects the same beats of all three).
X = ds.inputs()
print(type(X).__name__, {key: value.shape for key, value in X.items()})

# %%
# The network, patient-wise
# -------------------------
# Small images, two epochs of small batches, at most 300 beats of a class per epoch
# (``resnet__max_per_class``: class-capped epochs) and random initial weights
# (``resnet__weights=None``) keep this example fast; leave the defaults
# (``make_tlft_pipeline()``, with torchvision's ImageNet weights) for real use.
# :func:`~sktlft.evaluation.evaluate` clones the pipeline for every fold and feeds
# it ``ds.inputs()``.
pipe = make_tlft_pipeline(
    fourier__image_size=32,
    resnet__input_size=32,
    resnet__max_epochs=2,
    resnet__max_per_class=300,
    resnet__batch_size=32,
    resnet__weights=None,
    resnet__random_state=0,
    resnet__verbose=0,
)
report = evaluate(pipe, ds, cv=3)
print(format_report(report.pooled))
for i, fold in enumerate(report.folds, 1):
    print(f"fold {i}: test patients {fold['test_patients']}, "
          f"macro F1 {fold['report']['macro_f1']:.3f}, fit {fold['fit_time_s']:.1f} s")

# %%
fig = report.plot_confusion_matrix()

# %%
# The baseline, the same way
# --------------------------
# A shrinkage linear discriminant on the logarithms of the rhythm features,
# with equal class priors: it trains in a fraction of a second.
baseline = evaluate(make_baseline_pipeline(), ds, cv=3)
print(format_report(baseline.pooled))

# %%
# An external test set
# --------------------
# With ``test=``, one clone is fitted on all of ``dataset`` and scored on another
# set of patients: here the sample's DS1 records train and its DS2 records test.
# With the full databases, ``evaluate(pipe, fetch_mitbih(home, records="DS1"),
# test=fetch_svdb(home))`` scores a model trained on MIT-BIH on the
# Supraventricular Arrhythmia Database.
train = ds.subset(np.isin(ds.record, DS1))
test = ds.subset(np.isin(ds.record, DS2))
external = evaluate(make_baseline_pipeline(), train, test=test)
print(f"trained on {len(train.target)} beats of records {train.records}, "
      f"tested on {len(test.target)} beats of records {test.records}")
print(format_report(external.pooled))

# %%
# What the network sees
# ---------------------
# The Fourier images of a few beats of each class, made by the pipeline's first
# two steps: one row per class and channel (the beat's image, and the image of
# the beat minus the patient's typical beat).
fig = plot_example_images(pipe, ds)
