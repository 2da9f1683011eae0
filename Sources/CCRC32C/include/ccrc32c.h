// Hardware CRC-32C (the SSE4.2 `crc32` instruction) for TapeFormat's CRC32C. Tape's own code,
// a few lines; TapeFormat falls back to its table-driven (slicing-by-8) version where this
// reports no hardware support.
#ifndef TAPE_CCRC32C_H
#define TAPE_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the crc32 instruction (x86-64 with SSE4.2), else 0.
int tape_crc32c_hardware_available(void);

/// Continues a CRC-32C: `crc` is the previous result (0 for a fresh checksum), as for
/// `CRC32C.update`. REQUIRES: tape_crc32c_hardware_available() returned 1.
uint32_t tape_crc32c_hardware_update(uint32_t crc, const void *data, size_t count);

#endif
