#include "core/config.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace ds {
namespace {

std::string EnvName(std::string_view key) {
  std::string name = "DREHSCHEIBE_";
  for (char c : key) {
    if (c == '.' || c == '-')
      name += '_';
    else
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

}  // namespace

ConfigReader::ConfigReader(std::shared_ptr<toml::table> root,
                           const toml::table* table, std::string prefix,
                           EnvLookup env,
                           std::shared_ptr<std::vector<std::string>> errors,
                           std::shared_ptr<std::set<std::string>> used)
    : root_(std::move(root)),
      table_(table),
      prefix_(std::move(prefix)),
      env_(std::move(env)),
      errors_(std::move(errors)),
      used_(std::move(used)) {
  if (!env_) env_ = [](const char* n) { return std::getenv(n); };
}

ConfigReader::ConfigReader(ConfigReader&&) noexcept = default;
ConfigReader& ConfigReader::operator=(ConfigReader&&) noexcept = default;
ConfigReader::~ConfigReader() = default;

Result<ConfigReader> ConfigReader::FromString(std::string_view text,
                                              EnvLookup env) {
  try {
    auto root = std::make_shared<toml::table>(toml::parse(text));
    const toml::table* t = root.get();
    return ConfigReader(std::move(root), t, "", std::move(env),
                        std::make_shared<std::vector<std::string>>(),
                        std::make_shared<std::set<std::string>>());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config line " << e.source().begin.line << ", column "
        << e.source().begin.column << ": " << e.description();
    return Status(Code::kEnvironment, msg.str());
  }
}

Result<ConfigReader> ConfigReader::FromFile(const std::filesystem::path& path,
                                            EnvLookup env) {
  // toml++ reads a directory as an empty document; say what it is instead.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status(Code::kEnvironment,
                  path.string() + ": " +
                      (std::filesystem::exists(path, ec) ? "not a regular file"
                                                         : "no such file"));
  }
  try {
    auto root = std::make_shared<toml::table>(toml::parse_file(path.string()));
    const toml::table* t = root.get();
    return ConfigReader(std::move(root), t, "", std::move(env),
                        std::make_shared<std::vector<std::string>>(),
                        std::make_shared<std::set<std::string>>());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path.string() << ":" << e.source().begin.line << ":"
        << e.source().begin.column << ": " << e.description();
    return Status(Code::kEnvironment, msg.str());
  }
}

ConfigReader ConfigReader::Empty(EnvLookup env) {
  auto root = std::make_shared<toml::table>();
  const toml::table* t = root.get();
  return ConfigReader(std::move(root), t, "", std::move(env),
                      std::make_shared<std::vector<std::string>>(),
                      std::make_shared<std::set<std::string>>());
}

const toml::node* ConfigReader::Find(std::string_view key) const {
  used_->insert(prefix_ + std::string(key));
  return table_->at_path(key).node();
}

namespace {

// Adds "unknown key" for each value under `table` whose path is not in
// `used`; arrays of tables that were read are checked element by element.
void FindUnknown(const toml::table& table, const std::string& base,
                 const std::set<std::string>& used,
                 std::vector<std::string>* errors) {
  for (const auto& [k, node] : table) {
    std::string path = base + std::string(k.str());
    if (const toml::table* t = node.as_table()) {
      FindUnknown(*t, path + ".", used, errors);
      continue;
    }
    const toml::array* arr = node.as_array();
    if (arr != nullptr && used.count(path) && !arr->empty() &&
        arr->is_array_of_tables()) {
      for (size_t i = 0; i < arr->size(); ++i) {
        FindUnknown(*(*arr)[i].as_table(),
                    path + "[" + std::to_string(i) + "].", used, errors);
      }
      continue;
    }
    if (!used.count(path)) {
      errors->push_back(path + ": unknown key (misspelt, or not used here)");
    }
  }
}

}  // namespace

void ConfigReader::RejectUnknownKeys() {
  FindUnknown(*table_, prefix_, *used_, errors_.get());
}

const char* ConfigReader::EnvFor(std::string_view key) const {
  if (!prefix_.empty()) return nullptr;
  return env_(EnvName(key).c_str());
}

