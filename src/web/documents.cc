// Documents of a case: the table with verdicts and findings, downloads
// through the Store's audited read, and safe previews (images as stored,
// PDF first pages rendered to PNG by pdftoppm in the gate's worker).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/files.h"
#include "gate/findings.h"
#include "gate/gate.h"
#include "gate/worker.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

constexpr const char* kPdftoppm = "/usr/bin/pdftoppm";

bool IsImage(const std::string& mime) {
  return mime == "image/png" || mime == "image/jpeg" || mime == "image/gif";
}

bool Blocked(records::Verdict v) {
  return v == records::Verdict::kQuarantined ||
         v == records::Verdict::kRejected;
}

// The format a clerk may open: the original of a clean document, the
// cleaned copy of a neutralised one, none of a quarantined or rejected one.
const records::Format* Openable(const records::Dokument& d) {
  if (Blocked(d.verdict)) return nullptr;
  for (const records::Format& f : d.formats) {
    if (f.content_address.empty() || f.mime_type == "text/plain") continue;
    bool wanted = d.verdict == records::Verdict::kNeutralised
                      ? f.kind == "rendition"
                      : f.kind == "original";
    if (wanted) return &f;
  }
  return nullptr;
}

std::string Findings(const Ctx& c, const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array() || j.empty()) return "";
  std::string h = "<ul class=\"findings\">";
  for (const auto& f : j) {
    if (!f.is_object()) continue;
    std::string code = f.value("code", "");
    std::string title = std::string(gate::GermanTitle(code));
    h += "<li>" + Esc(c.lang == Lang::kDe ? title : f.value("message", title)) +
         " <span class=\"muted\">(<code>" + Esc(code) + "</code>)</span></li>";
  }
  return h + "</ul>";
}

std::string PurposeLabel(const Ctx& c, const records::Dokument& d) {
  if (d.position == 0) return c.t("Antragsdaten");
  if (d.purpose == "report") return c.t("Bericht");
  return c.t("Anlage");
}

// Worker report: "ok\n<png>" or "error\n<reason>".
std::string RunPdftoppm(const std::string& pdf, size_t max_bytes) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "error\nno pipe";
  pid_t pid = fork();
  if (pid < 0) return "error\nno process";
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], 1);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    const char* argv[] = {kPdftoppm,   "-q",   "-png",      "-f",
                          "1",         "-l",   "1",         "-singlefile",
                          "-scale-to", "1000", pdf.c_str(), nullptr};
    execv(kPdftoppm, const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fds[1]);
  std::string png;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (png.size() < max_bytes) png.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      png.size() >= max_bytes || png.rfind("\x89PNG", 0) != 0) {
    return "error\npdftoppm failed";
  }
  return "ok\n" + png;
}

// The first page of a PDF as PNG, rendered in a resource-limited worker.
Result<std::string> RenderPdfPage(const std::string& bytes) {
  if (access(kPdftoppm, X_OK) != 0) {
    return EnvironmentError("preview: pdftoppm not installed (poppler-utils)");
  }
  char tmpl[] = "/tmp/ds-preview-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return EnvironmentError("preview: no temporary file");
  close(fd);
  std::string path = tmpl;
  Status written = WriteFileAtomic(path, bytes);
  gate::Limits limits;
  gate::internal::WorkerLimits wl;
  wl.memory_bytes = limits.worker_memory_bytes;
  wl.cpu_seconds = 10;
  wl.wall_seconds = 20;
  wl.file_bytes = 0;
  wl.max_report_bytes = 8u << 20;
  Result<gate::internal::WorkerOutcome> out =
      written.ok() ? gate::internal::RunInWorker(
                         wl, [&] { return RunPdftoppm(path, 8u << 20); })
                   : Result<gate::internal::WorkerOutcome>(written);
  unlink(path.c_str());
  if (!out.ok()) return out.status();
  if (!out->report || out->report->rfind("ok\n", 0) != 0) {
    return CheckFailed("preview: the page could not be rendered");
  }
  return out->report->substr(3);
}

net::Response Binary(std::string bytes, const std::string& type) {
  net::Response r = net::Response::Text(200, std::move(bytes), type);
  r.headers["Cache-Control"] = "private, no-store";
  return r;
}

}  // namespace

