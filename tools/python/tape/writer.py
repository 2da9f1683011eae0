"""The row-by-row writer over `tape ingest` (tools/python/tape_writer.py), as `tape.writer`."""
from tape_writer import *  # noqa: F401,F403
from tape_writer import TapeWriter, TapeIngestError, to_json_value  # noqa: F401
