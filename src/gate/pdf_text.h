// Text of a PDF for the search index, extracted with poppler's pdftotext
// (a separate program, GPL, never linked) inside the gate's
// resource-limited worker process: the same memory, CPU and wall-clock
// limits as the inspection (Limits::worker_*), no writable files, no
// network where user namespaces allow it.
//
//   auto text = ds::gate::ExtractPdfText(path, policy.limits);
//   if (text.ok() && !text->empty()) { /* store as a rendition, index */ }
//
// Extraction is for finding cases, not a safety check: call it only after
// the gate inspected the file, and never for a rejected one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "gate/gate.h"

namespace ds::gate {

// The UTF-8 text of the PDF at `pdf`, whitespace runs collapsed, at most
// `max_bytes` (cut at a character boundary). Errors: kCheckFailed if
// pdftotext fails (damaged or encrypted PDF) or a worker limit is hit;
// kEnvironment if pdftotext cannot be run (poppler-utils missing) or no
// worker could be started. Thread-safe.
Result<std::string> ExtractPdfText(const std::filesystem::path& pdf,
                                   const Limits& limits,
                                   size_t max_bytes = 1u << 20);

}  // namespace ds::gate
