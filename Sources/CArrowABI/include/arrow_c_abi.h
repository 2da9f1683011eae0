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
/// `flags` bit 0: `start_ns` is set (rows with time >= start); bit 1: `end_ns` is set (time < end).
/// `time_column`: NULL for the table's first timestamp column.
int32_t tape_scan(const char* const* paths, int64_t n_paths, const char* table,
                  const char* const* columns, int64_t n_columns, const char* time_column,
                  int64_t start_ns, int64_t end_ns, int32_t flags, struct ArrowArrayStream* out);

/// Runs a SQL query over the runs named by `paths` and streams its result.
int32_t tape_sql(const char* query, const char* const* paths, int64_t n_paths,
                 struct ArrowArrayStream* out);

/// `tape info --json` of one file, as a malloc'ed string freed with tape_string_free.
int32_t tape_info(const char* path, char** out_json);

/// Frees a string returned by a tape_* function.
void tape_string_free(char* s);

#ifdef __cplusplus
}
#endif

#endif  // TAPE_ARROW_C_ABI_H
