// The HTTP client on libcurl: one easy handle per request. Kept the only
// translation unit that includes curl.
#include <curl/curl.h>

#include <cstdio>
#include <mutex>

#include "net/http.h"

namespace ds::net {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Where the response body goes: memory (bounded) or a file.
struct Sink {
  std::string* body = nullptr;
  std::FILE* file = nullptr;
  uint64_t max = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->file) return std::fwrite(data, 1, len, sink->file);
  if (sink->body->size() + len > sink->max) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, len);
  return len;
}

size_t ReadFileBody(char* buffer, size_t size, size_t n, void* user) {
  return std::fread(buffer, 1, size * n, static_cast<std::FILE*>(user));
}

// Collects response headers; a new status line (after 100 Continue or a
// redirect) starts a fresh set.
size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' ||
                            value.back() == ' ')) {
    value.remove_suffix(1);
  }
  (*headers)[std::string(line.substr(0, colon))] = std::string(value);
  return size * n;
}

struct CurlHandles {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  std::FILE* upload = nullptr;
  std::FILE* download = nullptr;
  ~CurlHandles() {
    if (upload) std::fclose(upload);
    if (download) std::fclose(download);
    curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

// Sets the request body from memory or from a file.
Status SetBody(const ClientRequest& request, CurlHandles& h) {
  CURL* c = h.easy;
  if (!request.body_file.empty()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(request.body_file, ec);
    if (ec) {
      return NotFound("http client: upload file: " + ec.message());
    }
    h.upload = std::fopen(request.body_file.c_str(), "rb");
    if (!h.upload) return EnvironmentError("http client: open upload file");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadFileBody);
    curl_easy_setopt(c, CURLOPT_READDATA, h.upload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(size));
    return Status::Ok();
  }
  if (!request.body.empty() || request.method == "POST" ||
      request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  return Status::Ok();
}

}  // namespace

std::string RedactedUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t query = url.find_first_of("?#", start);
  std::string_view head = url.substr(0, query);
  std::string out;
  size_t path = head.find('/', start);
  size_t at =
      head.rfind('@', path == std::string_view::npos ? head.size() : path);
  if (at != std::string_view::npos && at >= start) {
    out = std::string(head.substr(0, start)) + "***" +
          std::string(head.substr(at));
  } else {
    out = std::string(head);
  }
  if (query != std::string_view::npos)
    out += std::string(1, url[query]) + "***";
  return out;
}

Result<ClientResponse> Fetch(const ClientRequest& request) {
  GlobalInit();
  CurlHandles h;
  if (!h.easy) return Internal("http client: curl_easy_init failed");
  CURL* c = h.easy;

  // Request line, headers, body.
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT,
                   static_cast<long>(request.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(std::min(request.timeout_seconds, 30)));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!request.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  }
  DS_RETURN_IF_ERROR(SetBody(request, h));
  if (request.method != "GET" && request.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    h.headers = curl_slist_append(h.headers, line.c_str());
  }
  if (!request.headers.contains("Content-Type")) {
    // Otherwise curl sends application/x-www-form-urlencoded for POST.
    h.headers = curl_slist_append(h.headers, "Content-Type:");
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h.headers);

  // Response sinks.
  ClientResponse response;
  Sink sink;
  sink.body = &response.body;
  sink.max = request.max_response;
  if (!request.out_file.empty()) {
    h.download = std::fopen(request.out_file.c_str(), "wb");
    if (!h.download) {
      return EnvironmentError("http client: cannot create " +
                              request.out_file.filename().string());
    }
    sink.file = h.download;
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);

  CURLcode rc = curl_easy_perform(c);
  if (sink.too_large) {
    return TooLarge("http client: response body above " +
                    std::to_string(request.max_response) + " bytes");
  }
  if (rc != CURLE_OK) {
    return Unavailable(std::string("http client: ") + request.method + " " +
                       RedactedUrl(request.url) + ": " +
                       curl_easy_strerror(rc));
  }
  if (h.download) {
    bool ok = std::fflush(h.download) == 0;
    ok = std::fclose(h.download) == 0 && ok;
    h.download = nullptr;
    if (!ok) return EnvironmentError("http client: writing response file");
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : value) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace ds::net
