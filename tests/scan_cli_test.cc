// `drehscheibe scan` as operators and the Prüfstand call it: exit codes,
// the clamd rule and the JSON report.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "gate/sample_formats.h"

namespace {

using ScanRun = ds::testing::CommandRun;

ScanRun Scan(const std::string& args) {
  return ds::testing::RunShell(std::string(DS_BINARY) + " scan " + args +
                               " 2>/dev/null");
}

class ScanCli : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
  ds::testing::TempDir dir_;
};

TEST_F(ScanCli, CleanPdfExitsZeroWhenTheVirusScanIsSkippedExplicitly) {
  std::string pdf = Write("antrag.pdf", ds::gate::samples::BuildPdf({}));

  ScanRun r = Scan("--no-clamd " + pdf);

  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("clean (pdf"), std::string::npos) << r.out;
}

TEST_F(ScanCli, WithoutClamdFilesAreNotClean) {
  std::string pdf = Write("antrag.pdf", ds::gate::samples::BuildPdf({}));

  ScanRun r = Scan(pdf);

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("scan.not_performed"), std::string::npos) << r.out;
}

TEST_F(ScanCli, JavaScriptPdfExitsOneWithAJsonReport) {
  ds::gate::samples::PdfSpec s;
  s.catalog_extra = "/OpenAction << /S /JavaScript /JS (1) >>";
  std::string bad = Write("bad.pdf", ds::gate::samples::BuildPdf(s));
  std::string good = Write("good.pdf", ds::gate::samples::BuildPdf({}));

  ScanRun r = Scan("--json --no-clamd " + good + " " + bad);

  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["not_clean"], 1);
  EXPECT_EQ(j["files"][0]["decision"], "clean");
  EXPECT_EQ(j["files"][1]["decision"], "rejected");
}

TEST_F(ScanCli, AllowListApplies) {
  std::string png = Write("scan.png", ds::gate::samples::BuildPng(2, 2));

  EXPECT_EQ(Scan("--no-clamd --allow pdf,jpeg " + png).exit_code, 1);
  EXPECT_EQ(Scan("--no-clamd --allow pdf,image/png " + png).exit_code, 0);
  EXPECT_EQ(Scan("--no-clamd --allow svg " + png).exit_code, 2);
}

TEST_F(ScanCli, ConflictingClamdOptionsAreAUsageError) {
  std::string pdf = Write("antrag.pdf", ds::gate::samples::BuildPdf({}));

  EXPECT_EQ(Scan("--no-clamd --clamd /tmp/x.sock " + pdf).exit_code, 2);
}

TEST_F(ScanCli, MissingFileIsAUsageErrorNotAFinding) {
  ScanRun r = Scan("--no-clamd " + (dir_.path() / "fehlt.pdf").string());

  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(ScanCli, ControlCharactersInFileNamesAreEscapedOnTheTerminal) {
  // An escape sequence that would clear the terminal line, and a bidi
  // override that would show "fdp.exe" as "exe.pdf".
  std::string pdf = Write("a\x1b[2Kb\xe2\x80\xae" "fdp.exe", ds::gate::samples::BuildPdf({}));

  ScanRun r = Scan("--no-clamd '" + pdf + "'");

  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a\\x1b[2Kb\\xe2\\x80\\xaefdp.exe"), std::string::npos) << r.out;
}

TEST_F(ScanCli, KeysGenerateKeepsExistingKeysUnlessForced) {
  std::string out = (dir_.path() / "keys").string();
  auto run = [&](const std::string& extra) {
    std::string cmd = std::string(DS_BINARY) + " keys generate --bits 2048 --out " + out + extra +
                      " >/dev/null 2>&1";
    int status = std::system(cmd.c_str());
    return WEXITSTATUS(status);
  };
  ASSERT_EQ(run(""), 0);
  std::ifstream first(out + "/encryption.private.jwk");
  std::string before((std::istreambuf_iterator<char>(first)), {});

  EXPECT_EQ(run(""), 1);  // refused
  std::ifstream kept(out + "/encryption.private.jwk");
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(kept)), {}), before);

  EXPECT_EQ(run(" --force"), 0);
  std::ifstream replaced(out + "/encryption.private.jwk");
  EXPECT_NE(std::string((std::istreambuf_iterator<char>(replaced)), {}), before);
}

}  // namespace
