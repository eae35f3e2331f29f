// talaria-store query --taxon T [--subtree] [--size MIN:MAX] [--limit N] [--json]

#include <charconv>
#include <iostream>

#include "store/catalog/catalog_view.h"
#include "store/fasta/chunker.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct QueryArgs {
  std::vector<uint32_t> taxa;
  bool subtree = false;
  std::string size;
  std::string has_reference;
  size_t limit = 0;
  bool order_by_access = false;
  bool json = false;
};

// "MIN:MAX", either side may be empty; sizes in bytes with optional K/M/G.
core::Status ParseSizeRange(const std::string& text, store::ChunkQuery* q) {
  auto parse = [&](std::string_view s, std::optional<uint64_t>* out) -> core::Status {
    if (s.empty()) return core::OkStatus();
    uint64_t mult = 1;
    char last = s.back();
    if (last == 'K' || last == 'k') mult = 1 << 10;
    if (last == 'M' || last == 'm') mult = 1 << 20;
    if (last == 'G' || last == 'g') mult = uint64_t{1} << 30;
    if (mult != 1) s.remove_suffix(1);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
      return core::InvalidArgument("--size '" + text +
                                   "': expected MIN:MAX in bytes (K, M, G allowed)");
    }
    *out = v * mult;
    return core::OkStatus();
  };
  auto colon = text.find(':');
  if (colon == std::string::npos)
    return core::InvalidArgument("--size '" + text + "': expected MIN:MAX");
  TALARIA_RETURN_IF_ERROR(parse(std::string_view(text).substr(0, colon), &q->min_bytes));
  return parse(std::string_view(text).substr(colon + 1), &q->max_bytes);
}

int RunQuery(const CliContext& ctx, const QueryArgs& args) {
  store::ChunkQuery q;
  q.limit = args.limit;
  q.order_by_access = args.order_by_access;
  if (!args.size.empty()) {
    if (auto st = ParseSizeRange(args.size, &q); !st) return Fail(st.error());
  }
  if (!args.has_reference.empty()) q.has_reference = args.has_reference == "yes";
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  const store::CatalogView catalog(**store);
  for (uint32_t t : args.taxa) {
    if (!args.subtree) {
      q.taxa.push_back(t);
      continue;
    }
    auto count = catalog.TaxonCount();
    if (count && *count == 0)
      return Fail("--subtree needs a taxonomy tree: run talaria-store taxonomy load");
    auto sub = catalog.Subtree(t);
    if (!sub) return Fail(sub.error());
    q.taxa.insert(q.taxa.end(), sub->begin(), sub->end());
  }
  auto hits = catalog.QueryChunks(q);
  if (!hits) return Fail(hits.error());
  if (args.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& h : *hits) {
      nlohmann::json j = {
          {"id", h.id.Hex()},
          {"taxon",
           h.meta.taxon == store::kSharedStream ? nlohmann::json() : nlohmann::json(h.meta.taxon)},
          {"shared", h.meta.taxon == store::kSharedStream},
          {"records", h.meta.records},
          {"residues", h.meta.residues},
          {"bytes", h.meta.raw_bytes},
          {"stored_bytes", h.stored_bytes},
          {"access_count", h.meta.access_count}};
      if (!h.reference.IsZero()) j["reference"] = h.reference.Hex();
      arr.push_back(j);
    }
    PrintJson(arr);
    return kExitOk;
  }
  for (const auto& h : *hits) {
    const std::string taxon =
        h.meta.taxon == store::kSharedStream ? std::string("shared") : std::to_string(h.meta.taxon);
    std::cout << h.id.Hex() << "  taxon " << taxon << "  " << h.meta.records << " records  "
              << h.meta.raw_bytes << " bytes  stored " << h.stored_bytes
              << (h.reference.IsZero() ? "" : "  (delta)") << '\n';
  }
  std::cerr << hits->size() << " chunks\n";
  return kExitOk;
}

}  // namespace

void AddQueryCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "query", "Find chunks by taxon, size and storage (chunks of every stored database version)");
  auto args = std::make_shared<QueryArgs>();
  cmd->add_option("--taxon", args->taxa, "Taxon ids (repeat or comma-separate)")->delimiter(',');
  cmd->add_flag("--subtree", args->subtree, "Include every descendant taxon (needs taxonomy load)");
  cmd->add_option("--size", args->size, "Raw chunk size range MIN:MAX, e.g. 64K:1M or :500K");
  cmd->add_option("--has-reference", args->has_reference,
                  "yes: only chunks stored as a delta against another; no: only whole ones")
      ->check(CLI::IsMember({"yes", "no"}));
  cmd->add_option("--limit", args->limit, "At most N chunks (0: all)");
  cmd->add_flag("--order-by-access", args->order_by_access, "Most read chunks first");
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunQuery(ctx, *args); }; });
}

}  // namespace talaria::tools
