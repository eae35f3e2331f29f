#include "tests/testing/test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace talaria::testing {

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/talaria-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<char>(rng());
  return out;
}

std::string FastaLikeText(size_t n, uint64_t seed) {
  static constexpr char kAmino[] = "ACDEFGHIKLMNPQRSTVWY";
  std::mt19937_64 rng(seed);
  std::string motif;
  for (int i = 0; i < 300; ++i) motif += kAmino[rng() % 20];
  std::string out;
  out.reserve(n + 512);
  for (uint64_t rec = 0; out.size() < n; ++rec) {
    out += ">sp|P" + std::to_string(10000 + rec) + "|PROT" + std::to_string(rec) +
           " Test protein OS=Homo sapiens OX=9606 GN=G" + std::to_string(rec % 97) + "\n";
    size_t len = 100 + rng() % 400;
    std::string seq;
    for (size_t j = 0; j < len; ++j) {
      // Families: mostly the motif with point mutations.
      seq += (rng() % 10 == 0) ? kAmino[rng() % 20] : motif[j % motif.size()];
    }
    for (size_t j = 0; j < seq.size(); j += 60) out += seq.substr(j, 60) + "\n";
  }
  out.resize(n);
  return out;
}

std::string ProteinRelease(const ReleaseSpec& spec, int release) {
  static const char kAlphabet[] = "ACDEFGHIKLMNPQRSTVWY";
  std::mt19937_64 rng(spec.seed);
  std::string out;
  for (int i = 0; i < spec.records; i++) {
    out += ">" + spec.id_prefix + std::to_string(i) + spec.id_suffix +
           " OX=" + std::to_string(spec.first_taxon + i % spec.taxa) + "\n";
    std::string seq;
    if (spec.family_size > 1) {
      const int families = std::max(1, spec.records / spec.family_size);
      std::mt19937_64 family(spec.seed * 7919 + static_cast<uint64_t>(i % families));
      const int length = spec.min_length + static_cast<int>(family() % spec.length_spread);
      for (int k = 0; k < length; k++) seq += kAlphabet[family() % 20];
      for (char& c : seq) {
        if (rng() % 20 == 0) c = kAlphabet[rng() % 20];
      }
    } else {
      for (int k = 0; k < spec.min_length + i % spec.length_spread; k++)
        seq += kAlphabet[rng() % 20];
    }
    if (i % spec.edit_every == 0) seq[static_cast<size_t>(release) % seq.size()] = 'W';
    if (spec.line_width == 0) {
      out += seq + "\n";
    } else {
      for (size_t k = 0; k < seq.size(); k += spec.line_width)
        out += seq.substr(k, spec.line_width) + "\n";
    }
  }
  return out;
}

std::string DictionaryRelease(int release, uint64_t seed) {
  ReleaseSpec spec;
  spec.records = 24000;
  spec.taxa = 40;
  spec.min_length = 300;
  spec.line_width = 60;
  spec.family_size = 6;
  spec.seed = seed;
  return ProteinRelease(spec, release);
}

std::vector<std::string> SortedRecords(const std::string& fasta) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < fasta.size();) {
    const size_t next = fasta.find("\n>", pos);
    const size_t end = next == std::string::npos ? fasta.size() : next + 1;
    out.push_back(fasta.substr(pos, end - pos));
    pos = end;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<uint32_t, std::vector<std::string>> SortedRecordsByOx(const std::string& fasta) {
  static const std::regex ox(" OX=([0-9]+)");
  std::map<uint32_t, std::vector<std::string>> out;
  for (const std::string& r : SortedRecords(fasta)) {
    std::smatch m;
    const std::string header = r.substr(0, r.find('\n'));
    out[std::regex_search(header, m, ox) ? std::stoul(m[1]) : 0].push_back(r);
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CommandResult Run(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CommandResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& stdout_path,
            const std::string& stderr_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = stderr_path == stdout_path
                  ? out
                  : ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

bool KillAfter(pid_t pid, int64_t delay_us) {
  std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

CommandResult Sh(const std::string& cmd) { return Run({"/bin/sh", "-c", cmd}); }

bool HaveTool(const std::string& tool) {
  return Sh("command -v " + tool + " >/dev/null").exit_code == 0;
}

std::string MustSh(const std::string& cmd) {
  auto r = Sh(cmd);
  EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
  return r.out;
}

std::string StoreBinary() {
  if (const char* env = std::getenv("TALARIA_STORE_BIN"); env && *env) return env;
  return TALARIA_STORE_BIN;
}

CommandResult RunStore(const std::string& store, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {StoreBinary(), "--store", store};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

}  // namespace talaria::testing
