"""
Tuning with GridSearchCV and GroupKFold
=======================================

Every parameter of the pipeline is a scikit-learn parameter in ``step__param``
form, so ``GridSearchCV`` tunes the Fourier images and the network together.
The folds are grouped by patient, and the groups can also reach a validation
split inside the network (``resnet__groups``) without leaking patients.
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
X, y, groups = ds.data[idx], ds.target[idx], ds.groups[idx]

pipe = make_tlft_pipeline(fourier__image_size=32, resnet__input_size=32,
                          resnet__max_epochs=1, resnet__weights=None,
                          resnet__random_state=0, resnet__verbose=0)
grid = GridSearchCV(
    pipe,
    {"fourier__n_fft": [32, 64], "resnet__lr": [1e-3, 3e-3]},
    cv=GroupKFold(3),
    scoring=aami_scorers(),
    refit="macro_f1",
)
grid.fit(X, y, groups=groups)
print("best:", grid.best_params_, f"macro F1 {grid.best_score_:.3f}")
for params, score in zip(grid.cv_results_["params"], grid.cv_results_["mean_test_macro_f1"]):
    print(params, f"{score:.3f}")
