#include "jose/internal.h"

#include <openssl/err.h>
#include <openssl/rand.h>

namespace ds::jose::internal {

std::string OpenSslError() {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "no OpenSSL reason";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof buf);
  return buf;
}

Status SslFailure(Code code, std::string_view step, std::string_view what) {
  return Status(code, std::string(step) + ": " + std::string(what) + " (" +
                          OpenSslError() + ")");
}

Result<nlohmann::json> ParseJsonObject(std::string_view text,
                                       std::string_view what) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return InvalidInput(std::string(what) + ": not valid JSON");
  }
  if (!json.is_object()) {
    return InvalidInput(std::string(what) + ": not a JSON object");
  }
  return json;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    return SslFailure(Code::kInternal, "random", "RAND_bytes failed");
  }
  return out;
}

size_t ModulusBytes(EVP_PKEY* pkey) {
  return static_cast<size_t>(EVP_PKEY_get_size(pkey));
}

size_t SplitDots(std::string_view text, std::string_view* parts, size_t max) {
  size_t count = 0;
  while (true) {
    size_t dot = text.find('.');
    if (count == max) return count + 1;  // too many
    parts[count++] = text.substr(0, dot);
    if (dot == std::string_view::npos) return count;
    text.remove_prefix(dot + 1);
  }
}

}  // namespace ds::jose::internal

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ds::jose::internal {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int16_t, 256> MakeReverse() {
  std::array<int16_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int16_t>(i);
  return t;
}
constexpr std::array<int16_t, 256> kReverse = MakeReverse();

// Per position in a 4-character group, the 6-bit value already shifted
// into place; invalid characters set bit 31 (never set by valid ones).
constexpr uint32_t kInvalid = 0x80000000u;
constexpr std::array<uint32_t, 256> MakeShifted(int shift) {
  std::array<uint32_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = kReverse[c] < 0 ? kInvalid : uint32_t(kReverse[c]) << shift;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kShift18 = MakeShifted(18);
constexpr std::array<uint32_t, 256> kShift12 = MakeShifted(12);
constexpr std::array<uint32_t, 256> kShift6 = MakeShifted(6);
constexpr std::array<uint32_t, 256> kShift0 = MakeShifted(0);

inline uint32_t Group(const unsigned char* p) {
  return kShift18[p[0]] | kShift12[p[1]] | kShift6[p[2]] | kShift0[p[3]];
}

}  // namespace

long DecodeBase64UrlInto(std::string_view in, char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  if (n % 4 == 1) return -1;
  size_t groups = n / 4;
  auto* o = reinterpret_cast<unsigned char*>(out);
  uint32_t bad = 0;

  // Two groups (8 characters, 6 bytes) per step; the tail one at a time.
  size_t g = 0;
  for (; g + 2 <= groups; g += 2, p += 8, o += 6) {
    uint32_t a = Group(p), b = Group(p + 4);
    bad |= a | b;
    o[0] = static_cast<unsigned char>(a >> 16);
    o[1] = static_cast<unsigned char>(a >> 8);
    o[2] = static_cast<unsigned char>(a);
    o[3] = static_cast<unsigned char>(b >> 16);
    o[4] = static_cast<unsigned char>(b >> 8);
    o[5] = static_cast<unsigned char>(b);
  }
  for (; g < groups; ++g, p += 4, o += 3) {
    uint32_t a = Group(p);
    bad |= a;
    o[0] = static_cast<unsigned char>(a >> 16);
    o[1] = static_cast<unsigned char>(a >> 8);
    o[2] = static_cast<unsigned char>(a);
  }
  if (bad & kInvalid) return -1;

  // A final group of 2 or 3 characters; unused bits must be zero.
  size_t rest = n - groups * 4;
  if (rest >= 2) {
    int a = kReverse[p[0]], b = kReverse[p[1]];
    int c = rest == 3 ? kReverse[p[2]] : 0;
    if ((a | b | c) < 0) return -1;
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6);
    *o++ = static_cast<unsigned char>(v >> 16);
    if (rest == 3) {
      *o++ = static_cast<unsigned char>(v >> 8);
      if (v & 0xff) return -1;
    } else if (v & 0xffff) {
      return -1;
    }
  }
  return static_cast<long>(o - reinterpret_cast<unsigned char*>(out));
}

size_t EncodeBase64UrlInto(std::string_view in, char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size(), i = 0;
  char* o = out;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8) | p[i + 2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
    o += 4;
  }
  if (n - i == 1) {
    uint32_t v = uint32_t(p[i]) << 16;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
  }
  return static_cast<size_t>(o - out);
}

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return EnvironmentError(std::string("write: ") + std::strerror(errno));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace ds::jose::internal
