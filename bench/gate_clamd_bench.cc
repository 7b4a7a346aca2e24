// gate_clamd_bench: the gate's throughput beside raw clamd INSTREAM on the
// same mixed corpus, from one run. Target: the gate adds at most 30 % to
// clamd alone; not yet met (docs/benchmarks.md says where the time goes).
//
//   gate_clamd_bench [--rounds N] [--quick] [--per-file] [--keep-corpus]
//                    [--worker-files N]   (default: the gate's default, 1)
//                    [--submission-files N]
//
// --submission-files N inspects the corpus as submissions of N files each,
// with one gate::SenderScope per submission (as the intake does): one
// worker process per submission instead of one per file.
//
// Starts a private clamd (gate/testing/clamd_daemon.h: the test
// configuration and a generated one-signature database), writes the corpus
// into a temporary directory and, per round and file, times
//   clamd   ScanWithClamd (INSTREAM, 64 KiB chunks; the client the gate uses)
//   gate    Gate::Inspect with clamd (file name, then the worker's
//           inspection while the same file is streamed to clamd)
//   worker  Gate::Inspect without clamd (the gate's own share)
//   fork    RunInWorker with an empty job (a fresh process's cost; the
//           gate reuses its workers, Limits::worker_files)
// Times are wall-clock (clamd works in its own process), the median round;
// --per-file prints median milliseconds per file. Because the wall clock
// on a shared machine also counts waiting for a core, the CPU time of all
// processes involved (this one, the workers, clamd) is printed as well.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/log.h"
#include "gate/clamd.h"
#include "gate/gate.h"
#include "gate/sample_formats.h"
#include "gate/samples.h"
#include "gate/testing/clamd_daemon.h"
#include "gate/worker.h"

namespace {

namespace fs = std::filesystem;
namespace gs = ds::gate::samples;
using Clock = std::chrono::steady_clock;

struct CorpusFile {
  std::string id;
  std::string kind;  // "benign" or "manipulated"
  std::string filename;
  std::string mime;
  bool expect_clean = true;
  fs::path path;
  uint64_t bytes = 0;
};

// Deterministic bytes (xorshift), so every run scans the same corpus.
class Noise {
 public:
  uint8_t Next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return static_cast<uint8_t>(x_ >> 24);
  }
  std::string Bytes(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(Next());
    return s;
  }

 private:
  uint64_t x_ = 88172645463325252ull;
};

// An RGB raster like a scanned page or photo: a gradient with noise.
std::string Raster(uint32_t w, uint32_t h, Noise& noise, bool png_rows) {
  std::string out;
  out.reserve((size_t{w} * 3 + 1) * h);
  for (uint32_t y = 0; y < h; ++y) {
    if (png_rows) out.push_back('\0');  // PNG filter type "none"
    for (uint32_t x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.push_back(
            static_cast<char>((x + y + 40 * c) / 8 + (noise.Next() & 0x3F)));
      }
    }
  }
  return out;
}

// A one-page PDF showing one RGB image, like a scanned page (the
// catalogue's BuildPdf has fixed page resources, so it is written here).
std::string ImagePdf(uint32_t w, uint32_t h, Noise& noise, bool flate) {
  std::string raster = Raster(w, h, noise, false);
  std::string dict = " /Type /XObject /Subtype /Image /Width " +
                     std::to_string(w) + " /Height " + std::to_string(h) +
                     " /ColorSpace /DeviceRGB /BitsPerComponent 8";
  std::string image = flate ? gs::PdfStream(gs::ZlibCompress(raster),
                                            dict + " /Filter /FlateDecode")
                            : gs::PdfStream(raster, dict);
  std::vector<std::string> objs = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
      " /Resources << /XObject << /Im1 5 0 R >> >> >>",
      gs::PdfStream("q 595 0 0 842 0 0 cm /Im1 Do Q"), image};
  std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out +=
      "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  return out + "trailer\n<< /Size " + std::to_string(objs.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

