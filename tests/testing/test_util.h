#pragma once

// Helpers shared by talariafs tests: temporary directories, deterministic
// test data, and running the real talaria-store binary.

#include <sys/types.h>

#include <cstdint>
#include <map>
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

// A protein FASTA release for update tests: `records` records of random
// residues, header ">" id_prefix N id_suffix " OX=" taxon, taxa assigned
// round-robin from first_taxon; release R changes residue R of every
// edit_every-th record, so two releases differ in scattered records.
struct ReleaseSpec {
  int records = 1000;
  int taxa = 5;
  int first_taxon = 70;
  int min_length = 150;
  int length_spread = 61;  // lengths are min_length + i % length_spread
  int edit_every = 5;
  size_t line_width = 0;  // 0: each sequence on one line
  uint64_t seed = 7;
  // > 1: records come in families of this many variants of one ancestor
  // (about 1 residue in 20 changed), members spread over the file.
  int family_size = 1;
  std::string id_prefix = "r";
  std::string id_suffix;
};
std::string ProteinRelease(const ReleaseSpec& spec, int release);

// About 9 MiB of protein records in families: enough for ingest to train a
// chunk dictionary (FORMAT.md §3.5).
std::string DictionaryRelease(int release, uint64_t seed = 7);

// The records of a FASTA text (header line through the line before the next
// header), sorted: parsed here, independently of the store.
std::vector<std::string> SortedRecords(const std::string& fasta);
// The same, by the taxon of each header's " OX=" (0 without one).
std::map<uint32_t, std::vector<std::string>> SortedRecordsByOx(const std::string& fasta);

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
// Waits `delay_us` microseconds, sends `pid` SIGKILL and reaps it; true when
// the signal ended it (false: it had already exited).
bool KillAfter(pid_t pid, int64_t delay_us);

// Runs `cmd` with /bin/sh -c.
CommandResult Sh(const std::string& cmd);
// Whether `tool` is on the PATH.
bool HaveTool(const std::string& tool);
// Sh, expecting success (a test failure naming the command otherwise); its stdout.
std::string MustSh(const std::string& cmd);

// The talaria-store binary under test.
std::string StoreBinary();

// Runs talaria-store --store <store> <args...>.
CommandResult RunStore(const std::string& store, const std::vector<std::string>& args);

}  // namespace talaria::testing
