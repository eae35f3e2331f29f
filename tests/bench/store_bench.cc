// store_bench: put/get throughput of the object store, per codec.
//
// Generates --size-mb MiB of mixed data in memory (deterministic: fixed
// seeds, the same bytes on every run of a platform, and a shorter run is a
// prefix of a longer one): repeating 5 MiB cycles of 4 MiB of UniProt-like protein FASTA and
// 1 MiB of incompressible random bytes. The data is cut into --object-mb
// objects. For every codec it creates a fresh store in --dir, times PutBatch
// of all objects (batches of --batch), then reopens the store read-only with
// a small cache and times Get of every object (on --threads threads), then
// verifies every object byte for byte (untimed) and deletes the store.
//
// Speeds are MB/s with MB = 10^6 bytes of raw (uncompressed) data, like
// `zstd -b` and `openssl speed`. Sizes given on the command line are MiB.
//
// --breakdown CODECS also times the parts of the put and get paths on the
// same objects and threads through the store's public API (SHA-256, codec,
// frame encode/decode, Prepare, WriteRecords, index lookup, pack read), to
// show where the time goes. Output lines starting RESULT / PHASE / SHA256 are
// key=value and meant for scripts.
//
// See tests/bench/README.md and run_store_bench.sh.

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "store/core/object_id.h"
#include "store/object/config.h"
#include "store/object/object_store.h"
#include "store/object/writable_store.h"
#include "store/pack/codec.h"
#include "store/pack/frame.h"

namespace {

namespace fs = std::filesystem;
using talaria::core::ObjectId;
using talaria::store::CodecSpec;
using talaria::store::ObjectStore;
using talaria::store::StoreConfig;
using talaria::store::WritableStore;

constexpr uint64_t kMiB = uint64_t{1} << 20;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "store_bench: %s\n", msg.c_str());
  std::exit(1);
}

