// `import Tape` gives a backtester everything it needs: schemas and values (TapeFormat) and
// in-memory columns and codecs (TapeCodec).
@_exported import TapeCodec
@_exported import TapeFormat
