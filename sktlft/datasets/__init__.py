"""Beat datasets: MIT-BIH Arrhythmia (mitdb), its bundled excerpt, and svdb; the record
readers (WFDB, EDF)."""

from ._beats import beat_similarity, record_beats
from ._combined import concat_datasets, fetch_databases, parse_databases
from ._constants import (
    AAMI_CLASSES,
    ALL_RECORDS,
    DS1,
    DS2,
    PACED_RECORDS,
    SVDB_A,
    SVDB_B,
    SVDB_RECORDS,
    SYMBOL_TO_AAMI,
    patient_id,
)
from ._dataset import BeatDataset, beat_inputs
from ._edf import choose_ecg_lead, read_edf, read_edf_header
from ._mitdb import fetch_mitbih, fetch_svdb, get_data_home, load_mitbih_sample
from ._qrs import find_beats
from ._reader import DataIntegrityError, DataNotFoundError, read_record
from ._rhythm import (
    PREMATURITY_FEATURE_NAMES,
    RR_FEATURE_NAMES,
    log_rhythm,
    prematurity_features,
    rr_features,
)
from ._shared import SharedRows
from ._windows import extract_beats

__all__ = [
    "AAMI_CLASSES",
    "ALL_RECORDS",
    "DS1",
    "DS2",
    "PACED_RECORDS",
    "PREMATURITY_FEATURE_NAMES",
    "RR_FEATURE_NAMES",
    "SVDB_A",
    "SVDB_B",
    "SVDB_RECORDS",
    "SYMBOL_TO_AAMI",
    "BeatDataset",
    "DataIntegrityError",
    "DataNotFoundError",
    "SharedRows",
    "beat_inputs",
    "beat_similarity",
    "choose_ecg_lead",
    "concat_datasets",
    "extract_beats",
    "fetch_databases",
    "fetch_mitbih",
    "fetch_svdb",
    "find_beats",
    "get_data_home",
    "load_mitbih_sample",
    "log_rhythm",
    "parse_databases",
    "patient_id",
    "prematurity_features",
    "read_edf",
    "read_edf_header",
    "read_record",
    "record_beats",
    "rr_features",
]
