"""The records the command line's options name (``--records``, ``--train``/``--test``,
``--include-paced``), checked before any record is read."""

from __future__ import annotations

import argparse

from ._cliconfig import CLIError

__all__ = ["check_databases", "check_paced", "option_error", "sample_records"]


def option_error(flag: str, value: object, exc: Exception) -> CLIError:
    """A loader's ``records: ...`` (or ``databases: ...``) message in the words of the
    option that named them: ``--records DS9: unknown MIT-BIH record(s) DS9; ...``."""
    why = str(exc).removeprefix("records: ").removeprefix("databases: ")
    return CLIError(f"{flag} {value}: {why}")


def check_databases(spec: str, include_paced: bool, flag: str) -> None:
    """Refuse, before any record is read, databases or records ``flag`` names wrongly."""
    from .datasets import parse_databases
    from .datasets._mitdb import _resolve_records, _resolve_svdb_records

    try:
        for db, records in parse_databases(spec):
            if db == "mitdb":
                _resolve_records(records, exclude_paced=not include_paced)
            else:
                _resolve_svdb_records(records)
    except ValueError as exc:
        raise option_error(flag, spec, exc) from exc


def sample_records(records: str) -> list[str]:
    """The bundled sample's records that ``--records`` names (all, DS1, DS2 or names),
    before it is read: the sample holds nine records, and one it lacks is refused rather
    than left out."""
    from .datasets._mitdb import ALL_RECORDS, sample_path
    from .datasets._mitdb import sample_records as named
    from .datasets._reader import NotInSampleError

    try:
        return named(records.strip(), sample_path("RECORDS").read_text().split())
    except NotInSampleError as exc:
        sample = ("the bundled sample (used without --data) holds records "
                  + ", ".join(exc.held))
        unknown = [r for r in exc.missing if r not in ALL_RECORDS]
        raise CLIError(f"--records {records}: " + (
            # a name that is no MIT-BIH record is said to be none (not "pass --data"), with
            # the sample's nine records (not mitdb's 48, of which it lacks most)
            f"unknown MIT-BIH record(s) {', '.join(unknown)}; {sample}" if unknown else
            f"{sample}, not {', '.join(exc.missing)}; pass --data DIR to read the others")
        ) from exc
    except ValueError as exc:
        raise option_error("--records", records, exc) from exc


def check_paced(args: argparse.Namespace) -> None:
    """Refuse --include-paced where it reads no paced record, or where it would read 102
    or 104: they have no MLII lead (surgical dressings; V5 and V2 instead)."""
    from .datasets import PACED_RECORDS, parse_databases
    from .datasets._mitdb import _resolve_records

    specs = [getattr(args, d, None) for d in ("train", "test")]
    if args.command == "train" and not any(specs):
        specs = ["mitdb:DS1,svdb:A"]
    # the mitdb records each option names: --records (or, with neither --train nor --test,
    # what evaluate reads by default), then the mitdb part of --train and --test
    default = "DS1" if getattr(args, "test_db", None) else "all"
    names = [args.records or (None if any(specs) else default)]
    try:  # (records named wrongly are said by the checks that read them)
        names += [records for spec in specs if spec
                  for db, records in parse_databases(spec) if db == "mitdb"]
        named = set()
        for records in filter(None, names):
            named.update(_resolve_records(records, exclude_paced=False))
    except ValueError:
        return
    if not named & set(PACED_RECORDS):
        raise CLIError("--include-paced: the records named hold no paced record (102, 104, "
                       "107, 217); leave it out")
    if lacking := sorted(named & {"102", "104"}):
        raise CLIError(f"--include-paced: {' and '.join(lacking)} "
                       f"{'has' if len(lacking) == 1 else 'have'} no MLII lead, which the "
                       "command line reads (V5 and V2 instead); name the records to read "
                       "without them (107 and 217 are the paced records that have it)")
