// `drehscheibe audit verify` as operators run it: the real binary on a data
// directory filed by the store.
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "core/encoding.h"
#include "core/testing/command.h"
#include "core/testing/testing.h"
#include "records/store.h"

namespace ds::records {
namespace {
namespace fs = std::filesystem;

using CliRun = ds::testing::CommandRun;

CliRun Drehscheibe(const std::string& args) {
  return ds::testing::RunShell(std::string(DS_DREHSCHEIBE_BIN) + " " + args +
                               " 2>/dev/null");
}

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::OpenSqlite(tmp_.path());
    ASSERT_OK(store);
    auto blob = (*store)->files().PutBytes(R"({"a":"b"})");
    ASSERT_OK(blob);
    address_ = blob->address;
    IncomingSubmission in;
    in.tenant = "kreis-a";
    in.submission_id = NewUuid();
    in.form_data.content_address = blob->address;
    in.form_data.size = blob->size;
    ASSERT_OK((*store)->FileSubmission(in));
  }

  std::string Args(const std::string& rest) {
    return "--data " + tmp_.path().string() + " audit verify " + rest;
  }

  ds::testing::TempDir tmp_;
  std::string address_;
};

TEST_F(AuditCliTest, IntactStoreExitsZeroWithJsonReport) {
  CliRun run = Drehscheibe(Args("--json"));

  EXPECT_EQ(run.exit_code, 0) << run.out;
  auto report = nlohmann::json::parse(run.out);
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_EQ(report["entries"], 1);
  EXPECT_EQ(report["blobs_checked"], 1);
}

TEST_F(AuditCliTest, AlteredEntryExitsOne) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((tmp_.path() / "records.sqlite").c_str(), &db),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER audit_no_update;"
                         "UPDATE audit SET action = 'read-content'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  CliRun run = Drehscheibe(Args("--json"));

  EXPECT_EQ(run.exit_code, 1);
  auto report = nlohmann::json::parse(run.out);
  EXPECT_FALSE(report["ok"].get<bool>());
  EXPECT_EQ(report["problems"][0]["kind"], "chain");
}

TEST_F(AuditCliTest, CorruptedBlobExitsOne) {
  fs::path blob = tmp_.path() / "files" / address_.substr(0, 2) / address_;
  fs::permissions(blob, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(blob, std::ios::binary) << "{}";

  CliRun run = Drehscheibe(Args(""));

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("blob-corrupted"), std::string::npos) << run.out;
}

TEST_F(AuditCliTest, MissingStoreIsAnEnvironmentError) {
  CliRun run = Drehscheibe("--data " + (tmp_.path() / "nothing").string() +
                        " audit verify");

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(tmp_.path() / "nothing" / "records.sqlite"));
}

}  // namespace
}  // namespace ds::records
