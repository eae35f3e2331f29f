#include "store/fasta/byte_source.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "store/core/file_io.h"

namespace talaria::store {

using core::Result;

namespace {

// Raw bytes of the file, with the first few already peeked at.
class FdReader {
 public:
  FdReader(core::UniqueFd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t n) {
    if (!peeked_.empty()) {
      size_t k = std::min(n, peeked_.size());
      std::memcpy(buf, peeked_.data(), k);
      peeked_.erase(0, k);
      consumed_ += k;
      return k;
    }
    TALARIA_ASSIGN_OR_RETURN(size_t r, core::ReadSome(fd_.get(), buf, n, name_));
    consumed_ += r;
    return r;
  }
  // Reads up to 4 bytes to look at, without consuming them.
  Result<std::string> Peek() {
    char b[4];
    size_t got = 0;
    while (got < sizeof b) {
      TALARIA_ASSIGN_OR_RETURN(size_t r, core::ReadSome(fd_.get(), b + got, sizeof b - got, name_));
      if (r == 0) break;
      got += r;
    }
    peeked_.assign(b, got);
    return peeked_;
  }
  const std::string& name() const { return name_; }
  uint64_t consumed() const { return consumed_; }

 private:
  core::UniqueFd fd_;
  std::string name_;
  std::string peeked_;
  uint64_t consumed_ = 0;
};

class PlainSource : public ByteSource {
 public:
  explicit PlainSource(FdReader in) : in_(std::move(in)) {}
  Result<size_t> Read(char* buf, size_t n) override { return in_.Read(buf, n); }
  SourceEncoding encoding() const override { return SourceEncoding::kPlain; }
  uint64_t consumed_bytes() const override { return in_.consumed(); }

 private:
  FdReader in_;
};

// gzip, including multi-member files (bgzip, concatenated .gz).
class GzipSource : public ByteSource {
 public:
  explicit GzipSource(FdReader in) : in_(std::move(in)), in_buf_(1 << 16) {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  SourceEncoding encoding() const override { return SourceEncoding::kGzip; }
  uint64_t consumed_bytes() const override { return in_.consumed(); }

  Result<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return core::IoError("zlib initialisation failed for " + in_.name());
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0 && !eof_) {
        TALARIA_ASSIGN_OR_RETURN(size_t got, in_.Read(in_buf_.data(), in_buf_.size()));
        if (got == 0) eof_ = true;
        zs_.next_in = reinterpret_cast<Bytef*>(in_buf_.data());
        zs_.avail_in = static_cast<uInt>(got);
      }
      if (zs_.avail_in == 0 && eof_) {
        if (in_member_) return core::Corruption(in_.name() + ": gzip stream is cut short");
        break;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_member_ = true;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&zs_);  // another member may follow
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return core::Corruption(in_.name() + ": damaged gzip data (" +
                                (zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc)) + ")");
      }
    }
    return n - zs_.avail_out;
  }

 private:
  FdReader in_;
  std::vector<char> in_buf_;
  z_stream zs_;
  bool ok_ = false;
  bool eof_ = false;
  bool in_member_ = false;
};

class ZstdSource : public ByteSource {
 public:
  explicit ZstdSource(FdReader in) : in_(std::move(in)), in_buf_(ZSTD_DStreamInSize()) {
    ds_ = ZSTD_createDStream();
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }
  SourceEncoding encoding() const override { return SourceEncoding::kZstd; }
  uint64_t consumed_bytes() const override { return in_.consumed(); }

  Result<size_t> Read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos < out.size) {
      if (input_.pos == input_.size && !eof_) {
        TALARIA_ASSIGN_OR_RETURN(size_t got, in_.Read(in_buf_.data(), in_buf_.size()));
        if (got == 0) eof_ = true;
        input_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
      }
      if (input_.pos == input_.size && eof_) {
        if (frame_open_) return core::Corruption(in_.name() + ": zstd stream is cut short");
        break;
      }
      size_t rc = ZSTD_decompressStream(ds_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return core::Corruption(in_.name() + ": damaged zstd data (" + ZSTD_getErrorName(rc) + ")");
      }
      frame_open_ = rc != 0;
    }
    return out.pos;
  }

 private:
  FdReader in_;
  std::vector<char> in_buf_;
  ZSTD_DStream* ds_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool eof_ = false;
  bool frame_open_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  core::UniqueFd fd;
  if (path == "-") {
    TALARIA_ASSIGN_OR_RETURN(fd, core::Duplicate(STDIN_FILENO, "standard input"));
  } else {
    TALARIA_ASSIGN_OR_RETURN(fd, core::OpenFile(path, O_RDONLY));
  }
  FdReader in(std::move(fd), path == "-" ? "standard input" : path);
  TALARIA_ASSIGN_OR_RETURN(std::string magic, in.Peek());
  auto starts = [&](std::string_view m) { return magic.compare(0, m.size(), m) == 0; };
  if (starts("\x1f\x8b")) return std::make_unique<GzipSource>(std::move(in));
  if (starts("\x28\xb5\x2f\xfd")) return std::make_unique<ZstdSource>(std::move(in));
  return std::make_unique<PlainSource>(std::move(in));
}

core::Status ForEachLineOfSource(const std::string& path, const core::LineFn& fn) {
  TALARIA_ASSIGN_OR_RETURN(auto source, OpenByteSource(path));
  return core::ForEachLine([&](char* buf, size_t n) { return source->Read(buf, n); }, fn);
}

}  // namespace talaria::store
