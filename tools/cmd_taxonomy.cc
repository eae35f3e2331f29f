// talaria-store taxonomy load | stats | show

#include <cstdio>
#include <iostream>
#include <optional>

#include "store/catalog/catalog_view.h"
#include "store/catalog/taxonomy_loader.h"
#include "store/catalog/taxonomy_stats.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

int RunLoad(const CliContext& ctx, const std::string& nodes, const std::string& names) {
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto r = store::LoadTaxonomy(**store, nodes, names);
  if (!r) return Fail(r.error());
  std::cout << "loaded " << r->nodes << " taxa (" << r->names << " scientific names)\n";
  return kExitOk;
}

int RunStats(const CliContext& ctx, const std::string& db, size_t top, bool json) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  auto s = store::ComputeTaxonomyStats(**store,
                                       db.empty() ? std::nullopt : std::optional<std::string>(db));
  if (!s) return Fail(s.error());
  size_t shown = top == 0 ? s->taxa.size() : std::min(top, s->taxa.size());
  if (json) {
    nlohmann::json taxa = nlohmann::json::array();
    for (size_t i = 0; i < shown; ++i) {
      taxa.push_back(TaxonCountJson(s->taxa[i]));
    }
    PrintJson({{"versions", s->versions},
               {"taxa_count", s->taxa.size()},
               {"records", s->records},
               {"residues", s->residues},
               {"tree_nodes", s->tree_nodes},
               {"taxa", taxa}});
    return kExitOk;
  }
  std::cout << "databases  ";
  for (const auto& v : s->versions) std::cout << ' ' << v;
  std::cout << "\ntaxa        " << s->taxa.size() << " (" << s->records << " records, "
            << s->residues << " residues)\ntree        "
            << (s->tree_nodes ? std::to_string(s->tree_nodes) + " nodes loaded" : "not loaded")
            << "\n\n";
  std::printf("%10s %12s %14s %7s  %s\n", "taxon", "records", "residues", "chunks", "name");
  for (size_t i = 0; i < shown; ++i) {
    const auto& t = s->taxa[i];
    std::string name = t.name.empty() ? (t.taxon == 0 ? "(no taxon)" : "") : t.name;
    if (!t.rank.empty() && t.rank != "no rank") name += " (" + t.rank + ")";
    std::printf("%10u %12llu %14llu %7llu  %s\n", t.taxon,
                static_cast<unsigned long long>(t.records),
                static_cast<unsigned long long>(t.residues),
                static_cast<unsigned long long>(t.chunks), name.c_str());
  }
  if (shown < s->taxa.size())
    std::cout << "… " << s->taxa.size() - shown << " more (--top 0 shows all)\n";
  return kExitOk;
}

int RunShow(const CliContext& ctx, uint32_t taxid, bool json) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  const store::CatalogView catalog(**store);
  auto lineage = catalog.Lineage(taxid);
  if (!lineage) return Fail(lineage.error());
  if (lineage->empty())
    return Fail("taxon " + std::to_string(taxid) + " is not in the loaded taxonomy");
  auto subtree = catalog.Subtree(taxid);
  if (!subtree) return Fail(subtree.error());
  const auto& node = lineage->front();
  if (json) {
    nlohmann::json lin = nlohmann::json::array();
    for (const auto& n : *lineage)
      lin.push_back({{"taxon", n.taxid}, {"name", n.name}, {"rank", n.rank}});
    PrintJson({{"taxon", node.taxid},
               {"name", node.name},
               {"rank", node.rank},
               {"parent", node.parent},
               {"subtree_taxa", subtree->size()},
               {"lineage", lin}});
    return kExitOk;
  }
  std::cout << node.taxid << "  " << node.name << " (" << node.rank << ")\nsubtree     "
            << subtree->size() << " taxa\nlineage    ";
  for (auto it = lineage->rbegin(); it != lineage->rend(); ++it)
    std::cout << ' ' << it->name << ';';
  std::cout << '\n';
  return kExitOk;
}

}  // namespace

void AddTaxonomyCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* tax = app.add_subcommand("taxonomy",
                                 "Load and inspect the NCBI taxonomy tree; per-taxon statistics");
  tax->require_subcommand(1);
  auto nodes = std::make_shared<std::string>();
  auto names = std::make_shared<std::string>();
  auto db = std::make_shared<std::string>();
  auto top = std::make_shared<size_t>(20);
  auto json = std::make_shared<bool>(false);
  auto taxid = std::make_shared<uint32_t>(0);

  auto* load = tax->add_subcommand(
      "load", "Load an NCBI taxdump (nodes.dmp and names.dmp), replacing any tree loaded before");
  load->add_option("NODES", *nodes, "nodes.dmp")->required()->check(CLI::ExistingFile);
  load->add_option("NAMES", *names, "names.dmp")->required()->check(CLI::ExistingFile);
  load->callback([&ctx, run, nodes, names] {
    *run = [&ctx, nodes, names] { return RunLoad(ctx, *nodes, *names); };
  });

  auto* stats = tax->add_subcommand(
      "stats",
      "Records, residues and chunks per taxon, over the current version of every\n"
      "database (or of --db), most records first");
  stats->add_option("--db", *db, "Only this database (NAME or NAME/VERSION)");
  stats->add_option("--top", *top, "Show this many taxa (0: all)")->capture_default_str();
  stats->add_flag("--json", *json, "Print JSON");
  stats->callback([&ctx, run, db, top, json] {
    *run = [&ctx, db, top, json] { return RunStats(ctx, *db, *top, *json); };
  });

  auto* show = tax->add_subcommand("show", "Name, rank, lineage and subtree size of a taxon");
  show->add_option("TAXID", *taxid, "NCBI taxon id")->required();
  show->add_flag("--json", *json, "Print JSON");
  show->callback([&ctx, run, taxid, json] {
    *run = [&ctx, taxid, json] { return RunShow(ctx, *taxid, *json); };
  });
}

}  // namespace talaria::tools
