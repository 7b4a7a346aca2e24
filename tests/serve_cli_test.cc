// `drehscheibe serve --config FILE` as an operator starts it: a broken
// configuration is refused at start with every problem named at once.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/testing/command.h"
#include "core/testing/testing.h"

namespace {

using ds::testing::CommandRun;

class ServeCli : public ::testing::Test {
 protected:
  CommandRun Serve(const std::string& config_text) {
    std::string config = (dir_.path() / "drehscheibe.toml").string();
    std::ofstream(config) << config_text;
    return ds::testing::RunShell(std::string(DS_BINARY) + " --data " +
                                 (dir_.path() / "data").string() +
                                 " serve --config " + config + " 2>&1");
  }
  ds::testing::TempDir dir_;
};

TEST_F(ServeCli, AMisspeltKeyIsNamedBesideTheOtherProblems) {
  CommandRun run = Serve(
      "[hub]\ntset_mode = true\nlisten = \":18475\"\n"
      "[intake]\npol_seconds = 5\n");

  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("hub.tset_mode"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("intake.pol_seconds"), std::string::npos) << run.out;
  // The problems that the misspelling causes are there as well.
  EXPECT_NE(run.out.find("hub.trust_anchors"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("destination"), std::string::npos) << run.out;
  // A listen address without a host would expose the hub on every interface.
  EXPECT_NE(run.out.find("hub.listen"), std::string::npos) << run.out;
}

TEST_F(ServeCli, ADirectoryIsNotAConfigurationFile) {
  CommandRun run =
      ds::testing::RunShell(std::string(DS_BINARY) + " serve --config " +
                            dir_.path().string() + " 2>&1");

  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("not a regular file"), std::string::npos) << run.out;
}

TEST(Cli, AnUnknownCommandIsNamed) {
  CommandRun run = ds::testing::RunShell(std::string(DS_BINARY) +
                                         " --data /tmp frobnicate 2>&1");

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("unknown command \"frobnicate\""), std::string::npos)
      << run.out;
  // A known command after a global option still runs.
  EXPECT_EQ(ds::testing::RunShell(std::string(DS_BINARY) +
                                  " --log-level error scan --help >/dev/null")
                .exit_code,
            0);
}

}  // namespace
