// The virtual tree without FUSE: every directory resolved and listed, file
// sizes against the bytes served, inode identity across a new version, and
// the errors of names that do not exist or of the wrong kind.

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fs/virtual_tree.h"
#include "store/catalog/ingest.h"
#include "store/core/object_id.h"
#include "store/reduce/reduction.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/store_fixture.h"
#include "tests/testing/test_util.h"

namespace talaria::fs {
namespace {

using testing::Value;

constexpr char kDb[] = "prot";
constexpr char kFile[] = "prot.fasta";

// The records of a FASTA text by the taxon of their header's " OX=" (0
// without one), each taxon's records sorted: parsed here, independently of
// the store.
std::map<uint32_t, std::vector<std::string>> RecordsByTaxon(std::string_view fasta) {
  std::map<uint32_t, std::vector<std::string>> out;
  for (size_t pos = 0; pos < fasta.size();) {
    const size_t next = fasta.find("\n>", pos);
    const size_t end = next == std::string_view::npos ? fasta.size() : next + 1;
    const std::string_view record = fasta.substr(pos, end - pos);
    const std::string_view header = record.substr(0, record.find('\n'));
    const size_t ox = header.find(" OX=");
    const uint32_t taxon =
        ox == std::string_view::npos ? 0 : std::stoul(std::string(header.substr(ox + 4)));
    out[taxon].emplace_back(record);
    pos = end;
  }
  for (auto& [taxon, records] : out) std::sort(records.begin(), records.end());
  return out;
}

// The .fai samtools would write for a FASTA text whose records have lines of
// one width (but the last).
std::string ExpectedFai(std::string_view fasta) {
  std::string out;
  for (size_t pos = 0; pos < fasta.size();) {
    const size_t seq = fasta.find('\n', pos) + 1;
    const size_t next = fasta.find("\n>", seq - 1);
    const size_t end = next == std::string_view::npos ? fasta.size() : next + 1;
    std::string_view name = fasta.substr(pos + 1, seq - pos - 2);
    name = name.substr(0, name.find(' '));
    const size_t line = fasta.find('\n', seq) - seq;
    const size_t newlines = std::count(fasta.begin() + seq, fasta.begin() + end, '\n');
    const size_t residues = end - seq - newlines;
    out += std::string(name) + "\t" + std::to_string(residues) + "\t" + std::to_string(seq) + "\t" +
           std::to_string(line) + "\t" + std::to_string(line + 1) + "\n";
    pos = end;
  }
  return out;
}

// "ok", or the stable name of the error's code ("not_found", ...).
template <typename T>
std::string ErrorName(const core::Result<T>& r) {
  return r ? "ok" : std::string(core::CodeName(r.error().code()));
}

class VirtualTreeTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    testing::StoreTest::SetUp();
    if (HasFatalFailure()) return;
    spec_.records = 400;
    spec_.taxa = 4;
    spec_.first_taxon = 70;
    spec_.line_width = 60;
    spec_.family_size = 4;  // similar sequences, so a reduction has children
    for (int r : {1, 2}) release_[r] = testing::ProteinRelease(spec_, r);
    ASSERT_NO_FATAL_FAILURE(Ingest(1));
    tree_ = std::make_unique<VirtualTree>(store_.get(), options_);
    fixed_inodes_ = tree_->inode_count();
  }

  // Ingests release `r` as version "v<r>" of kDb, from a file named kFile.
  void Ingest(int r) {
    testing::WriteFile(dir_ / kFile, release_[r]);
    store::IngestOptions o;
    o.database = kDb;
    o.version = "v" + std::to_string(r);
    o.files = {dir_ / kFile};
    auto result = store::IngestDatabase(*store_, o);
    ASSERT_TRUE(result) << result.error().ToString();
  }

