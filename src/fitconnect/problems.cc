#include "fitconnect/problems.h"

#include <array>

namespace ds::fitconnect {
namespace {

struct Entry {
  ProblemKind kind;
  std::string_view name;
  std::string_view title;
  std::string_view detail;
};

// Reconstructed catalogue [unverified]; see problems.h.
constexpr std::array<Entry, 14> kCatalogue = {{
    {ProblemKind::kEncryptionIssue, "encryption-issue",
     "Entschlüsselungs-Fehler",
     "Der Inhalt konnte mit dem Schlüssel des Zustellpunkts nicht "
     "entschlüsselt werden."},
    {ProblemKind::kSyntaxViolation, "syntax-violation", "Syntax-Fehler",
     "Der Inhalt ist syntaktisch ungültig."},
    {ProblemKind::kMissingSchema, "missing-schema", "Schema-Referenz fehlt",
     "Der Inhalt verweist auf kein Schema."},
    {ProblemKind::kUnsupportedSchema, "unsupported-schema",
     "Schema nicht unterstützt",
     "Das referenzierte Schema wird vom Zustellpunkt nicht unterstützt."},
    {ProblemKind::kSchemaViolation, "schema-violation", "Schema-Fehler",
     "Der Inhalt entspricht nicht dem referenzierten Schema."},
    {ProblemKind::kIncorrectAuthenticationTag, "incorrect-authentication-tag",
     "Authentication-Tag ungültig",
     "Der Authentication-Tag stimmt nicht mit dem im Event-Log überein."},
    {ProblemKind::kHashMismatch, "hash-mismatch", "Prüfsumme stimmt nicht",
     "Die Prüfsumme des entschlüsselten Inhalts stimmt nicht mit der in den "
     "Metadaten überein."},
    {ProblemKind::kMissingData, "missing-data", "Fachdaten fehlen",
     "Die Einreichung enthält keine Fachdaten."},
    {ProblemKind::kMissingAttachment, "missing-attachment", "Anlage fehlt",
     "Eine in den Metadaten beschriebene Anlage fehlt in der Einreichung."},
    {ProblemKind::kAttachmentsMismatch, "attachments-mismatch",
     "Fehlerhafte Anlagen-Liste",
     "Die Listen der Anlagen in Ankündigung, Einreichung, Metadaten und "
     "Event-Log stimmen nicht überein."},
    {ProblemKind::kInvalidEventLog, "invalid-event-log",
     "Inkonsistentes Event-Log",
     "Das Event-Log der Einreichung ist ungültig oder unvollständig."},
    {ProblemKind::kServiceMismatch, "service-mismatch",
     "Verwaltungsleistung stimmt nicht überein",
     "Die Verwaltungsleistung wird vom Zustellpunkt nicht angenommen."},
    {ProblemKind::kUnsupportedReplyChannel, "unsupported-reply-channel",
     "Rückkanal nicht unterstützt",
     "Der gewünschte Rückkanal wird vom Zustellpunkt nicht angeboten."},
    {ProblemKind::kTechnicalError, "technical-error", "Technischer Fehler",
     "Die Einreichung konnte wegen eines technischen Fehlers nicht "
     "verarbeitet werden."},
}};

const Entry& Find(ProblemKind kind) {
  for (const Entry& e : kCatalogue) {
    if (e.kind == kind) return e;
  }
  assert(false && "ProblemKind missing from the catalogue");
  return kCatalogue.back();
}

}  // namespace

std::string AttachmentInstance(std::string_view attachment_id) {
  return "attachment:" + std::string(attachment_id);
}

nlohmann::json RejectProblem::ToJson() const {
  nlohmann::json j = {{"type", type}, {"title", title}};
  if (!detail.empty()) j["detail"] = detail;
  if (!instance.empty()) j["instance"] = instance;
  return j;
}

Result<RejectProblem> RejectProblem::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return InvalidInput("problem: not an object");
  RejectProblem p;
  for (const char* member : {"type", "title", "detail", "instance"}) {
    auto it = json.find(member);
    if (it == json.end()) continue;
    if (!it->is_string()) {
      return InvalidInput(std::string("problem: member ") + member +
                          " is not a string");
    }
  }
  if (!json.contains("type")) return InvalidInput("problem: no type");
  if (!json.contains("title")) return InvalidInput("problem: no title");
  p.type = json["type"].get<std::string>();
  p.title = json["title"].get<std::string>();
  p.detail = json.value("detail", "");
  p.instance = json.value("instance", "");
  return p;
}

std::string_view ProblemName(ProblemKind kind) { return Find(kind).name; }

std::string ProblemType(ProblemKind kind) {
  return std::string(kProblemTypeBase) + std::string(Find(kind).name);
}

std::string_view ProblemTitle(ProblemKind kind) { return Find(kind).title; }

std::string_view ProblemDefaultDetail(ProblemKind kind) {
  return Find(kind).detail;
}

std::optional<ProblemKind> ProblemKindFromType(std::string_view type_uri) {
  if (type_uri.substr(0, kProblemTypeBase.size()) != kProblemTypeBase) {
    return std::nullopt;
  }
  std::string_view name = type_uri.substr(kProblemTypeBase.size());
  for (const Entry& e : kCatalogue) {
    if (e.name == name) return e.kind;
  }
  return std::nullopt;
}

RejectProblem MakeProblem(ProblemKind kind, std::string_view instance,
                          std::string_view detail) {
  const Entry& e = Find(kind);
  return RejectProblem{ProblemType(kind), std::string(e.title),
                       std::string(detail.empty() ? e.detail : detail),
                       std::string(instance)};
}

Status WithProblem(Status status, ProblemKind kind,
                   std::string_view instance) {
  assert(!status.ok());
  status.WithProblem(Problem{ProblemType(kind), std::string(ProblemTitle(kind)),
                             std::string(instance)});
  return status;
}

Status Reject(ProblemKind kind, std::string_view instance,
              std::string_view detail) {
  std::string message(detail.empty() ? ProblemDefaultDetail(kind) : detail);
  return WithProblem(CheckFailed(std::move(message)), kind, instance);
}

RejectProblem ProblemFromStatus(const Status& status,
                                std::string_view fallback_instance) {
  if (status.ok() || !status.problem()) {
    return MakeProblem(ProblemKind::kTechnicalError, fallback_instance);
  }
  const Problem& p = *status.problem();
  return RejectProblem{p.type, p.title, status.message(), p.instance};
}

}  // namespace ds::fitconnect