bool ConfigReader::Has(std::string_view key) const {
  return Find(key) != nullptr || EnvFor(key) != nullptr;
}

void ConfigReader::AddError(std::string_view key, std::string_view problem) {
  errors_->push_back(prefix_ + std::string(key) + ": " + std::string(problem));
}

std::string ConfigReader::String(std::string_view key,
                                 std::string_view fallback) {
  if (const char* env = EnvFor(key)) return env;
  const toml::node* n = Find(key);
  if (!n) return std::string(fallback);
  if (auto v = n->value<std::string>()) return *v;
  AddError(key, "expected a string");
  return std::string(fallback);
}

int64_t ConfigReader::Int(std::string_view key, int64_t fallback, int64_t min,
                          int64_t max) {
  int64_t value = fallback;
  if (const char* env = EnvFor(key)) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(env, &end, 10);
    if (errno != 0 || end == env || *end != '\0') {
      AddError(key, "expected an integer in " + EnvName(key));
      return fallback;
    }
    value = v;
  } else if (const toml::node* n = Find(key)) {
    auto v = n->value_exact<int64_t>();
    if (!v) {
      AddError(key, "expected an integer");
      return fallback;
    }
    value = *v;
  } else {
    return fallback;
  }
  if (value < min || value > max) {
    AddError(key, "must be between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", is " + std::to_string(value));
    return fallback;
  }
  return value;
}

bool ConfigReader::Bool(std::string_view key, bool fallback) {
  if (const char* env = EnvFor(key)) {
    std::string_view v = env;
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    AddError(key, "expected true or false in " + EnvName(key));
    return fallback;
  }
  const toml::node* n = Find(key);
  if (!n) return fallback;
  if (auto v = n->value_exact<bool>()) return *v;
  AddError(key, "expected true or false");
  return fallback;
}

std::vector<std::string> ConfigReader::Strings(std::string_view key) {
  std::vector<std::string> out;
  const toml::node* n = Find(key);
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) {
    AddError(key, "expected an array of strings");
    return out;
  }
  for (const toml::node& e : *arr) {
    if (auto v = e.value<std::string>())
      out.push_back(*v);
    else
      AddError(key, "expected an array of strings");
  }
  return out;
}

std::vector<ConfigReader> ConfigReader::Tables(std::string_view key) {
  std::vector<ConfigReader> out;
  const toml::node* n = Find(key);
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) {
    AddError(key, "expected an array of tables ([[" + std::string(key) + "]])");
    return out;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = (*arr)[i].as_table();
    std::string prefix =
        prefix_ + std::string(key) + "[" + std::to_string(i) + "].";
    if (!t) {
      errors_->push_back(prefix + ": expected a table");
      continue;
    }
    out.push_back(ConfigReader(root_, t, prefix, env_, errors_, used_));
  }
  return out;
}

Status ConfigReader::Finish() const {
  if (errors_->empty()) return Status::Ok();
  std::string msg = "invalid configuration:";
  for (const auto& e : *errors_) msg += "\n  " + e;
  return Status(Code::kEnvironment, msg);
}

std::filesystem::path ResolveDataDir(std::string_view flag) {
  if (!flag.empty()) return std::filesystem::path(flag);
  if (const char* env = std::getenv("DREHSCHEIBE_DATA"); env && *env)
    return env;
  return std::filesystem::path("drehscheibe-data");
}

std::filesystem::path ResolveSpecsDir(std::string_view flag) {
  namespace fs = std::filesystem;
  if (!flag.empty()) return fs::path(flag);
  if (const char* env = std::getenv("DREHSCHEIBE_SPECS"); env && *env)
    return env;

  std::error_code ec;
  std::vector<fs::path> starts = {fs::current_path(ec)};
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) starts.push_back(fs::path(std::string(exe, n)).parent_path());
  for (fs::path dir : starts) {
    for (; !dir.empty(); dir = dir.parent_path()) {
      fs::path candidate = dir.parent_path() / "shared" / "specs";
      if (fs::is_directory(candidate / "fit-connect", ec)) return candidate;
      if (dir == dir.parent_path()) break;
    }
  }
  return fs::path("/usr/share/drehscheibe/specs");
}

}  // namespace ds
