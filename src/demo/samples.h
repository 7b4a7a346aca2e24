// Sample applications for `drehscheibe demo` and the end-to-end tests,
// shaped like what real portals send: form data as JSON validated by a data
// schema, metadata as in the real ThAVEL test vector (publicServiceType with a
// LeiKa key, attachments with purpose and mime type), and a PDF attachment.
//
// The content is invented: no real person's data.
#pragma once

#include <string>
#include <vector>

namespace ds::demo {

// The service the demo destination accepts.
inline constexpr char kServiceIdentifier[] = "urn:de:fim:leika:leistung:99108008000000";
inline constexpr char kServiceName[] = "Wohngeld Antrag (Demo)";
inline constexpr char kDataSchemaUri[] =
    "https://schema.drehscheibe.invalid/demo/wohngeld-antrag/1.0.0/schema.json";

// The JSON Schema (draft 7 vocabulary) of the demo form data.
const std::string& DataSchema();

struct SampleAttachment {
  std::string filename;
  std::string mime_type;
  std::string purpose;  // "attachment" or "form"
  std::string bytes;
};

struct SampleApplication {
  std::string label;       // e.g. "Antrag 3 (2 Anlagen)", no personal data
  std::string form_json;   // Fachdaten
  std::vector<SampleAttachment> attachments;
};

// `count` distinct applications; the i-th is the same on every call.
std::vector<SampleApplication> BuildSamples(int count);

// A small, valid PDF (one page of text) with correct cross-reference offsets.
std::string MinimalPdf(const std::string& text);

}  // namespace ds::demo
