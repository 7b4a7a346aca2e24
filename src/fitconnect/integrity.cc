#include "fitconnect/integrity.h"

#include <set>

#include "core/encoding.h"
#include "fitconnect/problems.h"
#include "jose/jwe.h"

namespace ds::fitconnect {
namespace {

using nlohmann::json;
using IdSet = std::set<std::string, std::less<>>;

Status Mismatch(std::string_view id, std::string detail) {
  return Reject(ProblemKind::kAttachmentsMismatch, AttachmentInstance(id),
                detail);
}

// The set of ids of one list; duplicates and non-UUIDs fail.
Result<IdSet> ToSet(const std::vector<std::string>& ids, std::string_view list) {
  IdSet out;
  for (const std::string& id : ids) {
    if (!IsUuid(id)) {
      return Mismatch(id, "attachment id in the " + std::string(list) +
                              " is not a UUID");
    }
    if (!out.insert(id).second) {
      return Mismatch(id, "attachment " + id + " appears twice in the " +
                              std::string(list));
    }
  }
  return out;
}

// First id of `a` missing from `b`, or empty.
std::string FirstMissing(const IdSet& a, const IdSet& b) {
  for (const std::string& id : a) {
    if (!b.count(id)) return id;
  }
  return {};
}

Status Compare(const IdSet& a, std::string_view a_name, const IdSet& b,
               std::string_view b_name) {
  std::string id = FirstMissing(a, b);
  if (!id.empty()) {
    return Mismatch(id, "attachment " + id + " is in the " + std::string(a_name) +
                            " but not in the " + std::string(b_name));
  }
  id = FirstMissing(b, a);
  if (!id.empty()) {
    return Mismatch(id, "attachment " + id + " is in the " + std::string(b_name) +
                            " but not in the " + std::string(a_name));
  }
  return Status::Ok();
}

}  // namespace

std::string Sha512Hex(std::string_view bytes) { return HexEncode(Sha512(bytes)); }

Status CheckHash(std::string_view plaintext, const Hash& expected,
                 std::string_view instance) {
  return CheckHashDigest(Sha512(plaintext), expected, instance);
}

Status CheckHashDigest(std::string_view raw_sha512, const Hash& expected,
                       std::string_view instance) {
  if (expected.type != "sha512") {
    return Reject(ProblemKind::kHashMismatch, instance,
                  "hash of " + std::string(instance) + ": type is not sha512");
  }
  if (!ConstantTimeEquals(HexEncode(raw_sha512), expected.content)) {
    return Reject(ProblemKind::kHashMismatch, instance,
                  "SHA-512 of the decrypted " + std::string(instance) +
                      " differs from the hash in the metadata");
  }
  return Status::Ok();
}

json AuthenticationTags::ToJson() const {
  json j = {{"metadata", metadata}};
  if (!data.empty()) j["data"] = data;
  j["attachments"] = json::object();
  for (const auto& [id, tag] : attachments) j["attachments"][id] = tag;
  return j;
}

Result<AuthenticationTags> AuthenticationTags::FromJson(const json& j) {
  if (!j.is_object()) return InvalidInput("authenticationTags: not an object");
  AuthenticationTags out;
  for (const char* member : {"metadata", "data"}) {
    auto it = j.find(member);
    if (it == j.end()) continue;
    if (!it->is_string()) {
      return InvalidInput(std::string("authenticationTags: ") + member +
                          " is not a string");
    }
    (std::string_view(member) == "metadata" ? out.metadata : out.data) =
        it->get<std::string>();
  }
  auto att = j.find("attachments");
  if (att != j.end()) {
    if (!att->is_object()) {
      return InvalidInput("authenticationTags: attachments is not an object");
    }
    for (const auto& [id, tag] : att->items()) {
      if (!tag.is_string()) {
        return InvalidInput("authenticationTags: tag of attachment " + id +
                            " is not a string");
      }
      out.attachments[id] = tag.get<std::string>();
    }
  }
  return out;
}

Status CheckAuthenticationTag(std::string_view actual_tag,
                              std::string_view expected_tag,
                              std::string_view instance) {
  if (expected_tag.empty()) {
    return Reject(ProblemKind::kIncorrectAuthenticationTag, instance,
                  "the submit-submission event has no authentication tag for " +
                      std::string(instance));
  }
  if (!ConstantTimeEquals(actual_tag, expected_tag)) {
    return Reject(ProblemKind::kIncorrectAuthenticationTag, instance,
                  "authentication tag of " + std::string(instance) +
                      " differs from the submit-submission event");
  }
  return Status::Ok();
}

Status CheckJweAuthenticationTag(std::string_view compact_jwe,
                                 std::string_view expected_tag,
                                 std::string_view instance) {
  Result<std::string> tag = jose::AuthenticationTag(compact_jwe);
  if (!tag.ok()) {
    return Reject(ProblemKind::kEncryptionIssue, instance,
                  std::string(instance) + " is not a compact JWE");
  }
  return CheckAuthenticationTag(*tag, expected_tag, instance);
}

Status CheckSubmissionTags(const ReceivedTags& received,
                           const AuthenticationTags& expected) {
  DS_RETURN_IF_ERROR(CheckAuthenticationTag(received.metadata, expected.metadata,
                                            kInstanceMetadata));
  if (received.data) {
    DS_RETURN_IF_ERROR(
        CheckAuthenticationTag(*received.data, expected.data, kInstanceData));
  } else if (!expected.data.empty()) {
    return Reject(ProblemKind::kMissingData, kInstanceData,
                  "the event log names data, but the submission has none");
  }
  for (const auto& [id, tag] : received.attachments) {
    auto it = expected.attachments.find(id);
    if (it == expected.attachments.end()) {
      return Mismatch(id, "attachment " + id +
                              " has no authentication tag in the event log");
    }
    DS_RETURN_IF_ERROR(CheckAuthenticationTag(tag, it->second,
                                              AttachmentInstance(id)));
  }
  for (const auto& [id, tag] : expected.attachments) {
    if (!received.attachments.count(id)) {
      return Mismatch(id, "attachment " + id +
                              " is in the event log but was not received");
    }
  }
  return Status::Ok();
}

Status CheckAttachmentLists(const AttachmentLists& lists) {
  DS_ASSIGN_OR_RETURN(IdSet submission, ToSet(lists.submission, "submission"));
  DS_ASSIGN_OR_RETURN(IdSet metadata, ToSet(lists.metadata, "metadata"));
  DS_ASSIGN_OR_RETURN(IdSet events, ToSet(lists.event_log, "event log"));

  // Described in the metadata but not delivered: the sender's fault in a
  // way that deserves its own problem type.
  std::string missing = FirstMissing(metadata, submission);
  if (!missing.empty()) {
    return Reject(ProblemKind::kMissingAttachment, AttachmentInstance(missing),
                  "attachment " + missing +
                      " is described in the metadata but not in the submission");
  }
  DS_RETURN_IF_ERROR(Compare(submission, "submission", metadata, "metadata"));
  DS_RETURN_IF_ERROR(Compare(submission, "submission", events, "event log"));
  if (lists.announced) {
    DS_ASSIGN_OR_RETURN(IdSet announced, ToSet(*lists.announced, "announcement"));
    DS_RETURN_IF_ERROR(Compare(announced, "announcement", submission, "submission"));
  }
  return Status::Ok();
}

}  // namespace ds::fitconnect
