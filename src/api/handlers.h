// Internal to ds_api: the handlers behind api/api.h and their JSON helpers.
// Handlers run after authorisation; they read and write only in
// `who.tenant`, parse input, call the Store and format the result.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "net/http.h"
#include "records/store.h"

namespace ds::api::internal {

struct Call {
  records::Store& store;
  const Principal& who;
  const net::Request& request;
};
using Reply = Result<net::Response>;
using HandlerFn = Reply (*)(const Call&);

Reply GetMe(const Call& c);
Reply ListVorgaenge(const Call& c);
Reply GetVorgang(const Call& c);
Reply PatchVorgang(const Call& c);
Reply AssignVorgang(const Call& c);
Reply GetContent(const Call& c);
Reply ListAkten(const Call& c);
Reply CreateAkte(const Call& c);
Reply GetAkte(const Call& c);
Reply PatchAkte(const Call& c);
Reply Search(const Call& c);
Reply ReadAudit(const Call& c);

// ---- JSON of the records model (schemas in docs/openapi.json) ----------

nlohmann::json OptTime(const std::optional<int64_t>& t);  // null if unset
nlohmann::json VorgangJson(const records::Vorgang& v);    // summary
nlohmann::json CaseJson(const records::Vorgang& v);       // with documents, log
nlohmann::json AkteJson(const records::Akte& a);
nlohmann::json AuditJson(const records::AuditEntry& e);

// ---- input ------------------------------------------------------------

// kInvalidInput if the query has a parameter not in `allowed`.
Status OnlyParams(const net::Request& r,
                  const std::vector<std::string_view>& allowed);
// The query parameter, or nullopt if absent.
std::optional<std::string> Param(const net::Request& r, const char* name);
// `limit` in 1..max (default `def`).
Result<int> LimitParam(const net::Request& r, int def, int max);
// An RFC 3339 time ("2026-12-03T10:00:00Z", offsets allowed) or a date
// ("2026-12-03", midnight UTC) as unix seconds.
Result<int64_t> ParseTime(std::string_view text);
// The body as a JSON object (at most 64 KiB) whose keys are all in
// `allowed`.
Result<nlohmann::json> ObjectBody(const net::Request& r,
                                  const std::vector<std::string_view>& allowed);
// A string member of a body: nullopt if absent, kInvalidInput if not a
// string or longer than `max` bytes.
Result<std::optional<std::string>> StringField(const nlohmann::json& body,
                                               const char* name,
                                               size_t max = 1000);
// As StringField, for a text that, when given, must not be blank (a
// subject, a Betreff): kInvalidInput "<name> must not be empty".
Result<std::optional<std::string>> TextField(const nlohmann::json& body,
                                             const char* name,
                                             size_t max = 1000);

}  // namespace ds::api::internal
