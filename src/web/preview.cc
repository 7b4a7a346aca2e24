// Safe previews of documents: images as stored (PNG, JPEG, GIF only) and
// PDF pages rendered to PNG by pdftoppm (poppler-utils) inside the gate's
// resource-limited worker process. The browser never receives a PDF
// inline; the server process never parses one.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate/gate.h"
#include "gate/worker.h"
#include "web/pages.h"

namespace ds::web::internal {
namespace {

constexpr const char* kPdftoppm = "/usr/bin/pdftoppm";
constexpr const char* kPdfinfo = "/usr/bin/pdfinfo";
constexpr size_t kMaxOutput = 8u << 20;
constexpr int kMaxPage = 500;

// Runs a poppler program (inside the worker) and returns
// "ok\n<stdout>" or "error\n<reason>".
std::string RunTool(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "error\nno pipe";
  pid_t pid = fork();
  if (pid < 0) return "error\nno process";
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the worker
    // The worker forbids writing files (RLIMIT_FSIZE 0). Poppler's font
    // lookup tries to write fontconfig's cache and lock files when they
    // are missing (a fresh machine); with SIGXFSZ ignored (kept across
    // exec) such a write fails with EFBIG instead of killing the tool.
    signal(SIGXFSZ, SIG_IGN);
    dup2(fds[1], 1);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    execv(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < kMaxOutput) out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      out.size() >= kMaxOutput) {
    return "error\nfailed";
  }
  return "ok\n" + out;
}

// Writes `bytes` to a private temporary file, runs the tool on it in the
// worker and returns its output.
Result<std::string> InWorker(const std::string& bytes,
                             std::vector<std::string> args) {
  if (access(args[0].c_str(), X_OK) != 0) {
    return EnvironmentError("preview: poppler-utils not installed");
  }
  char tmpl[] = "/tmp/ds-preview-XXXXXX";
  int fd = mkstemp(tmpl);  // mode 0600: the content is personal data
  if (fd < 0) return EnvironmentError("preview: no temporary file");
  std::string path = tmpl;
  args.push_back(path);
  Status written = Status::Ok();
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      written = EnvironmentError("preview: temporary file not written");
      break;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  gate::Limits limits;
  gate::internal::WorkerLimits wl;
  wl.memory_bytes = limits.worker_memory_bytes;
  wl.cpu_seconds = 10;
  wl.wall_seconds = 20;
  wl.file_bytes = 0;  // the tools write to the pipe only
  wl.max_report_bytes = kMaxOutput + 16;
  Result<gate::internal::WorkerOutcome> out =
      written.ok()
          ? gate::internal::RunInWorker(wl, [&] { return RunTool(args); })
          : Result<gate::internal::WorkerOutcome>(written);
  unlink(path.c_str());
  if (!out.ok()) return out.status();
  if (!out->report || out->report->rfind("ok\n", 0) != 0) {
    return CheckFailed("preview: the PDF could not be read");
  }
  return out->report->substr(3);
}

Result<std::string> RenderPdfPage(const std::string& bytes, int page) {
  std::string p = std::to_string(page);
  DS_ASSIGN_OR_RETURN(std::string png,
                      InWorker(bytes, {kPdftoppm, "-q", "-png", "-f", p, "-l",
                                       p, "-singlefile", "-scale-to", "1000"}));
  if (png.rfind("\x89PNG", 0) != 0) return CheckFailed("preview: no PNG");
  return png;
}

Result<int> PdfPageCount(const std::string& bytes) {
  DS_ASSIGN_OR_RETURN(std::string info, InWorker(bytes, {kPdfinfo}));
  size_t at = info.find("\nPages:");
  if (at == std::string::npos && info.rfind("Pages:", 0) == 0) at = 0;
  if (at == std::string::npos) return CheckFailed("preview: no page count");
  size_t digits = info.find_first_of("0123456789", at);
  if (digits == std::string::npos) return CheckFailed("preview: no pages");
  return std::atoi(info.c_str() + digits);
}

int PageParam(const Ctx& c) {
  auto it = c.request.query.find("seite");
  if (it == c.request.query.end()) return 1;
  // Digits only; a number too long for an int means "beyond the last page"
  // rather than wrapping around to page 1.
  const std::string& s = it->second;
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) {
    return 1;
  }
  if (s.size() > 6) return kMaxPage;
  int n = std::stoi(s);
  return n < 1 ? 1 : std::min(n, kMaxPage);
}