// A baseline JPEG header from the catalogue's writer, then `n` bytes of
// entropy-coded data (0xFF stuffed) and EOI, like a camera photo.
std::string BigJpeg(uint16_t w, uint16_t h, size_t n, Noise& noise) {
  std::string j = gs::BuildJpeg(w, h);
  size_t sos = j.find("\xFF\xDA");
  j.resize(sos + 10);
  j.reserve(j.size() + n + n / 128 + 2);
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = noise.Next();
    j.push_back(static_cast<char>(b));
    if (b == 0xFF) j.push_back('\0');
  }
  return j + "\xFF\xD9";
}

std::string BigPng(uint32_t w, uint32_t h, Noise& noise) {
  std::string ihdr;
  for (uint32_t v : {w, h}) {
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(static_cast<char>(v >> s));
  }
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  std::string idat = gs::ZlibCompress(Raster(w, h, noise, true));
  std::string out = "\x89PNG\r\n\x1A\n" + gs::PngChunk("IHDR", ihdr);
  for (size_t off = 0; off < idat.size(); off += 1 << 16) {
    out += gs::PngChunk("IDAT", idat.substr(off, 1 << 16));
  }
  return out + gs::PngChunk("IEND", "");
}

std::string BigDocx(size_t paragraphs, const std::string& photo) {
  std::string body;
  for (size_t i = 0; i < paragraphs; ++i) {
    body += "<w:p><w:r><w:t>Absatz " + std::to_string(i) +
            ": Hiermit beantrage ich die Leistung nach den beigefügten "
            "Unterlagen.</w:t></w:r></w:p>";
  }
  const std::string ns =
      "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  return gs::BuildZip({
      {"[Content_Types].xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://"
       "schemas.openxmlformats.org/package/2006/content-types\"><Default "
       "Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-"
       "package.relationships+xml\"/><Default Extension=\"xml\" ContentType="
       "\"application/xml\"/><Default Extension=\"jpeg\" ContentType=\"image/"
       "jpeg\"/><Override PartName=\"/word/document.xml\" ContentType=\""
       "application/vnd.openxmlformats-officedocument.wordprocessingml."
       "document.main+xml\"/></Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\""
       "http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" +
           ns +
           "/officeDocument\" Target="
           "\"word/document.xml\"/></Relationships>"},
      {"word/document.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\""
       "http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
       "<w:body>" +
           body + "</w:body></w:document>"},
      {"word/_rels/document.xml.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\""
       "http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId5\" Type=\"" +
           ns +
           "/image\" Target=\"media/"
           "image1.jpeg\"/></Relationships>"},
      {"word/media/image1.jpeg", photo, /*deflate=*/false},
  });
}

std::string BigJson(size_t records) {
  std::string s = "{\"antraege\":[";
  for (size_t i = 0; i < records; ++i) {
    if (i) s += ",";
    s += "{\"nr\":" + std::to_string(i) +
         ",\"name\":\"Erika Mustermann\",\"iban\":\"DE02120300000000202051\""
         ",\"betrag\":\"120.50\",\"kinder\":[{\"vorname\":\"Anna\",\"alter\":"
         "7},{\"vorname\":\"Ben\",\"alter\":4}]}";
  }
  return s + "]}";
}

std::string BigXml(size_t records) {
  std::string s =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<antraege "
      "xmlns=\"urn:xoev-de:zdt:antrag\">";
  for (size_t i = 0; i < records; ++i) {
    s += "<antrag nr=\"" + std::to_string(i) +
         "\"><name>Erika Mustermann</name><betrag>120.50</betrag><anschrift>"
         "<strasse>Musterweg 1</strasse><plz>99084</plz><ort>Erfurt</ort>"
         "</anschrift></antrag>";
  }
  return s + "</antraege>\n";
}

