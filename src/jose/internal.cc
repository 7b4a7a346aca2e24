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
