// The gate: decides for every attachment and form-data document whether it
// may reach a clerk.
//
// A file is typed by its content (libmagic on a bounded prefix, then a
// format-specific parse), compared with the declared MIME type and file
// name, checked against the service's allow-list and inspected for active
// content, bombs and parser tricks in a resource-limited worker process.
// Meanwhile the untouched original is streamed to clamd. The gate fails
// closed: a limit, timeout, crash, parse error, encrypted content, scan
// error or an unreachable clamd never yields kClean.
//
//   ds::gate::Policy policy;                       // PDF, JPEG, PNG, TIFF,
//   policy.clamd_socket = "/run/clamav/clamd.ctl";  // XML, JSON allowed
//   ds::gate::Gate gate(&logger);
//   ds::Result<ds::gate::Verdict> v =
//       gate.Inspect(path, {.mime_type = "application/pdf",
//                           .filename = "antrag.pdf"}, policy);
//   if (!v.ok()) return v.status();        // environment: retry later
//   if (v->decision != ds::gate::Decision::kClean) Quarantine(...);
//
// The threat catalogue behind the checks is /work/shared/notes/
// manipulated-files.md (T01-T77); finding codes are listed in findings.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"

namespace ds::gate {

namespace internal {
class Worker;
class WorkerPool;
}  // namespace internal

// What the gate decided. Only kClean and kNeutralised may reach a clerk
// without a warning; kNeutralised means the clerk gets the cleaned copy
// (Verdict::neutralised_copy) and the original is kept for the record.
enum class Decision {
  kClean,        // no finding above kInfo
  kNeutralised,  // active content removed into a cleaned copy
  kQuarantined,  // unclear (limit, timeout, scanner outage): a person decides
  kRejected,     // a threat or a forbidden type
};

// How much a finding weighs. The decision is the heaviest finding:
// kReject -> kRejected, kReview -> kQuarantined, kInfo -> no effect.
enum class Severity { kInfo, kReview, kReject };

struct Finding {
  std::string code;  // stable id, e.g. "pdf.javascript" (findings.h)
  Severity severity = Severity::kReview;
  std::string message;         // English, for operators; no file content
  bool neutralisable = false;  // removed when Policy::neutralise is set
};

// What the sender claims about the file. Both may be empty.
struct FileFacts {
  std::string mime_type;  // Content-Type as declared, parameters allowed
  std::string filename;   // as sent; never used for storage
};

// Caps applied before and while parsing. Defaults suit an attachment of an
// administrative application (Thuringia caps at 10 MB per file).
struct Limits {
  uint64_t max_file_bytes = 50ull << 20;
  uint64_t max_inflated_bytes = 256ull << 20;  // per file, all containers
  uint64_t max_ratio = 100;  // inflated/compressed, above 1 MiB
  uint64_t max_archive_entries = 5000;
  int max_archive_depth = 3;  // a zip in a zip in a zip
  uint64_t max_entry_name_bytes = 1024;
  uint64_t max_image_pixels = 100'000'000;
  uint64_t max_image_side = 40'000;
  uint64_t max_image_frames = 1000;
  uint64_t max_image_chunk_bytes = 4u << 20;  // PNG ancillary chunks
  int max_json_depth = 64;
  uint64_t max_json_number_chars = 64;
  int max_xml_depth = 128;
  uint64_t max_pdf_pages = 5000;
  double max_pdf_page_points = 14400;  // 200 inches, the PDF maximum
  int max_rtf_depth = 500;
  // Worker process: address space on top of what the process already
  // maps, CPU seconds and wall-clock seconds.
  uint64_t worker_memory_bytes = 1ull << 30;
  int worker_cpu_seconds = 30;
  int worker_wall_seconds = 60;
  // Files one worker process inspects, one after another, before it is
  // replaced (a crash or limit replaces it at once). The default 1 gives
  // every file a fresh process, so a parser compromised by one citizen's
  // file cannot touch the verdict on the next; it costs a fork (1-4 ms)
  // per file. Larger values trade that isolation for throughput.
  int worker_files = 1;
  // Files of one SenderScope (the documents of one submission) that one
  // worker process inspects before it is replaced. Reuse within a scope
  // keeps the isolation of worker_files = 1 (see SenderScope).
  int scope_files = 64;
  // clamd: the gate refuses to stream more than this (match clamd's
  // StreamMaxLength) and gives up after the timeout.
  uint64_t clamd_max_bytes = 50ull << 20;
  int clamd_timeout_seconds = 120;
};

// A service's rules for its attachments.
struct Policy {
  // Type ids by content: pdf, jpeg, png, tiff, gif, bmp, xml, json, text,
  // rtf, docx, xlsx, pptx, odt, ods, odp, ole, zip, tar. Others (svg, html,
  // executable, unknown) are never allowed.
  std::set<std::string> allowed_types = {"pdf",  "jpeg", "png",
                                         "tiff", "xml",  "json"};
  // Ignores allowed_types: every type the gate can inspect is allowed and
  // only threats count (the CLI without --allow).
  bool allow_all_inspectable = false;
  Limits limits;
  // clamd's local socket. Empty: no virus scan, which is a kReview finding
  // unless require_virus_scan is false (then kInfo).
  std::filesystem::path clamd_socket;
  bool require_virus_scan = true;
  // Check the declared file name (T71-T75).
  bool check_filename = true;
  // Write a cleaned copy of a PDF with removable active content beside the
  // original ("<file>.neutralised.pdf", or into neutralise_dir).
  bool neutralise = false;
  std::filesystem::path neutralise_dir;
};

struct Verdict {
  Decision decision = Decision::kRejected;
  std::string detected_type;  // type id, "unknown" if none
  std::string detected_mime;  // libmagic's answer
  std::vector<Finding> findings;
  std::chrono::milliseconds duration{0};
  bool virus_scanned = false;  // clamd answered for this file
  std::optional<std::filesystem::path> neutralised_copy;
};

// The files of one sender, inspected one after another (the form data and
// the attachments of one submission), share one worker process. Whoever
// crafted one of these files crafted all of them, so a parser that one
// file took over gains nothing against the others that their author did not
// already have; a worker used in a scope never inspects a file outside it
// and ends with the scope. This keeps the fresh-process-per-sender
// isolation of Limits::worker_files = 1 and saves a fork per further file.
//
//   gate::SenderScope scope;
//   for (const auto& f : files) gate.Inspect(f.path, f.facts, policy, &scope);
//
// Not thread-safe: one scope belongs to one thread's loop over its files.
class SenderScope {
 public:
  SenderScope();
  ~SenderScope();  // ends the scope's worker process
  SenderScope(const SenderScope&) = delete;
  SenderScope& operator=(const SenderScope&) = delete;

