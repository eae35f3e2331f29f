#include <gtest/gtest.h>

#include "store/fasta/fasta_reader.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace talaria::store {
namespace {

using namespace std::string_literals;

struct Parsed {
  std::string preamble;
  std::vector<FastaRecord> records;  // text points into `texts`
  std::vector<std::unique_ptr<std::string>> texts;
  std::string Joined() const {
    std::string s = preamble;
    for (const auto& r : records) s += r.text;
    return s;
  }
};

Parsed ParseOrDie(const std::string& path, FastaOptions o = {}) {
  auto reader = FastaReader::Open(path, o);
  EXPECT_TRUE(reader) << reader.error().ToString();
  Parsed p;
  FastaRecord rec;
  for (;;) {
    auto more = (*reader)->Next(&rec);
    EXPECT_TRUE(more) << more.error().ToString();
    if (!more || !*more) break;
    p.texts.push_back(std::make_unique<std::string>(rec.text));
    rec.text = *p.texts.back();
    p.records.push_back(rec);
  }
  p.preamble = (*reader)->preamble();
  return p;
}

core::Error ParseError(const std::string& path, FastaOptions o = {}) {
  auto reader = FastaReader::Open(path, o);
  if (!reader) return reader.error();
  FastaRecord rec;
  for (;;) {
    auto more = (*reader)->Next(&rec);
    if (!more) return more.error();
    if (!*more) return core::Error(core::Code::kInvalidArgument, "no error");
  }
}

class FastaReaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& data) {
    std::string path = dir_ / name;
    testing::WriteFile(path, data);
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(FastaReaderTest, KeepsEveryByteOfOddInputs) {
  const std::string inputs[] = {
      ">a desc\nACGT\nAC\n>b\nMKV*\n",           // odd widths, stop codon
      ">a\r\nACGT\r\nacgt\r\n>b x\r\nNNNN\r\n",  // CRLF, lower case
      "\n\n>a\nACGU-RYKMSWBDHVN.\n",             // leading blank lines, IUPAC, gaps
      ">a\nACGT\n\n>b\nGG",                      // blank line inside, no final newline
      ">only-header\n",                          // header without sequence (lenient)
      "",                                        // empty file
  };
  for (const std::string& in : inputs) {
    Parsed p = ParseOrDie(Write("in.fa", in));
    EXPECT_EQ(p.Joined(), in);
  }
  Parsed p = ParseOrDie(Write("x.fa", ">sp|P1|X_HUMAN Prot OX=9606\r\nMKV\r\nLL\r\n>b\nA\n"));
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0].header(), "sp|P1|X_HUMAN Prot OX=9606");
  EXPECT_EQ(p.records[0].id(), "sp|P1|X_HUMAN");
  EXPECT_EQ(p.records[0].residues, 5u);
  EXPECT_EQ(p.records[0].line, 1u);
  EXPECT_EQ(p.records[1].line, 4u);
}

TEST_F(FastaReaderTest, ReadsGzipAndZstdByContentNotName) {
  std::string text = testing::FastaLikeText(300000, 1);
  std::string plain = Write("plain.fa", text);
  ASSERT_EQ(
      testing::Run({"/bin/sh", "-c", "gzip -c " + plain + " > " + (dir_ / "z.fa.gz")}).exit_code,
      0);
  ASSERT_EQ(testing::Run({"/bin/sh", "-c", "zstd -q -c " + plain + " > " + (dir_ / "z.fa.zst")})
                .exit_code,
            0);
  ASSERT_EQ(testing::Run({"/bin/sh", "-c", "gzip -c " + plain + " > " + (dir_ / "misnamed.fa")})
                .exit_code,
            0);
  // Concatenated gzip members (as bgzip writes) read as one stream.
  ASSERT_EQ(testing::Run({"/bin/sh", "-c",
                          "gzip -c " + plain + " > " + (dir_ / "two.gz") + " && gzip -c " + plain +
                              " >> " + (dir_ / "two.gz")})
                .exit_code,
            0);
  EXPECT_EQ(ParseOrDie(dir_ / "z.fa.gz").Joined(), text);
  EXPECT_EQ(ParseOrDie(dir_ / "z.fa.zst").Joined(), text);
  EXPECT_EQ(ParseOrDie(dir_ / "misnamed.fa").Joined(), text);
  EXPECT_EQ(ParseOrDie(dir_ / "two.gz").Joined(), text + text);
}

TEST_F(FastaReaderTest, GarbageNamesFileAndLine) {
  auto e = ParseError(Write("pre.fa", "\nACGT\n>a\nAC\n"));
  EXPECT_EQ(e.code(), core::Code::kParse);
  EXPECT_NE(e.message().find("pre.fa:2: sequence data before the first '>'"), std::string::npos)
      << e.message();
  e = ParseError(Write("nul.fa", ">a\nAC\nAC\0GT\n"s));
  EXPECT_NE(e.message().find("nul.fa:3: NUL byte"), std::string::npos) << e.message();
  e = ParseError(Write("bin.fa", ">a\nAC\xff\n"));
  EXPECT_NE(e.message().find("bin.fa:2: binary byte 0xff"), std::string::npos) << e.message();
  e = ParseError(Write("del.fa",
                       ">a\nACGTACGTACGTACGT\x7f"
                       "AC\n"));
  EXPECT_NE(e.message().find("del.fa:2: binary byte 0x7f at column 17"), std::string::npos)
      << e.message();
  e = ParseError(Write("ctl.fa", ">a\nACGTACGTACGTACGTACGTACGTACG\x01T\n"));
  EXPECT_NE(e.message().find("ctl.fa:2: control byte 0x01 at column 28"), std::string::npos)
      << e.message();
  EXPECT_EQ(ParseOrDie(Write("tab.fa", ">a\tb\nACGTACGTACGT\tACGT\n")).records.size(), 1u);
  e = ParseError(Write("strict.fa", ">a\nAC\n>b\n>c\nGG\n"), FastaOptions{true});
  EXPECT_NE(e.message().find("strict.fa:3: header 'b' has no sequence"), std::string::npos)
      << e.message();
  std::string gz = dir_ / "cut.gz";
  testing::WriteFile(dir_ / "src", testing::FastaLikeText(100000, 2));
  testing::Run({"/bin/sh", "-c", "gzip -c " + (dir_ / "src") + " | head -c 5000 > " + gz});
  e = ParseError(gz);
  EXPECT_EQ(e.code(), core::Code::kCorruption);
  EXPECT_NE(e.message().find("cut short"), std::string::npos) << e.message();
}

TEST_F(FastaReaderTest, LongLinesAndManyRecordsStream) {
  std::string big = ">chr1 one line\n" + std::string(3 << 20, 'A') + "\n";
  for (int i = 0; i < 20000; ++i) big += ">r" + std::to_string(i) + "\nMKV\n";
  Parsed p = ParseOrDie(Write("big.fa", big));
  EXPECT_EQ(p.records.size(), 20001u);
  EXPECT_EQ(p.records[0].residues, 3u << 20);
  EXPECT_EQ(p.Joined(), big);
}

}  // namespace
}  // namespace talaria::store
