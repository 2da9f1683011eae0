#if canImport(Glibc)
import Glibc
#endif
import TapeCommands

// A write past the process's file-size limit (ulimit -f) then fails with EFBIG and a clear error
// instead of killing the process with SIGXFSZ.
signal(SIGXFSZ, SIG_IGN)
TapeCommand.main()