std::string DocumentsSection(const Ctx& c, const records::Vorgang& v) {
  std::string h =
      "<section aria-labelledby=\"h-docs\"><h2 id=\"h-docs\">" +
      Esc(c.t("Dokumente")) + "</h2><table><caption>" +
      Esc(c.t("Dokumente mit Prüfergebnis")) +
      "</caption><thead><tr><th scope=\"col\">" + Esc(c.t("Datei")) +
      "</th><th scope=\"col\">" + Esc(c.t("Art")) + "</th><th scope=\"col\">" +
      Esc(c.t("Größe")) + "</th><th scope=\"col\">" +
      Esc(c.t("Prüfergebnis und Befunde")) + "</th><th scope=\"col\">" +
      Esc(c.t("Öffnen")) + "</th></tr></thead><tbody>";
  bool content = c.may(api::Permission::kReadContent);
  for (const records::Dokument& d : v.dokumente) {
    const records::Format* original = nullptr;
    for (const auto& f : d.formats) {
      if (f.kind == "original") original = &f;
    }
    std::string name = original ? original->filename : "";
    if (name.empty()) name = PurposeLabel(c, d);
    h += "<tr class=\"flag-" + std::string(records::VerdictName(d.verdict)) +
         "\"><td>" + Esc(name) + "<br><span class=\"muted\">" +
         Esc(original ? original->mime_type : "") + "</span></td><td>" +
         Esc(PurposeLabel(c, d)) + "</td><td class=\"num\">" +
         Esc(original ? Bytes(c.lang, original->size) : "–") + "</td><td>" +
         VerdictBadge(c, d.verdict) + Findings(c, d.findings_json) +
         "</td><td>";
    const records::Format* open = Openable(d);
    if (d.deleted_at) {
      h += Esc(c.t("gelöscht (Aufbewahrungsfrist abgelaufen)"));
    } else if (Blocked(d.verdict)) {
      h += "<strong>" + Esc(c.t("gesperrt")) + "</strong><br>" +
           Esc(c.t("Nur die IT kann diese Datei nach Prüfung freigeben."));
    } else if (!content) {
      h += Esc(c.t("für Ihre Rolle nicht sichtbar"));
    } else if (open) {
      std::string label = d.verdict == records::Verdict::kNeutralised
                              ? c.t("Bereinigte Fassung herunterladen")
                              : c.t("Herunterladen");
      h += "<a href=\"/formate/" + UrlPart(open->id) + "/inhalt\">" +
           Esc(label) + "<span class=\"sr\"> " + Esc(name) + "</span></a>";
      if (IsImage(open->mime_type) || open->mime_type == "application/pdf") {
        h += "<br><a href=\"/formate/" + UrlPart(open->id) + "/vorschau\">" +
             Esc(c.t("Vorschau")) + "<span class=\"sr\"> " + Esc(name) +
             "</span></a>";
      }
    } else {
      h += "–";
    }
    h += "</td></tr>";
  }
  return h + "</tbody></table></section>";
}

// Checks that the format may be opened by this clerk; its Dokument's
// verdict decides, as in the table.
Result<records::FormatInfo> OpenableFormat(const Ctx& c) {
  DS_ASSIGN_OR_RETURN(records::FormatInfo info,
                      c.store.GetFormat(c.who().tenant, c.request.param("id")));
  if (Blocked(info.verdict) || info.format.content_address.empty()) {
    return Status(Code::kPermissionDenied, "blocked");
  }
  if (info.verdict == records::Verdict::kNeutralised &&
      info.format.kind != "rendition") {
    return Status(Code::kPermissionDenied, "blocked");
  }
  return info;
}

net::Response RefuseOpen(const Ctx& c, const Status& st) {
  if (st.code() == Code::kNotFound) {
    return Message(c, 404, c.t("Nicht gefunden"),
                   c.t("Dieses Dokument gibt es nicht."));
  }
  if (st.code() == Code::kPermissionDenied) {
    return Message(c, 403, c.t("Gesperrt"),
                   c.t("Diese Datei ist gesperrt (Quarantäne oder "
                       "abgewiesen) und kann hier nicht geöffnet werden."));
  }
  return Message(c, 503, c.t("Vorübergehend nicht verfügbar"),
                 c.t("Das Dokument kann gerade nicht gelesen werden."));
}

net::Response Download(Ctx& c) {
  if (!c.may(api::Permission::kReadContent)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Ihre Rolle darf Inhalte von Vorgängen nicht sehen."));
  }
  Result<records::FormatInfo> info = OpenableFormat(c);
  if (!info.ok()) return RefuseOpen(c, info.status());
  Result<std::string> bytes =
      c.store.ReadContent(c.who().tenant, info->format.id, c.who().user);
  if (!bytes.ok()) return RefuseOpen(c, bytes.status());
  net::Response r = Binary(std::move(*bytes), "application/octet-stream");
  // Always a download, never rendered by the browser.
  std::string ascii;
  for (unsigned char ch : info->format.filename) {
    bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
                 ch == '_';
    ascii += plain ? static_cast<char>(ch) : '_';
  }
  if (ascii.empty()) ascii = "dokument";
  r.headers["Content-Disposition"] =
      "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" +
      UrlPart(info->format.filename.empty() ? "dokument"
                                            : info->format.filename);
  return r;
}

net::Response Preview(Ctx& c) {
  if (!c.may(api::Permission::kReadContent)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Ihre Rolle darf Inhalte von Vorgängen nicht sehen."));
  }
  Result<records::FormatInfo> info = OpenableFormat(c);
  if (!info.ok()) return RefuseOpen(c, info.status());
  const std::string& mime = info->format.mime_type;
  if (!IsImage(mime) && mime != "application/pdf") {
    return Message(c, 404, c.t("Keine Vorschau"),
                   c.t("Für diesen Dateityp gibt es keine Vorschau."));
  }
  Result<std::string> bytes =
      c.store.ReadContent(c.who().tenant, info->format.id, c.who().user);
  if (!bytes.ok()) return RefuseOpen(c, bytes.status());
  if (IsImage(mime)) return Binary(std::move(*bytes), mime);
  Result<std::string> png = RenderPdfPage(*bytes);
  if (!png.ok()) {
    return Message(c, 422, c.t("Keine Vorschau"),
                   c.t("Die erste Seite konnte nicht dargestellt werden."));
  }
  return Binary(std::move(*png), "image/png");
}

}  // namespace ds::web::internal
