#pragma once

// Text files a line at a time, in bounded memory: the one line splitter of
// the tree (id lists, access counts, taxonomy dumps, deltas.dat; FASTA has
// its own record reader). A line is handed over without its '\n' and without
// a '\r' before it; a last line without '\n' is still a line; lines are
// numbered from 1 for messages of the form file:line. Thread-safe (no state).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/core/status.h"

namespace talaria::core {

// Called for each line; an error stops the reading and is returned.
using LineFn = std::function<Status(std::string_view line, uint64_t number)>;
// Fills up to `n` bytes of `buf`; 0 at the end.
using ReadFn = std::function<Result<size_t>(char* buf, size_t n)>;

// Every line of what `read` yields.
Status ForEachLine(const ReadFn& read, const LineFn& fn);

// Every line of a plain file. kNotFound if it does not exist.
Status ForEachLineOfFile(const std::string& path, const LineFn& fn);

}  // namespace talaria::core
