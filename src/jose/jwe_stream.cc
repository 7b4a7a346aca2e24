// Streaming JWE decryption and encryption in bounded memory: the compact
// serialization is read from a file descriptor in chunks, base64url-decoded
// incrementally and run through AES-256-GCM; the tag is checked at the end.
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "jose/internal.h"
#include "jose/jwe.h"
#include "jose/jwe_internal.h"

namespace ds::jose {
namespace {

using internal::kIvBytes;
using internal::kTagBytes;

constexpr size_t kChunk = 1u << 20;
constexpr size_t kMaxHeaderChars = 8192;
constexpr size_t kMaxKeyChars = 2048;  // RSA-8192 is 1366 characters
constexpr size_t kMaxIvChars = 64;
constexpr size_t kMaxTagChars = 64;

// Buffered reads from a file descriptor with an input cap.
class FdReader {
 public:
  FdReader(int fd, uint64_t max_input) : fd_(fd), max_input_(max_input) {
    buf_.resize(kChunk);
  }

  // Unconsumed buffered bytes; empty at end of input. Reads more if empty.
  Result<std::string_view> Peek() {
    if (pos_ == end_) {
      ssize_t n;
      do {
        n = ::read(fd_, buf_.data(), buf_.size());
      } while (n < 0 && errno == EINTR);
      if (n < 0) return EnvironmentError(std::string("read: ") + std::strerror(errno));
      pos_ = 0;
      end_ = static_cast<size_t>(n);
      total_ += end_;
      if (total_ > max_input_) {
        return InvalidInput("parse: input exceeds " + std::to_string(max_input_) +
                            " bytes");
      }
    }
    return std::string_view(buf_.data() + pos_, end_ - pos_);
  }
  void Consume(size_t n) { pos_ += n; }

  // Reads a segment up to the next '.' (consumed), at most `max` chars.
  Result<std::string> Segment(size_t max, std::string_view what) {
    std::string out;
    while (true) {
      DS_ASSIGN_OR_RETURN(std::string_view data, Peek());
      if (data.empty()) {
        return InvalidInput("parse: input ends in the " + std::string(what));
      }
      size_t dot = data.find('.');
      std::string_view part = data.substr(0, dot);
      if (out.size() + part.size() > max) {
        return InvalidInput("parse: " + std::string(what) + " too long");
      }
      out.append(part);
      Consume(part.size());
      if (dot != std::string_view::npos) {
        Consume(1);
        return out;
      }
    }
  }

 private:
  int fd_;
  uint64_t max_input_;
  uint64_t total_ = 0;
  std::string buf_;
  size_t pos_ = 0, end_ = 0;
};

// Where plaintext goes: optional raw inflate, SHA-512, the output fd.
class PlaintextSink {
 public:
  PlaintextSink(int fd, bool inflate, uint64_t cap)
      : fd_(fd), inflate_(inflate), cap_(cap), sha_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(sha_.get(), EVP_sha512(), nullptr);
    if (inflate_) inflate_ok_ = inflateInit2(&z_, -15) == Z_OK;
    out_.resize(256 * 1024);
  }
  ~PlaintextSink() {
    if (inflate_) inflateEnd(&z_);
  }

  Status Put(const char* data, size_t size) {
    if (!inflate_) return Emit(data, size);
    if (!inflate_ok_ || size == 0) return Status::Ok();  // error deferred
    if (ended_) return Defer("inflate: data after the DEFLATE stream");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(size);
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        return Defer("inflate: not valid raw DEFLATE");
      }
      DS_RETURN_IF_ERROR(Emit(out_.data(), out_.size() - z_.avail_out));
      if (rc == Z_STREAM_END) {
        ended_ = true;
        if (z_.avail_in != 0) return Defer("inflate: data after the DEFLATE stream");
        break;
      }
    } while (z_.avail_in > 0 || z_.avail_out == 0);
    return Status::Ok();
  }

  // The deferred inflate error, if any; call after the tag is verified.
  Status Finish() {
    if (!inflate_) return Status::Ok();
    if (!inflate_ok_) return InvalidInput(deferred_);
    if (!ended_) return InvalidInput("inflate: DEFLATE stream truncated");
    return Status::Ok();
  }

  uint64_t bytes() const { return bytes_; }
  std::string Sha512() {
    unsigned char md[64];
    unsigned int len = 0;
    EVP_DigestFinal_ex(sha_.get(), md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
  }

 private:
  // Inflate errors surface only after the tag check, so that a forged
  // ciphertext is reported as a tag mismatch.
  Status Defer(const char* message) {
    inflate_ok_ = false;
    deferred_ = message;
    return Status::Ok();
  }

  Status Emit(const char* data, size_t size) {
    bytes_ += size;
    if (bytes_ > cap_) {
      return InvalidInput("decrypt: plaintext exceeds the cap of " +
                          std::to_string(cap_) + " bytes");
    }
    EVP_DigestUpdate(sha_.get(), data, size);
    return internal::WriteAll(fd_, data, size);
  }

  int fd_;
  bool inflate_;
  uint64_t cap_;
  internal::MdCtxPtr sha_;
  z_stream z_{};
  bool inflate_ok_ = true, ended_ = false;
  std::string deferred_ = "inflate: init failed";
  std::string out_;
  uint64_t bytes_ = 0;
};

