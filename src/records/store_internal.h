// Internal helpers shared by the store's .cc files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "records/sql.h"
#include "records/store.h"

namespace ds::records::internal {

// MIME type of text renditions (extracted text, indexed for search).
inline constexpr const char* kTextRenditionMime = "text/plain; charset=utf-8";

// Encodes a vector of ids as a JSON array (audit object_ids column).
std::string IdsToJson(const std::vector<std::string>& ids);
std::vector<std::string> IdsFromJson(const std::string& text);

// Makes sure the tenant row and its audit head exist.
Status EnsureTenant(Db& db, const std::string& tenant, int64_t now);

// Checks the shape of an incoming document (addresses, findings JSON).
Status CheckDocument(const IncomingDocument& d, std::string_view what);

// The string values of a JSON document, space-separated (search text).
std::string JsonStrings(const std::string& json_text);

// Seals (store_seal.cc): the digest of a Vorgang's, Dokument's or Akte's
// rows as they are now; "" if `id` names none of them.
Result<std::string> RowSeal(Db& db, const std::string& id);
// {"<id>": "<seal>"} for those of `ids` that are sealed objects.
Result<nlohmann::json> SealsOf(Db& db, const std::vector<std::string>& ids);
// Every Vorgang, Dokument and Akte (kind "Vorgang", "Dokument", "Akte").
struct SealedObject {
  std::string tenant, id, kind;
};
Result<std::vector<SealedObject>> SealedObjects(Db& db);

}  // namespace ds::records::internal
