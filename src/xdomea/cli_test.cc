// `drehscheibe xdomea ...` run as a real process: exit codes and files.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "xdomea/test_support.h"

namespace ds::xdomea {
namespace {

namespace fs = std::filesystem;

using CliRun = ds::testing::CommandRun;

CliRun Drehscheibe(const std::string& args) {
  return ds::testing::RunShell(
      "DREHSCHEIBE_SPECS='" + ds::testing::SpecsDir().string() + "' " +
      DS_DREHSCHEIBE_BIN + " " + args + " 2>/dev/null");
}

std::string Example(const std::string& path) {
  return "'" +
         (ds::testing::SpecsDir() / "xdomea" / "examples" / path).string() +
         "'";
}

const char* kXman0503 =
    "x-man-testdata-3.0.0/"
    "9a75050f-323a-4e84-94c9-a889aa2b4fe8_Aussonderung.Aussonderung.0503.zip";

TEST(XdomeaCli, ValidateExitsZeroOneOrTwo) {
  CliRun valid = Drehscheibe("xdomea validate " + Example(kXman0503));
  CliRun invalid =
      Drehscheibe("xdomea validate --json " +
                  Example("fvdaten-0605-xdomeapopulator/base.xml"));
  CliRun no_xsd = Drehscheibe(
      "xdomea validate " +
      Example("lavnrw-v4.0.0/518c7c31-d1a0-11ef-accb-005056871b7c_0503_1.xml"));
  CliRun usage = Drehscheibe("xdomea validate");
  // A missing file is the environment's problem (2), as in `scan`; a
  // version without XSDs is a usage error.
  CliRun missing = Drehscheibe("xdomea validate /nonexistent/package.zip");
  CliRun unknown_version =
      Drehscheibe("xdomea validate --xdomea-version 9.9.9 " +
                  Example("fvdaten-0605-xdomeapopulator/base.xml"));

  EXPECT_EQ(valid.exit_code, 0) << valid.out;
  EXPECT_THAT(valid.out, ::testing::HasSubstr("valid (xdomea 3.0.0"));
  EXPECT_EQ(invalid.exit_code, 1);
  auto report = nlohmann::json::parse(invalid.out, nullptr, false);
  ASSERT_TRUE(report.is_array()) << invalid.out;
  EXPECT_FALSE(report[0]["valid"].get<bool>());
  EXPECT_GT(report[0]["errors"][0]["line"].get<int>(), 0);
  EXPECT_EQ(no_xsd.exit_code, 2);
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(unknown_version.exit_code, 2);
}

TEST(XdomeaCli, ImportsTwiceExportsAndReceives) {
  ds::testing::TempDir tmp;
  std::string data = "--data '" + tmp.path().string() + "/data' ";

  CliRun first =
      Drehscheibe(data + "xdomea import --json --no-clamd --tenant archiv " +
                  Example(kXman0503));
  CliRun second =
      Drehscheibe(data + "xdomea import --json --no-clamd --tenant archiv " +
                  Example(kXman0503));

  ASSERT_EQ(first.exit_code, 0);
  ASSERT_EQ(second.exit_code, 0);
  auto a = nlohmann::json::parse(first.out);
  auto b = nlohmann::json::parse(second.out);
  EXPECT_EQ(a["dokumente_new"], 3);
  EXPECT_EQ(b["dokumente_new"], 0);

  // Export an imported Vorgang, then answer a 0605 into it: refused, the
  // import is read-only.
  std::string vid = a["vorgang_ids"][0];
  CliRun exported =
      Drehscheibe(data + "xdomea export --tenant archiv --vorgang " + vid +
                  " --out '" + tmp.path().string() + "/out'");
  ASSERT_EQ(exported.exit_code, 0);
  std::string zip = exported.out.substr(0, exported.out.find('\n'));
  EXPECT_EQ(testing::XmllintPackage(zip, "3.1.0"), "");
  EXPECT_EQ(Drehscheibe("xdomea validate '" + zip + "'").exit_code, 0);

  fs::path in = tmp.path() / "0605.zip";
  std::ofstream(in, std::ios::binary) << testing::Fachverfahren0605Package(
      "5a7d1e3f-9b2c-4d6e-8f0a-1b3c5d7e9f20", vid, testing::MinimalPdf());
  CliRun refused = Drehscheibe(
      data + "xdomea receive --json --no-clamd --tenant archiv '" +
      in.string() + "' --out '" + tmp.path().string() + "/answers'");
  EXPECT_EQ(refused.exit_code, 1);
  auto r = nlohmann::json::parse(refused.out, nullptr, false);
  ASSERT_TRUE(r.is_object()) << refused.out;
  EXPECT_FALSE(r["accepted"].get<bool>());
  EXPECT_EQ(testing::XmllintPackage(r["answer"].get<std::string>(), "3.1.0"),
            "");
  EXPECT_EQ(Drehscheibe(data + "audit verify").exit_code, 0);
}

}  // namespace
}  // namespace ds::xdomea
