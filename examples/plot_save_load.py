"""
Saving and loading models
=========================

:func:`sktlft.persistence.save_model` writes a fitted model as a ``.sktlft`` file:
a JSON description of the estimators (their classes, parameters and fitted
attributes) and the arrays, network weights included, in safetensors format.
:func:`~sktlft.persistence.load_model` builds the model back from it without
running any code from the file, and refuses classes sktlft does not know, altered
files and files of another format, each with a clear message. A model trained on
a GPU loads and predicts on a CPU-only machine.

A fitted pipeline is also an ordinary scikit-learn object that ``joblib.dump``
pickles, but loading a pickle runs whatever code it holds: ``load_model`` takes
one only when told the file is trusted.

The fitted pipeline describes itself: which leads and window it reads, at which
rate, and which inputs its network takes, so that
:func:`~sktlft.annotate.annotate_record` can build them from a new record.
"""

# %%
import shutil
import tempfile
from pathlib import Path

import joblib
import numpy as np

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.persistence import ModelFileError, load_model, save_model

ds = load_mitbih_sample()
X = ds.inputs()  # beats, rhythm features and the patient's reference beat
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=1, resnet__max_per_class=200,
                          resnet__weights=None, resnet__random_state=0, resnet__verbose=0)
pipe.fit(X, ds.target)
proba = pipe.predict_proba(X[:100])

work = Path(tempfile.mkdtemp())
path = save_model(pipe, work / "model.sktlft", config={"trained_on": "bundled sample"})
model, info = load_model(path)
print(path.name, f"{path.stat().st_size / 1e6:.1f} MB", info)
print("same probabilities:", np.allclose(model.predict_proba(X[:100]), proba, atol=1e-6))

# %%
# A pickle is refused unless it is trusted:
joblib.dump(pipe, work / "plain.joblib")
try:
    load_model(work / "plain.joblib")
except ModelFileError as exc:
    print("refused:", exc)
model_from_pickle, _ = load_model(work / "plain.joblib", trust_pickle=True)

# %%
# What the fitted pipeline knows about its input:
segment, fourier, resnet = (step for _, step in model.steps)
print("leads", segment.leads, "| window", segment.window_, "s at", segment.fs, "Hz",
      "| beats resampled to", segment.output_fs_, "Hz")
print("inputs", segment.inputs_, "| image channels", fourier.image_inputs_,
      "| shapes seen in fit", resnet.input_shapes_, "| classes", resnet.classes_)

# %%
# The temporary folder goes: an example leaves nothing behind.
shutil.rmtree(work)
