"""Figures: what each one shows, checked on the figure's artists."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from sktlft.plotting import (
    plot_confusion_matrix,
    plot_leakage,
    plot_spectrogram_grid,
    plot_training_history,
)

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _save(fig, path):
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 1000
    return path


@pytest.fixture(scope="module")
def fourier_images(balanced):
    """Fourier images (32 x 32) of 5 real beats per class, and the fitted transformer."""
    from sktlft import BeatSegmenter, FourierImageTransformer

    sub = balanced(5)
    beats = BeatSegmenter(target_fs=120.0, inputs=("image",)).fit_transform(sub.data)
    fourier = FourierImageTransformer(fs=120.0, n_fft=64, fmax=40.0, image_size=32).fit(beats)
    return fourier.transform(beats), sub.target, fourier


def test_confusion_matrix_cells(tmp_path):
    y_true = list("NNNNNNSSVVVF")
    y_pred = list("NNNNNSSNVVNF")
    cm = np.array([[5, 1, 0, 0], [1, 1, 0, 0], [1, 0, 2, 0], [0, 0, 0, 1]])
    share = cm / cm.sum(axis=1, keepdims=True)
    fig = plot_confusion_matrix(y_true, y_pred, title="3 folds")
    _save(fig, tmp_path / "cm.png")
    ax, cbar = fig.axes
    # rows are the reference, in the AAMI order; every cell holds its count and row %
    assert [t.get_text() for t in ax.get_yticklabels()] == list("NSVF")
    assert [t.get_text() for t in ax.get_xticklabels()] == list("NSVF")
    assert ax.get_ylabel() == "reference class" and ax.get_xlabel() == "predicted class"
    assert ax.get_title() == "3 folds"
    cells = np.array([t.get_text().split("\n") for t in ax.texts]).reshape(4, 4, 2)
    assert (cells[..., 0].astype(int) == cm).all()
    assert (cells[..., 1] == [[f"{100 * v:.0f}%" for v in row] for row in share]).all()
    # coloured by the share of the row, Blues, with dark cells written in white
    image = ax.images[0]
    assert np.allclose(image.get_array(), share) and image.get_cmap().name == "Blues"
    assert image.get_clim() == (0, 1) and cbar.get_ylabel() == "share of the row"
    assert to_rgba(ax.texts[0].get_color()) == to_rgba("white")  # N->N, 83 %
    assert to_rgba(ax.texts[1].get_color()) == to_rgba("black")  # N->S, 17 %

    fig = plot_confusion_matrix(y_true, y_pred, labels=["V", "N"], normalize=False)
    ax, cbar = fig.axes
    assert np.array_equal(ax.images[0].get_array(), [[2, 1], [0, 5]])
    assert [t.get_text() for t in ax.texts] == ["2\n67%", "1\n33%", "0\n0%", "5\n100%"]
    assert cbar.get_ylabel() == "beats" and ax.get_title() == "Confusion matrix (row %)"


def test_spectrogram_grid_in_db(fourier_images, tmp_path):
    images, y, fourier = fourier_images
    assert images.dtype == np.float32 and 0 <= images.min() and images.max() <= 1
    fig = plot_spectrogram_grid(images, y, n_per_class=3, frequencies=fourier.frequencies_,
                                times=fourier.times_, top_db=60.0, random_state=1)
    _save(fig, tmp_path / "spectrograms.png")
    assert len(fig.axes) == 4 * 3 + 1  # one per image, and the colour bar
    grid, cbar = np.array(fig.axes[:-1]).reshape(4, 3), fig.axes[-1]
    assert cbar.get_ylabel().startswith("dB")
    assert cbar.get_ylim() == pytest.approx((-60.0, 0.0))
    # time under every column of the bottom row, frequency on the first column only
    assert [ax.get_xlabel() for ax in grid[-1]] == ["time (s)"] * 3
    assert all(ax.get_xlabel() == "" for ax in grid[:-1].flat)
    assert [ax.get_ylabel() for ax in grid[:, 0]] == [f"{c}\nfrequency (Hz)" for c in "NSVF"]
    assert all(ax.get_ylabel() == "" for ax in grid[:, 1:].flat)
    # each panel is an image of its row's class, in dB: pixel 1 -> 0 dB, 0 -> -60 dB
    for r, c in enumerate("NSVF"):
        for ax in grid[r]:
            shown = np.asarray(ax.collections[0].get_array()).reshape(32, 32)
            match = [i for i in np.flatnonzero(y == c)
                     if np.allclose(shown, (images[i, 0] - 1) * 60.0, atol=1e-4)]
            assert len(match) == 1
    assert grid[0, 0].get_xlim()[1] == pytest.approx(fourier.times_[-1], rel=0.05)

    # uint8 images: divided by 255 first, the same dB
    fig8 = plot_spectrogram_grid(np.round(images * 255).astype(np.uint8), y, n_per_class=3,
                                 top_db=60.0, random_state=1)
    a = np.asarray(fig.axes[0].collections[0].get_array()).ravel()
    b = np.asarray(fig8.axes[0].images[0].get_array()).ravel()
    assert np.allclose(a, b, atol=60 / 255)
    assert fig8.axes[-1].get_ylabel().startswith("dB")
    assert [ax.get_xlabel() for ax in fig8.axes[9:12]] == ["time"] * 3


def test_spectrogram_grid_standardised_and_channels(fourier_images):
    images, y, _ = fourier_images
    scaled = (images - images.mean()) / images.std()
    # two channels: each class gets a row per channel, the same beat in each column
    two = np.concatenate([scaled, np.full_like(scaled, 100.0)], axis=1)
    fig = plot_spectrogram_grid(two, y, n_per_class=2, classes=["V", "N"])
    assert len(fig.axes) == 2 * 2 * 2 + 1
    cbar = fig.axes[-1]
    assert cbar.get_ylabel() == "scaled value"
    assert cbar.get_ylim()[1] == pytest.approx(100.0)  # the colour scale spans the data
    shown = np.asarray(fig.axes[0].images[0].get_array())
    beat = next(i for i in np.flatnonzero(y == "V") if np.allclose(shown, scaled[i, 0]))
    assert np.allclose(fig.axes[2].images[0].get_array(), two[beat, 1])  # the row below
    assert [fig.axes[r * 2].get_ylabel() for r in range(4)] == [
        "V: channel 0\nfrequency", "V: channel 1\nfrequency", "N: channel 0\nfrequency",
        "N: channel 1\nfrequency"]
    with pytest.raises(ValueError, match="channels names 1 channels, but the images have 2"):
        plot_spectrogram_grid(two, y, channels=["image"])


def test_spectrogram_grid_log_frequencies():
    f = np.geomspace(0.5, 180.0, 16)
    t = np.linspace(0.05, 2.35, 16)
    fig = plot_spectrogram_grid(np.random.default_rng(0).random((2, 1, 16, 16)), ["N", "N"],
                                n_per_class=2, frequencies=f, times=t)
    assert all(ax.get_yscale() == "log" for ax in fig.axes[:-1])
    with pytest.raises(ValueError, match="frequencies and times"):
        plot_spectrogram_grid(np.zeros((2, 1, 16, 8)), ["N", "N"], frequencies=f, times=t)


def _skorch_history(n_epochs, scores=True):
    from skorch.history import History

    h = History()
    for e in range(1, n_epochs + 1):
        h.new_epoch()
        h.record("epoch", e)
        h.record("train_loss", 1.0 / e)
        h.record("train_loss_best", True)
        h.record("valid_loss", 1.2 / e)
        h.record("valid_loss_best", True)
        h.record("valid_batch_count", 3)
        if scores:
            h.record("valid_macro_f1", 0.3 + 0.1 * e)
            h.record("valid_macro_f1_best", True)
    return h


def test_training_history_scores(tmp_path):
    fig = plot_training_history({"fold 1": _skorch_history(4), "fold 2": _skorch_history(3)})
    _save(fig, tmp_path / "history.png")
    ax, ax2 = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"fold 1 train", "fold 1 valid", "fold 2 train", "fold 2 valid"}
    assert lines["fold 1 valid"].get_linestyle() == "--"
    assert np.allclose(lines["fold 1 valid"].get_ydata(), [1.2 / e for e in range(1, 5)])
    # the validation score on a second y axis; *_best flags and batch counts are not plotted
    scores = {line.get_label(): line for line in ax2.get_lines()}
    assert set(scores) == {"fold 1 macro_f1", "fold 2 macro_f1"}
    assert np.allclose(scores["fold 2 macro_f1"].get_ydata(), [0.4, 0.5, 0.6])
    assert list(scores["fold 2 macro_f1"].get_xdata()) == [1, 2, 3]
    assert ax2.get_ylabel() == "validation macro_f1"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "fold 1 macro_f1" in legend and "fold 1 train" in legend

    # losses only: one axes, no second one
    fig = plot_training_history(_skorch_history(2, scores=False))
    assert len(fig.axes) == 1
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["model train",
                                                                      "model valid"]


def test_leakage_bars(tmp_path):
    table = {"random beat-level": {"f1_N": 0.9, "f1_V": 0.8, "macro_f1": 0.85},
             "patient-grouped": {"f1_N": 0.8, "f1_V": 0.3, "macro_f1": 0.55}}
    fig = plot_leakage(table, classes="NV")
    _save(fig, tmp_path / "leakage.png")
    ax = fig.axes[0]
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [90, 80, 85, 80, 30, 55]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["F1 N", "F1 V", "F1 macro"]


def test_example_images_show_every_channel_the_network_sees(sample, tmp_path):
    # the report's spectrograms showed the beat's image alone, not the second channel
    # (the beat minus the patient's typical beat)
    from sktlft import make_tlft_pipeline
    from sktlft.plotting import plot_example_images

    pipe = make_tlft_pipeline(resnet__weights=None, fourier__image_size=32)
    fig = plot_example_images(pipe, sample, n_per_class=3)
    _save(fig, tmp_path / "spectrograms.png")
    cells, cbar = fig.axes[:-1], fig.axes[-1]
    assert len(cells) == 4 * 2 * 3 and cbar.get_ylabel().startswith("dB")
    assert [cells[r * 3].get_ylabel().split("\n")[0] for r in range(8)] == [
        f"{c}: {name}" for c in "NSVF" for name in ("image", "difference_image")]
    # each channel's row shows that channel: not the same image twice
    for r in range(0, 8, 2):
        a, b = (np.asarray(cells[(r + k) * 3].collections[0].get_array()) for k in (0, 1))
        assert a.shape == b.shape == (32, 32) and not np.allclose(a, b)
    assert fig._suptitle.get_text().endswith("one row per AAMI class and channel")
    # one image input: one row per class, as before
    fig = plot_example_images(make_tlft_pipeline("morphology", resnet__weights=None,
                                                 fourier__image_size=32), sample, n_per_class=3)
    assert len(fig.axes) == 4 * 3 + 1 and fig.axes[0].get_ylabel().startswith("N: image\n")


def test_example_beats_show_the_waveforms_a_1d_network_reads(sample, tmp_path):
    # a network reading waveforms only made `sktlft evaluate` fail (KeyError 'images')
    # when it drew the report's spectrograms
    from sktlft import make_tlft_pipeline
    from sktlft.pipeline import fourier_of, segmenter_of
    from sktlft.plotting import example_figures, plot_example_beats, plot_example_images

    pipe = make_tlft_pipeline(inputs=("waveform", "difference_waveform", "rhythm"),
                              resnet__module="cnn1d")
    fig = plot_example_beats(pipe, sample, n_per_class=2)
    _save(fig, tmp_path / "beats.png")
    assert len(fig.axes) == 2 * 4
    assert [fig.axes[4 * r].get_ylabel() for r in range(2)] == ["waveform",
                                                                 "difference_waveform"]
    assert [ax.get_title() for ax in fig.axes[:4]] == [f"{c} (2 beats)" for c in "NSVF"]
    # each panel draws its class's beats as the network reads them, R peak at 0 s
    lines = fig.axes[2].get_lines()[:2]  # V, waveform
    seg = segmenter_of(pipe).fit(sample.inputs())
    t = lines[0].get_xdata()
    assert len(t) == seg.n_beat_ and abs(t[0] + pipe.get_params()["segment__before"]) < 1e-9
    beats = fourier_of(pipe).fit_transform(seg.transform(sample.inputs()))["waveform"][:, 0]
    assert any(np.allclose(lines[0].get_ydata(), b) for b in beats[sample.target == "V"])
    with pytest.raises(ValueError, match="inputs hold an image"):
        plot_example_images(pipe, sample)
    assert sorted(example_figures(pipe, sample)) == ["beats.png"]
    images = make_tlft_pipeline(resnet__weights=None, fourier__image_size=32)
    with pytest.raises(ValueError, match="inputs hold a waveform"):
        plot_example_beats(images, sample)
    assert sorted(example_figures(images, sample)) == ["spectrograms.png"]
    both = make_tlft_pipeline(resnet__weights=None, fourier__image_size=32,
                              inputs=("image", "waveform"))
    assert sorted(example_figures(both, sample)) == ["beats.png", "spectrograms.png"]
    assert example_figures(None, sample) == {}
    # a pipeline without a Fourier step: the segmenter's waveforms straight to the network
    from sklearn.pipeline import Pipeline

    from sktlft.models import BeatClassifier

    bare = Pipeline([("segment", segmenter_of(pipe)), ("net", BeatClassifier(module="cnn1d"))])
    assert len(plot_example_beats(bare, sample, n_per_class=1).axes) == 2 * 4
