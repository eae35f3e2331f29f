#include <gtest/gtest.h>

#include "store/fasta/taxon_parser.h"

namespace talaria::store {
namespace {

TEST(TaxonParser, ReadsEveryHeaderConvention) {
  EXPECT_EQ(TaxonFromHeader("sp|P69905|HBA_HUMAN Hemoglobin OS=Homo sapiens OX=9606 GN=HBA1"),
            9606u);
  EXPECT_EQ(TaxonFromHeader("UniRef90_P69905 Hemoglobin n=3 Tax=Homo TaxID=9606 RepID=X"), 9606u);
  EXPECT_EQ(TaxonFromHeader("seq1 /db_xref=\"taxon:562\""), 562u);
  EXPECT_EQ(TaxonFromHeader("seq1 taxon:562 something"), 562u);
  EXPECT_EQ(TaxonFromHeader("WP_000001.1 protein [tax_id=511145]"), 511145u);
  EXPECT_EQ(TaxonFromHeader("x taxid=7227"), 7227u);
  EXPECT_EQ(TaxonFromHeader("seq7|kraken:taxid|562|rest"), 562u);
  EXPECT_EQ(TaxonFromHeader("no taxon here"), std::nullopt);
  EXPECT_EQ(TaxonFromHeader("FOX=12 BOX=3"), std::nullopt);  // OX= inside a word
  EXPECT_EQ(TaxonFromHeader("x OX=abc OX=10"), 10u);         // first parsable wins
}

TEST(TaxonParser, PrecedenceFollowsTheDesign) {
  // TaxID= before OX= before taxon: before taxid= before kraken.
  EXPECT_EQ(TaxonFromHeader("a kraken:taxid|1| taxid=2 taxon:3 OX=4 TaxID=5"), 5u);
  EXPECT_EQ(TaxonFromHeader("a kraken:taxid|1| taxid=2 taxon:3 OX=4"), 4u);
  EXPECT_EQ(TaxonFromHeader("a kraken:taxid|1| taxid=2 taxon:3"), 3u);
  EXPECT_EQ(TaxonFromHeader("a kraken:taxid|1| taxid=2"), 2u);
}

TEST(TaxonParser, AccessionKeysCoverNcbiAndUniprotIds) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(AccessionKeys("XP_012345.1"), (V{"XP_012345.1", "XP_012345"}));
  EXPECT_EQ(AccessionKeys("sp|P12345|NAME_HUMAN"), (V{"P12345", "sp|P12345|NAME_HUMAN"}));
  EXPECT_EQ(AccessionKeys("P12345"), (V{"P12345"}));
}

}  // namespace
}  // namespace talaria::store