  // Looks up each component of `path` from the root, as the kernel would;
  // every inode returned is recorded in looked_up_.
  core::Result<Entry> Walk(std::string_view path) {
    TALARIA_ASSIGN_OR_RETURN(Entry e, tree_->GetAttr(kRootIno));
    for (size_t start = 0; start < path.size();) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      TALARIA_ASSIGN_OR_RETURN(e, tree_->Lookup(e.ino, path.substr(start, slash - start)));
      looked_up_.push_back(e.ino);
      start = slash + 1;
    }
    return e;
  }
  uint64_t Ino(std::string_view path) { return Value(Walk(path)).ino; }

  // The names directory `ino` lists, sorted; each looks up as the type listed.
  std::vector<std::string> List(uint64_t ino) {
    std::vector<std::string> names;
    auto listing = Value(tree_->OpenDir(ino));
    for (uint64_t i = 0;; i++) {
      std::optional<DirEntry> entry = Value(listing->At(i));
      if (!entry) break;
      names.push_back(entry->name);
      Entry e = Value(tree_->Lookup(ino, entry->name));
      EXPECT_EQ(e.attr.st_mode & S_IFMT, entry->type) << entry->name;
      tree_->Forget(e.ino, 1);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every byte Open gives, asking for more than GetAttr's size; expects
  // exactly that size.
  std::string ReadAll(uint64_t ino) {
    const uint64_t size = static_cast<uint64_t>(Value(tree_->GetAttr(ino)).attr.st_size);
    auto content = Value(tree_->Open(ino));
    EXPECT_EQ(content->size(), size);
    std::string out;
    EXPECT_OK(content->Read(0, size + 65536, &out));
    EXPECT_EQ(out.size(), size) << "inode " << ino;
    return out;
  }

  testing::ReleaseSpec spec_;
  std::map<int, std::string> release_;
  TreeOptions options_;
  std::unique_ptr<VirtualTree> tree_;
  size_t fixed_inodes_ = 0;
  std::vector<uint64_t> looked_up_;
};

using Names = std::vector<std::string>;

TEST_F(VirtualTreeTest, EveryDirectoryListsWhatTheStoreHolds) {
  ASSERT_NO_FATAL_FAILURE(Ingest(2));
  store::ReduceOptions o;
  o.database = kDb;
  o.profile = "p80";
  o.parameters.identity = 0.8;
  auto reduced = store::ReduceDatabase(*store_, o);
  ASSERT_TRUE(reduced) << reduced.error().ToString();
  ASSERT_GT(reduced->manifest.statistics.child_sequences, 0u);

  EXPECT_EQ(List(kRootIno), (Names{".talaria", "by-hash", "by-taxon", "databases", "reductions"}));
  EXPECT_EQ(List(Ino(".talaria")), Names{"stats.json"});
  EXPECT_EQ(List(Ino("databases")), Names{kDb});
  EXPECT_EQ(List(Ino("databases/prot")), (Names{"current", "v1", "v2"}));
  const Entry current = Value(Walk("databases/prot/current"));
  EXPECT_EQ(current.attr.st_mode & S_IFMT, static_cast<mode_t>(S_IFLNK));
  EXPECT_EQ(Value(tree_->ReadLink(current.ino)), "v2");
  EXPECT_EQ(current.attr.st_size, 2);
  for (const char* v : {"databases/prot/v1", "databases/prot/v2"}) {
    EXPECT_EQ(List(Ino(v)), (Names{"manifest.json", kFile, "prot.fasta.fai"})) << v;
  }
  EXPECT_EQ(List(Ino("by-taxon")), (Names{"70", "71", "72", "73"}));
  // No taxonomy is loaded: no .name and no subtree files.
  EXPECT_EQ(List(Ino("by-taxon/72")), (Names{kFile, "prot.fasta.fai"}));

  Names objects;
  for (const auto& info : Value(store_->List())) objects.push_back(info.id.Hex());
  std::sort(objects.begin(), objects.end());
  EXPECT_GT(objects.size(), 8u);
  EXPECT_EQ(List(Ino("by-hash")), objects);

  EXPECT_EQ(List(Ino("reductions")), Names{"p80"});
  EXPECT_EQ(List(Ino("reductions/p80")),
            (Names{"deltas.dat", "expanded.fasta", "manifest.json", "ref2children.tsv",
                   "references.fasta", "references.fasta.fai"}));
  // The profile's files are served at their stated sizes; expanded.fasta
  // holds every record of the version it was made from (the current one).
  for (const char* f : {"deltas.dat", "ref2children.tsv", "references.fasta",
                        "references.fasta.fai", "manifest.json"}) {
    ReadAll(Ino(std::string("reductions/p80/") + f));
  }
  const std::string expanded = ReadAll(Ino("reductions/p80/expanded.fasta"));
  EXPECT_TRUE(RecordsByTaxon(expanded) == RecordsByTaxon(release_[2]));
  EXPECT_EQ(ReadAll(Ino("reductions/p80/references.fasta")).size(),
            reduced->manifest.statistics.reference_bytes);
}

TEST_F(VirtualTreeTest, FileSizesAreExactAndContentsAreWhatWasIngested) {
  ASSERT_NO_FATAL_FAILURE(Ingest(2));
  for (int r : {1, 2}) {
    const std::string version = "databases/prot/v" + std::to_string(r) + "/";
    const std::string source = ReadAll(Ino(version + kFile));
    EXPECT_TRUE(source == release_[r]) << version << kFile << " differs from what was ingested";
    EXPECT_EQ(ReadAll(Ino(version + kFile + ".fai")), ExpectedFai(release_[r])) << version;
    auto manifest = nlohmann::json::parse(ReadAll(Ino(version + "manifest.json")));
    EXPECT_EQ(manifest["database"], kDb) << version;
  }
  // by-taxon files are the current release's records of their taxon.
  const auto expected = RecordsByTaxon(release_[2]);
  ASSERT_EQ(expected.size(), static_cast<size_t>(spec_.taxa));
  for (const auto& [taxon, records] : expected) {
    const std::string path = "by-taxon/" + std::to_string(taxon) + "/" + kFile;
    const std::string bytes = ReadAll(Ino(path));
    EXPECT_TRUE(RecordsByTaxon(bytes) ==
                (std::map<uint32_t, std::vector<std::string>>{{taxon, records}}))
        << path << " does not hold exactly the records of taxon " << taxon;
    EXPECT_EQ(ReadAll(Ino(path + ".fai")), ExpectedFai(bytes)) << path;
  }
  // by-hash files are their objects: the bytes hash to the name.
  size_t objects = 0;
  auto listing = Value(tree_->OpenDir(Ino("by-hash")));
  for (uint64_t i = 0;; i++, objects++) {
    std::optional<DirEntry> entry = Value(listing->At(i));
    if (!entry) break;
    const std::string bytes = ReadAll(Ino("by-hash/" + entry->name));
    EXPECT_EQ(core::ObjectId::Hash(bytes).Hex(), entry->name);
  }
  EXPECT_EQ(objects, Value(store_->List()).size());
}

TEST_F(VirtualTreeTest, NamesKeepTheirInodeUntilTheirContentChanges) {
  const Entry current = Value(Walk("databases/prot/current"));
  const Entry taxon = Value(Walk("by-taxon/70/prot.fasta"));
  const Entry source = Value(Walk("databases/prot/v1/prot.fasta"));
  EXPECT_EQ(Ino("databases/prot/current"), current.ino);
  EXPECT_EQ(Ino("by-taxon/70/prot.fasta"), taxon.ino);
  EXPECT_EQ(Ino("databases/prot/v1/prot.fasta"), source.ino);
  EXPECT_EQ(Value(tree_->ReadLink(current.ino)), "v1");
  // Names that may change are cached briefly, a version's files for long.
  EXPECT_EQ(current.entry_timeout_s, options_.mutable_timeout_s);
  EXPECT_EQ(taxon.entry_timeout_s, options_.mutable_timeout_s);
  EXPECT_EQ(source.entry_timeout_s, options_.immutable_timeout_s);
  const std::string old_taxon_bytes = ReadAll(taxon.ino);

  ASSERT_NO_FATAL_FAILURE(Ingest(2));
  const uint64_t new_current = Ino("databases/prot/current");
  EXPECT_NE(new_current, current.ino);
  EXPECT_EQ(Value(tree_->ReadLink(new_current)), "v2");
  const uint64_t new_taxon = Ino("by-taxon/70/prot.fasta");
  EXPECT_NE(new_taxon, taxon.ino);
  EXPECT_EQ(Ino("databases/prot/v1/prot.fasta"), source.ino);
  // The old inode still serves the bytes it was looked up with; the new
  // one the new release's.
  EXPECT_EQ(ReadAll(taxon.ino), old_taxon_bytes);
  EXPECT_TRUE(RecordsByTaxon(old_taxon_bytes)[70] == RecordsByTaxon(release_[1])[70]);
  EXPECT_TRUE(RecordsByTaxon(ReadAll(new_taxon))[70] == RecordsByTaxon(release_[2])[70]);
  EXPECT_TRUE(ReadAll(source.ino) == release_[1]);
}

TEST_F(VirtualTreeTest, ForgettingEveryLookupFreesTheirInodes) {
  ASSERT_NO_FATAL_FAILURE(Ingest(2));
  for (const char* path :
       {"databases/prot/v1/prot.fasta", "databases/prot/v1/prot.fasta", "databases/prot/current",
        "by-taxon/71/prot.fasta.fai", "by-taxon/71/prot.fasta", ".talaria/stats.json"}) {
    ASSERT_OK(Walk(path));
  }
  const uint64_t file = Ino("databases/prot/v1/prot.fasta");
  std::map<uint64_t, uint64_t> nlookup;
  for (uint64_t ino : looked_up_) nlookup[ino]++;
  ASSERT_EQ(nlookup[file], 3u);
  EXPECT_GT(tree_->inode_count(), fixed_inodes_);

  // An inode lives until it is forgotten as often as it was looked up.
  tree_->Forget(file, 2);
  EXPECT_OK(tree_->GetAttr(file));
  tree_->Forget(file, 1);
  EXPECT_EQ(ErrorName(tree_->GetAttr(file)), "not_found");
  EXPECT_EQ(ErrorName(tree_->Open(file)), "not_found");
  nlookup.erase(file);
  for (const auto& [ino, n] : nlookup) tree_->Forget(ino, n);
  EXPECT_EQ(tree_->inode_count(), fixed_inodes_);
  // The fixed directories are never forgotten; a name looked up again works.
  EXPECT_OK(tree_->GetAttr(InodeTable::FixedIno(NodeKind::kDatabasesDir)));
  EXPECT_OK(tree_->OpenDir(kRootIno));
  EXPECT_TRUE(ReadAll(Ino("databases/prot/v1/prot.fasta")) == release_[1]);
}

TEST_F(VirtualTreeTest, UnknownNamesAreNotFound) {
  ASSERT_NO_FATAL_FAILURE(Ingest(2));
  const std::string zeros(core::ObjectId::kHexSize, '0');
  for (const std::string parent_path :
       {"", "databases", "databases/prot", "databases/prot/v1", "by-taxon", "by-taxon/70",
        "by-hash", "reductions", ".talaria"}) {
    const uint64_t parent = Ino(parent_path);
    std::vector<std::string> misses = {"nope", "nope.fasta"};
    if (parent_path == "databases/prot") misses = {"v9", "v", "current.fai"};
    if (parent_path == "databases/prot/v1") misses.push_back("prot.fasta.pin");
    if (parent_path == "by-taxon") misses = {"999", "abc", "012", "-70", "70x"};
    if (parent_path == "by-taxon/70") {
      misses.insert(misses.end(), {".name", "prot.subtree.fasta", "prot.fasta.pin", "nope.fai"});
    }
    if (parent_path == "by-hash") misses = {zeros, "zz", zeros.substr(1), zeros + "0"};
    for (const std::string& name : misses) {
      const size_t before = tree_->inode_count();
      EXPECT_EQ(ErrorName(tree_->Lookup(parent, name)), "not_found") << parent_path << "/" << name;
      EXPECT_EQ(tree_->inode_count(), before) << parent_path << "/" << name;
    }
  }
}

TEST_F(VirtualTreeTest, FilesAndDirectoriesRefuseEachOthersOperations) {
  const uint64_t file = Ino("databases/prot/v1/prot.fasta");
  const uint64_t link = Ino("databases/prot/current");
  for (uint64_t dir : {kRootIno, Ino("by-hash"), Ino("by-taxon/70"), Ino("databases/prot"),
                       Ino("databases/prot/v1")}) {
    EXPECT_EQ(ErrorName(tree_->Open(dir)), "invalid_argument") << dir;
    EXPECT_EQ(ErrorName(tree_->ReadLink(dir)), "invalid_argument") << dir;
  }
  EXPECT_EQ(ErrorName(tree_->Open(link)), "invalid_argument");
  for (uint64_t ino : {file, link, Ino("databases/prot/v1/prot.fasta.fai"),
                       Ino("by-taxon/70/prot.fasta"), Ino(".talaria/stats.json")}) {
    EXPECT_EQ(ErrorName(tree_->OpenDir(ino)), "invalid_argument") << ino;
    EXPECT_EQ(ErrorName(tree_->Lookup(ino, "x")), "invalid_argument") << ino;
  }
  EXPECT_EQ(ErrorName(tree_->ReadLink(file)), "invalid_argument");
  // An inode never handed out is stale.
  const uint64_t unknown = 1'000'000;
  EXPECT_EQ(ErrorName(tree_->GetAttr(unknown)), "not_found");
  EXPECT_EQ(ErrorName(tree_->Open(unknown)), "not_found");
  EXPECT_EQ(ErrorName(tree_->OpenDir(unknown)), "not_found");
  EXPECT_EQ(ErrorName(tree_->Lookup(unknown, kFile)), "not_found");
}

}  // namespace
}  // namespace talaria::fs
