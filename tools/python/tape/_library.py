"""Finding and loading libTapeArrow (the Swift engine's C ABI, Sources/TapeArrowBridge).

Search order:
1. the file named by the environment variable TAPE_LIBRARY;
2. libTapeArrow.so / .dylib next to this package (what `make python` installs);
3. `swift build -c release --show-bin-path` (then the debug bin path) of the Tape checkout this
   package sits in (found by walking up to Package.swift), or of the current directory.
"""
import ctypes
import os
import subprocess
import sys
import threading

_NAMES = ["libTapeArrow.dylib", "libTapeArrow.so"] if sys.platform == "darwin" else ["libTapeArrow.so", "libTapeArrow.dylib"]
_lock = threading.Lock()
_lib = None


class ArrowArrayStream(ctypes.Structure):
    """struct ArrowArrayStream of the Arrow C Stream Interface (only moved, never called here)."""
    _fields_ = [
        ("get_schema", ctypes.c_void_p),
        ("get_next", ctypes.c_void_p),
        ("get_last_error", ctypes.c_void_p),
        ("release", ctypes.c_void_p),
        ("private_data", ctypes.c_void_p),
    ]


def _checkouts():
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    while True:
        if os.path.exists(os.path.join(d, "Package.swift")):
            yield d
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if os.path.exists(os.path.join(os.getcwd(), "Package.swift")):
        yield os.getcwd()


def _candidates():
    env = os.environ.get("TAPE_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for n in _NAMES:
        yield os.path.join(here, n)
    for root in _checkouts():
        for config in ("release", "debug"):
            try:
                out = subprocess.run(["swift", "build", "-c", config, "--show-bin-path"], cwd=root,
                                     capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.SubprocessError):
                continue
            if out.returncode == 0:
                for n in _NAMES:
                    yield os.path.join(out.stdout.strip(), n)


def _declare_writer(lib):
    from ._arrow_c import ArrowArray, ArrowSchema
    void, i32, i64, cstr = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_char_p
    strs = ctypes.POINTER(ctypes.c_char_p)
    out = ctypes.POINTER(ctypes.c_void_p)
    for name, args in [
        ("tape_writer_open", [cstr, strs, strs, i64, i32, out]),
        ("tape_writer_resume", [cstr, out, out]),
        ("tape_writer_set_metadata", [void, cstr, cstr]),
        ("tape_writer_expect_bars", [void, i64, cstr]),
        ("tape_writer_write_batch", [void, cstr, ctypes.POINTER(ArrowSchema), ctypes.POINTER(ArrowArray)]),
        ("tape_writer_close", [void, out]),
        ("tape_writer_cancel", [void, cstr, out]),
    ]:
        f = getattr(lib, name)
        f.restype, f.argtypes = i32, args
    lib.tape_writer_free.restype = None
    lib.tape_writer_free.argtypes = [void]


def library():
    """The loaded libTapeArrow (ctypes.CDLL), with argument types declared."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for path in _candidates():
            tried.append(path)
            if os.path.exists(path):
                lib = ctypes.CDLL(path)
                break
        else:
            from . import TapeError
            raise TapeError("libTapeArrow not found (tried: %s); build it with `make python` or "
                            "`swift build -c release --product TapeArrow` and set TAPE_LIBRARY" % ", ".join(tried))
        strs = ctypes.POINTER(ctypes.c_char_p)
        stream = ctypes.POINTER(ArrowArrayStream)
        lib.tape_last_error.restype = ctypes.c_char_p
        lib.tape_last_error.argtypes = []
        lib.tape_scan.restype = ctypes.c_int32
        lib.tape_scan.argtypes = [strs, ctypes.c_int64, ctypes.c_char_p, strs, ctypes.c_int64, ctypes.c_char_p,
                                  ctypes.c_int64, ctypes.c_int64, ctypes.c_int32, ctypes.c_char_p, stream]
        lib.tape_summary.restype = ctypes.c_int32
        lib.tape_summary.argtypes = [strs, ctypes.c_int64, ctypes.c_char_p, ctypes.c_int32, stream]
        lib.tape_sql.restype = ctypes.c_int32
        lib.tape_sql.argtypes = [ctypes.c_char_p, strs, ctypes.c_int64, stream]
        lib.tape_info.restype = ctypes.c_int32
        lib.tape_info.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        lib.tape_string_free.restype = None
        lib.tape_string_free.argtypes = [ctypes.c_void_p]
        lib.tape_expand_paths.restype = ctypes.c_int32
        lib.tape_expand_paths.argtypes = [strs, ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p)]
        _declare_writer(lib)
        _lib = lib
        return lib
