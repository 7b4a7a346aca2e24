#include "gate/policy.h"

#include <gtest/gtest.h>

#include "core/testing/testing.h"

namespace ds::gate {
namespace {

TEST(Policy, ReadsMimeTypesAndTypeIds) {
  auto r = ConfigReader::FromString(
      "[gate]\nclamd_socket = \"/run/clamav/clamd.ctl\"\n"
      "allow = [\"application/pdf\", \"image/jpeg\", \"PNG\", \"xml\"]\n"
      "max_file_bytes = 1000\n");
  ASSERT_OK(r);

  Policy p = ReadPolicy(*r);

  ASSERT_OK(r->Finish());
  EXPECT_EQ(p.allowed_types,
            (std::set<std::string>{"pdf", "jpeg", "png", "xml"}));
  EXPECT_EQ(p.clamd_socket, "/run/clamav/clamd.ctl");
  EXPECT_EQ(p.limits.max_file_bytes, 1000u);
  EXPECT_TRUE(p.require_virus_scan);
}

TEST(Policy, RejectsTypesTheGateNeverAllows) {
  auto r = ConfigReader::FromString(
      "[gate]\nallow = [\"image/svg+xml\", \"text/html\", \"pdf\"]\n");
  ASSERT_OK(r);

  ReadPolicy(*r);

  EXPECT_THAT(r->Finish(), testing::StatusIs(Code::kEnvironment, "svg"));
}

TEST(Policy, EmptyConfigKeepsTheDefaults) {
  ConfigReader r = ConfigReader::Empty([](const char*) -> const char* {
    return nullptr;
  });

  Policy p = ReadPolicy(r);

  ASSERT_OK(r.Finish());
  EXPECT_EQ(p.allowed_types, Policy{}.allowed_types);
  EXPECT_TRUE(p.clamd_socket.empty());
}

TEST(Policy, TypeIdForMapsVendorMimeTypes) {
  EXPECT_EQ(TypeIdFor("application/vnd.openxmlformats-officedocument."
                      "wordprocessingml.document"), "docx");
  EXPECT_EQ(TypeIdFor("application/xoev+xml"), "xml");
  EXPECT_EQ(TypeIdFor("application/x-msdownload"), "");
}

}  // namespace
}  // namespace ds::gate
