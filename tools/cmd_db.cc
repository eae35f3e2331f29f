// talaria-store db ls | show | rm | export

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <set>

#include "store/catalog/catalog_view.h"
#include "store/catalog/database_catalog.h"
#include "store/core/file_io.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

int RunLs(const CliContext& ctx, bool json) {
  auto store = ctx.OpenStore();
  if (!store) return Fail(store.error());
  auto all = store::CatalogView(**store).AllVersions();
  if (!all) return Fail(all.error());
  std::map<std::string, std::vector<store::DatabaseVersion>> by_name;
  for (auto& v : *all) by_name[v.name].push_back(v);
  nlohmann::json out = nlohmann::json::array();
  for (auto& [name, versions] : by_name) {
    std::sort(versions.begin(), versions.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    if (json) {
      nlohmann::json vs = nlohmann::json::array();
      for (const auto& v : versions) {
        vs.push_back({{"version", v.version},
                      {"manifest", v.manifest.Hex()},
                      {"ingested", Iso8601(v.ingested_unix_s)}});
      }
      out.push_back({{"name", name}, {"current", versions.back().version}, {"versions", vs}});
      continue;
    }
    std::cout << name << " (current: " << versions.back().version << ")\n";
    for (const auto& v : versions) {
      std::cout << "  " << v.version << "  " << Iso8601(v.ingested_unix_s) << "  "
                << v.manifest.Hex() << '\n';
    }
  }
  if (json) PrintJson(out);
  return kExitOk;
}

// A version and its manifest, opened read-only.
struct OpenedVersion {
  std::unique_ptr<store::ObjectStore> store;
  store::DatabaseVersion version;
  store::DatabaseManifest manifest;
};

core::Result<OpenedVersion> OpenVersion(const CliContext& ctx, const std::string& spec) {
  OpenedVersion o;
  TALARIA_ASSIGN_OR_RETURN(o.store, ctx.OpenStore());
  TALARIA_ASSIGN_OR_RETURN(o.version, store::ResolveDatabase(*o.store, spec));
  TALARIA_ASSIGN_OR_RETURN(o.manifest, store::LoadManifest(*o.store, o.version.manifest));
  return o;
}

int RunShow(const CliContext& ctx, const std::string& spec, bool json) {
  auto opened = OpenVersion(ctx, spec);
  if (!opened) return Fail(opened.error());
  const store::DatabaseVersion* v = &opened->version;
  const store::DatabaseManifest* m = &opened->manifest;
  std::set<store::TaxonId> taxa;
  uint64_t chunk_bytes = 0;
  uint64_t shared_chunks = 0;
  for (const auto& c : m->chunks) {
    for (const store::TaxonPiece& p : store::PiecesOf(c)) taxa.insert(p.taxon);
    shared_chunks += c.taxon == store::kSharedStream;
    chunk_bytes += c.bytes;
  }
  if (json) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& s : m->sources) sources.push_back(store::SourceFileJson(s));
    PrintJson({{"name", v->name},
               {"version", v->version},
               {"manifest", v->manifest.Hex()},
               {"ingested", Iso8601(v->ingested_unix_s)},
               {"sources", sources},
               {"format", m->format},
               {"chunks", m->chunks.size()},
               {"chunk_pages", m->chunk_pages.size()},
               {"taxon_pages", m->taxon_pages.size()},
               {"shared_chunks", shared_chunks},
               {"chunk_bytes", chunk_bytes},
               {"taxa", taxa.size()}});
    return kExitOk;
  }
  std::cout << v->name << '/' << v->version << "\n  manifest  " << v->manifest.Hex()
            << "\n  ingested  " << Iso8601(v->ingested_unix_s) << "\n  chunks    "
            << m->chunks.size() << " (" << HumanBytes(chunk_bytes) << "; " << shared_chunks
            << " shared by small taxa), " << taxa.size() << " taxa\n";
  for (const auto& s : m->sources) {
    std::cout << "  source    " << s.name << ": " << s.records << " records, " << s.residues
              << " residues, " << s.size << " bytes, sha256 " << s.sha256.Hex();
    if (s.encoding != "plain") std::cout << " (ingested from " << s.encoding << ")";
    std::cout << '\n';
  }
  return kExitOk;
}

int RunRm(const CliContext& ctx, const std::string& name, const std::string& version) {
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  auto st = store::RemoveDatabaseVersion(**store, name, version);
  if (!st) return Fail(st.error());
  std::cout << "removed " << name << '/' << version
            << "; run talaria-store gc to reclaim the space only it used\n";
  return kExitOk;
}

int RunExport(const CliContext& ctx, const std::string& spec, const std::string& file,
              const std::string& out) {
  auto opened = OpenVersion(ctx, spec);
  if (!opened) return Fail(opened.error());
  auto* store = &opened->store;
  const store::DatabaseManifest* m = &opened->manifest;
  const store::SourceFile* source = nullptr;
  for (const auto& s : m->sources) {
    if (file.empty() ? m->sources.size() == 1 : s.name == file) source = &s;
  }
  if (!source) {
    std::string names;
    for (const auto& s : m->sources) names += " " + s.name;
    return Fail(file.empty() ? "the version has several source files; pick one with --file:" + names
                             : "no source file '" + file + "'; it has:" + names);
  }
  auto st = WriteStreamed(
      out, [&](const PieceSink& sink) { return store::ExportSource(**store, *m, *source, sink); });
  return st ? kExitOk : Fail(st.error());
}

}  // namespace

void AddDbCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* db = app.add_subcommand("db", "List, inspect, remove and export database versions");
  db->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto spec = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto version = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();

  auto* ls = db->add_subcommand("ls", "Every database with its versions (current = newest ingest)");
  ls->add_flag("--json", *json, "Print JSON");
  ls->callback([&ctx, run, json] { *run = [&ctx, json] { return RunLs(ctx, *json); }; });

  auto* show = db->add_subcommand("show", "Sources, records, chunks and taxa of a version");
  show->add_option("NAME[/VERSION]", *spec, "Database, optionally /version (default: current)")
      ->required();
  show->add_flag("--json", *json, "Print JSON");
  show->callback([&ctx, run, spec, json] {
    *run = [&ctx, spec, json] { return RunShow(ctx, *spec, *json); };
  });

  auto* rm = db->add_subcommand(
      "rm", "Remove a version from the store's catalogue; gc then frees what only it used");
  rm->add_option("NAME", *name, "Database")->required();
  rm->add_option("VERSION", *version, "Version")->required();
  rm->callback([&ctx, run, name, version] {
    *run = [&ctx, name, version] { return RunRm(ctx, *name, *version); };
  });

  auto* exp = db->add_subcommand(
      "export", "Write an ingested source file back, byte for byte (checked against its SHA-256)");
  exp->add_option("NAME[/VERSION]", *spec, "Database, optionally /version (default: current)")
      ->required();
  exp->add_option("--file", *file, "Which source file, when the version has several");
  exp->add_option("-o,--output", *out, "Write to FILE (atomically) instead of standard output");
  exp->callback([&ctx, run, spec, file, out] {
    *run = [&ctx, spec, file, out] { return RunExport(ctx, *spec, *file, *out); };
  });
}

}  // namespace talaria::tools
