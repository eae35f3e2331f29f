// talaria-store ls [--json]

#include <iostream>

#include "store/pack/codec.h"
#include "tools/cli_context.h"
#include "tools/output.h"

namespace talaria::tools {

namespace {

nlohmann::json ToJson(const store::ObjectInfo& o) {
  nlohmann::json j{{"id", o.id.Hex()},
                   {"kind", store::ObjectKindName(o.kind())},
                   {"raw_bytes", o.entry.raw_len},
                   {"stored_bytes", o.entry.stored_len},
                   {"codec", store::CodecTypeName(static_cast<store::CodecType>(o.entry.codec))},
                   {"pack", o.entry.pack},
                   {"offset", o.entry.offset}};
  if (o.entry.is_delta()) {
    j["base"] = o.entry.base.Hex();
    j["delta_depth"] = o.entry.depth;
  } else if (o.entry.dictionary) {
    j["dictionary"] = o.entry.base.Hex();
  }
  return j;
}

}  // namespace

void AddLsCommand(CLI::App& app, CliContext& ctx, Runner* run) {
  auto* cmd = app.add_subcommand(
      "ls",
      "List every object: id, kind, raw size, stored size, codec (and delta base or "
      "dictionary).");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON array instead of text");
  cmd->callback([&ctx, run, json] {
    *run = [&ctx, json] {
      auto store = ctx.OpenStore();
      if (!store) return Fail(store.error());
      auto list = (*store)->List();
      if (!list) return Fail(list.error());
      if (*json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& o : *list) arr.push_back(ToJson(o));
        PrintJson(arr);
        return kExitOk;
      }
      for (const auto& o : *list) {
        std::cout << o.id.Hex() << ' ' << store::ObjectKindName(o.kind()) << ' ' << o.entry.raw_len
                  << ' ' << o.entry.stored_len << ' '
                  << store::CodecTypeName(static_cast<store::CodecType>(o.entry.codec));
        if (!o.entry.base.IsZero()) {
          std::cout << (o.entry.dictionary ? " dict:" : " delta:") << o.entry.base.Hex();
        }
        std::cout << '\n';
      }
      return kExitOk;
    };
  });
}

}  // namespace talaria::tools
