"""Figures: confusion matrix, Fourier images and beats per class, training history,
leakage, errors by record, ECG strip, Holter summary."""

from ._beats import example_figures, plot_example_beats
from ._ecg import plot_ecg_strip
from ._holter import plot_holter_summary
from ._images import plot_example_images, plot_spectrogram_grid
from ._records import plot_per_record
from ._results import plot_confusion_matrix, plot_leakage, plot_training_history

__all__ = [
    "example_figures",
    "plot_confusion_matrix",
    "plot_ecg_strip",
    "plot_example_beats",
    "plot_example_images",
    "plot_holter_summary",
    "plot_leakage",
    "plot_per_record",
    "plot_spectrogram_grid",
    "plot_training_history",
]