  // Process id of the worker kept for the next file, 0 if none (tests).
  int worker_pid() const;

 private:
  friend class Gate;
  std::unique_ptr<internal::Worker> worker_;
  Limits limits_;  // the limits `worker_` was started with
};

class Gate {
 public:
  // `logger` may be null (DefaultLogger). Logs one line per file: type,
  // decision, finding codes, bytes, duration; never the name or content.
  explicit Gate(Logger* logger = nullptr);
  ~Gate();  // ends the idle worker processes
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Inspects `file` (read-only; the original is never modified).
  // Content problems are findings in the verdict, never errors. Errors are
  // environmental only (file unreadable, no worker process): the caller
  // must treat them as "not inspected" and retry, never as clean.
  // Thread-safe. Each call uses one worker process (see
  // Limits::worker_files) and streams the file to clamd while the worker
  // inspects it.
  // With a `scope`, the worker comes from and goes back to the scope
  // instead of the shared pool (see SenderScope).
  Result<Verdict> Inspect(const std::filesystem::path& file,
                          const FileFacts& declared, const Policy& policy,
                          SenderScope* scope = nullptr) const;

 private:
  Result<std::unique_ptr<internal::Worker>> SubmitToWorker(
      const std::filesystem::path& file,
      const std::filesystem::path& neutralise_to, const Policy& policy,
      SenderScope* scope) const;

  Logger* logger_;
  std::unique_ptr<internal::WorkerPool> pool_;  // idle workers
};

}  // namespace ds::gate
