// PDF inspection with qpdf (T10-T20): strict load (no recovery), an object
// walk for active content, revision count, page and stream caps, and the
// optional neutralisation into a single-revision, decrypted copy.
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <map>
#include <set>

#include "gate/inspect.h"

namespace ds::gate::internal {
namespace {

struct CapExceeded {};  // not a std::exception: qpdf must not swallow it

// Counts decoded stream bytes against the per-file budget.
class CountingPipeline : public Pipeline {
 public:
  CountingPipeline(uint64_t* total, uint64_t cap)
      : Pipeline("gate-count", nullptr), total_(total), cap_(cap) {}
  void write(unsigned char const* /*data*/, size_t len) override {
    *total_ += len;
    if (*total_ > cap_) throw CapExceeded{};
  }
  void finish() override {}

 private:
  uint64_t* total_;
  uint64_t cap_;
};

struct Counts {
  std::map<std::string, int> found;  // finding code -> occurrences
  double largest_page = 0;
};

std::string NameOf(QPDFObjectHandle h, const char* key) {
  if (!h.hasKey(key)) return "";
  QPDFObjectHandle v = h.getKey(key);
  return v.isName() ? v.getName() : "";
}

// The finding code for an action type, or "" if harmless (GoTo, Named...).
std::string ActionCode(const std::string& s) {
  if (s == "/JavaScript") return "pdf.javascript";
  if (s == "/Launch") return "pdf.launch";
  if (s == "/URI") return "pdf.uri";
  if (s == "/SubmitForm") return "pdf.submit_form";
  if (s == "/GoToR" || s == "/GoToE" || s == "/ImportData") {
    return "pdf.remote_action";
  }
  if (s == "/RichMediaExecute" || s == "/Movie" || s == "/Sound" ||
      s == "/Rendition") {
    return "pdf.rich_media";
  }
  return "";
}

bool IsActiveAction(QPDFObjectHandle v) {
  return v.isDictionary() && !ActionCode(NameOf(v, "/S")).empty();
}

void CheckMediaBox(QPDFObjectHandle box, Counts& c) {
  if (!box.isArray() || box.getArrayNItems() != 4) return;
  double v[4];
  for (int i = 0; i < 4; ++i) {
    QPDFObjectHandle n = box.getArrayItem(i);
    if (!n.isNumber()) return;
    v[i] = n.getNumericValue();
  }
  c.largest_page = std::max({c.largest_page, v[2] - v[0], v[3] - v[1]});
}

// Looks at one dictionary; removes the active parts when `strip` is set.
void VisitDict(QPDFObjectHandle d, bool strip, Counts& c) {
  std::string s = NameOf(d, "/S");
  if (std::string code = ActionCode(s); !code.empty()) c.found[code]++;
  if (d.hasKey("/JS") && s != "/JavaScript") c.found["pdf.javascript"]++;
  if (d.hasKey("/OpenAction") && IsActiveAction(d.getKey("/OpenAction"))) {
    c.found["pdf.open_action"]++;
    if (strip) d.removeKey("/OpenAction");
  }
  if (d.hasKey("/AA")) {
    c.found["pdf.additional_actions"]++;
    if (strip) d.removeKey("/AA");
  }
  if (d.hasKey("/JavaScript") && NameOf(d, "/Type") != "/Action") {
    c.found["pdf.javascript"]++;  // the Names tree entry
    if (strip) d.removeKey("/JavaScript");
  }
  if (d.hasKey("/EmbeddedFiles") || d.hasKey("/EF") ||
      NameOf(d, "/Subtype") == "/FileAttachment") {
    c.found["pdf.embedded_file"]++;
    if (strip) {
      d.removeKey("/EmbeddedFiles");
      d.removeKey("/EF");
      d.removeKey("/FS");
    }
  }
  if (d.hasKey("/XFA")) {
    c.found["pdf.xfa"]++;
    if (strip) d.removeKey("/XFA");
  }
  if (d.hasKey("/MediaBox")) CheckMediaBox(d.getKey("/MediaBox"), c);
  if (strip) {
    for (const char* key : {"/A", "/Next", "/PA"}) {
      if (d.hasKey(key) && IsActiveAction(d.getKey(key))) d.removeKey(key);
    }
    d.removeKey("/JS");
    d.removeKey("/RichMediaContent");
  }
}

// Walks the direct contents of every object; indirect references are
// visited as objects of their own, so cycles cannot loop.
void Walk(QPDF& pdf, bool strip, Counts& c) {
  for (QPDFObjectHandle obj : pdf.getAllObjects()) {
    std::vector<std::pair<QPDFObjectHandle, int>> stack = {{obj, 0}};
    while (!stack.empty()) {
      auto [h, depth] = stack.back();
      stack.pop_back();
      if (depth > 0 && h.isIndirect()) continue;
      if (depth > 256) throw std::runtime_error("objects nested too deeply");
      QPDFObjectHandle d = h.isStream() ? h.getDict() : h;
      if (d.isDictionary()) {
        VisitDict(d, strip, c);
        for (const std::string& k : d.getKeys()) {
          stack.push_back({d.getKey(k), depth + 1});
        }
      } else if (d.isArray()) {
        int n = d.getArrayNItems();
        for (int i = 0; i < n; ++i) stack.push_back({d.getArrayItem(i),
                                                     depth + 1});
      }
    }
  }
}

struct Rule {
  Severity severity;
  bool neutralisable;
  const char* what;
};

const std::map<std::string, Rule>& Rules() {
  static const auto* rules = new std::map<std::string, Rule>{
      {"pdf.javascript", {Severity::kReject, true, "JavaScript"}},
      {"pdf.open_action", {Severity::kReject, true, "open action"}},
      {"pdf.additional_actions",
       {Severity::kReject, true, "additional-actions (/AA) trigger"}},
      {"pdf.launch", {Severity::kReject, false, "Launch action"}},
      {"pdf.uri", {Severity::kReview, true, "URI action"}},
      {"pdf.submit_form", {Severity::kReject, true, "SubmitForm action"}},
      {"pdf.remote_action",
       {Severity::kReject, true, "remote action (GoToR/GoToE/ImportData)"}},
      {"pdf.rich_media", {Severity::kReview, true, "multimedia action"}},
      {"pdf.embedded_file", {Severity::kReview, true, "embedded file"}},
      {"pdf.xfa", {Severity::kReject, true, "XFA form"}},
  };
  return *rules;
}

// Number of revisions: each has its own startxref.
int CountRevisions(std::string_view data) {
  int n = 0;
  for (size_t i = data.find("startxref"); i != std::string_view::npos;
       i = data.find("startxref", i + 9)) {
    ++n;
  }
  return n;
}

bool HasTrailingData(std::string_view data) {
  size_t eof = data.rfind("%%EOF");
  if (eof == std::string_view::npos) return false;
  std::string_view tail = data.substr(eof + 5);
  return tail.find_first_not_of(" \t\r\n\f") != std::string_view::npos;
}

struct LoadResult {
  bool ok = false;
  bool password = false;
  std::string error;
};

LoadResult Load(QPDF& pdf, std::string_view data) {
  LoadResult r;
  pdf.setAttemptRecovery(false);
  pdf.setSuppressWarnings(true);
  try {
    pdf.processMemoryFile("upload", data.data(), data.size());
    r.ok = true;
  } catch (const QPDFExc& e) {
    r.password = e.getErrorCode() == qpdf_e_password;
    r.error = e.getMessageDetail();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Detection pass (and stripping if `strip`). Throws on damaged structure.
Counts Examine(QPDF& pdf, bool strip, const Limits& limits, Report& report) {
  Counts c;
  Walk(pdf, strip, c);
  size_t pages = pdf.getAllPages().size();
  if (pages > limits.max_pdf_pages) {
    report.Add("pdf.too_many_pages", Severity::kReview,
               std::to_string(pages) + " pages (limit " +
                   std::to_string(limits.max_pdf_pages) + ")");
  }
  if (c.largest_page > limits.max_pdf_page_points) {
    report.Add("pdf.page_too_large", Severity::kReview,
               "a page side of " + std::to_string(int(c.largest_page)) +
                   " points");
  }
  return c;
}

void DecodeStreams(QPDF& pdf, Report& report, const Limits& limits) {
  uint64_t total = report.inflated;
  try {
    for (QPDFObjectHandle obj : pdf.getAllObjects()) {
      if (!obj.isStream()) continue;
      CountingPipeline counter(&total, limits.max_inflated_bytes);
      obj.pipeStreamData(&counter, 0, qpdf_dl_generalized, true);
    }
  } catch (const CapExceeded&) {
    report.Add("pdf.stream_bomb", Severity::kReject,
               "streams decode to more than " +
                   std::to_string(limits.max_inflated_bytes) + " bytes");
  }
  report.inflated = total;
}

void AddCounts(const Counts& c, Report& report) {
  for (const auto& [code, n] : c.found) {
    const Rule& r = Rules().at(code);
    report.Add(code, r.severity,
               std::to_string(n) + " " + r.what + " object(s)",
               r.neutralisable);
  }
}

bool AllNeutralisable(const Report& report) {
  for (const Finding& f : report.findings()) {
    if (f.severity != Severity::kInfo && !f.neutralisable) return false;
  }
  return true;
}

// Writes the stripped document and re-inspects the written bytes.
void Neutralise(QPDF& pdf, Context& ctx, Report& report) {
  try {
    Counts stripped;
    Walk(pdf, true, stripped);
    QPDFWriter w(pdf);
    w.setPreserveEncryption(false);
    w.setOutputMemory();
    w.write();
    std::shared_ptr<Buffer> buf = w.getBufferSharedPointer();
    std::string_view out(reinterpret_cast<const char*>(buf->getBuffer()),
                         buf->getSize());
    QPDF check;
    Report again;
    if (!Load(check, out).ok) throw std::runtime_error("rewrite unreadable");
    AddCounts(Examine(check, false, ctx.policy->limits, again), again);
    if (!again.findings().empty() || check.isEncrypted()) {
      throw std::runtime_error("active content survived the rewrite");
    }
    FILE* f = std::fopen(ctx.neutralise_to.c_str(), "wbx");
    if (f == nullptr) throw std::runtime_error("cannot create the copy");
    bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) throw std::runtime_error("cannot write the copy");
    ctx.neutralised = true;
  } catch (const std::exception& e) {
    report.Add("pdf.neutralise_failed", Severity::kReview,
               std::string("cannot neutralise: ") + e.what());
  }
}

}  // namespace

void InspectPdf(std::string_view data, Context& ctx, Report& report) {
  const Limits& limits = ctx.policy->limits;
  QPDF pdf;
  LoadResult loaded = Load(pdf, data);
  if (loaded.password) {
    report.Add("pdf.encrypted", Severity::kReject,
               "PDF needs a password to open; its content cannot be checked");
    return;
  }
  if (!loaded.ok) {
    report.Add("pdf.damaged", Severity::kReject,
               "PDF loads only with repair (" + loaded.error + ")");
    return;
  }
  if (pdf.isEncrypted()) {
    report.Add("pdf.encrypted", Severity::kReview,
               "PDF is encrypted with an owner password (restrictions)",
               true);
  }

  // Revisions and bytes after the end (T17, T65).
  int revisions = CountRevisions(data);
  if (revisions > (pdf.isLinearized() ? 2 : 1)) {
    report.Add("pdf.incremental_update", Severity::kReview,
               std::to_string(revisions) + " revisions (incremental updates)",
               true);
  }
  if (HasTrailingData(data)) {
    report.Add("pdf.trailing_data", Severity::kReview,
               "bytes after the last %%EOF", true);
  }

  bool strip = ctx.depth == 0 && !ctx.neutralise_to.empty();
  try {
    AddCounts(Examine(pdf, false, limits, report), report);
    DecodeStreams(pdf, report, limits);
  } catch (const std::exception& e) {
    report.Add("pdf.damaged", Severity::kReject,
               std::string("PDF structure is damaged: ") + e.what());
    return;
  }
  if (pdf.anyWarnings()) {
    report.Add("pdf.warnings", Severity::kReview,
               std::to_string(pdf.getWarnings().size()) +
                   " structural problem(s) found while reading");
  }

  bool any = !report.findings().empty();
  if (strip && any && AllNeutralisable(report)) Neutralise(pdf, ctx, report);
}

}  // namespace ds::gate::internal