template <class R>
auto Check(R&& r, const std::string& what) {
  if (!r) Die(what + ": " + r.error().ToString());
  if constexpr (!std::is_void_v<typename std::decay_t<R>::value_type>) {
    return std::move(*r);
  }
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Mbps(uint64_t bytes, double seconds) { return seconds > 0 ? bytes / 1e6 / seconds : 0; }

// ---------------------------------------------------------------- data

// xoshiro256** seeded with splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<__uint128_t>(Next()) * n) >> 64);
  }
  double Unit() { return (Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <class T, size_t N>
  const T& Pick(const std::array<T, N>& a) {
    return a[Below(N)];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

// UniProtKB/Swiss-Prot amino-acid composition (percent).
constexpr std::array<std::pair<char, double>, 20> kAminoFreq = {{
    {'A', 8.25}, {'R', 5.53}, {'N', 4.06}, {'D', 5.45}, {'C', 1.37}, {'Q', 3.93}, {'E', 6.75},
    {'G', 7.07}, {'H', 2.27}, {'I', 5.96}, {'L', 9.66}, {'K', 5.84}, {'M', 2.42}, {'F', 3.86},
    {'P', 4.70}, {'S', 6.56}, {'T', 5.34}, {'W', 1.08}, {'Y', 2.92}, {'V', 6.87},
}};

struct Organism {
  const char* mnemonic;
  const char* name;
  int taxid;
};
constexpr std::array<Organism, 32> kOrganisms = {{
    {"HUMAN", "Homo sapiens", 9606},
    {"MOUSE", "Mus musculus", 10090},
    {"RAT", "Rattus norvegicus", 10116},
    {"BOVIN", "Bos taurus", 9913},
    {"CHICK", "Gallus gallus", 9031},
    {"DANRE", "Danio rerio", 7955},
    {"XENLA", "Xenopus laevis", 8355},
    {"DROME", "Drosophila melanogaster", 7227},
    {"CAEEL", "Caenorhabditis elegans", 6239},
    {"YEAST", "Saccharomyces cerevisiae (strain ATCC 204508 / S288c)", 559292},
    {"SCHPO", "Schizosaccharomyces pombe (strain 972 / ATCC 24843)", 284812},
    {"ARATH", "Arabidopsis thaliana", 3702},
    {"ORYSJ", "Oryza sativa subsp. japonica", 39947},
    {"MAIZE", "Zea mays", 4577},
    {"DICDI", "Dictyostelium discoideum", 44689},
    {"PLAF7", "Plasmodium falciparum (isolate 3D7)", 36329},
    {"ECOLI", "Escherichia coli (strain K12)", 83333},
    {"BACSU", "Bacillus subtilis (strain 168)", 224308},
    {"MYCTU", "Mycobacterium tuberculosis (strain ATCC 25618 / H37Rv)", 83332},
    {"PSEAE", "Pseudomonas aeruginosa (strain ATCC 15692 / PAO1)", 208964},
    {"STAA8", "Staphylococcus aureus (strain NCTC 8325 / PS 47)", 93061},
    {"SALTY", "Salmonella typhimurium (strain LT2 / SGSC1412 / ATCC 700720)", 99287},
    {"VIBCH", "Vibrio cholerae serotype O1 (strain ATCC 39315 / El Tor Inaba N16961)", 243277},
    {"STRPN", "Streptococcus pneumoniae (strain ATCC BAA-334 / TIGR4)", 170187},
    {"CAUVC", "Caulobacter vibrioides (strain ATCC 19089 / CB15)", 190650},
    {"SYNY3", "Synechocystis sp. (strain ATCC 27184 / PCC 6803 / Kazusa)", 1111708},
    {"THEMA", "Thermotoga maritima (strain ATCC 43589 / DSM 3109 / JCM 10099 / NBRC 100826 / MSB8)",
     243274},
    {"METJA",
     "Methanocaldococcus jannaschii (strain ATCC 43067 / DSM 2661 / JAL-1 / JCM 10045 / NBRC "
     "100440)",
     243232},
    {"HALSA", "Halobacterium salinarum (strain ATCC 700922 / JCM 11081 / NRC-1)", 64091},
    {"SULSO", "Saccharolobus solfataricus (strain ATCC 35092 / DSM 1617 / JCM 11322 / P2)", 273057},
    {"9BACT", "uncultured bacterium", 77133},
    {"9GAMM", "Gammaproteobacteria bacterium", 1913989},
}};

constexpr std::array<const char*, 40> kProteinNames = {{
    "ATP synthase subunit alpha",
    "ATP synthase subunit beta",
    "DNA-directed RNA polymerase subunit beta",
    "DNA gyrase subunit A",
    "50S ribosomal protein L2",
    "30S ribosomal protein S12",
    "Elongation factor Tu",
    "Chaperone protein DnaK",
    "60 kDa chaperonin",
    "Cytochrome c oxidase subunit 1",
    "NADH-quinone oxidoreductase subunit N",
    "Glyceraldehyde-3-phosphate dehydrogenase",
    "Phosphoglycerate kinase",
    "Enolase",
    "Pyruvate kinase",
    "Citrate synthase",
    "Malate dehydrogenase",
    "Glutamine synthetase",
    "Aspartate aminotransferase",
    "ABC transporter ATP-binding protein",
    "ABC transporter permease",
    "Two-component sensor histidine kinase",
    "Response regulator receiver protein",
    "LysR family transcriptional regulator",
    "TetR family transcriptional regulator",
    "Methyl-accepting chemotaxis protein",
    "Outer membrane protein assembly factor BamA",
    "Serine/threonine-protein kinase",
    "Tubulin alpha chain",
    "Actin",
    "Histone H3",
    "Heat shock protein 90",
    "Ubiquitin-conjugating enzyme E2",
    "Zinc finger protein",
    "Cytochrome P450",
    "Glycosyltransferase family 2 protein",
    "Short-chain dehydrogenase/reductase",
    "MFS transporter",
    "Putative lipoprotein",
    "Uncharacterized protein",
}};

// An endless stream of UniProt-style protein FASTA (60-column lines).
// Entries come in families: an ancestor sequence with UniProt's amino-acid
// composition, and members that are point-mutated / indel variants of it
// (divergence 2-32 %), listed next to each other, as in a database sorted
// or clustered by similarity; plus singletons.
class FastaStream {
 public:
  explicit FastaStream(uint64_t seed) : rng_(seed) {
    // Random byte -> amino acid, by frequency.
    double total = 0;
    for (const auto& [aa, f] : kAminoFreq) total += f;
    size_t pos = 0;
    double acc = 0;
    for (const auto& [aa, f] : kAminoFreq) {
      acc += f;
      size_t end = static_cast<size_t>(std::lround(acc / total * 256));
      for (; pos < end && pos < 256; ++pos) table_[pos] = aa;
    }
    for (; pos < 256; ++pos) table_[pos] = 'L';
  }

  // Appends exactly n bytes of the stream to *out.
  void Take(size_t n, std::string* out) {
    while (n > 0) {
      if (pending_pos_ == pending_.size()) {
        pending_.clear();
        pending_pos_ = 0;
        NextFamily();
      }
      size_t k = std::min(n, pending_.size() - pending_pos_);
      out->append(pending_, pending_pos_, k);
      pending_pos_ += k;
      n -= k;
    }
  }

 private:
  char RandomAmino() { return table_[rng_.Next() >> 56]; }

  std::string Accession() {
    static constexpr char kUpper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string a;
    if (rng_.Chance(0.6)) {  // A0A0B4J2F0 style (10 characters)
      a = "A0A";
      a += static_cast<char>('0' + rng_.Below(10));
      for (int i = 0; i < 2; ++i) a += kUpper[rng_.Below(26)];
      for (int i = 0; i < 3; ++i) a += kAlnum[rng_.Below(36)];
      a += static_cast<char>('0' + rng_.Below(10));
    } else {  // P12345 / Q9XYZ1 style
      a += "OPQ"[rng_.Below(3)];
      a += static_cast<char>('0' + rng_.Below(10));
      for (int i = 0; i < 3; ++i) a += kAlnum[rng_.Below(36)];
      a += static_cast<char>('0' + rng_.Below(10));
    }
    return a;
  }

  std::string GeneName() {
    static constexpr char kLower[] = "abcdefghijklmnopqrstuvwxyz";
    std::string g;
    for (int i = 0; i < 3; ++i) g += kLower[rng_.Below(26)];
    g += static_cast<char>('A' + rng_.Below(26));
    return g;
  }

  void NextFamily() {
    // Ancestor: log-normal length around 330 aa.
    double len_d = std::exp(5.8 + 0.6 * Normal());
    size_t len = std::clamp<size_t>(static_cast<size_t>(len_d), 30, 4000);
    std::string ancestor(len, 'M');
    for (size_t i = 1; i < len; ++i) ancestor[i] = RandomAmino();

    // Family size: 40 % singletons, the rest 2..60 members (mean ~12).
    size_t members = 1;
    if (!rng_.Chance(0.4)) members = 2 + static_cast<size_t>(-std::log(1 - rng_.Unit()) * 10);
    members = std::min<size_t>(members, 60);
    const double divergence = 0.02 + 0.30 * rng_.Unit() * rng_.Unit();
    const char* protein = kProteinNames[rng_.Below(kProteinNames.size())];
    std::string gene = GeneName();
    const bool numbered = rng_.Chance(0.3);
    const int number = static_cast<int>(1 + rng_.Below(12));

    for (size_t m = 0; m < members; ++m) {
      const Organism& org = kOrganisms[rng_.Below(kOrganisms.size())];
      std::string seq = Mutate(ancestor, divergence);
      const bool swissprot = rng_.Chance(0.1);
      std::string acc = Accession();
      std::string header = swissprot ? ">sp|" : ">tr|";
      header += acc;
      header += '|';
      if (swissprot) {
        std::string up = gene;
        for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        header += up;
      } else {
        header += acc;
      }
      header += '_';
      header += org.mnemonic;
      header += ' ';
      header += protein;
      if (numbered) header += " " + std::to_string(number);
      header += " OS=";
      header += org.name;
      header += " OX=" + std::to_string(org.taxid);
      if (swissprot || rng_.Chance(0.7)) header += " GN=" + gene;
      header += " PE=" + std::to_string(swissprot ? 1 + rng_.Below(3) : 3 + rng_.Below(2));
      header += " SV=" + std::to_string(1 + rng_.Below(3));
      header += '\n';
      pending_ += header;
      for (size_t i = 0; i < seq.size(); i += 60) {
        pending_.append(seq, i, 60);
        pending_ += '\n';
      }
    }
  }

  std::string Mutate(const std::string& a, double d) {
    std::string s;
    s.reserve(a.size() + 16);
    const uint64_t sub = static_cast<uint64_t>(d * 65536);
    const uint64_t indel = static_cast<uint64_t>(d * 0.08 * 65536);
    // Occasional fragments: a shorter N- or C-terminal piece.
    size_t begin = 0, end = a.size();
    if (rng_.Chance(0.08)) {
      size_t cut = rng_.Below(a.size() / 3 + 1);
      if (rng_.Chance(0.5))
        begin = cut;
      else
        end = a.size() - cut;
    }
    for (size_t i = begin; i < end; ++i) {
      uint64_t r = rng_.Next();
      uint64_t x = r & 0xffff;
      if (x < indel) {
        if ((r >> 16) & 1) continue;  // deletion
        size_t n = 1 + ((r >> 17) & 3);
        for (size_t k = 0; k < n; ++k) s += RandomAmino();
        s += a[i];
      } else if (x < indel + sub) {
        s += table_[(r >> 24) & 0xff];
      } else {
        s += a[i];
      }
    }
    if (s.empty()) s = "M";
    return s;
  }

  double Normal() {
    double u1 = 1 - rng_.Unit(), u2 = rng_.Unit();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }

  Rng rng_;
  std::array<char, 256> table_{};
  std::string pending_;
  size_t pending_pos_ = 0;
};

// `bytes` of the benchmark data: cycles of 4 MiB FASTA + 1 MiB random.
std::string GenerateData(uint64_t bytes) {
  std::string data;
  data.reserve(bytes);
  FastaStream fasta(0x7a1a51a);
  Rng random(0xdecafbad);
  while (data.size() < bytes) {
    uint64_t left = bytes - data.size();
    fasta.Take(std::min<uint64_t>(4 * kMiB, left), &data);
    left = bytes - data.size();
    for (uint64_t i = 0; i < std::min<uint64_t>(kMiB, left); i += 8) {
      uint64_t v = random.Next();
      data.append(reinterpret_cast<const char*>(&v), std::min<uint64_t>(8, left - i));
    }
  }
  return data;
}

// ---------------------------------------------------------------- options

struct Options {
  std::string dir;
  uint64_t size_mb = 512;
  unsigned threads = 1;
  std::vector<std::string> codecs{"none", "zstd:1", "zstd:3", "zstd:9", "lz4", "lz4hc:9", "snappy"};
  uint64_t object_mb = 1;
  size_t batch = 64;
  uint64_t cache_mb = 8;
  // Codecs measured on only the first slow_mb MiB (slow compressors).
  std::vector<std::string> slow_codecs;
  uint64_t slow_mb = 0;
  std::vector<std::string> breakdown;
  std::string dump_sample;
  std::string input;
  bool verify = true;
};

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

void Usage() {
  std::printf(
      "usage: store_bench --dir DIR [options]\n"
      "  --dir DIR            scratch directory (stores are created and removed inside)\n"
      "  --size-mb N          MiB of mixed data to store and read back (default 512)\n"
      "  --threads N          store threads for put (config.threads) and reader threads for get "
      "(1)\n"
      "  --codecs LIST        comma-separated (default "
      "none,zstd:1,zstd:3,zstd:9,lz4,lz4hc:9,snappy)\n"
      "  --object-mb N        object size in MiB (default 1)\n"
      "  --batch N            objects per PutBatch (default 64)\n"
      "  --cache-mb N         object cache of the stores (default 8)\n"
      "  --slow-codecs LIST   codecs measured on only the first --slow-mb MiB\n"
      "  --slow-mb N          size of that slice (default: all of --size-mb)\n"
      "  --breakdown LIST     codecs whose put/get time is also split into phases\n"
      "  --no-verify          skip the byte-for-byte check after the get phase\n"
      "  --dump-sample FILE   write the --size-mb MiB of data to FILE and exit\n"
      "  --input FILE         use the first --size-mb MiB of FILE (e.g. a real FASTA corpus)\n"
      "                       instead of generated data\n");
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) Die(std::string("missing value after ") + argv[i]);
    return argv[++i];
  };
  auto num = [&](int& i) -> uint64_t {
    std::string flag = argv[i];
    std::string v = need(i);
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') Die("bad number for " + flag + ": " + v);
    return n;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir")
      o.dir = need(i);
    else if (a == "--size-mb")
      o.size_mb = num(i);
    else if (a == "--threads")
      o.threads = static_cast<unsigned>(num(i));
    else if (a == "--codecs")
      o.codecs = SplitList(need(i));
    else if (a == "--object-mb")
      o.object_mb = num(i);
    else if (a == "--batch")
      o.batch = num(i);
    else if (a == "--cache-mb")
      o.cache_mb = num(i);
    else if (a == "--slow-codecs")
      o.slow_codecs = SplitList(need(i));
    else if (a == "--slow-mb")
      o.slow_mb = num(i);
    else if (a == "--breakdown")
      o.breakdown = SplitList(need(i));
    else if (a == "--no-verify")
      o.verify = false;
    else if (a == "--dump-sample")
      o.dump_sample = need(i);
    else if (a == "--input")
      o.input = need(i);
    else if (a == "-h" || a == "--help") {
      Usage();
      std::exit(0);
    } else {
      Usage();
      Die("unknown argument " + a);
    }
  }
  if (o.size_mb == 0) Die("--size-mb must be > 0");
  if (o.threads == 0) Die("--threads must be > 0");
  if (o.object_mb == 0) Die("--object-mb must be > 0");
  if (o.batch == 0) Die("--batch must be > 0");
  if (o.dump_sample.empty() && o.dir.empty()) Die("--dir is required");
  return o;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Runs fn(i) for i in [0, n) on `threads` threads, one index at a time.
void RunParallel(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// ---------------------------------------------------------------- measuring

struct Measure {
  std::string codec;
  uint64_t raw = 0;
  uint64_t stored = 0;
  double put_s = 0;
  double get_s = 0;
};

// Splits the put and get paths into their parts, on the same objects and
// threads: SHA-256, compression (codec only), frame encode (compression +
// XXH3 + copies), the rest of Prepare, and WriteRecords (pack append +
// fsync + LMDB commit); for get, frame decode (XXH3 + decompression) and
// SHA-256 of the result. Uses only the store's public API.
void Breakdown(const Options& o, const std::string& codec_text, const CodecSpec& spec,
               const std::vector<std::string_view>& objects) {
  uint64_t raw = 0;
  for (auto v : objects) raw += v.size();
  const unsigned T = o.threads;
  auto report = [&](const char* key, const char* label, double s) {
    std::printf("  %-22s %-36s %8.3f s %9.1f MB/s\n", key, label, s, Mbps(raw, s));
    std::printf("PHASE codec=%s threads=%u phase=%s seconds=%.4f mbps=%.1f\n", codec_text.c_str(),
                T, key, s, Mbps(raw, s));
  };
  auto timed = [&](const char* key, const char* label, const std::function<void(size_t)>& fn) {
    double t0 = Now();
    RunParallel(objects.size(), T, fn);
    report(key, label, Now() - t0);
  };
  std::printf("breakdown for %s (%u thread%s, %zu objects):\n", codec_text.c_str(), T,
              T == 1 ? "" : "s", objects.size());
  timed("put.sha256", "ObjectId::Hash", [&](size_t i) { (void)ObjectId::Hash(objects[i]); });
  timed("put.compress", "store::Compress (codec only)",
        [&](size_t i) { Check(talaria::store::Compress(spec, objects[i]), "compress"); });
  std::vector<std::string> frames(objects.size());
  timed("put.encode_frame", "EncodeFrame (compress+xxh3+copies)", [&](size_t i) {
    frames[i] = Check(talaria::store::EncodeFrame(spec, objects[i]), "encode");
  });

  // Prepare + WriteRecords through the store: the put path in two halves.
  std::string root = o.dir + "/breakdown-store";
  fs::remove_all(root);
  StoreConfig config;
  config.codec = spec;
  config.threads = T;
  config.cache_bytes = o.cache_mb * kMiB;
  Check(ObjectStore::Init(root, config), "init " + root);
  {
    talaria::store::OpenOptions oo;
    auto store = Check(WritableStore::Open(root, config, oo), "open " + root);
    std::vector<WritableStore::Prepared> prepared(objects.size());
    timed("put.prepare", "Hash + ObjectStore::Prepare (frame)", [&](size_t i) {
      prepared[i] = Check(store->Prepare(ObjectId::Hash(objects[i]), objects[i], {}), "prepare");
    });
    double t0 = Now();
    for (size_t b = 0; b < prepared.size(); b += o.batch) {
      size_t e = std::min(prepared.size(), b + o.batch);
      std::vector<WritableStore::Prepared> batch(std::make_move_iterator(prepared.begin() + b),
                                                 std::make_move_iterator(prepared.begin() + e));
      Check(store->WriteRecords(batch, /*skip_existing=*/true), "write records");
    }
    report("put.write_records", "WriteRecords (append+fsync+LMDB)", Now() - t0);

    std::vector<ObjectId> ids(objects.size());
    for (size_t i = 0; i < objects.size(); ++i) ids[i] = ObjectId::Hash(objects[i]);
    std::vector<talaria::index::ObjectEntry> entries(objects.size());
    timed("get.index_lookup", "ObjectStore::Stat (LMDB read txn)",
          [&](size_t i) { entries[i] = Check(store->Stat(ids[i]), "stat").entry; });
    timed("get.pack_read", "PackReader::Read (pread+copies)", [&](size_t i) {
      const auto& e = entries[i];
      auto rec = Check(store->pack_reader().Read(e.pack, e.offset, e.record_len), "pack read");
      if (rec.header.id != ids[i]) Die("pack read: wrong record");
    });
  }
  fs::remove_all(root);

  timed("get.decode_frame", "DecodeFrame (xxh3+decompress)", [&](size_t i) {
    auto raw_bytes = Check(talaria::store::DecodeFrame(frames[i]), "decode");
    if (raw_bytes.size() != objects[i].size()) Die("decode size mismatch");
  });
  timed("get.decompress", "store::Decompress (codec only)", [&](size_t i) {
    auto h = Check(talaria::store::ParseFrameHeader(frames[i]), "frame header");
    auto raw_bytes =
        Check(talaria::store::Decompress(
                  h.codec, std::string_view(frames[i]).substr(talaria::store::kFrameHeaderSize),
                  h.raw_len),
              "decompress");
    if (raw_bytes.size() != objects[i].size()) Die("decompress size mismatch");
  });
}

Measure RunCodec(const Options& o, const std::string& codec_text,
                 const std::vector<std::string_view>& all_objects,
                 const std::vector<ObjectId>& all_ids) {
  CodecSpec spec = Check(CodecSpec::Parse(codec_text), "codec");
  size_t count = all_objects.size();
  if (o.slow_mb > 0 && Contains(o.slow_codecs, codec_text)) {
    uint64_t bytes = 0;
    size_t n = 0;
    while (n < all_objects.size() && bytes < o.slow_mb * kMiB) bytes += all_objects[n++].size();
    count = n;
  }
  std::span<const std::string_view> objects(all_objects.data(), count);
  Measure m;
  m.codec = codec_text;
  for (auto v : objects) m.raw += v.size();

  std::string root = o.dir + "/store-" + codec_text;
  for (char& c : root)
    if (c == ':') c = '_';
  fs::remove_all(root);
  StoreConfig config;
  config.codec = spec;
  config.threads = o.threads;
  config.cache_bytes = o.cache_mb * kMiB;
  Check(ObjectStore::Init(root, config), "init " + root);

  // Put.
  {
    talaria::store::OpenOptions oo;
    auto store = Check(WritableStore::Open(root, config, oo), "open " + root);
    std::vector<ObjectId> ids;
    ids.reserve(count);
    double t0 = Now();
    for (size_t b = 0; b < count; b += o.batch) {
      auto batch = objects.subspan(b, std::min(o.batch, count - b));
      auto got = Check(store->PutBatch(batch), "put batch");
      ids.insert(ids.end(), got.begin(), got.end());
    }
    m.put_s = Now() - t0;
    for (size_t i = 0; i < count; ++i) {
      if (ids[i] != all_ids[i])
        Die(codec_text + ": object " + std::to_string(i) + " got a wrong id");
    }
  }
  m.stored = DirBytes(root + "/packs");

  // Get: a fresh read-only store, so nothing is cached from the put.
  {
    auto store = Check(ObjectStore::Open(root, config, {}), "open read-only " + root);
    std::atomic<bool> bad{false};
    double t0 = Now();
    RunParallel(count, o.threads, [&](size_t i) {
      auto got = store->Get(all_ids[i]);
      if (!got || (*got)->size() != objects[i].size()) bad = true;
    });
    m.get_s = Now() - t0;
    if (bad) Die(codec_text + ": a get failed");
    if (o.verify) {
      // Untimed: every object byte for byte (the cache is far smaller than
      // the data, so these are real reads again).
      for (size_t i = 0; i < count; ++i) {
        auto got = Check(store->Get(all_ids[i]), codec_text + ": verify get");
        if (std::string_view(*got) != objects[i]) {
          Die(codec_text + ": object " + std::to_string(i) + " read back different bytes");
        }
      }
    }
  }
  fs::remove_all(root);

  if (Contains(o.breakdown, codec_text)) {
    std::vector<std::string_view> v(objects.begin(), objects.end());
    Breakdown(o, codec_text, spec, v);
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  double t0 = Now();
  std::string data;
  if (o.input.empty()) {
    data = GenerateData(o.size_mb * kMiB);
  } else {
    std::ifstream f(o.input, std::ios::binary);
    if (!f) Die("cannot open " + o.input);
    data.resize(o.size_mb * kMiB);
    f.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(f.gcount()));
    if (data.empty()) Die(o.input + " is empty");
  }
  const uint64_t bytes = data.size();
  double gen_s = Now() - t0;

  if (!o.dump_sample.empty()) {
    std::ofstream f(o.dump_sample, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.close();
    if (!f) Die("could not write " + o.dump_sample);
    std::printf("wrote %.1f MiB of sample data to %s\n", bytes / double(kMiB),
                o.dump_sample.c_str());
    return 0;
  }

  std::vector<std::string_view> objects;
  const uint64_t obj = o.object_mb * kMiB;
  for (uint64_t off = 0; off < data.size(); off += obj) {
    objects.push_back(std::string_view(data).substr(off, obj));
  }
  // Expected ids (single thread): also the in-process SHA-256 speed.
  t0 = Now();
  std::vector<ObjectId> ids;
  ids.reserve(objects.size());
  for (auto v : objects) ids.push_back(ObjectId::Hash(v));
  double sha_s = Now() - t0;

  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) Die("create " + o.dir + ": " + ec.message());

  std::string what =
      o.input.empty() ? "mixed data (80% protein FASTA, 20% random)" : "of " + o.input;
  std::printf(
      "store_bench: %.1f MiB %s in %zu objects of "
      "%llu MiB, %u thread%s, batches of %zu, cache %llu MiB, dir %s\n",
      bytes / double(kMiB), what.c_str(), objects.size(),
      static_cast<unsigned long long>(o.object_mb), o.threads, o.threads == 1 ? "" : "s", o.batch,
      static_cast<unsigned long long>(o.cache_mb), o.dir.c_str());
  std::printf("data ready in %.2f s; SHA-256 in-process (1 thread, %llu MiB objects): %.1f MB/s\n",
              gen_s, static_cast<unsigned long long>(o.object_mb), Mbps(bytes, sha_s));
  std::printf("SHA256 mbps=%.1f\n", Mbps(bytes, sha_s));
  if (o.slow_mb > 0 && !o.slow_codecs.empty()) {
    std::string list;
    for (const auto& c : o.slow_codecs) list += (list.empty() ? "" : ",") + c;
    std::printf("note: %s measured on the first %llu MiB only (slow compressors)\n", list.c_str(),
                static_cast<unsigned long long>(o.slow_mb));
  }
  std::printf(
      "MB = 10^6 bytes of raw data; put = PutBatch incl. fsync + index commit; get = Get "
      "from a freshly opened read-only store\n");
  std::printf("%-9s %9s %10s %7s %10s %10s\n", "codec", "raw MB", "stored MB", "ratio", "put MB/s",
              "get MB/s");
  std::fflush(stdout);

  for (const std::string& codec : o.codecs) {
    Measure m = RunCodec(o, codec, objects, ids);
    std::printf("%-9s %9.1f %10.1f %7.3f %10.1f %10.1f\n", m.codec.c_str(), m.raw / 1e6,
                m.stored / 1e6, m.stored ? double(m.raw) / m.stored : 0, Mbps(m.raw, m.put_s),
                Mbps(m.raw, m.get_s));
    std::printf(
        "RESULT codec=%s threads=%u raw_mb=%.1f stored_mb=%.1f ratio=%.3f put_mbps=%.1f "
        "get_mbps=%.1f put_s=%.3f get_s=%.3f\n",
        m.codec.c_str(), o.threads, m.raw / 1e6, m.stored / 1e6,
        m.stored ? double(m.raw) / m.stored : 0, Mbps(m.raw, m.put_s), Mbps(m.raw, m.get_s),
        m.put_s, m.get_s);
    std::fflush(stdout);
  }
  return 0;
}
