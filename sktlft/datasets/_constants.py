"""Facts about the MIT-BIH Arrhythmia Database shared by the loaders."""

from __future__ import annotations

__all__ = [
    "AAMI_CLASSES",
    "ALL_RECORDS",
    "DS1",
    "DS2",
    "PACED_RECORDS",
    "SVDB_A",
    "SVDB_B",
    "SVDB_RECORDS",
    "SYMBOL_TO_AAMI",
    "patient_id",
]

#: The five AAMI EC57 heartbeat classes, in the order used everywhere in sktlft.
AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")

#: MIT-BIH beat symbols mapped to AAMI classes (``B``, a bundle branch block beat of
#: unspecified kind, occurs once in svdb). Any other annotation symbol is not a beat
#: (rhythm changes, noise, flutter waves, non-conducted P waves...) and is dropped.
SYMBOL_TO_AAMI: dict[str, str] = {
    **dict.fromkeys("NLRejB", "N"),
    **dict.fromkeys("AaJS", "S"),
    **dict.fromkeys("VE", "V"),
    "F": "F",
    **dict.fromkeys("/fQ", "Q"),
}

#: All 48 records of the database, as PhysioNet lists them in ``RECORDS``.
ALL_RECORDS: tuple[str, ...] = (
    "100 101 102 103 104 105 106 107 108 109 111 112 113 114 115 116 117 118 119 121 "
    "122 123 124 200 201 202 203 205 207 208 209 210 212 213 214 215 217 219 220 221 "
    "222 223 228 230 231 232 233 234"
).split()

#: Records with a pacemaker; AAMI EC57 recommends leaving them out.
PACED_RECORDS: tuple[str, ...] = ("102", "104", "107", "217")

#: Training half of the inter-patient split of de Chazal, O'Dwyer and Reilly (2004).
DS1: tuple[str, ...] = (
    "101 106 108 109 112 114 115 116 118 119 122 124 201 203 205 207 208 209 215 220 223 230"
).split()

#: Test half of the inter-patient split of de Chazal, O'Dwyer and Reilly (2004).
DS2: tuple[str, ...] = (
    "100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234"
).split()

#: The 78 records of the MIT-BIH Supraventricular Arrhythmia Database (svdb), one patient each.
SVDB_RECORDS: tuple[str, ...] = tuple(
    str(r) for r in (*range(800, 813), *range(820, 830), *range(840, 895))
)

#: svdb's development half: the records at odd positions of its RECORDS file (1st, 3rd, ...:
#: 800, 802, ...), for training and choosing, like DS1.
SVDB_A: tuple[str, ...] = SVDB_RECORDS[0::2]

#: svdb's test half: the records at even positions (801, 803, ...), scored once at the end,
#: like DS2; never used for a choice.
SVDB_B: tuple[str, ...] = SVDB_RECORDS[1::2]

# Records 201 and 202 were recorded from the same man.
_SAME_SUBJECT = {"202": "201"}


def patient_id(record: str) -> int:
    """Return the patient ID of a MIT-BIH record.

    The ID is the record number, except that record 202 shares the ID of
    record 201: both come from the same subject.

    Parameters
    ----------
    record : str
        Record name, such as ``"100"``.

    Returns
    -------
    int
        The patient ID.

    Examples
    --------
    >>> from sktlft.datasets import patient_id
    >>> patient_id("100"), patient_id("202")
    (100, 201)
    """
    record = str(record)
    return int(_SAME_SUBJECT.get(record, record))
