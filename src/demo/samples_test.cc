#include "demo/samples.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/testing/command.h"
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

  testing::CommandRun run =
      testing::RunShell("pdftotext -q '" + path + "' - 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("Hallo (Welt)"), std::string::npos) << run.out;
}

TEST(Samples, SchemaIsJson) {
  auto schema = nlohmann::json::parse(DataSchema());
  EXPECT_EQ(schema["$id"], kDataSchemaUri);
}

}  // namespace
}  // namespace ds::demo
