"""Tests of BeatSegmenter and FourierImageTransformer."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sktlft import BeatSegmenter, FourierImageTransformer
from sktlft.datasets import RR_FEATURE_NAMES
from sktlft.preprocessing import BeatArray, MorphologyFeatures, RRFeatures

# n_features_in_ is the number of leads for every input, so 2-D input (n_beats,
# n_window) is one lead and n_features_in_ == 1, not X.shape[1] as scikit-learn's
# tabular check expects (issue 9, bug 5: one meaning for both input forms).
_ONE_LEAD = {check: "n_features_in_ counts leads: 2-D input is one lead"
             for check in ("check_n_features_in_after_fitting", "check_n_features_in")}


# sklearn's checks feed small tabular arrays (a few "samples" per row): the crop
# keeps the whole row and the filter is off so that any row length is valid. The
# filter and crop are tested on real beats below.
@parametrize_with_checks(
    [
        BeatSegmenter(fs=100.0, before=None, after=None, highpass=None, lowpass=None,
                      inputs=("image",)),  # (tabular arrays: the image alone)
        FourierImageTransformer(fs=100.0, n_fft=16, hop_length=1, fmax=None, image_size=32),
        MorphologyFeatures(fs=10.0, before=0.1, after=0.1, n_points=2, highpass=None,
                           lowpass=None),
    ],
    expected_failed_checks=lambda est: {
        **_ONE_LEAD,
        # a window of 1 sample cannot hold the 3-sample crop around its R peak
        **({"check_fit2d_1feature": "a 1-sample window is shorter than the crop"}
           if isinstance(est, MorphologyFeatures) else {}),
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_one_meaning_of_n_features_in_for_2d_and_3d_input(sample):
    # bug 5: fitted on 2-D input (one lead), the segmenter takes 3-D one-lead input
    seg = BeatSegmenter(target_fs=120, inputs=("image",)).fit(sample.data[:5, 0])
    assert seg.n_features_in_ == 1 and seg.n_window_in_ == 864
    np.testing.assert_array_equal(seg.transform(sample.data[:5]),
                                  seg.transform(sample.data[:5, 0]))
    with pytest.raises(ValueError, match="2 leads, but BeatSegmenter was fitted on 1"):
        seg.transform(np.repeat(sample.data[:5], 2, axis=1))
    assert seg.__sklearn_tags__().input_tags.three_d_array


def test_fourier_takes_its_rate_from_the_segmenter(sample):
    # bug 2: a segmenter at 240 Hz feeds the Fourier step 240 Hz beats
    beats = BeatSegmenter(target_fs=240, inputs=("image",)).fit_transform(sample.data[:20])
    assert beats.fs == 240.0
    ft = FourierImageTransformer(fmax=None, image_size=32).fit(beats)
    assert ft.fs_ == 240.0 and ft.frequencies_[-1] > 100  # up to the 120 Hz Nyquist rate
    with pytest.raises(ValueError, match=r"fs=120.*240"):
        FourierImageTransformer(fs=120, fmax=40).fit(beats)
    with pytest.raises(ValueError, match="plain array; pass fs"):
        FourierImageTransformer().fit(np.asarray(beats))
    from sktlft import make_tlft_pipeline

    pipe = make_tlft_pipeline(segment__target_fs=240, resnet__weights=None)
    assert pipe[:2].fit(sample.data[:20])[1].fs_ == 240.0


def test_the_data_carries_its_rate_and_a_step_at_another_rate_refuses_it(sample):
    # svdb read at its own 128 Hz (fs=None) and a segmenter left at 360 Hz: the beats were
    # filtered, cut and imaged as if at 360 Hz, with no error; now the rate travels with X
    from sktlft import make_tlft_pipeline
    from sktlft.datasets import beat_inputs
    from sktlft.pipeline import make_baseline_pipeline
    from sktlft.preprocessing import BeatArray, MorphologyFeatures

    X = sample.inputs()
    assert isinstance(X["beats"], BeatArray) and X["beats"].fs == sample.fs == 360.0
    assert X[np.arange(5)]["beats"].fs == 360.0 and X[:5]["beats"].r_index == 432
    assert np.shares_memory(X["beats"], sample.data)  # a view: no copy
    at128 = beat_inputs(sample.data[:50], sample.rr[:50], sample.reference[:50], fs=128)
    with pytest.raises(ValueError, match=r"X\['beats'\] is sampled at 128 Hz .* fs=360: set "
                       r"its fs to 128 \(segment__fs"):
        make_tlft_pipeline("waveform").fit(at128, sample.target[:50])
    with pytest.raises(ValueError, match=r"sampled at 128 Hz.*MorphologyFeatures has fs=360"
                       ) as err:
        make_baseline_pipeline(morphology=True).fit(at128, sample.target[:50])
    assert "segment__fs" not in str(err.value)  # not the segmenter's parameter there
    # the same beats said to be at 128 Hz are read as such
    seg = BeatSegmenter(fs=128, inputs=("image",)).fit(at128)
    assert seg.window_ == pytest.approx(864 / 128)
    # fitted at 360 Hz, it refuses 128 Hz beats at transform too; a plain array is taken
    # at the step's fs as before
    seg = BeatSegmenter(inputs=("image",)).fit(X)
    with pytest.raises(ValueError, match="sampled at 128 Hz"):
        seg.transform(at128)
    assert seg.transform(np.asarray(sample.data[:5])).shape[0] == 5
    assert MorphologyFeatures().fit(X).transform(X).shape[0] == len(sample.target)
    # fitted, a step names the rate it was fitted at, even after set_params(fs=...)
    seg.set_params(fs=128)
    with pytest.raises(ValueError, match="was fitted on beats at 360 Hz: give it beats at 360"):
        seg.transform(at128)
    ft = FourierImageTransformer(image_size=32).fit(BeatArray(sample.data[:20], fs=128.0))
    with pytest.raises(ValueError, match="fitted on beats at 128 Hz"):
        ft.transform(X[:20]["beats"])
    # samples cut or strided lose the rate and the R peak (they would be false)
    b = X["beats"]
    assert b[3:5].fs == 360.0 and b[:, 0].fs == 360.0 and b[..., :].fs == 360.0
    for cut in (b[..., ::3], b[:, :, 10:], b[..., 5], b[None]):
        assert type(cut) is np.ndarray
    assert BeatSegmenter(fs=120, inputs=("image",)).fit(b[..., ::3]).window_ == 2.4
    # beats of one rate stacked keep it, so the steps still check it; mixed rates do not
    both = np.concatenate([b[:5], at128["beats"][:5]])
    assert type(both) is np.ndarray
    stacked = np.concatenate([b[:5], b[-5:]])
    assert (stacked.fs, stacked.r_index, len(stacked)) == (360.0, 432, 10)
    assert type(np.concatenate([b[:5], b[:5]], axis=2)) is np.ndarray  # samples joined
    buf = np.empty((10, *b.shape[1:]), dtype=b.dtype)
    assert np.concatenate([b[:5], b[-5:]], 0, buf) is buf  # an out array returned as is
    # numpy's functions that change the samples axis give plain arrays too
    for changed in (np.repeat(b[:2], 2, axis=2), np.tile(b[:2], (1, 1, 2)),
                    np.sum(b[:2], axis=2), np.diff(b[:2], axis=-1), b[:2].mean(-1),
                    np.add.reduce(b[:2], axis=-1)):
        assert type(changed) is np.ndarray
    assert np.mean(b[:4], axis=0).fs == 360.0 and np.take(b, [0, 2], axis=0).fs == 360.0
    assert isinstance(np.sum(b[:2]), np.floating)
    with pytest.raises(ValueError, match="sampled at 360 Hz"):
        BeatSegmenter(fs=128, inputs=("image",)).fit(stacked)


def test_wrong_leads_and_missing_inputs_say_what_to_give(sample):
    # "leads=('MLII',) names 1 lead(s), but X has 2" named no way out; a dict of beats
    # alone was said to hold nothing ("it has )")
    X = sample.inputs()
    two = {"beats": BeatArray(np.concatenate([X["beats"]] * 2, axis=1), fs=360.0,
                              r_index=432), "rr": X["rr"], "reference": X["reference"]}
    with pytest.raises(ValueError, match=r"^leads=\('MLII',\) names 1 lead, but X has 2: name "
                       r"X's leads \(BeatDataset.leads; segment__leads in make_tlft_pipeline\)$"):
        BeatSegmenter(leads=("MLII",), inputs=("image",)).fit(two)
    seg = BeatSegmenter(inputs=("waveform", "difference_waveform")).fit(X)
    with pytest.raises(ValueError, match=r"need X\['reference'\], which X lacks \(it has beats\)"):
        seg.transform({"beats": X["beats"]})


def test_the_default_crop_fits_a_128_hz_window(sample):
    # 2.4 s at 128 Hz is 307 samples, 153 on each side of the R peak, and 1.2 s is 153.6:
    # a window short of the crop by less than a sample (rounding) is cropped from its edge
    from sktlft.preprocessing import BeatArray

    at128 = BeatArray(sample.data[:40, :, :307], fs=128.0, r_index=153)
    seg = BeatSegmenter(fs=128, before=1.2, after=1.2, inputs=("image",)).fit(at128)
    assert seg.transform(at128).shape == (40, 1, 307)
    with pytest.raises(ValueError, match="shorter than the crop"):  # a sample more is not
        BeatSegmenter(fs=128, before=1.21, after=1.2, inputs=("image",)).fit(at128)


def test_inputs_flow_through_segmenter_and_fourier(sample):
    from sktlft.datasets import log_rhythm

    X = sample.inputs()
    every = ("image", "reference_image", "difference_image", "waveform",
             "difference_waveform", "rhythm")
    seg = BeatSegmenter(target_fs=120, inputs=every).fit(X)
    out = seg.transform(X)
    assert list(out) == list(every) and seg.inputs_ == every
    np.testing.assert_array_equal(out["rhythm"], log_rhythm(sample.rr[:, :12]))
    # a plain array of beats: the segmented beats, and a warning that the default
    # inputs other than the image are not made (they were left out silently)
    with pytest.warns(UserWarning, match=r"^X is a plain array of beats: the inputs "
                      r"difference_image, rhythm need the rhythm features or the reference "
                      r"beat, which it lacks, so only image is made .* or set "
                      r"inputs=\('image',\)$"):
        plain = BeatSegmenter(target_fs=120).fit(sample.data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BeatSegmenter(target_fs=120, inputs=("image",)).fit(sample.data)
    beats = plain.transform(sample.data)  # a plain array: the segmented beats
    np.testing.assert_array_equal(out["image"], beats)
    np.testing.assert_array_equal(out["waveform"], beats)
    # a plain array gives the inputs made of the beats alone
    assert list(seg.transform(sample.data[:5])) == ["image", "waveform"]
    ref = plain.transform(np.asarray(sample.reference))
    np.testing.assert_array_equal(np.asarray(out["reference_image"]), ref)
    # each record's reference is segmented once, and shared by its beats
    assert len(out["reference_image"].rows) == 9
    np.testing.assert_allclose(out["difference_image"], beats - ref, atol=1e-6)
    np.testing.assert_array_equal(out["difference_waveform"], out["difference_image"])
    fourier = FourierImageTransformer(image_size=32, fmax=40)
    img = fourier.fit_transform(out)
    assert list(img) == ["images", "waveform", "difference_waveform", "rhythm"]
    assert img["images"].shape == (2083, 3, 32, 32) and fourier.n_channels_out_ == 3
    assert fourier.image_inputs_ == ("image", "reference_image", "difference_image")
    from sktlft.preprocessing import fourier_images

    by_hand = fourier_images(beats[:50] - ref[:50], 120.0, n_fft=128, fmax=40, image_size=32)
    np.testing.assert_allclose(img["images"][:50, 2:], by_hand, atol=1e-6)
    alone = FourierImageTransformer(image_size=32, fmax=40).fit_transform(beats)
    np.testing.assert_array_equal(img["images"][:, :1], alone)  # channel 0: the beat's image
    with pytest.raises(ValueError, match=r"image inputs \['image'\], but .* fitted on"):
        fourier.transform(beats)
    # the reference is the same for all beats of a record, so are its images
    m = sample.record == "208"
    assert np.ptp(img["images"][m, 1], axis=0).max() == 0
    # an input the data cannot give is named
    with pytest.raises(ValueError, match="need X\\['rr'\\]"):
        BeatSegmenter(inputs=("rhythm",)).fit({"beats": sample.data})
    with pytest.raises(ValueError, match="unknown input 'rythm'"):
        BeatSegmenter(inputs=("rythm",)).fit(X)
    with pytest.raises(ValueError, match="a plain array of beats gives none"):
        BeatSegmenter(inputs=("rhythm",)).fit(sample.data)


def test_reference_is_stored_once_per_record(sample):
    from sktlft.datasets import SharedRows

    ref = sample.reference
    assert isinstance(ref, SharedRows) and ref.rows.shape == (9, 1, 864)
    assert ref.nbytes < 60_000  # 9 beats and an index, not 2083 copies (7.2 MB)
    sub = sample.subset(sample.record == "208")
    assert sub.reference.shape == (len(sub.target), 1, 864)
    np.testing.assert_array_equal(np.asarray(sub.reference)[0], ref.rows[4])
    # scikit-learn's splitters and skorch's SliceDict index it like an array
    from sklearn.utils import _safe_indexing

    X = _safe_indexing(sample.inputs(), np.arange(10, 20))
    assert X["reference"].shape == (10, 1, 864) and isinstance(X["reference"], SharedRows)


def test_rr_and_morphology_features(sample):
    X = sample.inputs()
    rr = RRFeatures().fit(X)
    out = rr.transform(X)
    # the 12 classic columns by default; the prematurity ones by name
    np.testing.assert_allclose(out, np.log(np.maximum(sample.rr[:, :12], 1e-3)), rtol=1e-6)
    assert rr.get_feature_names_out()[0] == "log_" + RR_FEATURE_NAMES[0]
    both = RRFeatures(features=["pre_rr_norm", "prematurity", "nn_irregularity"]).fit(X)
    assert both.get_feature_names_out().tolist() == [
        "log_pre_rr_norm", "log_prematurity", "log_nn_irregularity"]
    np.testing.assert_allclose(both.transform(X)[:, 1], np.log(sample.rr[:, 12]), rtol=1e-6)
    with pytest.raises(ValueError, match="unknown rhythm features"):
        RRFeatures(features=["pre_rr", "qrs_width"]).fit(X)
    with pytest.raises(ValueError, match="without 'rr'"):
        RRFeatures().fit({"beats": sample.data[:5]})
    morph = MorphologyFeatures().fit(X)
    feats = morph.transform(X)
    assert feats.shape == (2083, 42) and np.isfinite(feats).all()
    # beat vs its patient's typical beat: V beats differ more than N beats
    corr = feats[:, 40]
    assert np.median(corr[sample.target == "V"]) < 0.7 < np.median(corr[sample.target == "N"])
    with pytest.raises(ValueError, match="fitted on 42"):
        morph.transform(sample.data)


def test_segment_shapes_and_crop(sample):
    seg = BeatSegmenter(before=0.25, after=0.45, target_fs=180)
    out = seg.fit_transform(sample.data)
    assert out.shape == (len(sample.data), 1, 126) and out.dtype == np.float32
    assert seg.n_beat_ == 126 and seg.output_fs_ == 180.0
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=-1), 1, atol=1e-3)
    # 2-D input is one lead
    assert seg.fit_transform(sample.data[:5, 0]).shape == (5, 1, 126)


def test_segment_filter_removes_baseline(sample):
    x = sample.data[:50].astype(np.float64)
    drift = 2.0 + np.linspace(-1, 1, x.shape[-1])  # offset and slow ramp, in mV
    seg = BeatSegmenter(highpass=0.5, lowpass=40, normalize="none", inputs=("image",)).fit(x)
    clean = seg.transform(x)
    dirty = seg.transform(x + drift)
    centre = slice(200, 664)  # away from the window's edges
    assert np.abs(dirty[..., centre] - clean[..., centre]).max() < 0.1
    # the R peak survives the filter in every beat: the largest deflection of each
    # window lies within 90 ms of its centre, and is at least 0.3 mV
    peak = np.abs(clean[:, 0, 200:664]).argmax(axis=1) + 200
    assert (np.abs(peak - 432) <= 32).mean() >= 0.96
    assert (np.abs(clean[:, 0, 400:464]).max(axis=1) > 0.3).all()


def test_segment_errors(sample):
    with pytest.raises(ValueError, match="shorter than the crop"):
        BeatSegmenter(before=2.0).fit(sample.data[:5])
    bad = sample.data[:5].copy()
    bad[2, 0, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        BeatSegmenter().fit(bad)
    with pytest.raises(ValueError, match=r"shape \(n_beats, n_leads, n_samples\).*got shape"):
        BeatSegmenter().fit(sample.data[:5, :, :, None])
    with pytest.raises(ValueError, match=r"lowpass=200.*Nyquist"):
        BeatSegmenter(lowpass=200).fit(sample.data[:5])
    with pytest.raises(ValueError, match="before"):
        BeatSegmenter(before=-1).fit(sample.data[:5])
    seg = BeatSegmenter(inputs=("image",)).fit(sample.data[:5])
    with pytest.raises(ValueError, match="fitted on beats of 864 samples"):
        seg.transform(sample.data[:5, :, :800])


def test_fourier_peak_at_tone_frequency():
    fs = 120.0
    t = np.arange(288) / fs
    X = np.stack([np.sin(2 * np.pi * f * t) for f in (5.0, 20.0, 35.0)])[:, None]
    for scale in ("linear", "log"):
        ft = FourierImageTransformer(fs=fs, n_fft=64, hop_length=4, fmax=40,
                                     freq_scale=scale, image_size=64)
        img = ft.fit_transform(X.astype(np.float32))
        rows = img[:, 0, :, 20:44].mean(axis=-1).argmax(axis=-1)
        got = ft.frequencies_[rows]
        np.testing.assert_allclose(got, [5, 20, 35], atol=2.5 if scale == "linear" else 3.5)
    assert np.all(np.diff(ft.frequencies_) > 0)


def test_fourier_range_dtype_and_scaling(sample):
    beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(sample.data[:200])
    ft = FourierImageTransformer(fs=120, n_fft=64, fmax=40, image_size=48)
    img = ft.fit_transform(beats)
    assert img.shape == (200, 1, 48, 48) and img.dtype == np.float32
    assert img.min() >= 0 and img.max() <= 1
    # every image reaches 1 (0 dB, its own maximum)
    np.testing.assert_allclose(img.reshape(200, -1).max(axis=1), 1.0, atol=1e-6)
    u8 = clone(ft).set_params(dtype="uint8").fit_transform(beats)
    assert u8.dtype == np.uint8
    np.testing.assert_allclose(u8 / 255.0, img, atol=0.5 / 255 + 1e-6)
    f16 = clone(ft).set_params(dtype="float16").fit_transform(beats)
    assert f16.dtype == np.float16
    # "standard" learns its statistics in fit from the training beats only
    std = clone(ft).set_params(scaling="standard").fit(beats[:100])
    np.testing.assert_allclose(std.mean_, img[:100].mean(), rtol=1e-4)
    out = std.transform(beats[100:])
    np.testing.assert_allclose(out, (img[100:] - std.mean_[0]) / std.scale_[0], atol=1e-4)


def test_fourier_errors(sample):
    beats = BeatSegmenter(inputs=("image",)).fit_transform(sample.data[:5])
    with pytest.raises(ValueError, match="image_size"):
        FourierImageTransformer(image_size=16).fit(beats)
    with pytest.raises(ValueError, match="fmax=500"):
        FourierImageTransformer(fmax=500).fit(beats)
    with pytest.raises(ValueError, match="uint8"):
        FourierImageTransformer(dtype="uint8", scaling="standard").fit(beats)
    with pytest.raises(ValueError, match="frequency bin"):
        FourierImageTransformer(n_fft=8, fmax=20).fit(beats)


@pytest.mark.parametrize("est", [BeatSegmenter(target_fs=120, inputs=("image",)),
                                 FourierImageTransformer(fs=360)])
def test_transform_leaves_input_and_estimator_alone_and_pickles(sample, est):
    X = sample.data[:64].copy()
    est.fit(X)
    state = pickle.dumps(est)
    X0 = X.copy()
    out = est.transform(X)
    np.testing.assert_array_equal(X, X0)
    assert pickle.dumps(est) == state
    again = pickle.loads(state).transform(X)
    np.testing.assert_array_equal(out, again)


def test_uint8_output_never_holds_float_images(sample):
    import tracemalloc

    beats = BeatSegmenter(highpass=0.25, lowpass=None, inputs=("image",)).fit_transform(
        sample.data[:400])
    ft = FourierImageTransformer(n_fft=512, hop_length=4, fmax=None, freq_scale="log",
                                 image_size=224, dtype="uint8", batch_size=64).fit(beats)
    tracemalloc.start()
    out = ft.transform(beats)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out.dtype == np.uint8 and out.nbytes == 400 * 224 * 224
    # numpy's share of the peak: the uint8 output plus one chunk, far below the
    # 80 MB that float32 images of these beats would take
    assert peak < out.nbytes + 30e6, peak


def test_lazy_images_are_the_eager_images_made_on_access(sample):
    from sktlft.preprocessing import FourierImages

    beats = BeatSegmenter(target_fs=120, inputs=("image",)).fit_transform(sample.data[:300])
    ft = FourierImageTransformer(fs=120, n_fft=64, fmax=40, image_size=32,
                                 scaling="standard").fit(beats)
    eager = ft.transform(beats)
    lazy = clone(ft).set_params(lazy=True).fit(beats).transform(beats)
    assert isinstance(lazy, FourierImages)
    assert lazy.shape == eager.shape and lazy.dtype == eager.dtype and len(lazy) == 300
    np.testing.assert_array_equal(np.asarray(lazy), eager)
    np.testing.assert_array_equal(lazy[7], eager[7])
    np.testing.assert_array_equal(lazy[np.int64(-1)], eager[-1])
    np.testing.assert_array_equal(lazy[10:20], eager[10:20])
    np.testing.assert_array_equal(lazy[[3, 1, 3]], eager[[3, 1, 3]])
    mask = np.arange(300) % 7 == 0
    np.testing.assert_array_equal(lazy[mask], eager[mask])
    np.testing.assert_array_equal(lazy[2:5, 0, :4], eager[2:5, 0, :4])
    np.testing.assert_array_equal(lazy[4, 0], eager[4, 0])
    assert np.asarray(lazy, dtype=np.float64).dtype == np.float64
    with pytest.raises(IndexError, match="300 beats"):
        lazy[300]
    assert "shape=(300, 1, 32, 32)" in repr(lazy)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(lazy))[5], eager[5])


def test_lazy_images_hold_the_beats_not_the_images(sample):
    import tracemalloc

    beats = BeatSegmenter(highpass=0.25, lowpass=None, inputs=("image",)).fit_transform(
        sample.data[:400])
    ft = FourierImageTransformer(n_fft=512, hop_length=4, fmax=None, freq_scale="log",
                                 image_size=224, dtype="uint8", lazy=True).fit(beats)
    tracemalloc.start()
    lazy = ft.transform(beats)
    batch = lazy[np.arange(0, 400, 20)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert batch.shape == (20, 1, 224, 224)
    # 400 images would be 20 MB; a lazy transform and one batch of 20 stay far below
    assert peak < 8e6, peak


def test_public_functions_check_their_parameters(sample):
    # as scikit-learn's @validate_params does: the error names the parameter
    from sktlft.datasets import extract_beats, record_beats, rr_features
    from sktlft.evaluation import evaluate
    from sktlft.pipeline import make_baseline_pipeline
    from sktlft.preprocessing import fourier_images, segment_beats

    beats = sample.data[:4]
    with pytest.raises(ValueError, match="'normalize' parameter of segment_beats"):
        segment_beats(beats, 360.0, normalize="zscroe")
    with pytest.raises(ValueError, match="'freq_scale' parameter of fourier_images"):
        fourier_images(np.zeros((2, 1, 288), np.float32), 120.0, freq_scale="logg")
    with pytest.raises(ValueError, match="'fs' parameter of rr_features"):
        rr_features(np.arange(0, 3600, 360), fs=-1)
    with pytest.raises(ValueError, match="'window' parameter of extract_beats"):
        extract_beats(np.zeros(1000), [500], fs=360, window=0)
    with pytest.raises(ValueError, match="'pad' parameter of record_beats"):
        record_beats({"name": "x"}, pad="zeros")
    with pytest.raises(ValueError, match="'keep_q' parameter of evaluate"):
        evaluate(make_baseline_pipeline(), sample, keep_q="yes")


def test_image_size_has_a_bound(sample):
    # fourier__image_size=2000 asked numpy for 62.1 GiB once the data were read
    from sklearn.utils._param_validation import InvalidParameterError

    from sktlft.preprocessing import fourier_images

    beats = BeatSegmenter(inputs=("image",)).fit_transform(sample.data[:4])
    for bad in (2000, 513, 31):
        with pytest.raises(InvalidParameterError, match=r"'image_size' parameter of "
                                                        r"FourierImageTransformer must be an "
                                                        r"int in the range \[32, 512\]"):
            FourierImageTransformer(image_size=bad).fit(beats)
        with pytest.raises(InvalidParameterError, match=r"in the range \[32, 512\]"):
            fourier_images(beats, 360.0, image_size=bad)
    assert FourierImageTransformer(image_size=512, fmax=None).fit_transform(
        beats).shape[-2:] == (512, 512)
