"""MIT-BIH Arrhythmia Database loaders and constants."""

from ._constants import (
    AAMI_CLASSES,
    ALL_RECORDS,
    DS1,
    DS2,
    PACED_RECORDS,
    SYMBOL_TO_AAMI,
    patient_id,
)
from ._mitdb import (
    DataIntegrityError,
    DataNotFoundError,
    extract_beats,
    fetch_mitbih,
    get_data_home,
    load_mitbih_sample,
)

__all__ = [
    "AAMI_CLASSES",
    "ALL_RECORDS",
    "DS1",
    "DS2",
    "PACED_RECORDS",
    "SYMBOL_TO_AAMI",
    "DataIntegrityError",
    "DataNotFoundError",
    "extract_beats",
    "fetch_mitbih",
    "get_data_home",
    "load_mitbih_sample",
    "patient_id",
]