// Samples built to prove a worker or size limit: they measure the limit,
// not throughput, and are left out (the catalogue tests cover them).
bool ProvesALimit(const ds::gate::Sample& s) {
  static const char* kCodes[] = {"bomb",     "too_large", "limit",
                                 "too_deep", "too_many",  "oversize"};
  for (const char* c : kCodes) {
    if (s.expected_code.find(c) != std::string::npos) return true;
    if (s.id.find(c) != std::string::npos) return true;
  }
  return s.bytes.size() > (8u << 20) || s.id.rfind("T42", 0) == 0 ||
         s.id.rfind("T40", 0) == 0 || s.id.rfind("T41", 0) == 0 ||
         s.id.rfind("T43", 0) == 0 || s.id.rfind("T60", 0) == 0 ||
         s.id.rfind("T62", 0) == 0 || s.id == "T18-deep-nesting" ||
         s.id == "T36-rtf-deep";
}

std::vector<CorpusFile> WriteCorpus(const fs::path& dir, bool quick,
                                    std::vector<std::string>* left_out) {
  std::vector<CorpusFile> files;
  auto add = [&](std::string id, std::string kind, std::string filename,
                 std::string mime, bool clean, const std::string& bytes) {
    CorpusFile f{std::move(id),   std::move(kind), std::move(filename),
                 std::move(mime), clean,           {},
                 bytes.size()};
    f.path = dir / ("f" + std::to_string(files.size()));
    std::ofstream(f.path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    files.push_back(std::move(f));
  };
  for (const ds::gate::Sample& s : ds::gate::GenerateSamples()) {
    bool control = s.expect == ds::gate::Expect::kClean;
    if (!control && ProvesALimit(s)) {
      left_out->push_back(s.id);
      continue;
    }
    add(s.id, control ? "benign" : "manipulated", s.filename, s.mime_type,
        control, s.bytes);
  }
  Noise noise;
  const size_t scale = quick ? 1 : 2;
  std::string photo = BigJpeg(2048, 1536, scale * 1500000, noise);
  add("big-scan-pdf-raw", "benign", "scan.pdf", "application/pdf", true,
      ImagePdf(1240, 1754 / 2 * scale, noise, false));
  add("big-scan-pdf-flate", "benign", "scan2.pdf", "application/pdf", true,
      ImagePdf(1240, 1754, noise, true));
  add("big-photo-jpeg", "benign", "foto.jpg", "image/jpeg", true, photo);
  add("big-scan-png", "benign", "scan.png", "image/png", true,
      BigPng(1000, 700 * static_cast<uint32_t>(scale), noise));
  add("big-docx-photo", "benign", "antrag.docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml."
      "document",
      true, BigDocx(5000, BigJpeg(1024, 768, 800000, noise)));
  add("big-json", "benign", "daten.json", "application/json", true,
      BigJson(scale * 10000));
  add("big-xml", "benign", "antraege.xml", "application/xml", true,
      BigXml(scale * 10000));
  return files;
}

// "VmRSS" and "VmSize" of this process in MB (what every fork copies the
// page tables of).
std::string MemoryOfThisProcess() {
  std::ifstream in("/proc/self/status");
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0 || line.rfind("VmSize:", 0) == 0) {
      out += (out.empty() ? "" : ", ") + line;
    }
  }
  return out;
}

// utime + stime of process `pid` in ms and its parent (from /proc, in
// clock ticks; summed over many files the tick rounding averages out).
std::pair<double, pid_t> ProcCpuMs(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return {0, 0};
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  pid_t ppid = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 4) ppid = static_cast<pid_t>(std::atoi(f.c_str()));
    if (i == 14 || i == 15) ticks += std::atof(f.c_str());  // utime, stime
  }
  return {ticks * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK)), ppid};
}

// CPU milliseconds of the live children but `except`.
double LiveChildrenCpuMs(pid_t except) {
  double live = 0;
  const pid_t me = getpid();
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] < '1' || name[0] > '9') continue;
    auto [cpu, ppid] = ProcCpuMs(static_cast<pid_t>(std::atoi(name.c_str())));
    if (ppid == me && name != std::to_string(except)) live += cpu;
  }
  return live;
}

