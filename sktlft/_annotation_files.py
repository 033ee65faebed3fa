"""The files ``sktlft predict`` writes: where they may go, and all of them together.

The annotation file (marked as sktlft's, so that only such files are ever replaced),
the csv of labels and probabilities, the Holter summary and the optional ECG strip.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._hints import option, warn
from ._output import ANNOTATION_MARK, foreign_annotation, unwritable, write_together
from .datasets._reader import DataNotFoundError, check_header_file
from .metrics import aami_labels

__all__ = ["check_extension", "check_out_folder", "plan_outputs", "write_outputs"]

#: Extensions the annotation file cannot take: the other outputs' and a record's own files.
_TAKEN_EXTENSIONS = {"csv": "the table of labels", "png": "the strip plot (--plot)", "hea":
                     "a WFDB header", "dat": "a WFDB signal file", "edf": "an EDF recording"}


def check_extension(extension: Any) -> None:
    """Refuse an annotation file extension that is not letters and digits, or that another
    output or a record's own file has (the csv table would replace the annotations)."""
    flag = option("extension", "--extension")
    if not isinstance(extension, str) or not extension.isalnum():
        raise ValueError(f"{flag} must be letters and digits, got {extension!r}")
    if (taken := _TAKEN_EXTENSIONS.get(extension.lower())) is not None:
        raise ValueError(f"{flag} {extension!r} is taken: <record>.{extension.lower()} is "
                         f"{taken}; choose another")


def check_out_folder(out: Path) -> None:
    """Refuse, before any work, an output folder that is a file, lies inside one, or
    cannot be written in (:func:`sktlft._output.unwritable`)."""
    flag = option("out", "--out")
    if out.exists() and not out.is_dir():
        raise ValueError(f"{flag} {out} is a file; {flag} must be a folder (created if "
                         "missing) to hold the annotation and csv files")
    why = unwritable(out / "x")  # a file in it: the folder itself may be new
    if why and "symbolic link" in why:
        raise ValueError(f"{flag} {out}: {why}; name a folder")
    if why and why.endswith("is a file, not a folder"):
        raise ValueError(f"{flag} {out}: {why}; {flag} must be a folder (created if missing)")
    if why:
        raise ValueError(f"{flag} {out}: {why}")
    # (realpath, not resolve: a link loop was said above, and resolve raises on one)
    package, real = Path(__file__).parent.resolve(), Path(os.path.realpath(out))
    if real == package or package in real.parents:
        raise ValueError(f"{flag} {out} is inside sktlft's own folder ({package}), whose "
                         "bundled records and model are not a place for labels; name a "
                         "folder of your own")


def plan_outputs(record: str | Path, out: str | Path, extension: str, plot: bool,
                 force: bool) -> tuple[Path, str, Path, dict[str, Path]]:
    """Check, before any work, the record (it must be there) and what ``predict`` would
    write where: the extension, the output folder, a reference annotation file it would
    replace (never) and files it would overwrite (only with ``force``). The record's path
    (without its WFDB extension), its name, the folder and the files, by kind."""
    check_extension(extension)
    path = Path(record)
    if path.suffix in (".hea", ".dat", ".atr"):
        path = path.with_suffix("")
    name = path.stem if path.suffix.lower() == ".edf" else path.name
    if path.suffix.lower() != ".edf":
        check_header_file(path, name)
    elif not path.is_file():
        raise DataNotFoundError(f"{record}: no such EDF file" if not path.is_dir() else
                                f"{record} is a folder; name an EDF file")
    out = Path(out)
    check_out_folder(out)
    files = {kind: out / f"{name}.{ext}" for kind, ext in
             (("ann", extension), ("csv", "csv"), ("png", "png"), ("json", "summary.json"),
              ("summary", "summary.png")) if plot or kind != "png"}
    if foreign_annotation(files["ann"]):
        raise FileExistsError(f"{files['ann']} exists and was not written by sktlft (a "
                              "reference annotation file?): it is never replaced, not even "
                              f"with {option('force=True', '--force')}; choose another "
                              f"{option('extension', '--extension')} or {option('out', '--out')}")
    existing = [f for f in files.values() if f.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; pass {option('force=True', '--force')} "
                              "to overwrite")
    strip = out / f"{name}.png"
    if existing and not plot and strip.is_file():  # not deleted: it may be the user's
        warn(f"{strip} is left from an earlier run with "
             f"{option('plot=True', '--plot')}: it does not show the new labels",
             UserWarning)
    return path, name, out, files


def write_outputs(out: Path, files: dict[str, Path], name: str, rec: Any, labels: np.ndarray,
                   proba: np.ndarray, classes: np.ndarray) -> None:
    """The annotation file, the csv (probabilities in AAMI order) and the picture, together."""
    import wfdb

    peaks = rec.peaks_record
    order = [list(classes).index(c) for c in aami_labels(classes)]

    def write_ann(tmp: Path) -> None:
        from . import __version__

        note = [f"{ANNOTATION_MARK} {__version__}"] + [""] * (len(peaks) - 1)
        wfdb.wrann(name, files["ann"].suffix[1:], peaks, symbol=[str(s) for s in labels],
                   aux_note=note, fs=rec.fs_record, write_dir=str(tmp))

    def write_csv(tmp: Path) -> None:
        from .datasets import SYMBOL_TO_AAMI

        with open(tmp / files["csv"].name, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["sample", "time_s", "label", *[f"p_{classes[j]}" for j in order],
                        *(["reference", "reference_class"] if rec.symbols is not None
                          else [])])
            for i in range(len(peaks)):
                row = [int(peaks[i]), f"{peaks[i] / rec.fs_record:.4f}", labels[i],
                       *[f"{proba[i, j]:.5f}" for j in order]]
                if rec.symbols is not None:  # the MIT-BIH symbol, and its AAMI class
                    row += [rec.symbols[i], SYMBOL_TO_AAMI.get(str(rec.symbols[i]), "")]
                w.writerow(row)

    writers = {files["ann"].name: write_ann, files["csv"].name: write_csv}
    from .holter import summary_writers

    holter, close_summary = summary_writers(name, peaks / rec.fs_record, labels,
                                            duration=rec.signal.shape[0] / rec.fs,
                                            start=rec.get("start"))
    writers.update(holter)
    fig = None
    if "png" in files:
        from .plotting import plot_ecg_strip

        fig = plot_ecg_strip(rec.signal[:, 0], rec.fs, rec.peaks, labels, reference=rec.symbols,
                             title=f"record {name}, lead {rec.leads[0]}")
        writers[files["png"].name] = lambda tmp: fig.savefig(tmp / files["png"].name, dpi=110)
    try:
        write_together(out, writers)
    finally:
        close_summary()
        if fig is not None:
            import matplotlib.pyplot as plt

            plt.close(fig)
