// Test support for the xdomea tests: cases filed into a real store, and
// xmllint as an independent check of every package the tests produce.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "records/store.h"
#include "xdomea/xdomea.h"

namespace ds::xdomea::testing {

// Files a submission with JSON form data and a PDF attachment (verdict as
// given) into the Posteingang of `tenant`; returns the Vorgang id.
std::string FileCase(
    records::Store& store, const std::string& tenant,
    const std::string& subject,
    records::Verdict attachment_verdict = records::Verdict::kClean);

// A small but real PDF (one empty page).
std::string MinimalPdf(const std::string& marker = "");

// Runs `xmllint --nonet --noout --schema <specs>/xdomea/xsd/<version>/
// xdomea.xsd` on `xml` (written to a temporary file). Returns "" if it
// validates, else xmllint's output.
std::string Xmllint(const std::string& xml, const std::string& version);
// The same for the message inside a zip package.
std::string XmllintPackage(const std::filesystem::path& zip,
                           const std::string& version);

// A FVDaten.SGOAblegen.0605 as a Fachverfahren sends it: one Dokument
// "Bescheid" whose primary file is `dateiname` (PDF), filed into
// `id_container` ("" = no IDContainer).
std::string Fachverfahren0605(const std::string& process_id,
                              const std::string& id_container,
                              const std::string& dateiname,
                              const std::string& version = "3.1.0");
// The 0605 above as a zip package with the PDF under `dateiname`.
std::string Fachverfahren0605Package(const std::string& process_id,
                                     const std::string& id_container,
                                     const std::string& pdf);

// A zip with exactly these entries (names unchecked; for malformed
// packages).
std::string RawZip(
    const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace ds::xdomea::testing
