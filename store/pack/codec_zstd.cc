#include <zstd.h>

#include <algorithm>
#include <bit>
#include <memory>

#include "store/pack/codec.h"
#include "store/pack/zstd_dictionary.h"

namespace talaria::store {

namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Window large enough that the whole prefix stays reachable while
// compressing the target (what zstd --patch-from does).
int PatchWindowLog(size_t prefix, size_t raw) {
  size_t need = prefix + raw;
  int log = std::max<int>(10, static_cast<int>(std::bit_width(need)));
  return std::min(log, 30);
}

}  // namespace

size_t ZstdBound(size_t raw) { return ZSTD_compressBound(raw); }

core::Result<size_t> ZstdCompressTo(int level, std::string_view raw, std::string_view prefix,
                                    const ZstdDictionary* dictionary, char* out, size_t capacity) {
  ZSTD_CCtx* cctx = ThreadCCtx();
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0);
  if (!prefix.empty()) {
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, PatchWindowLog(prefix.size(), raw.size()));
    if (prefix.size() + raw.size() > (size_t{1} << 27)) {
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
    }
    ZSTD_CCtx_refPrefix(cctx, prefix.data(), prefix.size());
  }
  if (dictionary) {
    const ZSTD_CDict* cdict = dictionary->ForCompression(level);
    if (!cdict) return core::MakeError(core::Code::kIoError, "zstd: cannot prepare dictionary");
    ZSTD_CCtx_refCDict(cctx, cdict);
    // The record names the dictionary (docs/FORMAT.md §3.5).
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 0);
  }
  size_t n = ZSTD_compress2(cctx, out, capacity, raw.data(), raw.size());
  if (ZSTD_isError(n)) {
    return core::MakeError(core::Code::kIoError, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  return n;
}

core::Status ZstdCheckLength(std::string_view stored, uint64_t raw_len) {
  unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return core::Corruption("zstd: not a zstd frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) return core::Corruption("zstd: frame has no content size");
  if (size != raw_len) {
    return core::Corruption("zstd: frame holds " + std::to_string(size) + " bytes, expected " +
                            std::to_string(raw_len));
  }
  return core::OkStatus();
}

core::Status ZstdDecompress(std::string_view stored, std::string_view prefix,
                            const ZstdDictionary* dictionary, std::string* out) {
  ZSTD_DCtx* dctx = ThreadDCtx();
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters);
  ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 31);
  if (!prefix.empty()) ZSTD_DCtx_refPrefix(dctx, prefix.data(), prefix.size());
  if (dictionary) {
    const ZSTD_DDict* ddict = dictionary->ForDecompression();
    if (!ddict) return core::MakeError(core::Code::kIoError, "zstd: cannot prepare dictionary");
    ZSTD_DCtx_refDDict(dctx, ddict);
  }
  size_t n = ZSTD_decompressDCtx(dctx, out->data(), out->size(), stored.data(), stored.size());
  if (ZSTD_isError(n)) return core::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != out->size()) {
    return core::Corruption("zstd: decoded " + std::to_string(n) + " bytes, expected " +
                            std::to_string(out->size()));
  }
  return core::OkStatus();
}

}  // namespace talaria::store
