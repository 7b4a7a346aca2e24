// Configuration: a TOML file, overridden by environment variables, checked
// once at start with errors that name the key and the problem.
//
// A key "a.b" is overridden by DREHSCHEIBE_A_B (upper case, dots become
// underscores). Readers collect every problem before failing, so that an
// operator sees all mistakes of a file at once:
//
//   ds::ConfigReader r = *ds::ConfigReader::FromFile(path);
//   std::string listen = r.String("hub.listen", "127.0.0.1:8470");
//   int64_t every = r.Int("intake.poll_seconds", 10, 1, 3600);
//   DS_RETURN_IF_ERROR(r.Finish());  // "hub.listen: expected a string"
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace toml { inline namespace v3 { class table; class node; } }

namespace ds {

class ConfigReader {
 public:
  using EnvLookup = std::function<const char*(const char*)>;

  // Parses a TOML file; a syntax error names the file, line and column.
  static Result<ConfigReader> FromFile(const std::filesystem::path& path,
                                       EnvLookup env = nullptr);
  static Result<ConfigReader> FromString(std::string_view toml,
                                         EnvLookup env = nullptr);
  // No file: defaults and environment only.
  static ConfigReader Empty(EnvLookup env = nullptr);

  ConfigReader(ConfigReader&&) noexcept;
  ConfigReader& operator=(ConfigReader&&) noexcept;
  ~ConfigReader();

  std::string String(std::string_view key, std::string_view fallback);
  int64_t Int(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  bool Bool(std::string_view key, bool fallback);
  std::vector<std::string> Strings(std::string_view key);
  // Keys of an array of tables, e.g. [[destination]]: returns a reader per
  // element, whose keys are prefixed "destination[0]." in errors. Environment
  // overrides do not apply inside arrays.
  std::vector<ConfigReader> Tables(std::string_view key);
  bool Has(std::string_view key) const;

  // Records a problem found by the caller's own validation.
  void AddError(std::string_view key, std::string_view problem);

  // Records "unknown key" for every value in the file that no reader of it
  // has asked for (a misspelt key would otherwise be ignored without a
  // word, e.g. a rule condition, so that the rule matches everything). Call
  // once, after every part of the program has read its keys, then Finish.
  void RejectUnknownKeys();

  // OK, or kEnvironment listing every problem, one per line.
  Status Finish() const;
  const std::vector<std::string>& errors() const { return *errors_; }

 private:
  ConfigReader(std::shared_ptr<toml::table> root, const toml::table* table,
               std::string prefix, EnvLookup env,
               std::shared_ptr<std::vector<std::string>> errors,
               std::shared_ptr<std::set<std::string>> used);
  const toml::node* Find(std::string_view key) const;
  const char* EnvFor(std::string_view key) const;

  std::shared_ptr<toml::table> root_;
  const toml::table* table_;
  std::string prefix_;
  EnvLookup env_;
  std::shared_ptr<std::vector<std::string>> errors_;
  // Keys asked for by this reader and its table readers, with prefix.
  std::shared_ptr<std::set<std::string>> used_;
};

// The data directory: --data, else $DREHSCHEIBE_DATA, else ./drehscheibe-data.
std::filesystem::path ResolveDataDir(std::string_view flag);

// The specs directory (FIT-Connect schemas, xdomea XSDs): --specs, else
// $DREHSCHEIBE_SPECS, else the first of ../shared/specs beside the working
// directory or beside any parent of the executable, else
// /usr/share/drehscheibe/specs. Not checked for existence.
std::filesystem::path ResolveSpecsDir(std::string_view flag);

}  // namespace ds
