"""
Saving and loading models
=========================

A fitted pipeline is an ordinary scikit-learn object: ``joblib.dump`` and
``joblib.load`` work. :func:`sktlft.persistence.save_model` adds the sktlft
version and the training configuration, and :func:`~sktlft.persistence.load_model`
refuses a file saved by an incompatible version with a clear message. A model
trained on a GPU loads and predicts on a CPU-only machine.
"""

# %%
import tempfile
from pathlib import Path

import joblib
import numpy as np

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.persistence import load_model, save_model

ds = load_mitbih_sample()
pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=1, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
pipe.fit(ds.data, ds.target)
proba = pipe.predict_proba(ds.data[:100])

work = Path(tempfile.mkdtemp())
joblib.dump(pipe, work / "plain.joblib")
assert np.array_equal(joblib.load(work / "plain.joblib").predict_proba(ds.data[:100]), proba)

save_model(pipe, work / "model.joblib", config={"trained_on": "bundled sample"})
model, info = load_model(work / "model.joblib")
print(info["sktlft_version"], info["created"], info["config"])
assert np.array_equal(model.predict_proba(ds.data[:100]), proba)
