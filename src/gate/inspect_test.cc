#include <gtest/gtest.h>

#include "core/testing/testing.h"
#include "gate/findings.h"
#include "gate/gate.h"
#include "gate/sample_formats.h"
#include "gate/test_util.h"

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
  Verdict v = Inspect(samples::BuildPdf({}),
                      {"Application/PDF; name=\"a.pdf\"", "A.PDF"},
                      ScanPolicy());

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
  Policy p = ScanPolicy();
  p.limits.worker_memory_bytes = 8u << 20;  // the file alone needs more
  std::string json = "{\"a\":\"" + std::string(32u << 20, 'x') + "\"}";

  Verdict v = Inspect(json, {"application/json", "a.json"}, p);

  EXPECT_NE(v.decision, Decision::kClean);
  EXPECT_TRUE(HasCode(v, "worker.memory_limit") ||
              HasCode(v, "worker.crashed")) << Codes(v);
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
  Result<Verdict> again = gate_.Inspect(*v.neutralised_copy,
                                        {"application/pdf", "a.pdf"},
                                        ScanPolicy());
  ASSERT_OK(again);
  EXPECT_EQ(again->decision, Decision::kClean) << Codes(*again);
  std::ifstream in(dir_.path() / "upload.bin", std::ios::binary);
  std::string kept((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(kept, original);
}

TEST_F(GateTest, LaunchActionIsNotNeutralisable) {
  samples::PdfSpec s;
  s.catalog_extra = "/OpenAction << /S /Launch /F (zdt-nonexistent.exe) >>";
  Policy p = ScanPolicy();
  p.neutralise = true;

  Verdict v = Inspect(samples::BuildPdf(s), {"application/pdf", "a.pdf"}, p);

  EXPECT_EQ(v.decision, Decision::kRejected);
  EXPECT_FALSE(v.neutralised_copy.has_value());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() /
                                       "upload.bin.neutralised.pdf"));
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

TEST_F(GateTest, VerdictJsonCarriesGermanTitles) {
  Verdict v = Inspect(samples::BuildPdf({}), {"image/png", "a.pdf"},
                      ScanPolicy());

  nlohmann::json j = VerdictToJson(v);

  EXPECT_EQ(j["decision"], "rejected");
  EXPECT_EQ(j["findings"][0]["code"], "type.mime_mismatch");
  EXPECT_EQ(j["findings"][0]["title_de"],
            "Angegebener Dateityp passt nicht zum Inhalt");
}

}  // namespace
}  // namespace ds::gate
