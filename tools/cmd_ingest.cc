// talaria-store ingest FILE... --db NAME --version V

#include <cstdio>
#include <iostream>

#include "store/catalog/ingest.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

struct IngestArgs {
  std::vector<std::string> files;
  std::vector<std::string> taxmap;
  std::string db;
  std::string version;
  bool strict = false;
  bool no_delta = false;
  uint64_t min_chunk_kb = 64;
  uint64_t max_chunk_kb = 1024;
  uint64_t batch_mb = 8;
  bool json = false;
};

// "ingest: 12345 records, 312.0 MiB FASTA, 40 chunks, 95.1 MB/s, ETA 12s" on a StatusLine.
class IngestProgressLine {
 public:
  void Update(const store::IngestProgress& p) {
    if (!line_.enabled()) return;
    const double s = line_.elapsed_s();
    double rate = s > 0 ? static_cast<double>(p.input_bytes_read) / s : 0;
    std::string eta = "?";
    if (p.input_bytes_total > 0 && rate > 0 && p.input_bytes_read <= p.input_bytes_total) {
      eta = std::to_string(static_cast<uint64_t>(
                static_cast<double>(p.input_bytes_total - p.input_bytes_read) / rate)) +
            "s";
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "ingest: %llu records, %s FASTA, %llu chunks, %.1f MB/s, ETA %s",
                  static_cast<unsigned long long>(p.records), HumanBytes(p.fasta_bytes).c_str(),
                  static_cast<unsigned long long>(p.chunks), rate / 1e6, eta.c_str());
    line_.Draw(buf);
  }

 private:
  StatusLine line_;
};

int RunIngest(const CliContext& ctx, const IngestArgs& args) {
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  store::IngestOptions o;
  o.database = args.db;
  o.version = args.version;
  o.files = args.files;
  o.taxmap_files = args.taxmap;
  o.fasta.strict = args.strict;
  o.delta_against_previous = !args.no_delta;
  o.batch_bytes = args.batch_mb << 20;
  o.chunking.min_chunk_bytes = args.min_chunk_kb << 10;
  o.chunking.max_chunk_bytes = args.max_chunk_kb << 10;
  o.chunking.target_chunk_bytes = std::clamp<uint64_t>(
      o.chunking.min_chunk_bytes * 4, o.chunking.min_chunk_bytes, o.chunking.max_chunk_bytes);
  IngestProgressLine progress;
  o.progress = [&](const store::IngestProgress& p) { progress.Update(p); };
  auto r = store::IngestDatabase(**store, o);
  if (!r) return Fail(r.error());
  if (args.json) {
    PrintJson({{"database", args.db},
               {"version", args.version},
               {"manifest", r->manifest.Hex()},
               {"already_present", r->already_present},
               {"resumed", r->resumed},
               {"resumed_chunks", r->resumed_chunks},
               {"previous_version", r->previous_version},
               {"records", r->records},
               {"residues", r->residues},
               {"fasta_bytes", r->fasta_bytes},
               {"taxa", r->taxa},
               {"chunks", r->chunks},
               {"chunks_new", r->chunks_new},
               {"chunks_delta", r->chunks_delta},
               {"taxmap_rows", r->taxmap_rows},
               {"taxmap_hits", r->taxmap_hits},
               {"stored_bytes_added", r->stored_bytes_added}});
    return kExitOk;
  }
  if (r->resumed) {
    std::cout << "resumed an interrupted ingest (" << r->resumed_chunks
              << " chunks were already stored)\n";
  }
  std::cout << (r->already_present ? "already ingested " : "ingested ") << args.db << '/'
            << args.version << ": " << r->records << " records, " << HumanBytes(r->fasta_bytes)
            << ", " << r->taxa << " taxa, " << r->chunks << " chunks (" << r->chunks_new << " new, "
            << r->chunks_delta << " stored as deltas";
  if (!r->previous_version.empty()) std::cout << " against " << r->previous_version;
  std::cout << "); " << HumanBytes(r->stored_bytes_added) << " added to the store\n"
            << "manifest " << r->manifest.Hex() << '\n';
  return kExitOk;
}

}  // namespace

void AddIngestCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "ingest",
      "Store FASTA files (plain, .gz, .zst, or - for stdin) as a version of a database.\n"
      "Records are grouped by taxon (OX=, TaxID=, taxid=, taxon:, kraken:taxid|N|) into\n"
      "content-defined chunks; chunks that changed since the database's previous version\n"
      "are stored as byte deltas against it. Nothing is published unless the whole ingest\n"
      "succeeds; malformed FASTA is reported with file and line.");
  auto args = std::make_shared<IngestArgs>();
  cmd->add_option("FILE", args->files, "FASTA files ('-' for standard input)")->required();
  cmd->add_option("--db", args->db, "Database name")->required();
  cmd->add_option("--version", args->version, "Version name (e.g. 2026_01); immutable once stored")
      ->required();
  cmd->add_option(
         "--taxmap", args->taxmap,
         "NCBI accession2taxid table (plain or .gz; repeatable): looked up by sequence id\n"
         "before the header's own taxon")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--strict", args->strict, "A header with no sequence is an error");
  cmd->add_flag("--no-delta", args->no_delta, "Do not delta-encode against the previous version");
  cmd->add_option("--min-chunk-kb", args->min_chunk_kb, "Smallest chunk (KiB)")
      ->capture_default_str();
  cmd->add_option("--max-chunk-kb", args->max_chunk_kb, "Largest chunk (KiB)")
      ->capture_default_str();
  cmd->add_option("--batch-mb", args->batch_mb,
                  "Chunks are compressed and made durable in batches of this size; an\n"
                  "interrupted ingest resumes from its last durable batch")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunIngest(ctx, *args); }; });
}

}  // namespace talaria::tools