// CPU milliseconds: this process, its reaped children and its live ones
// (the gate keeps its worker processes between files). A child reaped
// between two readings moves from the live sum into RUSAGE_CHILDREN.
// `except` (clamd, also a child) is counted separately. The /proc walk
// costs CPU itself: a reading at the start of a measurement walks before
// getrusage, one at the end after, so no walk lands inside.
double SelfAndChildrenCpuMs(pid_t except, bool at_start) {
  double live = at_start ? LiveChildrenCpuMs(except) : 0;
  rusage self{}, kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  if (!at_start) live = LiveChildrenCpuMs(except);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(kids.ru_utime) +
         ms(kids.ru_stime) + live;
}

double ClamdCpuMs(pid_t pid) { return ProcCpuMs(pid).first; }

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string DecisionOf(const ds::gate::Verdict& v) {
  switch (v.decision) {
    case ds::gate::Decision::kClean:
      return "clean";
    case ds::gate::Decision::kNeutralised:
      return "neutralised";
    case ds::gate::Decision::kQuarantined:
      return "quarantined";
    case ds::gate::Decision::kRejected:
      return "rejected";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  int worker_files = ds::gate::Limits{}.worker_files;
  int submission_files = 0;  // 0: no SenderScope
  bool quick = false, per_file = false, keep = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
      rounds = 2;
    } else if (!std::strcmp(argv[i], "--per-file")) {
      per_file = true;
    } else if (!std::strcmp(argv[i], "--keep-corpus")) {
      keep = true;
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--worker-files") && i + 1 < argc) {
      worker_files = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--submission-files") && i + 1 < argc) {
      submission_files = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr,
                   "usage: gate_clamd_bench [--rounds N] [--quick] "
                   "[--per-file] [--keep-corpus] [--worker-files N] "
                   "[--submission-files N]\n");
      return 2;
    }
  }

  char tmpl[] = "/tmp/ds-gate-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  const fs::path dir = tmpl;
  fs::create_directory(dir / "clamd");
  fs::create_directory(dir / "corpus");

  auto clamd = ds::gate::testsupport::ClamdDaemon::Start(dir / "clamd");
  if (!clamd.ok()) {
    std::fprintf(stderr, "%s\n", clamd.status().ToString().c_str());
    fs::remove_all(dir);
    return 2;
  }
  std::vector<std::string> left_out;
  std::vector<CorpusFile> files = WriteCorpus(dir / "corpus", quick, &left_out);

  ds::Logger quiet;
  quiet.set_level(ds::LogLevel::kOff);
  ds::gate::Gate gate(&quiet);
  ds::gate::Policy with_clamd;
  with_clamd.allow_all_inspectable = true;
  with_clamd.clamd_socket = (*clamd)->socket();
  with_clamd.limits.worker_files = worker_files;
  if (submission_files > 0) {
    std::printf(
        "worker processes: one per submission of %d files "
        "(SenderScope)\n",
        submission_files);
  } else {
    std::printf("worker processes: %d file(s) each\n", worker_files);
  }
  ds::gate::Policy without_clamd = with_clamd;
  without_clamd.clamd_socket.clear();
  without_clamd.require_virus_scan = false;

  uint64_t total_bytes = 0;
  std::map<std::string, std::pair<int, uint64_t>> by_kind;
  for (const CorpusFile& f : files) {
    total_bytes += f.bytes;
    by_kind[f.kind].first++;
    by_kind[f.kind].second += f.bytes;
  }
  std::printf("corpus: %zu files, %.1f MB (", files.size(), total_bytes / 1e6);
  for (const auto& [kind, n] : by_kind) {
    std::printf("%s %d files %.1f MB; ", kind.c_str(), n.first, n.second / 1e6);
  }
  std::printf("left out %zu limit-proving samples)\n", left_out.size());

  // Warm-up and sanity: every benign file must be clean and scanned, every
  // manipulated one not clean, or the comparison would be meaningless.
  int wrong = 0;
  for (const CorpusFile& f : files) {
    auto v = gate.Inspect(f.path, {f.mime, f.filename}, with_clamd);
    (void)ds::gate::ScanWithClamd(with_clamd.clamd_socket, f.path,
                                  with_clamd.limits);
    if (!v.ok()) {
      std::printf("  %s: error %s\n", f.id.c_str(),
                  v.status().ToString().c_str());
      ++wrong;
      continue;
    }
    bool clean = v->decision == ds::gate::Decision::kClean;
    if (clean != f.expect_clean || (f.expect_clean && !v->virus_scanned)) {
      std::string codes;
      for (const auto& x : v->findings) codes += " " + x.code;
      std::printf("  unexpected: %s %s:%s\n", f.id.c_str(),
                  DecisionOf(*v).c_str(), codes.c_str());
      ++wrong;
    }
  }
  std::printf("verdicts: %s\n", wrong ? "SOME UNEXPECTED (see above)"
                                      : "as expected (benign clean and "
                                        "scanned, manipulated not clean)");

  // Rounds: the order of the three modes rotates per file so that load
  // from other processes hits all of them alike.
  const size_t n = files.size();
  std::vector<std::vector<double>> ms_clamd(n), ms_gate(n), ms_worker(n);
  std::vector<double> round_clamd, round_gate, round_worker, fork_ms;
  double cpu[3] = {0, 0, 0};  // CPU ms over all rounds: clamd, gate, worker
  const pid_t clamd_pid = (*clamd)->pid();
  for (int r = 0; r < rounds; ++r) {
    double sc = 0, sg = 0, sw = 0;
    // One scope per mode, renewed at each submission's first file.
    std::unique_ptr<ds::gate::SenderScope> scope_gate, scope_worker;
    for (size_t i = 0; i < n; ++i) {
      const CorpusFile& f = files[i];
      if (submission_files > 0 &&
          i % static_cast<size_t>(submission_files) == 0) {
        // Ending the previous submission's worker counts for its mode.
        auto t0 = Clock::now();
        scope_gate = std::make_unique<ds::gate::SenderScope>();
        sg += Ms(Clock::now() - t0);
        t0 = Clock::now();
        scope_worker = std::make_unique<ds::gate::SenderScope>();
        sw += Ms(Clock::now() - t0);
      }
      for (int k = 0; k < 3; ++k) {
        int mode = (k + r + static_cast<int>(i)) % 3;
        double cpu0 = SelfAndChildrenCpuMs(clamd_pid, true),
               clamd0 = ClamdCpuMs(clamd_pid);
        auto t0 = Clock::now();
        if (mode == 0) {
          (void)ds::gate::ScanWithClamd(with_clamd.clamd_socket, f.path,
                                        with_clamd.limits);
        } else {
          (void)gate.Inspect(f.path, {f.mime, f.filename},
                             mode == 1 ? with_clamd : without_clamd,
                             mode == 1 ? scope_gate.get() : scope_worker.get());
        }
        double ms = Ms(Clock::now() - t0);
        cpu[mode] += SelfAndChildrenCpuMs(clamd_pid, false) - cpu0 +
                     ClamdCpuMs(clamd_pid) - clamd0;
        if (mode == 0) {
          ms_clamd[i].push_back(ms);
          sc += ms;
        }
        if (mode == 1) {
          ms_gate[i].push_back(ms);
          sg += ms;
        }
        if (mode == 2) {
          ms_worker[i].push_back(ms);
          sw += ms;
        }
      }
    }
    auto t_end = Clock::now();
    scope_gate.reset();
    sg += Ms(Clock::now() - t_end);
    t_end = Clock::now();
    scope_worker.reset();
    sw += Ms(Clock::now() - t_end);
    round_clamd.push_back(sc);
    round_gate.push_back(sg);
    round_worker.push_back(sw);
    for (int k = 0; k < 20; ++k) {
      auto t0 = Clock::now();
      (void)ds::gate::internal::RunInWorker({}, [] { return std::string(); });
      fork_ms.push_back(Ms(Clock::now() - t0));
    }
  }

  if (per_file) {
    std::printf("\n%-28s %10s %9s %9s %9s\n", "file", "bytes", "clamd ms",
                "gate ms", "no-clamd");
    for (size_t i = 0; i < n; ++i) {
      std::printf("%-28s %10llu %9.2f %9.2f %9.2f\n", files[i].id.c_str(),
                  static_cast<unsigned long long>(files[i].bytes),
                  Median(ms_clamd[i]), Median(ms_gate[i]),
                  Median(ms_worker[i]));
    }
  }

  // Which files cost the gate most beyond clamd (median per file).
  std::vector<std::pair<double, size_t>> extra;
  double sum_extra = 0;
  for (size_t i = 0; i < n; ++i) {
    double e = Median(ms_gate[i]) - Median(ms_clamd[i]);
    extra.push_back({e, i});
    sum_extra += e;
  }
  std::sort(extra.rbegin(), extra.rend());

  double c = Median(round_clamd), g = Median(round_gate),
         w = Median(round_worker), fk = Median(fork_ms);
  auto rate = [&](double ms) {
    return std::make_pair(total_bytes / 1e6 / (ms / 1e3), n / (ms / 1e3));
  };
  auto [c_mb, c_files] = rate(c);
  auto [g_mb, g_files] = rate(g);
  std::printf(
      "\nmedian of %d rounds, %zu files, %.1f MB, one file at a "
      "time, wall clock:\n",
      rounds, n, total_bytes / 1e6);
  std::printf("  %-34s %8.1f ms %8.1f MB/s %8.1f files/s\n",
              "raw clamd INSTREAM", c, c_mb, c_files);
  std::printf("  %-34s %8.1f ms %8.1f MB/s %8.1f files/s\n",
              "gate (worker + clamd)", g, g_mb, g_files);
  std::printf("  %-34s %8.1f ms\n", "gate without clamd (its own share)", w);
  std::printf("  %-34s %8.2f ms per file (%.1f ms for the corpus)\n",
              "worker fork+exit, empty job", fk, fk * n);
  std::printf("  (forking process: %s)\n", MemoryOfThisProcess().c_str());
  std::printf(
      "CPU time, all processes (this one, workers, clamd), per "
      "round:\n  clamd %.1f ms, gate %.1f ms, gate without clamd "
      "%.1f ms: gate/clamd %.2f\n",
      cpu[0] / rounds, cpu[1] / rounds, cpu[2] / rounds, cpu[1] / cpu[0]);
  double overhead = (g / c - 1) * 100;
  std::printf(
      "gate/clamd ratio: %.2f, the gate adds %.0f %% to clamd "
      "(target <= 30 %%): %s\n",
      g / c, overhead, overhead <= 30 ? "met" : "MISSED");
  std::printf(
      "largest additions beyond clamd (median ms per file; sum of "
      "all %.1f ms):\n",
      sum_extra);
  for (size_t k = 0; k < std::min<size_t>(6, extra.size()); ++k) {
    const CorpusFile& f = files[extra[k].second];
    std::printf("  %-28s %9.2f ms (%llu bytes)\n", f.id.c_str(), extra[k].first,
                static_cast<unsigned long long>(f.bytes));
  }

  clamd->reset();
  if (keep) {
    fs::remove_all(dir / "clamd");
    std::printf("corpus kept in %s (files f0, f1, ... in the order above)\n",
                (dir / "corpus").c_str());
  } else {
    fs::remove_all(dir);
  }
  return wrong ? 1 : 0;
}
