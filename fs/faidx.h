#pragma once

// The samtools faidx index (.fai) of a FASTA file the mount assembles from
// chunks, as `samtools faidx` would write it: per record NAME, LENGTH,
// OFFSET, LINEBASES, LINEWIDTH, tab-separated, a name seen before skipped
// as samtools skips it. Built from the chunks' record indexes (stored at
// ingest, store/fasta/fasta_index.h) and the file's piece map, so no sequence
// data is read; chunks of manifests older than those indexes are indexed
// from their bytes instead. kUnsupported when a record's lines are not all
// of one width but the last (the format cannot describe it).
//
// Thread-safe.

#include <string>

#include "fs/chunk_sequence.h"

namespace talaria::fs {

core::Result<std::string> BuildFaidx(const ChunkSequence& fasta);

}  // namespace talaria::fs
