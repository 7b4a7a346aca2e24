// Differential test: JsonSchema (valijson draft-7 + keyword gate) against
// Ajv2020 on mutated FIT-Connect metadata. Needs node and web/node_modules
// (npm ci in web/); skipped otherwise. Each mutation deletes a member,
// replaces a value or adds one, at a pseudo-random place.
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "core/testing/testing.h"
#include "fitconnect/metadata.h"

namespace ds::fitconnect {
namespace {

using ::ds::testing::SourceDir;
using ::ds::testing::SpecsDir;
using ::ds::testing::TempDir;
using nlohmann::json;

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every location in `doc` (as JSON pointers), the root excluded.
void Locations(const json& doc, const json::json_pointer& at,
               std::vector<json::json_pointer>* out) {
  if (doc.is_object()) {
    for (const auto& [k, v] : doc.items()) {
      out->push_back(at / k);
      Locations(v, at / k, out);
    }
  } else if (doc.is_array()) {
    for (size_t i = 0; i < doc.size(); ++i) {
      out->push_back(at / i);
      Locations(doc[i], at / i, out);
    }
  }
}

json Mutate(json doc, std::mt19937& rng, int n) {
  static const json kValues = json::parse(R"(["", "x", 0, -1, 1.005, true,
      null, [], {}, "2026-13-45", "2026-12-03T10:00:00Z", "urn:x",
      "654bf3b3-787d-4606-8913-efd769f69db7", 12.5, 19.99, "application/xml",
      "form", "data", "sha256"])");
  std::vector<json::json_pointer> where;
  Locations(doc, json::json_pointer(), &where);
  json::json_pointer at = where[rng() % where.size()];
  json& parent = doc.at(at.parent_pointer());
  const json& value = kValues[rng() % kValues.size()];
  int action = static_cast<int>(rng() % 10);
  if (action < 3) {
    if (parent.is_object()) parent.erase(at.back());
    else parent.erase(static_cast<size_t>(std::stoul(at.back())));
  } else if (action < 9) {
    doc.at(at) = value;
  } else if (parent.is_object()) {
    parent["extra" + std::to_string(n)] = value;
  } else {
    parent.push_back(value);
  }
  return doc;
}

TEST(SchemaOracle, AgreesWithAjv2020OnMutatedMetadata) {
  std::filesystem::path modules = SourceDir() / "web" / "node_modules";
  if (const char* env = std::getenv("DS_WEB_NODE_MODULES")) modules = env;
  if (!std::filesystem::exists(modules / "ajv") ||
      std::system("node --version > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node or " << modules << "/ajv not available";
  }
  auto schemas = MetadataSchemas::Load(SpecsDir());
  ASSERT_OK(schemas);

  // Cases: the real GovOS document (1.0.0; also against 2.1.0), a sender
  // document with payment data per version, and mutations of each.
  json thavel = json::parse(Read(SpecsDir() / "fit-connect" / "test-vectors" /
                                 "derived" / "thavel-test-metadata.decrypted.json"));
  json payment = {{"transactionReference", "K"}, {"transactionId", "a-1"},
                  {"paymentMethod", "PAYPAL"}, {"status", "BOOKED"},
                  {"grossAmount", 12.5},
                  {"transactionTimestamp", "2026-12-03T10:00:00Z"}};
  json v1 = thavel;
  v1["paymentInformation"] = payment;
  v1["replyChannel"] = {{"elster", {{"accountId", "1234567890"}}}};
  MetadataDraft draft;
  draft.data = DataDescription{HashOf("{}"), {"urn:x:form", "application/json"}};
  draft.attachments.push_back({"3a6fb5c4-3d5b-4a2f-9a7e-2d4d2c9f0b11",
                               HashOf("pdf"), "attachment", "application/pdf",
                               "a.pdf", std::nullopt,
                               {"3a6fb5c4-3d5b-4a2f-9a7e-2d4d2c9f0b12"}});
  draft.reply_channel = {{"eMail", {{"address", "a@example.org"}}}};
  json v2 = *BuildMetadata(draft, nullptr);
  v2["paymentInformation"] = payment;

  std::mt19937 rng(7);
  std::vector<std::pair<std::string, json>> cases;
  for (const auto& [version, base] :
       std::vector<std::pair<std::string, json>>{
           {"1.0.0", v1}, {"2.1.0", v2}, {"1.0.0", thavel}, {"2.1.0", thavel}}) {
    cases.emplace_back(version, base);
    for (int i = 0; i < 100; ++i) cases.emplace_back(version, Mutate(base, rng, i));
  }
  TempDir dir;
  {
    std::ofstream out(dir.path() / "cases.jsonl");
    for (const auto& [v, doc] : cases) out << json{{"v", v}, {"doc", doc}}.dump() << "\n";
  }

  std::string command = "node '" +
                        (SourceDir() / "src/fitconnect/ajv_oracle.mjs").string() +
                        "' '" + modules.string() + "' '" +
                        (SpecsDir() / "fit-connect/schemas").string() + "' '" +
                        (dir.path() / "cases.jsonl").string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::vector<std::string> oracle;
  char line[64];
  while (std::fgets(line, sizeof line, pipe)) {
    oracle.emplace_back(line, std::strcspn(line, "\n"));
  }
  ASSERT_EQ(pclose(pipe), 0);
  ASSERT_EQ(oracle.size(), cases.size());

  int valid = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    bool ours = schemas->Find(cases[i].first)->Validate(cases[i].second).ok();
    valid += ours;
    EXPECT_EQ(ours ? "valid" : "invalid", oracle[i])
        << cases[i].first << ": " << cases[i].second.dump();
  }
  EXPECT_GT(valid, 20);  // the mutations are not all fatal
}

}  // namespace
}  // namespace ds::fitconnect