// Decodes base64url text fed in arbitrary pieces and decrypts it.
class CiphertextDecoder {
 public:
  CiphertextDecoder(EVP_CIPHER_CTX* ctx, PlaintextSink* sink)
      : ctx_(ctx), sink_(sink) {
    bytes_.resize(kChunk / 4 * 3 + 3);
    plain_.resize(bytes_.size() + 16);
  }

  Status Feed(std::string_view chars) {
    if (!carry_.empty()) {
      size_t take = std::min(4 - carry_.size(), chars.size());
      carry_.append(chars.substr(0, take));
      chars.remove_prefix(take);
      if (carry_.size() < 4) return Status::Ok();
      DS_RETURN_IF_ERROR(Decode(carry_));
      carry_.clear();
    }
    size_t full = chars.size() / 4 * 4;
    DS_RETURN_IF_ERROR(Decode(chars.substr(0, full)));
    carry_.assign(chars.substr(full));
    return Status::Ok();
  }

  // Decodes the final partial group.
  Status End() { return Decode(carry_); }

 private:
  Status Decode(std::string_view chars) {
    while (!chars.empty()) {
      std::string_view piece = chars.substr(0, kChunk);
      long n = internal::DecodeBase64UrlInto(piece, bytes_.data());
      if (n < 0) return InvalidInput("parse: ciphertext is not base64url");
      int len = 0;
      if (EVP_DecryptUpdate(ctx_, reinterpret_cast<unsigned char*>(plain_.data()),
                            &len, reinterpret_cast<unsigned char*>(bytes_.data()),
                            static_cast<int>(n)) != 1) {
        return internal::SslFailure(Code::kInternal, "decrypt", "AES-GCM update");
      }
      DS_RETURN_IF_ERROR(sink_->Put(plain_.data(), static_cast<size_t>(len)));
      chars.remove_prefix(piece.size());
    }
    return Status::Ok();
  }

  EVP_CIPHER_CTX* ctx_;
  PlaintextSink* sink_;
  std::string carry_, bytes_, plain_;
};

std::string EncodeSmall(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  out.resize(internal::EncodeBase64UrlInto(bytes, out.data()));
  return out;
}

Result<std::string> DecodeSmall(std::string_view b64, std::string_view what) {
  std::string out(b64.size() * 3 / 4 + 3, '\0');
  long n = internal::DecodeBase64UrlInto(b64, out.data());
  if (n < 0) return InvalidInput("parse: " + std::string(what) + " is not base64url");
  out.resize(static_cast<size_t>(n));
  return out;
}

// Reads the tag segment: the rest of the input, trailing whitespace allowed.
Result<std::string> ReadTag(FdReader& reader) {
  std::string tag;
  while (true) {
    DS_ASSIGN_OR_RETURN(std::string_view data, reader.Peek());
    if (data.empty()) break;
    if (tag.size() + data.size() > kMaxTagChars) return InvalidInput("parse: tag too long");
    tag.append(data);
    reader.Consume(data.size());
  }
  while (!tag.empty() && std::isspace(static_cast<unsigned char>(tag.back()))) {
    tag.pop_back();
  }
  return tag;
}

}  // namespace

