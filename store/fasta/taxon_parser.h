#pragma once

// Taxon ids and accessions from FASTA headers.
// Thread-safe (pure functions).

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace talaria::store {

using TaxonId = uint32_t;

// The taxon named in a header (without '>'), trying in order: UniRef
// "TaxID=N", UniProt "OX=N", "taxon:N", NCBI "tax_id=N" / "taxid=N",
// Kraken "kraken:taxid|N|". A key counts only at the start of a word.
std::optional<TaxonId> TaxonFromHeader(std::string_view header);

// The keys under which a sequence id may appear in an NCBI
// accession2taxid table: the id itself ("XP_012345.1"), without its
// version ("XP_012345"), and for "db|ACCESSION|name" ids the accession
// field ("sp|P12345|NAME_HUMAN" -> "P12345").
std::vector<std::string_view> AccessionKeys(std::string_view id);

}  // namespace talaria::store
