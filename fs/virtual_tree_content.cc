#include "fs/virtual_tree.h"

#include <nlohmann/json.hpp>

#include "fs/chunk_sequence.h"
#include "fs/faidx.h"
#include "fs/generated_content.h"
#include "fs/tree_nodes.h"
#include "store/catalog/manifest.h"
#include "store/reduce/reduction.h"

namespace talaria::fs {

using core::ObjectId;
using core::Result;

Result<std::shared_ptr<const Content>> VirtualTree::Open(uint64_t ino) {
  auto node = inodes_.Get(ino);
  if (!node) return core::NotFound("stale inode " + std::to_string(ino));
  if (IsDirectory(node->kind) || node->kind == NodeKind::kCurrentLink) {
    return core::InvalidArgument("not a regular file");
  }
  if (node->kind == NodeKind::kStatsFile) return BuildContent(*node);
  return ContentOf(*node);
}

Result<std::shared_ptr<const Content>> VirtualTree::ContentOf(const Node& node) {
  if (auto hit = contents_.Lookup(node.key)) return hit;
  TALARIA_ASSIGN_OR_RETURN(auto content, BuildContent(node));
  contents_.Insert(node.key, content);
  return content;
}

Result<std::shared_ptr<const Content>> VirtualTree::BuildContent(const Node& node) {
  switch (node.kind) {
    case NodeKind::kStatsFile: {
      auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::steady_clock::now() - started_);
      stats_.manifest_pages_read.store(manifests_.pages_read(), std::memory_order_relaxed);
      return std::make_shared<InlineContent>(
          StatsJson(stats_, store_->cache().stats(), static_cast<uint64_t>(uptime.count())));
    }
    case NodeKind::kObjectFile:
      return ChunkSequence::Concatenate(store_, {{node.id, node.size.value_or(0)}});
    case NodeKind::kTaxonName: {
      TALARIA_ASSIGN_OR_RETURN(auto t, catalog_.Taxon(node.taxon));
      if (!t) return NoEntry(".name");
      return std::make_shared<InlineContent>(t->name + "\t" + t->rank + "\n");
    }
    case NodeKind::kTaxonFasta:
    case NodeKind::kSubtreeFasta: {
      TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(node.id));
      std::vector<uint32_t> taxa{node.taxon};
      if (node.kind == NodeKind::kSubtreeFasta) {
        TALARIA_ASSIGN_OR_RETURN(taxa, catalog_.Subtree(node.taxon));
      }
      TALARIA_ASSIGN_OR_RETURN(TaxonFile file, view->FileOf(taxa));
      return ChunkSequence::FromRanges(store_, std::move(file.objects), file.ranges);
    }
    case NodeKind::kSourceFile: {
      TALARIA_ASSIGN_OR_RETURN(auto view, manifests_.Get(node.id));
      TALARIA_ASSIGN_OR_RETURN(auto chunks, view->Chunks());
      TALARIA_ASSIGN_OR_RETURN(
          auto seq, ChunkSequence::FromLayout(store_, view->root(), *chunks, node.source));
      return seq;
    }
    case NodeKind::kProfileFile: {
      TALARIA_ASSIGN_OR_RETURN(auto m, Reduction(node.id));
      store::ObjectStore* store = store_;
      switch (node.source) {
        case kReferences: {
          std::vector<ChunkSequence::Object> objects;
          for (const auto& c : m->reference_chunks) objects.push_back({c.id, c.bytes, c.fai});
          return ChunkSequence::Concatenate(store_, std::move(objects));
        }
        case kDeltas:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kDeltas),
              [store, m](size_t i) { return store::DeltasPiece(*store, *m, i); });
        case kRefToChildren:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kRefToChildren),
              [store, m](size_t i) { return store::RefToChildrenPiece(*store, *m, i); });
        case kExpanded:
          return std::make_shared<GeneratedContent>(
              ProfilePieceSizes(*m, kExpanded),
              [store, m](size_t i) { return store::ExpandedPiece(*store, *m, i); });
        default: {  // manifest.json: the manifest, with when and how long from the index
          TALARIA_ASSIGN_OR_RETURN(store::ReductionInfo info,
                                   store::LoadReduction(*store_, node.name));
          if (info.entry.manifest != node.id) {
            return core::NotFound("profile " + node.name + " has been made again");
          }
          return std::make_shared<InlineContent>(store::ManifestView(info));
        }
      }
    }
    case NodeKind::kManifestJson: {
      TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(node.id));
      auto json = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded())
        return core::Corruption("manifest " + node.id.Hex() + " is not JSON");
      return std::make_shared<InlineContent>(json.dump(2) + "\n");
    }
    case NodeKind::kFaidx: {
      Node fasta = node;
      fasta.kind = node.indexed;
      fasta.key = node.key.substr(2);
      TALARIA_ASSIGN_OR_RETURN(auto content, ContentOf(fasta));
      auto chunks = std::dynamic_pointer_cast<const ChunkSequence>(content);
      if (!chunks) return core::Unsupported("no .fai for this file");
      TALARIA_ASSIGN_OR_RETURN(std::string fai, BuildFaidx(*chunks));
      return std::make_shared<InlineContent>(std::move(fai));
    }
    default:
      return core::InvalidArgument("not a regular file");
  }
}

Result<std::shared_ptr<const store::ReductionManifest>> VirtualTree::Reduction(const ObjectId& id) {
  if (auto cached = reductions_.Lookup(id)) return cached;
  TALARIA_ASSIGN_OR_RETURN(auto bytes, store_->Get(id));
  TALARIA_ASSIGN_OR_RETURN(store::ReductionManifest m, store::DecodeReductionManifest(*bytes));
  auto shared = std::make_shared<const store::ReductionManifest>(std::move(m));
  reductions_.Insert(id, shared, 1);
  return shared;
}

}  // namespace talaria::fs
