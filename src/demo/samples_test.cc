#include "demo/samples.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "core/testing/testing.h"

namespace ds::demo {
namespace {

TEST(Samples, AreDeterministicAndDistinct) {
  auto a = BuildSamples(4);
  auto b = BuildSamples(4);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[2].form_json, b[2].form_json);
  EXPECT_NE(a[0].form_json, a[1].form_json);
  EXPECT_EQ(a[1].attachments.size(), 2u);
}

TEST(Samples, MinimalPdfIsReadableByPoppler) {
  testing::TempDir dir;
  std::string path = (dir.path() / "x.pdf").string();
  std::ofstream(path, std::ios::binary) << MinimalPdf("Hallo (Welt)");

  std::string cmd = "pdftotext -q '" + path + "' - 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = pclose(p);

  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("Hallo (Welt)"), std::string::npos) << out;
}

TEST(Samples, SchemaIsJson) {
  auto schema = nlohmann::json::parse(DataSchema());
  EXPECT_EQ(schema["$id"], kDataSchemaUri);
}

}  // namespace
}  // namespace ds::demo
