// How xdomea imports judge the files they file: a hook that the CLI and
// the hub fill with the gate (GateInspector), so that files from a package
// get a verdict like every attachment of an application.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/log.h"
#include "core/status.h"
#include "gate/gate.h"
#include "records/store.h"

namespace ds::xdomea {

struct Inspection {
  records::Verdict verdict = records::Verdict::kQuarantined;
  std::string findings_json = "[]";  // the gate's findings, no content
};

// Inspects one file (a private temporary copy) with its declared type and
// name. An error status is an environment failure (retry later), never a
// verdict.
using Inspector = std::function<Result<Inspection>(
    const std::filesystem::path& file, const std::string& mime_type,
    const std::string& filename)>;

// Without an inspector, files are filed as quarantined with the finding
// "xdomea.not-inspected" (fail closed: a person decides).
Inspection NotInspected();

// The gate with `policy` (in its worker process). `logger` may be null.
Inspector GateInspector(gate::Policy policy, Logger* logger = nullptr);

// Runs `inspect` (or NotInspected) on bytes written to a private temporary
// file.
Result<Inspection> InspectBytes(const Inspector& inspect,
                                const std::string& bytes,
                                const std::string& mime_type,
                                const std::string& filename);

}  // namespace ds::xdomea