Result<StreamResult> DecryptStream(const KeyRing& keys, int in, int out,
                                   const StreamOptions& options) {
  FdReader reader(in, options.max_input);

  // Header, key selection and unwrap, IV: small segments read whole.
  DS_ASSIGN_OR_RETURN(std::string header_b64, reader.Segment(kMaxHeaderChars, "header"));
  DS_ASSIGN_OR_RETURN(JweHeader header, ParseJweHeader(header_b64));
  DS_ASSIGN_OR_RETURN(std::string ek_b64, reader.Segment(kMaxKeyChars, "encrypted key"));
  DS_ASSIGN_OR_RETURN(std::string iv_b64, reader.Segment(kMaxIvChars, "iv"));
  DS_ASSIGN_OR_RETURN(std::string encrypted_key, DecodeSmall(ek_b64, "encrypted key"));
  DS_ASSIGN_OR_RETURN(std::string iv, DecodeSmall(iv_b64, "iv"));
  if (iv.size() != kIvBytes) return InvalidInput("parse: iv is not 12 bytes");
  DS_ASSIGN_OR_RETURN(const Jwk* key, internal::SelectKey(keys, header));
  DS_ASSIGN_OR_RETURN(std::string cek,
                      internal::UnwrapKey(*key, encrypted_key, options.min_rsa_bits));

  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  bool ok = ctx &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr,
                               reinterpret_cast<unsigned char*>(cek.data()),
                               reinterpret_cast<unsigned char*>(iv.data())) == 1;
  OPENSSL_cleanse(cek.data(), cek.size());
  int len = 0;
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                               reinterpret_cast<const unsigned char*>(header_b64.data()),
                               static_cast<int>(header_b64.size())) == 1;
  if (!ok) return internal::SslFailure(Code::kInternal, "decrypt", "AES-GCM setup");

  // Ciphertext: decode and decrypt chunk by chunk up to the last '.'.
  PlaintextSink sink(out, header.zip == "DEF", options.max_plaintext);
  CiphertextDecoder decoder(ctx.get(), &sink);
  while (true) {
    DS_ASSIGN_OR_RETURN(std::string_view data, reader.Peek());
    if (data.empty()) return InvalidInput("parse: input ends in the ciphertext");
    size_t dot = data.find('.');
    DS_RETURN_IF_ERROR(decoder.Feed(data.substr(0, dot)));
    if (dot != std::string_view::npos) {
      reader.Consume(dot + 1);
      break;
    }
    reader.Consume(data.size());
  }
  DS_RETURN_IF_ERROR(decoder.End());

  // Tag: verified last; only then is the plaintext valid.
  DS_ASSIGN_OR_RETURN(std::string tag_b64, ReadTag(reader));
  DS_ASSIGN_OR_RETURN(std::string tag, DecodeSmall(tag_b64, "tag"));
  if (tag.size() != kTagBytes) return InvalidInput("parse: tag is not 16 bytes");
  unsigned char final_block[16];
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    internal::OpenSslError();
    return CheckFailed(
        "decrypt: authentication tag mismatch (or content key unwrap failed)");
  }
  DS_RETURN_IF_ERROR(sink.Finish());

  StreamResult result;
  result.header = std::move(header);
  result.plaintext_bytes = sink.bytes();
  result.sha512 = sink.Sha512();
  result.authentication_tag = std::move(tag_b64);
  return result;
}

namespace {

// Encrypts pieces of plaintext and writes the ciphertext as base64url.
class CiphertextEncoder {
 public:
  CiphertextEncoder(EVP_CIPHER_CTX* ctx, int out) : ctx_(ctx), out_(out) {
    cipher_.resize(kChunk + 16);
    text_.resize((kChunk + 32) / 3 * 4 + 8);
  }

  Status Put(const char* data, size_t size) {
    while (size > 0) {
      size_t piece = std::min(size, kChunk);
      int len = 0;
      if (EVP_EncryptUpdate(ctx_, reinterpret_cast<unsigned char*>(cipher_.data()),
                            &len, reinterpret_cast<const unsigned char*>(data),
                            static_cast<int>(piece)) != 1) {
        return internal::SslFailure(Code::kInternal, "encrypt", "AES-GCM update");
      }
      DS_RETURN_IF_ERROR(Encode(std::string_view(cipher_.data(), static_cast<size_t>(len))));
      data += piece;
      size -= piece;
    }
    return Status::Ok();
  }

