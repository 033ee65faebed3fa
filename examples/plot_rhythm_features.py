"""
Rhythm features: why S beats need the patient's own RR interval
================================================================

A supraventricular (S) beat often looks like a normal one: what gives it away is
its timing. It comes early (a short RR interval before it) and is followed by a
pause (a long RR interval after it). But "early" only means something against the
patient's own heart rate: 0.6 s between two beats is premature for a patient at
60 beats per minute and normal at 100.

Every loader of :mod:`sktlft.datasets` gives each beat 12 rhythm features
(``ds.rr``, columns ``ds.rr_names``, from :func:`~sktlft.datasets.rr_features`),
computed from all the beats of its record. The ``*_norm`` ones are divided by the
record's mean RR interval, the patient's own rhythm. Below, the RR intervals
before and after each beat of the bundled sample, in seconds (left) and relative
to the patient's mean (right).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sktlft.datasets import RR_FEATURE_NAMES, load_mitbih_sample

ds = load_mitbih_sample()
print(ds.rr.shape, RR_FEATURE_NAMES)


def column(name):
    return ds.rr[:, ds.rr_names.index(name)]


style = {"N": ("0.6", 6, 0.35), "S": ("C0", 14, 0.8), "V": ("C3", 14, 0.8)}
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), layout="constrained")
for ax, (x, y, unit) in zip(axes, [("pre_rr", "post_rr", "s"),
                                   ("pre_rr_norm", "post_rr_norm", "x patient's mean RR")]):
    for c, (color, size, alpha) in style.items():
        m = ds.target == c
        ax.scatter(column(x)[m], column(y)[m], s=size, c=color, alpha=alpha, lw=0,
                   label=f"{c} ({m.sum()} beats)")
    ax.set_xlabel(f"RR before the beat ({unit})")
    ax.set_ylabel(f"RR after the beat ({unit})")
    ax.set_title(f"{x} vs {y}")
    ax.grid(alpha=0.3)
axes[1].axvline(1, color="k", lw=0.8, ls="--")
axes[1].axhline(1, color="k", lw=0.8, ls="--")
axes[0].legend(loc="upper right", fontsize=8)
fig.suptitle("Rhythm of the N, S and V beats of the bundled sample (nine patients)")

# %%
# In seconds (left), the premature S beats of a slow heart overlap the normal
# beats of a fast one. Relative to each patient's mean RR (right), normal beats
# gather around (1, 1) and S beats move to the left of 1: early *for this
# patient*. Many V beats are followed by a compensatory pause (above 1); S beats
# in runs (records 209 and 232) are short on both sides. Per class, the median of
# each:
for c in "NSV":
    m = ds.target == c
    print(c, {name: round(float(np.median(column(name)[m])), 2)
              for name in ("pre_rr", "pre_rr_norm", "post_rr_norm", "pre_post_ratio")})

# %%
# What reaches the estimators
# ---------------------------
# ``ds.inputs()`` bundles the beat windows with the rhythm features and the
# patient's reference beat (the median beat of the record, no labels used) in a
# :class:`skorch.helper.SliceDict`, which scikit-learn indexes like an array.
# :func:`~sktlft.make_tlft_pipeline` passes ``rr`` to the network, which joins it
# to the pooled image features; :func:`~sktlft.pipeline.make_baseline_pipeline`
# feeds their logarithms to a linear discriminant. The reference, shown here for
# record 114 beside a few of its N and V beats, enters the default preset as a
# second image channel: the beat minus its patient's typical beat (right), flat for
# a normal beat, large for a V beat whatever the patient's own QRS looks like.
X = ds.inputs()
print({key: value.shape for key, value in X.items()})

rec = ds.subset(ds.record == "114")
t = (np.arange(rec.data.shape[-1]) - rec.center) / rec.fs
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", sharex=True)
for c, color in (("N", "0.55"), ("V", "C3")):
    for i in np.flatnonzero(rec.target == c)[:5]:
        axes[0].plot(t, rec.data[i, 0], color=color, lw=0.8, alpha=0.8)
        axes[1].plot(t, rec.data[i, 0] - rec.reference[i, 0], color=color, lw=0.8, alpha=0.8)
    axes[0].plot([], [], color=color, label=f"{c} beats")
axes[0].plot(t, rec.reference[0, 0], color="k", lw=2, label="reference (median beat)")
axes[0].set_title("Record 114: beats and the patient's reference")
axes[1].set_title("Beat minus reference")
axes[0].set_ylabel("MLII (mV)")
for ax in axes:
    ax.set_xlim(-0.4, 0.6)
    ax.set_xlabel("time from the R peak (s)")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
