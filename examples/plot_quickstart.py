"""
Quick start: patient-wise cross-validation on the bundled sample
================================================================

Load the real MIT-BIH excerpt that ships with sktlft, build the TLFT pipeline
(beat segmentation, Fourier images, ResNet-18) and score it with a
patient-grouped 3-fold cross-validation: no patient has beats on both sides.
"""

# %%
import numpy as np
from sklearn.model_selection import GroupKFold, cross_val_predict

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.metrics import aami_report, format_report
from sktlft.plotting import plot_confusion_matrix

ds = load_mitbih_sample()
print(ds.data.shape, {c: int((ds.target == c).sum()) for c in "NSVF"})
print("patients:", np.unique(ds.groups))

# %%
# Small images and two epochs keep this example fast. ``resnet__weights=None``
# trains from random weights; on a machine with internet, leave the default
# (``"IMAGENET1K_V1"``) to fine-tune torchvision's ImageNet weights.
pipe = make_tlft_pipeline(
    fourier__image_size=32,
    resnet__input_size=32,
    resnet__max_epochs=2,
    resnet__weights=None,
    resnet__random_state=0,
)
pred = cross_val_predict(pipe, ds.data, ds.target, groups=ds.groups, cv=GroupKFold(3))
print(format_report(aami_report(ds.target, pred)))

# %%
fig = plot_confusion_matrix(ds.target, pred, title="3-fold patient-grouped CV")
