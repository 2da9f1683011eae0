// The Apache Arrow C Data Interface and C Stream Interface, declared exactly as the specification
// gives them (arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html), plus
// the entry points of libTapeArrow (implemented in Swift, Sources/TapeArrowBridge).
#ifndef TAPE_ARROW_C_ABI_H
#define TAPE_ARROW_C_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  // Callback to get the stream type
  // (will be the same for all arrays in the stream).
  //
  // Return value: 0 if successful, an `errno`-compatible error code otherwise.
  //
  // If successful, the ArrowSchema must be released independently from the stream.
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);

  // Callback to get the next array
  // (if no error and the array is released, the stream has ended)
  //
  // Return value: 0 if successful, an `errno`-compatible error code otherwise.
  //
  // If successful, the ArrowArray must be released independently from the stream.
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);

  // Callback to get optional detailed error information.
  // This must only be called if the last stream operation failed
  // with a non-0 return code.
  //
  // Return value: pointer to a null-terminated character array describing
  // the last error, or NULL if no description is available.
  //
  // The returned pointer is only valid until the next operation on this stream
  // (including release).
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback: release the stream's own resources.
  // Note that arrays returned by `get_next` must be individually released.
  void (*release)(struct ArrowArrayStream*);

  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

// ---- libTapeArrow entry points (Swift @_cdecl; see Sources/TapeArrowBridge/CEntryPoints.swift) ----
// Every function returns 0 on success or a non-zero code (22 = EINVAL, bad arguments or query;
// 5 = EIO, unreadable files); on failure tape_last_error() gives the message for this thread.

/// The message of the last failed call on the calling thread (valid until the next call on it),
/// or NULL.
const char* tape_last_error(void);

/// Streams `table` of the runs named by `paths` (files, directories, globs, as the CLI takes them).
/// `columns`: NULL for every column (plus `run` when there are several runs), else `n_columns` names.
/// `flags` bit 0: `start_ns` is set (rows with time >= start); bit 1: `end_ns` is set (time < end);
/// bit 2: string columns stream as dictionary<values=utf8, indices=int32> arrays (Tape's dictionary
/// chunks handed over as they are, plain chunks dictionary-encoded).
/// `time_column`: NULL for the table's first timestamp column. `where`: NULL, or a SQL boolean
/// expression (Tape's SQL) rows must satisfy, ANDed with the time range.
int32_t tape_scan(const char* const* paths, int64_t n_paths, const char* table,
                  const char* const* columns, int64_t n_columns, const char* time_column,
                  int64_t start_ns, int64_t end_ns, int32_t flags, const char* where,
                  struct ArrowArrayStream* out);

/// Runs a SQL query over the runs named by `paths` and streams its result.
int32_t tape_sql(const char* query, const char* const* paths, int64_t n_paths,
                 struct ArrowArrayStream* out);

/// `tape summary` of the runs named by `paths` as one batch: run, path, every metric (numbers,
/// timestamps) and every metadata key (strings). `where`: NULL or a condition as `tape summary
/// --where` takes it. An unreadable run fails the call unless `skip_unreadable` is non-zero.
int32_t tape_summary(const char* const* paths, int64_t n_paths, const char* where, int32_t skip_unreadable,
                     struct ArrowArrayStream* out);

/// `tape info --json` of one file, as a malloc'ed string freed with tape_string_free.
int32_t tape_info(const char* path, char** out_json);

// ---- Writing (Sources/TapeArrowBridge/Writer) ----
// A writer is an opaque handle from tape_writer_open/resume, freed with tape_writer_free (after
// close/cancel, or instead of them: the file is then left unsealed, recoverable like a killed run).

/// Creates the run `path` (replacing a file there) with `n_metadata` metadata key/value pairs;
/// blocks are compressed with zstd at `zstd_level` (1...22), or Tape's default (3) when it is 0.
int32_t tape_writer_open(const char* path, const char* const* keys, const char* const* values,
                         int64_t n_metadata, int32_t zstd_level, void** out);

/// Reopens a killed (or closed) run to continue it (TapeWriter.resume); `out_state_json` gets the
/// durable rows and last timestamp per table (free with tape_string_free).
int32_t tape_writer_resume(const char* path, void** out, char** out_state_json);

int32_t tape_writer_set_metadata(void* writer, const char* key, const char* value);
int32_t tape_writer_expect_bars(void* writer, int64_t count, const char* table);

/// Appends a record batch (a struct array and its schema) to `table`, creating the table from it
/// the first time. The batch is moved in: both structures are released (release called) on
/// success and on failure. A rejected batch appends nothing.
int32_t tape_writer_write_batch(void* writer, const char* table, struct ArrowSchema* schema,
                                struct ArrowArray* array);

/// Seals the run; `out_summary_json` gets the run summary (free with tape_string_free).
int32_t tape_writer_close(void* writer, char** out_summary_json);
/// Seals the run with tape.cancelled = true (and tape.cancel_reason when `reason` is not NULL).
int32_t tape_writer_cancel(void* writer, const char* reason, char** out_summary_json);
void tape_writer_free(void* writer);

/// The .tape files `paths` name (files, directories, globs as the CLI expands them), as a JSON
/// array of strings (free with tape_string_free).
int32_t tape_expand_paths(const char* const* paths, int64_t n_paths, char** out_json);

/// Frees a string returned by a tape_* function.
void tape_string_free(char* s);

#ifdef __cplusplus
}
#endif

#endif  // TAPE_ARROW_C_ABI_H
