#include "fitconnect/callback.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

#include "core/encoding.h"

namespace ds::fitconnect {
namespace {

using nlohmann::json;

Status Unauthenticated(std::string message) {
  return Status(Code::kUnauthenticated, "verify callback: " + message);
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Unix seconds: 1 to 12 decimal digits, nothing else.
std::optional<int64_t> ParseTimestamp(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::string CallbackHmac(std::string_view secret, std::string_view timestamp,
                         std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append(".").append(body);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &length);
  return HexEncode(std::string_view(reinterpret_cast<char*>(mac), length));
}

Status VerifyCallback(std::string_view secret,
                      std::optional<std::string_view> authentication,
                      std::optional<std::string_view> timestamp,
                      std::string_view body, int64_t now,
                      const CallbackOptions& options) {
  if (secret.empty()) return InvalidInput("verify callback: no secret configured");

  // Headers present and well-formed.
  if (!timestamp) return Unauthenticated("missing callback-timestamp header");
  if (!authentication) {
    return Unauthenticated("missing callback-authentication header");
  }
  std::optional<int64_t> sent = ParseTimestamp(*timestamp);
  if (!sent) return Unauthenticated("malformed callback-timestamp header");
  std::string mac(*authentication);
  for (char& c : mac) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mac.size() != 128 || !IsLowerHex(mac)) {
    return Unauthenticated("malformed callback-authentication header");
  }

  // Freshness, then the HMAC in constant time.
  if (*sent < now - options.max_age_seconds) {
    return Unauthenticated("callback-timestamp is older than the window");
  }
  if (*sent > now + options.max_skew_seconds) {
    return Unauthenticated("callback-timestamp is in the future");
  }
  if (!ConstantTimeEquals(mac, CallbackHmac(secret, *timestamp, body))) {
    return Unauthenticated("callback-authentication does not match");
  }
  return Status::Ok();
}

CallbackHeaders SignCallback(std::string_view secret, std::string_view body,
                             int64_t now) {
  std::string timestamp = std::to_string(now);
  return CallbackHeaders{CallbackHmac(secret, timestamp, body), timestamp};
}

Result<CallbackNotification> ParseCallbackBody(std::string_view body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidInput("callback body: not a JSON object");
  }
  CallbackNotification out;
  if (!doc.contains("type") || !doc["type"].is_string()) {
    return InvalidInput("callback body: no type");
  }
  out.type = doc["type"].get<std::string>();

  auto id = [](const json& j, const char* member) -> Result<std::string> {
    auto it = j.find(member);
    if (it == j.end()) return std::string();
    if (!it->is_string() || !IsUuid(it->get<std::string>())) {
      return InvalidInput(std::string("callback body: ") + member +
                          " is not a UUID");
    }
    return it->get<std::string>();
  };
  if (doc.contains("submissions")) {
    if (!doc["submissions"].is_array()) {
      return InvalidInput("callback body: submissions is not an array");
    }
    for (const json& s : doc["submissions"]) {
      if (!s.is_object()) return InvalidInput("callback body: bad submission");
      CallbackSubmission sub;
      DS_ASSIGN_OR_RETURN(sub.destination_id, id(s, "destinationId"));
      DS_ASSIGN_OR_RETURN(sub.submission_id, id(s, "submissionId"));
      DS_ASSIGN_OR_RETURN(sub.case_id, id(s, "caseId"));
      if (sub.submission_id.empty()) {
        return InvalidInput("callback body: submission without submissionId");
      }
      out.submissions.push_back(std::move(sub));
    }
  } else if (doc.contains("submissionIds") && doc["submissionIds"].is_array()) {
    for (const json& s : doc["submissionIds"]) {
      if (!s.is_string() || !IsUuid(s.get<std::string>())) {
        return InvalidInput("callback body: submissionIds entry is not a UUID");
      }
      out.submissions.push_back({"", s.get<std::string>(), ""});
    }
  }
  return out;
}

std::string NewSubmissionsCallbackBody(
    const std::vector<CallbackSubmission>& submissions) {
  json ids = json::array();
  json list = json::array();
  for (const CallbackSubmission& s : submissions) {
    ids.push_back(s.submission_id);
    list.push_back({{"destinationId", s.destination_id},
                    {"submissionId", s.submission_id},
                    {"caseId", s.case_id}});
  }
  return json{{"type", kCallbackNewSubmissions},
              {"submissionIds", ids},
              {"submissions", list}}
      .dump();
}

}  // namespace ds::fitconnect
