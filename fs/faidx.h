#pragma once

// The samtools faidx index (.fai) of a FASTA file, as `samtools faidx`
// would write it: per record NAME, LENGTH, OFFSET, LINEBASES, LINEWIDTH,
// tab-separated, a record whose name was seen before skipped as samtools
// skips it. kUnsupported when a record's lines are not all of one width
// but the last (the format cannot describe it; samtools refuses it too).
//
// Thread-safe (a pure function of the content).

#include <string>

#include "fs/content.h"

namespace talaria::fs {

core::Result<std::string> BuildFaidx(const Content& fasta);

}  // namespace talaria::fs
