// Integrity checks of a received submission: plaintext hashes against the
// metadata, JWE authentication tags against the submit-submission event,
// and the attachment lists of announcement, submission, metadata and event
// log against each other.
//
// Every failure is kCheckFailed with the reject problem attached
// (problems.h): hash-mismatch, incorrect-authentication-tag,
// missing-attachment, attachments-mismatch; instances "metadata", "data" or
// "attachment:{id}".
//
//   DS_RETURN_IF_ERROR(CheckJweAuthenticationTag(
//       encrypted_data, tags.data, kInstanceData));
//   DS_RETURN_IF_ERROR(CheckHash(data_plaintext, metadata.data->hash,
//                                kInstanceData));
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "fitconnect/metadata.h"

namespace ds::fitconnect {

// SHA-512 of `bytes` as lower-case hex (the FIT-Connect metadata format).
std::string Sha512Hex(std::string_view bytes);

// hash-mismatch at `instance` unless SHA-512(plaintext) equals `expected`
// (type must be sha512; hex compared exactly, lower case as the schema
// demands).
Status CheckHash(std::string_view plaintext, const Hash& expected,
                 std::string_view instance);
// The same for a digest computed while streaming (raw 64 bytes, as
// jose::StreamResult::sha512).
Status CheckHashDigest(std::string_view raw_sha512, const Hash& expected,
                       std::string_view instance);

// authenticationTags as the submit-submission and accept-submission events
// carry them: the 5th compact segment of each JWE.
struct AuthenticationTags {
  std::string metadata;
  std::string data;  // empty if the submission has no Fachdaten
  std::map<std::string, std::string> attachments;  // attachmentId -> tag

  nlohmann::json ToJson() const;
  // kInvalidInput naming the member if a tag is not a string or the object
  // is malformed.
  static Result<AuthenticationTags> FromJson(const nlohmann::json& json);
  bool operator==(const AuthenticationTags&) const = default;
};

// incorrect-authentication-tag at `instance` unless `actual` equals
// `expected` (both base64url). An empty `expected` (the event carries no
// tag) fails too.
Status CheckAuthenticationTag(std::string_view actual_tag,
                              std::string_view expected_tag,
                              std::string_view instance);
// As above with the tag taken from a compact JWE; a JWE that is not five
// segments is an encryption-issue at `instance`.
Status CheckJweAuthenticationTag(std::string_view compact_jwe,
                                 std::string_view expected_tag,
                                 std::string_view instance);

// The authentication tags of what was actually received: the 5th segment
// of each JWE (jose::AuthenticationTag, or jose::StreamResult's
// authentication_tag for streamed attachments).
struct ReceivedTags {
  std::string metadata;
  std::optional<std::string> data;  // nullopt: no encryptedData
  std::map<std::string, std::string> attachments;  // attachmentId -> tag
};

// Compares received tags with the submit-submission event's: metadata, data
// (present on both sides or on neither) and every attachment in both
// directions. incorrect-authentication-tag at "metadata", "data" or
// "attachment:{id}"; an attachment on one side only is attachments-mismatch.
Status CheckSubmissionTags(const ReceivedTags& received,
                           const AuthenticationTags& expected);

// The attachment ids as each party states them.
struct AttachmentLists {
  // announcedAttachments of the announcement, if known (the sender and the
  // local Zustelldienst know it; a subscriber usually does not).
  std::optional<std::vector<std::string>> announced;
  std::vector<std::string> submission;  // the submission's attachments
  std::vector<std::string> metadata;    // contentStructure.attachments ids
  std::vector<std::string> event_log;   // submit-submission tag keys
};

// Checks that every list names the same set of ids, each once, each a UUID.
// An id the metadata describes but the submission lacks is
// missing-attachment; every other difference (and a duplicate or non-UUID
// id) is attachments-mismatch; the instance names the offending id.
Status CheckAttachmentLists(const AttachmentLists& lists);

}  // namespace ds::fitconnect