net::Response MayPreview(const Ctx& c, Result<records::FormatInfo>* info) {
  if (!c.may(api::Permission::kReadContent)) {
    return Message(c, 403, c.t("Nicht erlaubt"),
                   c.t("Ihre Rolle darf Inhalte von Vorgängen nicht sehen."));
  }
  *info = OpenableFormat(c);
  if (!info->ok()) return RefuseOpen(c, info->status());
  const std::string& mime = (*info)->format.mime_type;
  if (!IsImage(mime) && mime != "application/pdf") {
    return Message(c, 404, c.t("Keine Vorschau"),
                   c.t("Für diesen Dateityp gibt es keine Vorschau."));
  }
  return net::Response::Empty(0);  // status 0: go on
}

}  // namespace

net::Response PreviewPage(Ctx& c) {
  Result<records::FormatInfo> info = NotFound("format");
  if (net::Response r = MayPreview(c, &info); r.status != 0) return r;
  const records::Format& f = info->format;
  int page = PageParam(c), pages = 1;
  if (f.mime_type == "application/pdf") {
    // Counting the pages reads the content: an audited read.
    Result<std::string> bytes =
        c.store.ReadContent(c.who().tenant, f.id, c.who().user);
    if (!bytes.ok()) return RefuseOpen(c, bytes.status());
    Result<int> n = PdfPageCount(*bytes);
    if (!n.ok()) {
      return Message(c, 422, c.t("Keine Vorschau"),
                     c.t("Die Datei kann nicht dargestellt werden."));
    }
    pages = std::max(1, *n);
    page = std::min(page, pages);
  }
  std::string id = UrlPart(f.id);
  std::string name = f.filename.empty() ? c.t("Dokument") : f.filename;
  std::string m = "<p><a href=\"/vorgaenge/" + UrlPart(info->vorgang_id) +
                  "\">← " + Esc(c.t("Zurück zum Vorgang")) + "</a></p><h1>" +
                  Esc(c.t("Vorschau")) + ": " + Esc(name) + "</h1>";
  std::string where = c.t("Seite") + " " + Number(c.lang, page) + " " +
                      c.t("von") + " " + Number(c.lang, pages);
  m += "<p role=\"status\">" + Esc(where) + "</p>";
  m += "<div class=\"preview\"><img src=\"/formate/" + id +
       "/bild?seite=" + std::to_string(page) + "\" alt=\"" +
       Esc(where + " – " + name) + "\"></div>";
  m += "<nav class=\"pager\" aria-label=\"" + Esc(c.t("Seiten")) + "\">";
  if (page > 1) {
    m += "<a rel=\"prev\" href=\"/formate/" + id +
         "/vorschau?seite=" + std::to_string(page - 1) + "\">" +
         Esc(c.t("Vorherige Seite")) + "</a>";
  }
  if (page < pages) {
    m += "<a rel=\"next\" href=\"/formate/" + id +
         "/vorschau?seite=" + std::to_string(page + 1) + "\">" +
         Esc(c.t("Nächste Seite")) + "</a>";
  }
  m += "</nav>";
  return Html(200, Frame(c, c.t("Vorschau"), m, "posteingang"));
}

net::Response PreviewImage(Ctx& c) {
  Result<records::FormatInfo> info = NotFound("format");
  if (net::Response r = MayPreview(c, &info); r.status != 0) return r;
  Result<std::string> bytes =
      c.store.ReadContent(c.who().tenant, info->format.id, c.who().user);
  if (!bytes.ok()) return RefuseOpen(c, bytes.status());
  if (IsImage(info->format.mime_type)) {
    return Binary(std::move(*bytes), info->format.mime_type);
  }
  Result<std::string> png = RenderPdfPage(*bytes, PageParam(c));
  if (!png.ok()) {
    return Message(c, 422, c.t("Keine Vorschau"),
                   c.t("Die Seite konnte nicht dargestellt werden."));
  }
  return Binary(std::move(*png), "image/png");
}

}  // namespace ds::web::internal