  // Writes the last partial group, then "." and the tag.
  Status Finish() {
    int len = 0;
    if (EVP_EncryptFinal_ex(ctx_, reinterpret_cast<unsigned char*>(cipher_.data()),
                            &len) != 1) {
      return internal::SslFailure(Code::kInternal, "encrypt", "AES-GCM final");
    }
    char tag[kTagBytes];
    if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) != 1) {
      return internal::SslFailure(Code::kInternal, "encrypt", "AES-GCM tag");
    }
    size_t n = internal::EncodeBase64UrlInto(carry_, text_.data());
    text_[n++] = '.';
    n += internal::EncodeBase64UrlInto(std::string_view(tag, kTagBytes), text_.data() + n);
    return internal::WriteAll(out_, text_.data(), n);
  }

 private:
  Status Encode(std::string_view bytes) {
    size_t n = 0;
    if (!carry_.empty()) {
      size_t take = std::min(3 - carry_.size(), bytes.size());
      carry_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (carry_.size() < 3) return Status::Ok();
      n = internal::EncodeBase64UrlInto(carry_, text_.data());
      carry_.clear();
    }
    size_t full = bytes.size() / 3 * 3;
    n += internal::EncodeBase64UrlInto(bytes.substr(0, full), text_.data() + n);
    carry_.assign(bytes.substr(full));
    return internal::WriteAll(out_, text_.data(), n);
  }

  EVP_CIPHER_CTX* ctx_;
  int out_;
  std::string cipher_, text_, carry_;
};

Result<size_t> ReadSome(int fd, char* buf, size_t size) {
  ssize_t n;
  do {
    n = ::read(fd, buf, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return EnvironmentError(std::string("read: ") + std::strerror(errno));
  return static_cast<size_t>(n);
}

// Streams `in` through raw deflate into `encoder`.
Status DeflateInto(int in, CiphertextEncoder& encoder) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("deflate: init failed");
  }
  std::string input(kChunk, '\0'), output(kChunk, '\0');
  Status status;
  int flush = Z_NO_FLUSH;
  while (status.ok() && flush != Z_FINISH) {
    auto n = ReadSome(in, input.data(), input.size());
    if (!n.ok()) { status = n.status(); break; }
    flush = *n == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(input.data());
    z.avail_in = static_cast<uInt>(*n);
    do {
      z.next_out = reinterpret_cast<Bytef*>(output.data());
      z.avail_out = static_cast<uInt>(output.size());
      deflate(&z, flush);
      status = encoder.Put(output.data(), output.size() - z.avail_out);
    } while (status.ok() && z.avail_out == 0);
  }
  deflateEnd(&z);
  return status;
}

}  // namespace

Status EncryptStream(const Jwk& key, int in, int out, const EncryptOptions& options) {
  if (key.bits() < 2048) return InvalidInput("encrypt: RSA key below 2048 bits");

  // Header, wrapped key and IV go out first.
  std::string header_b64 = internal::EncodeJweHeader(key, options);
  DS_ASSIGN_OR_RETURN(std::string cek, internal::RandomBytes(internal::kCekBytes));
  DS_ASSIGN_OR_RETURN(std::string iv, internal::RandomBytes(kIvBytes));
  DS_ASSIGN_OR_RETURN(std::string encrypted_key, internal::WrapKey(key, cek));
  internal::CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr,
                               reinterpret_cast<unsigned char*>(cek.data()),
                               reinterpret_cast<unsigned char*>(iv.data())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(header_b64.data()),
                              static_cast<int>(header_b64.size())) == 1;
  OPENSSL_cleanse(cek.data(), cek.size());
  if (!ok) return internal::SslFailure(Code::kInternal, "encrypt", "AES-GCM setup");
  std::string prefix = header_b64 + "." + EncodeSmall(encrypted_key) + "." +
                       EncodeSmall(iv) + ".";
  DS_RETURN_IF_ERROR(internal::WriteAll(out, prefix.data(), prefix.size()));

  // Plaintext, optionally deflated, then the tag.
  CiphertextEncoder encoder(ctx.get(), out);
  if (options.deflate) {
    DS_RETURN_IF_ERROR(DeflateInto(in, encoder));
  } else {
    std::string buf(kChunk, '\0');
    while (true) {
      DS_ASSIGN_OR_RETURN(size_t n, ReadSome(in, buf.data(), buf.size()));
      if (n == 0) break;
      DS_RETURN_IF_ERROR(encoder.Put(buf.data(), n));
    }
  }
  return encoder.Finish();
}

}  // namespace ds::jose
