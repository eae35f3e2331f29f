#pragma once

// Helpers shared by talariafs tests: temporary directories, deterministic
// test data, and running the real talaria-store binary.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace talaria::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// `n` pseudo-random (incompressible) bytes from `seed`.
std::string RandomBytes(size_t n, uint64_t seed);

// About `n` bytes of FASTA-like protein text (compressible, with repeats),
// deterministic in `seed`.
std::string FastaLikeText(size_t n, uint64_t seed);

void WriteFile(const std::string& path, const std::string& data);
std::string ReadFileOrDie(const std::string& path);

struct CommandResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs argv[0] with the given arguments, capturing stdout and stderr.
CommandResult Run(const std::vector<std::string>& argv);

// Starts argv[0] in the background with stdout to `stdout_path` and
// stderr to `stderr_path` (for tests that kill it); returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& stdout_path = "/dev/null",
            const std::string& stderr_path = "/dev/null");

// The talaria-store binary under test.
std::string StoreBinary();

// Runs talaria-store --store <store> <args...>.
CommandResult RunStore(const std::string& store, const std::vector<std::string>& args);

}  // namespace talaria::testing
