#include "intake/processor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "fitconnect/integrity.h"
#include "fitconnect/problems.h"
#include "gate/pdf_text.h"
#include "intake/events.h"

namespace ds::intake {
namespace fs = std::filesystem;
using fitconnect::kInstanceData;
using fitconnect::kInstanceMetadata;
using fitconnect::ProblemKind;
using nlohmann::json;

// What the Check step hands to File and Answer; persisted as checked.json in
// the spool so that a restart after kChecked needs no second decryption.
struct Processor::Checked {
  json doc;
};

namespace {

// A status that carries a reject problem ends the submission; anything else
// is ours or a neighbour's failure and is retried.
bool IsRejection(const Status& s) { return s.problem().has_value(); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<json> ReadJson(const fs::path& path) {
  DS_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Internal("spool file is not JSON: " + path.string());
  return doc;
}

// The keys a submission may be encrypted to: the current ones, minus any
// listed as retired unless retired keys are accepted (a key listed in both
// is retired: the retired list wins), plus the retired ones if accepted.
jose::KeyRing ActiveKeys(const Destination& d) {
  std::vector<std::string> retired;
  for (const jose::Jwk& r : d.retired_keys.keys()) retired.push_back(r.Thumbprint());
  auto is_retired = [&](const jose::Jwk& k) {
    return std::find(retired.begin(), retired.end(), k.Thumbprint()) != retired.end();
  };
  jose::KeyRing ring;
  for (const jose::Jwk& k : d.decryption_keys.keys()) {
    if (!is_retired(k)) ring.Add(k);
  }
  if (d.accept_retired) {
    for (const jose::Jwk& r : d.retired_keys.keys()) ring.Add(r);
  }
  return ring;
}

// Decrypts a small JWE (metadata, data) with the destination's active keys.
// Every failure is an encryption-issue.
Result<jose::Decrypted> DecryptSmall(const Destination& d, std::string_view jwe,
                                     std::string_view instance) {
  jose::DecryptOptions options;
  Result<jose::Decrypted> out = jose::Decrypt(ActiveKeys(d), jwe, options);
  if (!out.ok()) {
    return fitconnect::Reject(ProblemKind::kEncryptionIssue, instance,
                              "Entschlüsselung fehlgeschlagen: " + out.status().message());
  }
  return out;
}

// The destination's description of itself, as the Zustelldienst holds it.
struct DestinationFacts {
  std::vector<std::string> metadata_versions;
  json services;
  json reply_channels;
};

bool ServiceAccepted(const DestinationFacts& f, const std::string& identifier) {
  for (const json& s : f.services) {
    if (s.value("identifier", "") == identifier) return true;
  }
  return false;
}

bool SchemaAccepted(const DestinationFacts& f, const std::string& service,
                    const std::string& uri, const std::string& mime) {
  for (const json& s : f.services) {
    if (s.value("identifier", "") != service) continue;
    for (const json& schema : s.value("submissionSchemas", json::array())) {
      if (schema.value("schemaUri", "") == uri &&
          schema.value("mimeType", "") == mime) {
        return true;
      }
    }
  }
  return false;
}

json VerdictJson(const gate::Verdict& v) {
  json findings = json::array();
  for (const gate::Finding& f : v.findings) {
    findings.push_back({{"code", f.code}, {"message", f.message},
                        {"severity", f.severity == gate::Severity::kReject ? "reject"
                                     : f.severity == gate::Severity::kReview ? "review"
                                                                           : "info"}});
  }
  const char* decision = "rejected";
  switch (v.decision) {
    case gate::Decision::kClean: decision = "clean"; break;
    case gate::Decision::kNeutralised: decision = "neutralised"; break;
    case gate::Decision::kQuarantined: decision = "quarantined"; break;
    case gate::Decision::kRejected: decision = "rejected"; break;
  }
  return {{"decision", decision}, {"type", v.detected_type}, {"findings", findings}};
}

}  // namespace

Processor::Processor(ProcessorOptions options, Journal* journal, records::Store* store,
                     const gate::Gate* gate, const fitconnect::MetadataSchemas* metadata,
                     const DataSchemas* data, Logger* logger)
    : options_(std::move(options)), journal_(journal), store_(store), gate_(gate),
      metadata_(metadata), data_(data), logger_(logger) {}

fs::path Processor::SpoolOf(const JournalEntry& e) const {
  return options_.spool_dir / e.destination_id / e.submission_id;
}

Outcome Processor::Process(const Destination& d, const JournalEntry& entry) {
  JournalEntry e = entry;
  auto started = std::chrono::steady_clock::now();
  auto step_started = std::chrono::steady_clock::now();
  auto observe = [&](std::string_view step, bool ok) {
    auto now = std::chrono::steady_clock::now();
    if (options_.on_step) {
      options_.on_step(step, std::chrono::duration<double>(now - step_started).count(), ok);
    }
    step_started = now;
  };
  auto fail = [&](const Status& s, std::string_view step) {
    observe(step, false);
    Outcome o{e.state, true, std::string(step) + ": " + s.message(), ""};
    int64_t delay = std::min<int64_t>(3600, int64_t{5} << std::min(e.attempts, 10));
    (void)journal_->Fail(e.submission_id, o.error, UnixNow() + delay);
    logger_->Warn("intake.retry", {{"submission", e.submission_id}, {"step", step},
                                   {"attempt", e.attempts + 1}, {"code", std::string(CodeName(s.code()))}});
    return o;
  };
  auto advance = [&](State to, const std::string& vorgang, const std::string& problems) {
    Status s = journal_->Advance(e.submission_id, to, vorgang, problems);
    if (s.ok()) e.state = to;
    return s;
  };

  // Fetch.
  if (e.state == State::kReceived) {
    Status s = Fetch(d, e);
    if (!s.ok()) return fail(s, "fetch");
    observe("fetch", true);
    if (Status a = advance(State::kFetched, "", ""); !a.ok()) return fail(a, "journal");
  }

  // Check (or reject).
  std::optional<Checked> checked;
  if (e.state == State::kFetched) {
    Result<Checked> c = Check(d, e);
    if (!c.ok() && !IsRejection(c.status())) return fail(c.status(), "check");
    observe("check", true);
    if (!c.ok()) {
      fitconnect::RejectProblem p = fitconnect::ProblemFromStatus(c.status());
      json problems = json::array({p.ToJson()});
      logger_->Info("intake.check_failed", {{"submission", e.submission_id},
                                            {"problem", p.type}, {"instance", p.instance}});
      if (Status a = advance(State::kRejecting, "", problems.dump()); !a.ok()) return fail(a, "journal");
      e.problems_json = problems.dump();
    } else {
      checked = std::move(*c);
      if (Status a = advance(State::kChecked, "", ""); !a.ok()) return fail(a, "journal");
    }
  }

  // File.
  if (e.state == State::kChecked) {
    if (!checked) {
      Result<json> doc = ReadJson(SpoolOf(e) / "checked.json");
      if (!doc.ok()) return fail(doc.status(), "file");
      checked = Checked{std::move(*doc)};
    }
    Result<std::string> vorgang = File(d, e, *checked);
    if (!vorgang.ok()) return fail(vorgang.status(), "file");
    observe("file", true);
    if (Status a = advance(State::kFiled, *vorgang, ""); !a.ok()) return fail(a, "journal");
  }

  // Answer.
  if (e.state == State::kFiled || e.state == State::kRejecting) {
    bool accept = e.state == State::kFiled;
    Status s = Answer(d, e, accept, e.problems_json);
    if (!s.ok()) return fail(s, accept ? "accept" : "reject");
    observe(accept ? "accept" : "reject", true);
    if (Status a = advance(accept ? State::kAccepted : State::kRejected, "", ""); !a.ok()) {
      return fail(a, "journal");
    }
    if (accept && !options_.keep_accepted_originals) {
      std::error_code ec;
      fs::remove_all(SpoolOf(e), ec);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started).count();
    logger_->Info(accept ? "intake.accepted" : "intake.rejected",
                  {{"submission", e.submission_id}, {"case", e.case_id},
                   {"destination", e.destination_id}, {"ms", int64_t{ms}}});
  }
  return Outcome{e.state, false, "", e.problems_json};
}

Status Processor::Fetch(const Destination& d, const JournalEntry& e) {
  fs::path dir = SpoolOf(e);
  DS_RETURN_IF_ERROR(EnsureDir(dir));

  DS_ASSIGN_OR_RETURN(auto sub, d.api->GetSubmission(e.submission_id));
  if (sub.case_id != e.case_id || sub.destination_id != d.id) {
    return Internal("submission's case or destination differs from the listing");
  }
  DS_RETURN_IF_ERROR(WriteFileAtomic(dir / "submission.json", sub.raw.dump()));

  for (const std::string& id : sub.attachments) {
    if (!IsUuid(id)) continue;  // reported by the attachment-list check
    fs::path final_path = dir / ("attachment-" + id + ".jwe");
    if (fs::exists(final_path)) continue;
    fs::path part = dir / ("attachment-" + id + ".jwe.part");
    DS_RETURN_IF_ERROR(d.api->DownloadAttachment(e.submission_id, id, part));
    std::error_code ec;
    fs::rename(part, final_path, ec);
    if (ec) return EnvironmentError("cannot rename spooled attachment: " + ec.message());
  }

  DS_ASSIGN_OR_RETURN(auto log, d.api->GetEvents(e.case_id));
  DS_RETURN_IF_ERROR(WriteFileAtomic(dir / "events.json", json(log.events).dump()));
  return SyncDir(dir);
}

Result<Processor::Checked> Processor::Check(const Destination& d, const JournalEntry& e) {
  fs::path dir = SpoolOf(e);
  DS_ASSIGN_OR_RETURN(json sub, ReadJson(dir / "submission.json"));
  DS_ASSIGN_OR_RETURN(json events, ReadJson(dir / "events.json"));
  std::vector<std::string> tokens = events.get<std::vector<std::string>>();

  // Destination facts from the Zustelldienst (services, versions, channels).
  DS_ASSIGN_OR_RETURN(auto info, d.api->GetDestination(d.id));
  DestinationFacts facts{info.metadata_versions, info.services, info.reply_channels};

  // Event log: signatures, claims, exactly one submit-submission.
  DS_ASSIGN_OR_RETURN(VerifiedLog log, VerifyLog(*d.api, d.trusted_issuer, tokens, d.id, e.submission_id,
                                                 e.case_id, options_.key_policy));

  // Metadata: tag, decrypt, syntax, version, schema.
  std::string enc_metadata = sub.value("encryptedMetadata", "");
  if (enc_metadata.empty()) {
    return fitconnect::Reject(ProblemKind::kSyntaxViolation, kInstanceMetadata,
                              "Die Einreichung enthält keine Metadaten.");
  }
  DS_RETURN_IF_ERROR(fitconnect::CheckJweAuthenticationTag(enc_metadata, log.tags.metadata,
                                                           kInstanceMetadata));
  DS_ASSIGN_OR_RETURN(jose::Decrypted meta_pt, DecryptSmall(d, enc_metadata, kInstanceMetadata));
  fitconnect::MetadataParseOptions mopts;
  mopts.accepted_versions = facts.metadata_versions;
  DS_ASSIGN_OR_RETURN(fitconnect::Metadata meta,
                      fitconnect::ParseMetadata(meta_pt.plaintext, *metadata_, mopts));

  // Attachment lists: submission, metadata and event log name the same ids.
  fitconnect::AttachmentLists lists;
  lists.submission = sub.value("attachments", json::array()).get<std::vector<std::string>>();
  for (const auto& a : meta.attachments) lists.metadata.push_back(a.attachment_id);
  for (const auto& [id, tag] : log.tags.attachments) lists.event_log.push_back(id);
  DS_RETURN_IF_ERROR(fitconnect::CheckAttachmentLists(lists));

  // Service: the submission's service must be one the destination accepts,
  // and 1.x metadata must name the same one.
  json service = sub.value("serviceType", json::object());
  if (service.empty()) service = sub.value("publicService", json::object());
  std::string service_id = service.value("identifier", "");
  if (!ServiceAccepted(facts, service_id)) {
    return fitconnect::Reject(ProblemKind::kServiceMismatch, kInstanceMetadata,
                              "Die Leistung " + service_id + " wird hier nicht angenommen.");
  }
  if (meta.public_service && meta.public_service->identifier != service_id) {
    return fitconnect::Reject(ProblemKind::kServiceMismatch, kInstanceMetadata,
                              "Die Leistung in den Metadaten weicht von der Einreichung ab.");
  }

  // Reply channel: one the destination offers.
  if (!meta.reply_channel.empty() &&
      !(facts.reply_channels.is_object() && facts.reply_channels.contains(meta.reply_channel))) {
    return fitconnect::Reject(ProblemKind::kUnsupportedReplyChannel, kInstanceMetadata,
                              "Der Rückkanal " + meta.reply_channel + " wird nicht angeboten.");
  }

  json checked = {{"service_identifier", service_id},
                  {"service_name", service.value("name", "")},
                  {"reply_channel", meta.document.value("replyChannel", json())},
                  {"metadata_version", meta.version},
                  {"tags", log.tags.ToJson()},
                  {"event_log", tokens}};

  // The form data and the attachments come from one sender: the gate may
  // inspect them in one worker process, which no other submission's file
  // ever reaches (gate::SenderScope).
  gate::SenderScope gate_scope;

  // Data: tag, decrypt, schema the destination accepts, validation, hash.
  std::string enc_data = sub.value("encryptedData", "");
  if (meta.data) {
    if (enc_data.empty()) {
      return fitconnect::Reject(ProblemKind::kMissingData, kInstanceData,
                                "Die Metadaten beschreiben Fachdaten, die fehlen.");
    }
    DS_RETURN_IF_ERROR(fitconnect::CheckJweAuthenticationTag(enc_data, log.tags.data, kInstanceData));
    DS_ASSIGN_OR_RETURN(jose::Decrypted data_pt, DecryptSmall(d, enc_data, kInstanceData));
    const auto& schema = meta.data->submission_schema;
    if (!SchemaAccepted(facts, service_id, schema.schema_uri, schema.mime_type)) {
      return fitconnect::Reject(ProblemKind::kUnsupportedSchema, kInstanceData,
                                "Das Fachdatenschema " + schema.schema_uri +
                                    " wird für diese Leistung nicht angenommen.");
    }
    DS_RETURN_IF_ERROR(data_->Validate(schema.schema_uri, schema.mime_type, data_pt.plaintext));
    DS_RETURN_IF_ERROR(fitconnect::CheckHash(data_pt.plaintext, meta.data->hash, kInstanceData));

    fs::path data_file = dir / "data.plain";
    DS_RETURN_IF_ERROR(WriteFileAtomic(data_file, data_pt.plaintext));
    gate::Policy policy = options_.gate_policy;
    policy.check_filename = false;
    policy.allowed_types.insert(schema.mime_type.find("xml") != std::string::npos ? "xml" : "json");
    DS_ASSIGN_OR_RETURN(gate::Verdict v, gate_->Inspect(data_file, {schema.mime_type, ""}, policy, &gate_scope));
    DS_ASSIGN_OR_RETURN(auto blob, store_->files().PutBytes(data_pt.plaintext));
    fs::remove(data_file);
    checked["form"] = {{"address", blob.address}, {"size", blob.size},
                       {"mime_type", schema.mime_type}, {"schema_uri", schema.schema_uri},
                       {"verdict", VerdictJson(v)}};
  } else if (!enc_data.empty()) {
    return fitconnect::Reject(ProblemKind::kSchemaViolation, kInstanceMetadata,
                              "Fachdaten ohne Beschreibung in den Metadaten.");
  }

  // Attachments: tag, streaming decryption, hash, gate, file store.
  json attachments = json::array();
  for (const fitconnect::AttachmentDescription& a : meta.attachments) {
    std::string instance = fitconnect::AttachmentInstance(a.attachment_id);
    fs::path jwe_path = dir / ("attachment-" + a.attachment_id + ".jwe");
    fs::path plain_path = dir / ("attachment-" + a.attachment_id + ".plain");

    // The tag is the JWE's last segment: read only the file's tail.
    DS_ASSIGN_OR_RETURN(std::string tail_tag, [&]() -> Result<std::string> {
      Fd fd(::open(jwe_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.get() < 0) return fitconnect::Reject(ProblemKind::kMissingAttachment, instance);
      char buf[64];
      off_t size = ::lseek(fd.get(), 0, SEEK_END);
      off_t from = size > 64 ? size - 64 : 0;
      ssize_t n = ::pread(fd.get(), buf, sizeof buf, from);
      if (n <= 0) return fitconnect::Reject(ProblemKind::kEncryptionIssue, instance);
      std::string tail(buf, static_cast<size_t>(n));
      while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
      size_t dot = tail.rfind('.');
      if (dot == std::string::npos) return fitconnect::Reject(ProblemKind::kEncryptionIssue, instance);
      return tail.substr(dot + 1);
    }());
    auto tag_it = log.tags.attachments.find(a.attachment_id);
    DS_RETURN_IF_ERROR(fitconnect::CheckAuthenticationTag(
        tail_tag, tag_it == log.tags.attachments.end() ? "" : tag_it->second, instance));

    jose::StreamOptions sopts;
    sopts.max_plaintext = options_.max_attachment_bytes;
    sopts.max_input = options_.max_attachment_bytes * 4 / 3 + (1 << 20);
    Result<jose::StreamResult> dec = [&]() -> Result<jose::StreamResult> {
      Fd in(::open(jwe_path.c_str(), O_RDONLY | O_CLOEXEC));
      Fd out(::open(plain_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (in.get() < 0 || out.get() < 0) return EnvironmentError("cannot open spool files");
      return jose::DecryptStream(ActiveKeys(d), in.get(), out.get(), sopts);
    }();
    if (!dec.ok()) {
      fs::remove(plain_path);
      if (dec.status().code() == Code::kEnvironment) return dec.status();
      return fitconnect::Reject(ProblemKind::kEncryptionIssue, instance,
                                "Entschlüsselung fehlgeschlagen: " + dec.status().message());
    }
    DS_RETURN_IF_ERROR(fitconnect::CheckHashDigest(dec->sha512, a.hash, instance));

    std::string filename = a.filename.value_or("");
    DS_ASSIGN_OR_RETURN(gate::Verdict v, gate_->Inspect(plain_path, {a.mime_type, filename},
                                                        options_.gate_policy, &gate_scope));
    DS_ASSIGN_OR_RETURN(auto blob, store_->files().PutFile(plain_path));
    json item = {{"attachment_id", a.attachment_id}, {"purpose", a.purpose},
                 {"filename", filename}, {"mime_type", a.mime_type},
                 {"address", blob.address}, {"size", blob.size}, {"verdict", VerdictJson(v)}};
    if (v.neutralised_copy) {
      DS_ASSIGN_OR_RETURN(auto copy, store_->files().PutRendition(blob.address, *v.neutralised_copy,
                                                                  "neutralised"));
      item["rendition_address"] = copy.address;
    }
    DS_ASSIGN_OR_RETURN(std::string text_address,
                        StoreSearchText(v, plain_path, blob.address));
    if (!text_address.empty()) item["text_address"] = text_address;
    if (v.neutralised_copy) fs::remove(*v.neutralised_copy);
    fs::remove(plain_path);
    attachments.push_back(std::move(item));
  }
  checked["attachments"] = std::move(attachments);

  DS_RETURN_IF_ERROR(WriteFileAtomic(dir / "checked.json", checked.dump()));
  return Checked{std::move(checked)};
}

// The text of a PDF, extracted in the gate's worker under its limits and
// stored as a rendition of `address` for the search index (also for
// quarantined files: they are filed, marked, and a clerk must find them).
// Returns its address, or "" if there is none. Extraction failures only
// cost searchability: they are logged, not fatal.
Result<std::string> Processor::StoreSearchText(const gate::Verdict& v,
                                               const fs::path& plain_path,
                                               const std::string& address) {
  if (v.detected_type != "pdf" || v.decision == gate::Decision::kRejected) {
    return std::string();
  }
  fs::path source = v.neutralised_copy ? *v.neutralised_copy : plain_path;
  Result<std::string> text =
      gate::ExtractPdfText(source, options_.gate_policy.limits);
  if (!text.ok()) {
    logger_->Warn("intake.pdf_text", {{"error", text.status().message()}});
    return std::string();
  }
  if (text->empty()) return std::string();
  fs::path text_path = plain_path.string() + ".txt";
  DS_RETURN_IF_ERROR(WriteFileAtomic(text_path, *text));
  Result<records::BlobInfo> blob =
      store_->files().PutRendition(address, text_path, "text");
  fs::remove(text_path);
  if (!blob.ok()) return blob.status();
  return blob->address;
}

Result<std::string> Processor::File(const Destination& d, const JournalEntry& e,
                                    const Checked& c) {
  const json& doc = c.doc;
  auto document = [](const json& j) {
    records::IncomingDocument out;
    out.attachment_id = j.value("attachment_id", "");
    out.purpose = j.value("purpose", "");
    out.filename = j.value("filename", "");
    out.mime_type = j.value("mime_type", "");
    out.content_address = j.value("address", "");
    out.size = j.value("size", int64_t{0});
    const json& v = j["verdict"];
    Result<records::Verdict> verdict = records::ParseVerdict(v.value("decision", "rejected"));
    out.verdict = verdict.ok() ? *verdict : records::Verdict::kQuarantined;
    out.findings_json = v.value("findings", json::array()).dump();
    out.rendition_address = j.value("rendition_address", "");
    out.text_address = j.value("text_address", "");
    return out;
  };

  records::IncomingSubmission in;
  in.tenant = d.tenant;
  in.submission_id = e.submission_id;
  in.case_id = e.case_id;
  in.destination_id = d.id;
  in.service_identifier = doc.value("service_identifier", "");
  in.service_name = doc.value("service_name", "");
  in.subject = in.service_name.empty() ? in.service_identifier : in.service_name;
  if (!doc["reply_channel"].is_null()) in.reply_channel_json = doc["reply_channel"].dump();
  if (doc.contains("form")) {
    in.form_data = document(doc["form"]);
    in.form_data.purpose = "form";
    in.data_schema = doc["form"].value("schema_uri", "");
  }
  for (const json& a : doc["attachments"]) in.attachments.push_back(document(a));
  in.event_log = doc["event_log"].get<std::vector<std::string>>();

  DS_ASSIGN_OR_RETURN(records::FilingReceipt receipt, store_->FileSubmission(in));
  logger_->Info("intake.filed", {{"submission", e.submission_id},
                                 {"vorgang", receipt.vorgang_id},
                                 {"new", receipt.newly_filed},
                                 {"documents", int64_t(in.attachments.size() + 1)}});
  return receipt.vorgang_id;
}

Status Processor::Answer(const Destination& d, const JournalEntry& e, bool accept,
                         const std::string& problems_json) {
  // Never answer twice: a lost response to an earlier post is detected here.
  DS_ASSIGN_OR_RETURN(auto log, d.api->GetEvents(e.case_id));
  Result<VerifiedLog> verified = VerifyLog(*d.api, d.trusted_issuer, log.events, d.id, e.submission_id,
                                           e.case_id, options_.key_policy);
  if (verified.ok() && verified->answered) return Status::Ok();

  std::string token;
  if (accept) {
    DS_ASSIGN_OR_RETURN(json checked, ReadJson(SpoolOf(e) / "checked.json"));
    DS_ASSIGN_OR_RETURN(auto tags, fitconnect::AuthenticationTags::FromJson(checked["tags"]));
    DS_ASSIGN_OR_RETURN(token, AcceptEvent(*d.signing_key, d.id, e.submission_id, e.case_id, tags));
  } else {
    std::vector<fitconnect::RejectProblem> problems;
    json pj = json::parse(problems_json.empty() ? "[]" : problems_json, nullptr, false);
    for (const json& p : pj) {
      Result<fitconnect::RejectProblem> rp = fitconnect::RejectProblem::FromJson(p);
      if (rp.ok()) problems.push_back(*rp);
    }
    if (problems.empty()) {
      problems.push_back(fitconnect::MakeProblem(ProblemKind::kTechnicalError,
                                                 fitconnect::kInstanceSubmission));
    }
    DS_ASSIGN_OR_RETURN(token, RejectEvent(*d.signing_key, d.id, e.submission_id, e.case_id, problems));
  }
  return d.api->PostEvent(e.case_id, token);
}

}  // namespace ds::intake
