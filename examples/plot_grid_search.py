"""
Tuning with GridSearchCV and GroupKFold
=======================================

Every parameter of the pipeline is a scikit-learn parameter in ``step__param``
form, so ``GridSearchCV`` tunes the Fourier images and the network together, on
the inputs of :meth:`~sktlft.datasets.BeatDataset.inputs` (a
:class:`skorch.helper.SliceDict`, which scikit-learn splits like an array). What
the network sees is one of them, ``segment__inputs``: here the grid compares the
ways the patient's reference beat can reach the network: not at all, as a second
image channel, as the image of the beat minus the reference, and that with a 1-D
branch on the beat's samples (and their difference from the reference) beside the
image branch. The folds are grouped by patient.
"""

# %%
import numpy as np
from sklearn.model_selection import GridSearchCV, GroupKFold

from sktlft import make_tlft_pipeline
from sktlft.datasets import load_mitbih_sample
from sktlft.metrics import aami_scorers

ds = load_mitbih_sample()
rng = np.random.default_rng(0)
# a class-balanced subset keeps the example fast
idx = np.sort(np.concatenate([rng.choice(np.flatnonzero(ds.target == c), 80, replace=False)
                              for c in "NSVF"]))
small = ds.subset(idx)
X, y, groups = small.inputs(), small.target, small.groups

pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=2, resnet__batch_size=32, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
grid = GridSearchCV(
    pipe,
    # the inputs the network sees are one parameter, chosen like any other
    {"segment__inputs": [("image", "rhythm"),
                         ("image", "reference_image", "rhythm"),
                         ("image", "difference_image", "rhythm"),
                         ("image", "difference_image", "rhythm", "waveform",
                          "difference_waveform")]},
    cv=GroupKFold(3),
    scoring=aami_scorers(),
    refit="macro_f1",
)
grid.fit(X, y, groups=groups)
print("best:", grid.best_params_, f"macro F1 {grid.best_score_:.3f}")
for params, f1, f1_nsv in zip(grid.cv_results_["params"],
                              grid.cv_results_["mean_test_macro_f1"],
                              grid.cv_results_["mean_test_macro_f1_nsv"]):
    print(params, f"macro F1 {f1:.3f}, N/S/V {f1_nsv:.3f}")

# %%
# The network can also keep an internal validation split, for early stopping
# for instance: it must be grouped by patient too. Pass a grouped split as
# ``resnet__train_split=ValidSplit(GroupKFold(5))`` and the patients as
# ``grid.fit(X, y, groups=groups, resnet__groups=groups)``; GridSearchCV subsets
# ``resnet__groups`` for each fold, so no patient leaks into early stopping.
