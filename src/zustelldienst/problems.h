// Internal: the RFC 7807 problems the stand-in answers with.
//
// The prefix and the names destination-not-found, destination-state-invalid
// and submission-not-found are observed in a client of the real service
// (notes §2). Every other name below is RECONSTRUCTED [unverified]: the
// Submission API OpenAPI file that lists them was not available. Clients
// should branch on the HTTP status first and on these names only in tests.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::zustelldienst {

inline constexpr std::string_view kApiProblems =
    "https://schema.fitko.de/fit-connect/submission-api/problems/";

// Names (the part after kApiProblems).
namespace problem {
inline constexpr std::string_view kDestinationNotFound = "destination-not-found";
inline constexpr std::string_view kDestinationStateInvalid =
    "destination-state-invalid";
inline constexpr std::string_view kSubmissionNotFound = "submission-not-found";
// RECONSTRUCTED from here on.
inline constexpr std::string_view kKeyNotFound = "key-not-found";
inline constexpr std::string_view kAttachmentNotFound = "attachment-not-found";
inline constexpr std::string_view kCaseNotFound = "case-not-found";
inline constexpr std::string_view kSubmissionStateInvalid =
    "submission-state-invalid";
inline constexpr std::string_view kAttachmentNotAnnounced =
    "attachment-not-announced";
inline constexpr std::string_view kMissingAttachments = "missing-attachments";
inline constexpr std::string_view kSyntaxViolation = "request-syntax-violation";
inline constexpr std::string_view kInvalidRequest = "invalid-request";
inline constexpr std::string_view kUnsupportedMediaType =
    "unsupported-media-type";
inline constexpr std::string_view kInvalidJwe = "invalid-jwe";
// A JWE without `cty`, or with one that does not fit (the v2 service
// answers 422 here [observed: notes §2]).
inline constexpr std::string_view kInvalidContentType =
    "invalid-jwe-content-type";
inline constexpr std::string_view kAttachmentTooLarge = "attachment-too-large";
inline constexpr std::string_view kTooManyAttachments = "too-many-attachments";
inline constexpr std::string_view kSubmissionTooLarge = "submission-too-large";
inline constexpr std::string_view kServiceNotAccepted =
    "service-type-not-accepted";
inline constexpr std::string_view kUnauthorized = "unauthorized";
inline constexpr std::string_view kForbidden = "insufficient-scope";
inline constexpr std::string_view kInvalidEvent = "invalid-event";
inline constexpr std::string_view kDuplicateEvent = "duplicate-event";
}  // namespace problem

// A status with the API problem attached (title derived from the name).
Status ApiError(Code code, std::string_view name, std::string detail);

}  // namespace ds::zustelldienst
