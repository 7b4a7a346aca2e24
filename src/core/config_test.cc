#include "core/config.h"

#include <map>

#include "core/testing/testing.h"

namespace ds {
namespace {

ConfigReader::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(Config, ReadsValuesAndDefaults) {
  auto r = ConfigReader::FromString("[hub]\nlisten = \"127.0.0.1:9\"\n",
                                    FakeEnv({}));
  ASSERT_OK(r);

  EXPECT_EQ(r->String("hub.listen", "x"), "127.0.0.1:9");
  EXPECT_EQ(r->Int("intake.poll_seconds", 10, 1, 60), 10);
  EXPECT_OK(r->Finish());
}

TEST(Config, UnknownKeysAreNamedAlsoInsideArraysOfTables) {
  auto r = ConfigReader::FromString(
      "[hub]\nlisten = \"a\"\nlisten_typo = 1\n"
      "[[rule]]\nname = \"r\"\nleikka = [\"1\"]\n"
      "[[rule]]\nname = \"s\"\n"
      "[unused]\nx = 1\n",
      FakeEnv({}));
  ASSERT_OK(r);
  r->String("hub.listen", "");
  for (ConfigReader& t : r->Tables("rule")) {
    t.String("name", "");
    t.Strings("leika");
  }
  EXPECT_OK(r->Finish());  // nothing wrong with what was read

  r->RejectUnknownKeys();
  Status s = r->Finish();
  EXPECT_THAT(
      s, testing::StatusIs(Code::kEnvironment, "hub.listen_typo: unknown key"));
  EXPECT_THAT(
      s, testing::StatusIs(Code::kEnvironment, "rule[0].leikka: unknown key"));
  EXPECT_THAT(s,
              testing::StatusIs(Code::kEnvironment, "unused.x: unknown key"));
  EXPECT_EQ(s.message().find("rule[1]"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("hub.listen:"), std::string::npos) << s.message();
}

TEST(Config, EnvironmentOverridesFile) {
  auto r = ConfigReader::FromString("[hub]\nlisten = \"a\"\n",
                                    FakeEnv({{"DREHSCHEIBE_HUB_LISTEN", "b"}}));
  ASSERT_OK(r);
  EXPECT_EQ(r->String("hub.listen", "x"), "b");
}

TEST(Config, ErrorsNameKeyAndProblem) {
  auto r = ConfigReader::FromString(
      "[hub]\nlisten = 5\n[intake]\npoll_seconds = 0\n", FakeEnv({}));
  ASSERT_OK(r);

  r->String("hub.listen", "x");
  r->Int("intake.poll_seconds", 10, 1, 60);

  Status s = r->Finish();
  EXPECT_THAT(s, testing::StatusIs(Code::kEnvironment,
                                   "hub.listen: expected a string"));
  EXPECT_THAT(s, testing::StatusIs(
                     Code::kEnvironment,
                     "intake.poll_seconds: must be between 1 and 60, is 0"));
}

TEST(Config, SyntaxErrorNamesLine) {
  auto r = ConfigReader::FromString("[hub\n", FakeEnv({}));
  EXPECT_THAT(r, testing::StatusIs(Code::kEnvironment, "line 1"));
}

TEST(Config, ArrayOfTablesPrefixesErrors) {
  auto r = ConfigReader::FromString("[[destination]]\nid = 1\n", FakeEnv({}));
  ASSERT_OK(r);
  auto tables = r->Tables("destination");
  ASSERT_EQ(tables.size(), 1u);
  tables[0].String("id", "");
  EXPECT_THAT(r->Finish(),
              testing::StatusIs(Code::kEnvironment,
                                "destination[0].id: expected a string"));
}

}  // namespace
}  // namespace ds
