// Documents of a case: the table with verdicts and findings, and downloads
// through the Store's audited read (previews: preview.cc).

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "gate/findings.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

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
  if (d.purpose == "bescheid") return c.t("Bescheid");
  if (d.purpose == "form") return c.t("Antragsdaten");
  return c.t("Anlage");
}

}  // namespace

bool IsImage(const std::string& mime) {
  return mime == "image/png" || mime == "image/jpeg" || mime == "image/gif";
}

net::Response Binary(std::string bytes, const std::string& type) {
  net::Response r = net::Response::Text(200, std::move(bytes), type);
  r.headers["Cache-Control"] = "private, no-store";
  return r;
}

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
      h +=
          "<strong>" + Esc(c.t("gesperrt")) + "</strong><br>" +
          Esc(c.t(
              "Nicht in der Oberfläche zu öffnen; wenden Sie sich an die IT."));
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

}  // namespace ds::web::internal
