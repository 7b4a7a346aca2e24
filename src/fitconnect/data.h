// Checks of decrypted Fachdaten (form data) against the submission schema
// the metadata names (contentStructure.data.submissionSchema).
//
//   const JsonSchema* schema = catalogue.Find(ref.schema_uri);  // caller's
//   DS_RETURN_IF_ERROR(CheckData(plaintext, ref.mime_type, schema, nullptr));
//
// Which schemaUris a destination accepts, and where their schema files
// live, is the caller's configuration; pass nullptr when the schemaUri is
// not one of them. Failures carry problems at instance "data":
// unsupported-schema (unknown mime type or schemaUri), syntax-violation,
// schema-violation. Messages name pointers / element paths, never values.
#pragma once

#include <string_view>

#include "core/status.h"
#include "fitconnect/schema.h"

namespace ds::fitconnect {

// `mime_type` is "application/json" or "application/xml"; exactly the
// schema of that kind is used (the other may be nullptr).
Status CheckData(std::string_view plaintext, std::string_view mime_type,
                 const JsonSchema* json_schema, const XmlSchema* xml_schema,
                 const XmlLimits& xml_limits = {});

}  // namespace ds::fitconnect
