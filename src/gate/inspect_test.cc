#include <gtest/gtest.h>
#include <signal.h>

#include "core/testing/testing.h"
#include "gate/findings.h"
#include "gate/gate.h"
#include "gate/sample_formats.h"
#include "gate/test_util.h"
#include "gate/worker.h"

namespace ds::gate {
namespace {

using testutil::Codes;
using testutil::HasCode;
using testutil::ScanPolicy;
using testutil::WriteBytes;

class GateTest : public ::testing::Test {
 protected:
  Verdict Inspect(const std::string& bytes, FileFacts facts,
                  const Policy& policy) {
    auto path = WriteBytes(dir_.path(), "upload.bin", bytes);
    Result<Verdict> v = gate_.Inspect(path, facts, policy);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Verdict{};
  }

  Verdict InspectIn(SenderScope& scope, const std::filesystem::path& path,
                    FileFacts facts, const Policy& policy) {
    Result<Verdict> v = gate_.Inspect(path, facts, policy, &scope);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Verdict{};
  }

  testing::TempDir dir_;
  Gate gate_{testutil::QuietLogger()};
};

TEST_F(GateTest, PlainPdfIsCleanUnderTheDefaultPolicyWithoutScanRequired) {
  Policy p;
  p.require_virus_scan = false;

  Verdict v = Inspect(samples::BuildPdf({}), {"application/pdf", "a.pdf"}, p);

  EXPECT_EQ(v.decision, Decision::kClean) << Codes(v);
  EXPECT_EQ(v.detected_type, "pdf");
  EXPECT_EQ(v.detected_mime, "application/pdf");
}

TEST_F(GateTest, MissingClamdIsNotCleanWhenTheScanIsRequired) {
  Policy p;  // require_virus_scan defaults to true, no socket

  Verdict v = Inspect(samples::BuildPdf({}), {"application/pdf", "a.pdf"}, p);

  EXPECT_EQ(v.decision, Decision::kQuarantined);
  EXPECT_TRUE(HasCode(v, "scan.not_performed"));
}

TEST_F(GateTest, UnreachableClamdIsNotClean) {
  Policy p;
  p.clamd_socket = dir_.path() / "no-such.sock";

  Verdict v = Inspect(samples::BuildPdf({}), {"application/pdf", "a.pdf"}, p);

  EXPECT_EQ(v.decision, Decision::kQuarantined);
  EXPECT_TRUE(HasCode(v, "scan.unavailable")) << Codes(v);
  EXPECT_FALSE(v.virus_scanned);
}

TEST_F(GateTest, TypeOutsideTheAllowListIsRejected) {
  Policy p;
  p.require_virus_scan = false;

  Verdict v = Inspect(samples::BuildZip({{"a.txt", "hallo"}}),
                      {"application/zip", "a.zip"}, p);

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_TRUE(HasCode(v, "type.not_allowed"));
}

TEST_F(GateTest, DeclaredTypeMustMatchContent) {
  Verdict v = Inspect(samples::BuildPng(2, 2), {"application/pdf", "a.pdf"},
                      ScanPolicy());

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_TRUE(HasCode(v, "type.mime_mismatch"));
  EXPECT_TRUE(HasCode(v, "type.extension_mismatch"));
}

TEST_F(GateTest, MimeParametersAndCaseAreIgnored) {
  Verdict v =
      Inspect(samples::BuildPdf({}),
              {"Application/PDF; name=\"a.pdf\"", "A.PDF"}, ScanPolicy());

  EXPECT_EQ(v.decision, Decision::kClean) << Codes(v);
}

TEST_F(GateTest, FileAboveTheSizeLimitIsRejectedWithoutParsing) {
  Policy p = ScanPolicy();
  p.limits.max_file_bytes = 1000;

  Verdict v = Inspect(std::string(2000, 'a'), {"text/plain", "a.txt"}, p);

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_TRUE(HasCode(v, "type.too_large"));
}

TEST_F(GateTest, WorkerOverItsMemoryLimitFailsClosed) {
  if (!internal::WorkerLimitsAddressSpace()) GTEST_SKIP() << "no RLIMIT_AS";
  Policy p = ScanPolicy();
  p.limits.worker_memory_bytes = 8u << 20;  // the file alone needs more
  std::string json = "{\"a\":\"" + std::string(32u << 20, 'x') + "\"}";

  Verdict v = Inspect(json, {"application/json", "a.json"}, p);

  EXPECT_NE(v.decision, Decision::kClean);
  EXPECT_TRUE(HasCode(v, "worker.memory_limit") || HasCode(v, "worker.crashed"))
      << Codes(v);
}

TEST_F(GateTest, WorkerEndedByALimitIsReplacedForTheNextFile) {
  if (!internal::WorkerLimitsAddressSpace()) GTEST_SKIP() << "no RLIMIT_AS";
  Policy p = ScanPolicy();
  p.limits.worker_memory_bytes = 64u << 20;
  // The escape sends it to nlohmann's parser, whose 40 MB string token
  // does not fit beside the mapped file.
  std::string hog = "{\"\\u0041\":\"" + std::string(40u << 20, 'x') + "\"}";
  Verdict before = Inspect("{\"a\":1}", {"application/json", "a.json"}, p);

  Verdict failed = Inspect(hog, {"application/json", "a.json"}, p);
  Verdict after = Inspect("{\"b\":2}", {"application/json", "b.json"}, p);

  EXPECT_EQ(before.decision, Decision::kClean) << Codes(before);
  EXPECT_TRUE(HasCode(failed, "worker.memory_limit")) << Codes(failed);
  EXPECT_EQ(after.decision, Decision::kClean) << Codes(after);
}

TEST_F(GateTest, ScopeReusesItsWorkerAndNoOtherScopeSeesIt) {
  Policy p = ScanPolicy();
  auto a = WriteBytes(dir_.path(), "a.json", "{\"a\":1}");
  auto b = WriteBytes(dir_.path(), "b.pdf", samples::BuildPdf({}));
  SenderScope first;
  SenderScope second;

  Verdict v1 = InspectIn(first, a, {"application/json", "a.json"}, p);
  const int pid = first.worker_pid();
  Verdict v2 = InspectIn(first, b, {"application/pdf", "b.pdf"}, p);
  Verdict v3 = InspectIn(second, a, {"application/json", "a.json"}, p);

  EXPECT_EQ(v1.decision, Decision::kClean) << Codes(v1);
  EXPECT_EQ(v2.decision, Decision::kClean) << Codes(v2);
  EXPECT_EQ(v3.decision, Decision::kClean) << Codes(v3);
  EXPECT_GT(pid, 0);
  EXPECT_EQ(first.worker_pid(), pid);  // the same process, twice
  EXPECT_NE(second.worker_pid(), 0);
  EXPECT_NE(second.worker_pid(), pid);  // never the other scope's
}

TEST_F(GateTest, ScopeWorkerEndsWithTheScopeAndAfterScopeFiles) {
  Policy p = ScanPolicy();
  p.limits.scope_files = 2;
  auto a = WriteBytes(dir_.path(), "a.json", "{\"a\":1}");
  int pid = 0;
  {
    SenderScope scope;
    InspectIn(scope, a, {"application/json", "a.json"}, p);
    pid = scope.worker_pid();
    ASSERT_GT(pid, 0);
    InspectIn(scope, a, {"application/json", "a.json"}, p);
    EXPECT_EQ(scope.worker_pid(), 0);  // two files: retired
    InspectIn(scope, a, {"application/json", "a.json"}, p);
    EXPECT_NE(scope.worker_pid(), pid);
    pid = scope.worker_pid();
    ASSERT_GT(pid, 0);
  }
  // The scope reaped its worker: the pid names no process of ours.
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(GateTest, ScopeReplacesAWorkerEndedByALimit) {
  if (!internal::WorkerLimitsAddressSpace()) GTEST_SKIP() << "no RLIMIT_AS";
  Policy p = ScanPolicy();
  p.limits.worker_memory_bytes = 64u << 20;
  auto ok = WriteBytes(dir_.path(), "a.json", "{\"a\":1}");
  auto hog =
      WriteBytes(dir_.path(), "hog.json",
                 "{\"\\u0041\":\"" + std::string(40u << 20, 'x') + "\"}");
  SenderScope scope;

  Verdict failed = InspectIn(scope, hog, {"application/json", "h.json"}, p);
  EXPECT_EQ(scope.worker_pid(), 0);  // the dead worker is not kept
  Verdict after = InspectIn(scope, ok, {"application/json", "a.json"}, p);

  EXPECT_TRUE(HasCode(failed, "worker.memory_limit")) << Codes(failed);
  EXPECT_EQ(after.decision, Decision::kClean) << Codes(after);
}

TEST_F(GateTest, JsonOutsideTheFastCheckIsDecidedByTheParser) {
  Policy p = ScanPolicy();
  auto check = [&](const std::string& json) {
    return Inspect(json, {"application/json", "a.json"}, p);
  };
  std::string deep = std::string(65, '[') + std::string(65, ']');

  Verdict escaped =
      check("{\"a\\u00e4\":1,\"b\":2.5e3,\"c\":12345678901234567}");
  Verdict dup_escaped = check("{\"\\u0061\":1,\"a\":2}");
  Verdict dup_plain = check("{\"x\":{\"a\":1,\"a\":2}}");
  Verdict too_deep = check(deep);
  Verdict nul = check("{\"a\":\"x\\u0000\"}");

  EXPECT_EQ(escaped.decision, Decision::kClean) << Codes(escaped);
  EXPECT_TRUE(HasCode(dup_escaped, "json.duplicate_key")) << Codes(dup_escaped);
  EXPECT_TRUE(HasCode(dup_plain, "json.duplicate_key")) << Codes(dup_plain);
  EXPECT_TRUE(HasCode(too_deep, "json.too_deep")) << Codes(too_deep);
  EXPECT_TRUE(HasCode(nul, "json.nul_character")) << Codes(nul);
}

TEST_F(GateTest, NeutralisesPdfJavaScriptIntoACopyBesideTheOriginal) {
  samples::PdfSpec s;
  s.catalog_extra = "/OpenAction 6 0 R";
  s.objects = {"<< /S /JavaScript /JS (app.alert\\('ZDT-neutral'\\)) >>"};
  std::string original = samples::BuildPdf(s);
  Policy p = ScanPolicy();
  p.neutralise = true;

  Verdict v = Inspect(original, {"application/pdf", "a.pdf"}, p);

  ASSERT_EQ(v.decision, Decision::kNeutralised) << Codes(v);
  ASSERT_TRUE(v.neutralised_copy.has_value());
  EXPECT_EQ(v.neutralised_copy->parent_path(), dir_.path());
  Result<Verdict> again = gate_.Inspect(
      *v.neutralised_copy, {"application/pdf", "a.pdf"}, ScanPolicy());
  ASSERT_OK(again);
  EXPECT_EQ(again->decision, Decision::kClean) << Codes(*again);
  std::ifstream in(dir_.path() / "upload.bin", std::ios::binary);
  std::string kept((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(kept, original);
}

TEST_F(GateTest, NeutralisingAgainReplacesTheEarlierCopy) {
  samples::PdfSpec s;
  s.catalog_extra = "/OpenAction << /S /JavaScript /JS (1) >>";
  Policy p = ScanPolicy();
  p.neutralise = true;
  auto path = WriteBytes(dir_.path(), "twice.pdf", samples::BuildPdf(s));

  Result<Verdict> first = gate_.Inspect(path, {"", "a.pdf"}, p);
  Result<Verdict> second = gate_.Inspect(path, {"", "a.pdf"}, p);

  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(second->decision, Decision::kNeutralised) << Codes(*second);
}

TEST_F(GateTest, HyperlinkFieldMentioningDdeIsNoDdeField) {
  std::string doc =
      "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas."
      "openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r>"
      "<w:instrText> HYPERLINK \"https://dde-hilfe.zdt.invalid/\" "
      "</w:instrText></w:r></w:p></w:body></w:document>";
  std::string docx = samples::BuildZip(
      {{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", doc}});
  std::string with_dde =
      samples::BuildZip({{"[Content_Types].xml", "<Types/>"},
                         {"word/document.xml",
                          doc.replace(doc.find("HYPERLINK"), 9, "DDEAUTO")}});

  Verdict clean = Inspect(docx, {"", "a.docx"}, ScanPolicy());
  Verdict bad = Inspect(with_dde, {"", "a.docx"}, ScanPolicy());

  EXPECT_EQ(clean.decision, Decision::kClean) << Codes(clean);
  EXPECT_TRUE(HasCode(bad, "office.dde")) << Codes(bad);
}

TEST_F(GateTest, LaunchActionIsNotNeutralisable) {
  samples::PdfSpec s;
  s.catalog_extra = "/OpenAction << /S /Launch /F (zdt-nonexistent.exe) >>";
  Policy p = ScanPolicy();
  p.neutralise = true;

  Verdict v = Inspect(samples::BuildPdf(s), {"application/pdf", "a.pdf"}, p);

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_FALSE(v.neutralised_copy.has_value());
  EXPECT_FALSE(
      std::filesystem::exists(dir_.path() / "upload.bin.neutralised.pdf"));
}

TEST_F(GateTest, ZipEntriesAreInspectedRecursively) {
  samples::PdfSpec s;
  s.catalog_extra = "/OpenAction 6 0 R";
  s.objects = {"<< /S /JavaScript /JS (1) >>"};
  std::string zip = samples::BuildZip({{"inner.pdf", samples::BuildPdf(s)}});

  Verdict v = Inspect(zip, {"application/zip", "a.zip"}, ScanPolicy());

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_TRUE(HasCode(v, "pdf.javascript")) << Codes(v);
}

TEST_F(GateTest, EmptyEntriesInsideAContainerAreHarmless) {
  std::string zip = samples::BuildZip({{"leer.txt", ""}, {"a.txt", "Hallo"}});

  Verdict v = Inspect(zip, {"application/zip", "a.zip"}, ScanPolicy());
  Verdict empty = Inspect("", {"text/plain", "a.txt"}, ScanPolicy());

  EXPECT_EQ(v.decision, Decision::kClean) << Codes(v);
  EXPECT_TRUE(HasCode(empty, "type.empty"));
}

TEST_F(GateTest, VerdictJsonCarriesGermanTitles) {
  Verdict v =
      Inspect(samples::BuildPdf({}), {"image/png", "a.pdf"}, ScanPolicy());

  nlohmann::json j = VerdictToJson(v);

  EXPECT_EQ(j["decision"], "rejected");
  EXPECT_EQ(j["findings"][0]["code"], "type.mime_mismatch");
  EXPECT_EQ(j["findings"][0]["title_de"],
            "Angegebener Dateityp passt nicht zum Inhalt");
}

}  // namespace
}  // namespace ds::gate
