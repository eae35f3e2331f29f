// talaria-store put FILE...

#include <iostream>
#include <iterator>
#include <vector>

#include "store/core/file_io.h"
#include "tools/cli_context.h"

namespace talaria::tools {

namespace {

struct PutArgs {
  std::vector<std::string> files;
  std::string kind = "blob";
  std::string base;
};

core::Result<std::string> ReadInput(const std::string& file) {
  if (file != "-") return core::ReadFile(file);
  std::string data{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (std::cin.bad()) return core::IoError("reading standard input failed");
  return data;
}

int RunPut(const CliContext& ctx, const PutArgs& args) {
  store::PutOptions options;
  auto kind = store::ParseObjectKind(args.kind);
  if (!kind) return Fail("unknown --kind '" + args.kind + "' (blob, chunk, delta_chunk, manifest)");
  options.kind = *kind;
  if (!args.base.empty()) {
    auto base = core::ObjectId::Parse(args.base);
    if (!base) return Fail(base.error().WithContext("--base"));
    options.base = *base;
  }
  auto store = ctx.OpenWritableStore();
  if (!store) return Fail(store.error());
  // Batches bound memory and fsyncs: one commit per 64 files or 256 MiB.
  constexpr size_t kBatchFiles = 64;
  constexpr size_t kBatchBytes = size_t{256} << 20;
  std::vector<std::string> names, data;
  size_t batch_bytes = 0;
  auto flush = [&]() -> int {
    std::vector<std::string_view> views(data.begin(), data.end());
    auto ids = (*store)->PutBatch(views, options);
    if (!ids) return Fail(ids.error());
    for (size_t i = 0; i < ids->size(); ++i)
      std::cout << (*ids)[i].Hex() << "  " << names[i] << '\n';
    std::cout.flush();
    names.clear();
    data.clear();
    batch_bytes = 0;
    return kExitOk;
  };
  for (const std::string& file : args.files) {
    auto bytes = ReadInput(file);
    if (!bytes) return Fail(bytes.error());
    batch_bytes += bytes->size();
    names.push_back(file);
    data.push_back(std::move(*bytes));
    if (names.size() >= kBatchFiles || batch_bytes >= kBatchBytes) {
      if (int rc = flush(); rc != kExitOk) return rc;
    }
  }
  return names.empty() ? kExitOk : flush();
}

}  // namespace

void AddPutCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "put",
      "Store files as objects. Prints '<id>  <file>' per file once it is durable\n"
      "(the id is the SHA-256 of the file, so the output works with sha256sum -c).");
  auto args = std::make_shared<PutArgs>();
  cmd->add_option("FILE", args->files, "Files to store ('-' for standard input)")->required();
  cmd->add_option("--kind", args->kind, "Object kind: blob, chunk, delta_chunk, manifest")
      ->capture_default_str();
  cmd->add_option("--base", args->base,
                  "Store as a byte delta against this object id when that is smaller")
      ->type_name("ID");
  cmd->callback([&ctx, run, args] { *run = [&ctx, args] { return RunPut(ctx, *args); }; });
}

}  // namespace talaria::tools
