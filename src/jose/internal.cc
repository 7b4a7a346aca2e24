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

}  // namespace

long DecodeBase64UrlInto(std::string_view in, char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  if (n % 4 == 1) return -1;
  size_t full = n / 4 * 4;
  auto* o = reinterpret_cast<unsigned char*>(out);
  int bad = 0;
  for (size_t i = 0; i < full; i += 4) {
    int a = kReverse[p[i]], b = kReverse[p[i + 1]], c = kReverse[p[i + 2]],
        d = kReverse[p[i + 3]];
    bad |= a | b | c | d;
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) |
                 uint32_t(d);
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
    o += 3;
  }
  if (bad < 0) return -1;

  // A final group of 2 or 3 characters; unused bits must be zero.
  size_t rest = n - full;
  if (rest >= 2) {
    int a = kReverse[p[full]], b = kReverse[p[full + 1]];
    int c = rest == 3 ? kReverse[p[full + 2]] : 0;
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
