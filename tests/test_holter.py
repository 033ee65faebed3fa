"""The Holter summary (sktlft.holter) and its one-page figure."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from sktlft._output import json_text
from sktlft.holter import holter_summary
from sktlft.plotting import plot_holter_summary


def _recording():
    """Two hours at 60 bpm, then ectopy: a V couplet, a V run of 5, S triplet, a pause,
    a 30 s gap."""
    labels = np.array(["N"] * 8000)
    times = np.arange(8000, dtype=float)  # 1 s apart: 60 bpm
    labels[[100, 101]] = "V"                 # couplet
    labels[200:205] = "V"                    # run of 5
    labels[300:303] = "S"                    # triplet (a run of 3)
    labels[400] = "S"                        # isolated
    times[5001:] += 2.5                      # a 3.5 s pause after beat 5000
    times[7001:] += 29.0                     # a 30 s gap after beat 7000
    return times, labels


def test_summary_counts_burden_runs_pauses():
    times, labels = _recording()
    s = holter_summary(times, labels, start=dt.time(23, 30))
    assert s["counts"] == {"N": 7989, "S": 4, "V": 7, "F": 0, "Q": 0}
    assert s["burden"]["V"] == pytest.approx(100 * 7 / 8000)
    v, sv = s["ectopy"]["V"], s["ectopy"]["S"]
    assert v["couplets"] == {"count": 1, "onsets_s": [100.0]}
    assert [(r["onset_s"], r["n_beats"], r["rate_bpm"]) for r in v["runs"]] == [(200.0, 5, 60.0)]
    assert v["isolated"] == 0 and v["triplets"] == 0
    assert sv["triplets"] == 1 and sv["isolated"] == 1 and sv["runs"][0]["n_beats"] == 3
    assert sv["runs"][0]["clock"] == "23:35:00"  # 300 s after 23:30
    # the pause counts; the 30 s gap is not a pause and not in the heart rate
    assert s["pauses"]["count"] == 1
    assert s["pauses"]["longest"] == {"onset_s": 5000.0, "duration_s": 3.5,
                                      "clock": "00:53:20"}
    assert s["gaps"]["count"] == 1 and s["gaps"]["list"][0]["duration_s"] == 30.0
    assert s["heart_rate"]["max_bpm"] == pytest.approx(60.0)
    assert 50 < s["heart_rate"]["min_bpm"] < 60  # the minute of the pause
    assert len(s["hours"]) == 3 and [h["clock"] for h in s["hours"]] == [
        "23:30:00", "00:30:00", "01:30:00"]
    assert [h["n_beats"] for h in s["hours"]] == [3600, 3569, 831]
    assert s["hours"][0]["hr_mean"] == pytest.approx(60.0)


def test_summary_is_strict_json_and_the_figure_draws(tmp_path):
    times, labels = _recording()
    s = holter_summary(times[:3], labels[:3])  # too short for any full minute: nan
    assert np.isnan(s["heart_rate"]["min_bpm"])
    text = json_text(s)
    assert "NaN" not in text and json.loads(text)["heart_rate"]["min_bpm"] is None
    fig = plot_holter_summary(holter_summary(times, labels), title="test")
    path = tmp_path / "s.png"
    fig.savefig(path, dpi=60)
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    plt.close(fig)
    img = mpimg.imread(path)
    assert img.shape[0] > img.shape[1] > 300 and img[..., :3].std() > 0.05


@pytest.mark.parametrize("kwargs, match", [
    ({"times": [2.0, 1.0], "labels": ["N", "N"]}, "ascending"),
    ({"times": [1.0, 2.0], "labels": ["N"]}, "one length"),
    ({"times": [1.0], "labels": ["N"], "pause": 0}, "pause must be a positive"),
])
def test_summary_refuses_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        holter_summary(**kwargs)
