// FIT-Connect reject problems: the RFC 7807 objects that a subscriber puts
// into a `reject-submission` event when a check of a submission fails.
//
// Each check in this part returns a ds::Status that carries the problem's
// type URI, title and instance (Status::problem()); the status message is
// the problem's `detail`. Intake turns a failed status into a reject event
// with ProblemFromStatus():
//
//   ds::Status s = ds::fitconnect::CheckHash(data, expected_hex, "data");
//   if (!s.ok()) problems.push_back(ds::fitconnect::ProblemFromStatus(s));
//
// RECONSTRUCTED CATALOGUE [unverified]: the official list of problem types
// (docs.fitko.de "Einreichung überprüfen", receiving/verification) is not
// available offline. The type names below come from memory of that page and
// from FITKO's work item that mirrored it into the Java SDK (planning#598);
// the German titles and details are our own wording in the spirit of the
// docs. FIT-Connect says `type` and `instance` must be used verbatim, so
// compare these names against schema.fitko.de / the docs before going live.
// The instance values "metadata", "data" and "attachment:{id}" are from
// the docs example; "submission" (for event-log problems) is our choice.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ds::fitconnect {

inline constexpr std::string_view kProblemTypeBase =
    "https://schema.fitko.de/fit-connect/events/problems/";

// The kinds of reject problem; each maps to one type URI under
// kProblemTypeBase (name in the comment) [unverified, see above].
enum class ProblemKind {
  kEncryptionIssue,             // encryption-issue: wrong key, undecryptable
  kSyntaxViolation,             // syntax-violation: not JSON / not XML
  kMissingSchema,               // missing-schema: no schema reference
  kUnsupportedSchema,           // unsupported-schema: version or schemaUri
  kSchemaViolation,             // schema-violation
  kIncorrectAuthenticationTag,  // incorrect-authentication-tag
  kHashMismatch,                // hash-mismatch
  kMissingData,                 // missing-data: no Fachdaten
  kMissingAttachment,           // missing-attachment
  kAttachmentsMismatch,         // attachments-mismatch: lists differ
  kInvalidEventLog,             // invalid-event-log
  kServiceMismatch,             // service-mismatch: service not accepted
  kUnsupportedReplyChannel,     // unsupported-reply-channel
  kTechnicalError,              // technical-error: our own failure
};

// Instances used verbatim in problems.
inline constexpr std::string_view kInstanceMetadata = "metadata";
inline constexpr std::string_view kInstanceData = "data";
inline constexpr std::string_view kInstanceSubmission = "submission";
// "attachment:{id}".
std::string AttachmentInstance(std::string_view attachment_id);

// A complete problem as it goes into a reject-submission event.
struct RejectProblem {
  std::string type;      // full URI
  std::string title;
  std::string detail;
  std::string instance;

  nlohmann::json ToJson() const;
  // Requires string members type and title; detail and instance optional.
  // kInvalidInput naming the member otherwise.
  static Result<RejectProblem> FromJson(const nlohmann::json& json);
  bool operator==(const RejectProblem&) const = default;
};

// The type name ("hash-mismatch"), the full URI and the German title.
std::string_view ProblemName(ProblemKind kind);
std::string ProblemType(ProblemKind kind);
std::string_view ProblemTitle(ProblemKind kind);
// A default German detail text, used when a check gives none.
std::string_view ProblemDefaultDetail(ProblemKind kind);

// The kind for a full type URI, or nullopt for types outside the catalogue
// (for example problems issued by the Zustelldienst or newer FITKO types).
std::optional<ProblemKind> ProblemKindFromType(std::string_view type_uri);

// The problem for `kind` at `instance`; `detail` empty means the default.
RejectProblem MakeProblem(ProblemKind kind, std::string_view instance,
                          std::string_view detail = {});

// Attaches the problem of `kind` at `instance` to `status` (which must not
// be OK) and returns it. The status message stays the detail.
Status WithProblem(Status status, ProblemKind kind, std::string_view instance);

// A kCheckFailed status whose message is `detail` (defaulted as above) with
// the problem of `kind` at `instance` attached. The detail goes to the
// sender: name the step and ids, never personal data or form content.
Status Reject(ProblemKind kind, std::string_view instance,
              std::string_view detail = {});

// The reject problem for a failed status: its attached problem with the
// status message as detail, or technical-error at `fallback_instance` if it
// carries none (a failure of ours is not the sender's fault, but FIT-Connect
// still needs a reason).
RejectProblem ProblemFromStatus(const Status& status,
                                std::string_view fallback_instance =
                                    kInstanceSubmission);

}  // namespace ds::fitconnect
