"""Tape's Python exceptions. libTapeArrow returns an errno-style code per failure (see
Sources/TapeArrowBridge/ErrorCodes.swift) and the message in tape_last_error(): the code picks the
class, the message is Tape's own text (what and where: file, table, column, row, or the byte
offset in a query), never CLI usage."""
import errno

from ._library import library


class TapeError(Exception):
    """A Tape failure. `message` is Tape's text; `code` the errno-style code libTapeArrow gave."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code


class TapeValueError(TapeError, ValueError):
    """Bad arguments or data: a batch Tape cannot store (wrong type, mismatched lengths, crafted
    Arrow arrays), an unknown table or column, a closed writer."""


class TapeQueryError(TapeValueError):
    """A SQL query (or a `where=` condition) that does not parse, bind or run; also an unknown
    table or column in a scan (scans run as SQL)."""


class TapeFileError(TapeError, OSError):
    """A file that cannot be opened, created, locked or written (missing, permissions, another
    writer holds it)."""


class TapeCorruptError(TapeError):
    """A damaged or unsealed .tape file (`tape verify` / `tape recover` say more)."""


EDOM_QUERY = errno.EDOM
_BY_CODE = {errno.EINVAL: TapeValueError, errno.EDOM: TapeQueryError, errno.EBADMSG: TapeCorruptError}


def error_for(code, message):
    """The exception for a libTapeArrow failure `code` with `message`."""
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = TapeFileError if code in errno.errorcode and code not in (errno.ENOMEM, errno.EOVERFLOW) else TapeError
    if cls is TapeFileError:
        e = TapeFileError(message, code)
        e.errno = code
        return e
    return cls(message, code)


def check(rc):
    """Raises the exception for a non-zero libTapeArrow return code."""
    if rc != 0:
        msg = library().tape_last_error()
        raise error_for(rc, msg.decode("utf-8", "replace") if msg else "libTapeArrow call failed (code %d)" % rc)
