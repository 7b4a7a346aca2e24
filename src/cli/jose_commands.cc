// `keys generate`, `jwe encrypt|decrypt`, `set sign|verify`: the JOSE layer
// on the command line. Data flows stdin -> stdout; keys come from JWK files.
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/encoding.h"
#include "core/files.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "jose/jws.h"

namespace ds::cli {
namespace {

constexpr size_t kMaxStdin = 64u << 20;  // SETs and keys are small

Result<std::string> ReadStdin(size_t max) {
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return EnvironmentError("stdin: read failed");
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max) return TooLarge("stdin: input too large");
  }
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

Result<std::string> ReadKeyFile(const std::string& path) {
  auto text = ds::ReadFile(path, 1u << 20);
  if (!text.ok()) return EnvironmentError("key file " + path + ": " + text.status().message());
  return std::move(*text);
}

// What a command does with a key: its JWA algorithm, the JWK "use" and the
// key operations of that use (RFC 7517 §4.2, §4.3). Either operation of the
// pair is accepted, since a private key file also holds the public key.
struct KeyPurpose {
  std::string_view alg;
  std::string_view use;
  std::string_view ops[2];
};
constexpr KeyPurpose kEncryption{
    "RSA-OAEP-256", "enc", {"wrapKey", "unwrapKey"}};
constexpr KeyPurpose kSignature{"PS512", "sig", {"sign", "verify"}};

// Loads a JWK and refuses one made for another purpose: FIT-Connect keeps
// encryption and signing keys apart, and a signing key that decrypts (or
// an encryption key that signs) breaks that separation. A key that names no
// alg, use or key_ops is taken as it is.
Result<jose::Jwk> LoadJwk(const std::string& path, const KeyPurpose& purpose) {
  DS_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(path));
  auto key = jose::Jwk::Parse(text);
  if (!key.ok()) return std::move(key).TakeStatus().Prepend("key file " + path);
  auto refuse = [&](const std::string& what) {
    return InvalidInput("key file " + path + ": " + what +
                        "; this command needs a key with alg " +
                        std::string(purpose.alg) + " (use " +
                        std::string(purpose.use) + ")");
  };
  if (!key->alg().empty() && key->alg() != purpose.alg)
    return refuse("alg is " + key->alg());
  if (!key->use().empty() && key->use() != purpose.use)
    return refuse("use is " + key->use());
  const std::vector<std::string>& ops = key->key_ops();
  if (!ops.empty() &&
      std::find(ops.begin(), ops.end(), purpose.ops[0]) == ops.end() &&
      std::find(ops.begin(), ops.end(), purpose.ops[1]) == ops.end()) {
    return refuse("its key_ops are for another use");
  }
  return key;
}

// keys generate: an encryption and a signing key pair, each with a
// self-signed test certificate in x5c.
// Existing key files are kept unless `force`: overwriting a destination's
// private key makes every submission encrypted to it unreadable.
Status GenerateKeys(const std::string& out_dir, int bits, bool json, bool force) {
  DS_RETURN_IF_ERROR(EnsureDir(out_dir));
  for (const char* name : {"encryption.private.jwk", "encryption.public.jwk",
                           "signing.private.jwk", "signing.public.jwk"}) {
    std::filesystem::path p = std::filesystem::path(out_dir) / name;
    if (!force && std::filesystem::exists(p)) {
      return Status(Code::kConflict, "keys generate: " + p.string() +
                                         " exists; keep it, or pass --force to replace it");
    }
  }
  nlohmann::json report;
  for (const char* purpose : {"encryption", "signing"}) {
    std::string alg = purpose == std::string("encryption") ? "RSA-OAEP-256" : "PS512";
    std::string kid = NewUuid();
    DS_ASSIGN_OR_RETURN(jose::Jwk key, jose::Jwk::Generate(bits, kid, alg));
    DS_ASSIGN_OR_RETURN(std::string cert, jose::SelfSignedCertificate(
                                              key, std::string("drehscheibe test ") + purpose, 365));
    key = key.WithX5c({cert});
    std::filesystem::path dir(out_dir);
    DS_RETURN_IF_ERROR(WriteFileAtomic(dir / (std::string(purpose) + ".private.jwk"),
                                       key.PrivateJson().dump(2) + "\n", 0600));
    DS_RETURN_IF_ERROR(WriteFileAtomic(dir / (std::string(purpose) + ".public.jwk"),
                                       key.PublicJson().dump(2) + "\n", 0644));
    report[purpose] = {{"kid", kid}, {"alg", alg}, {"bits", bits}};
  }
  if (json) {
    std::cout << report.dump() << "\n";
  } else {
    std::cout << "encryption kid " << report["encryption"]["kid"].get<std::string>()
              << "\nsigning kid " << report["signing"]["kid"].get<std::string>() << "\n";
  }
  return Status::Ok();
}

Status JweEncrypt(const std::string& key_path, const std::string& cty, bool deflate) {
  DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadJwk(key_path, kEncryption));
  DS_RETURN_IF_ERROR(jose::EncryptStream(key, 0, 1, {.cty = cty, .deflate = deflate}));
  std::cout.flush();
  return Status::Ok();
}

// Decrypts into an unlinked temporary file first: plaintext reaches stdout
// only after the tag has been verified.
Status JweDecrypt(const std::string& key_path, int min_bits) {
  DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadJwk(key_path, kEncryption));
  jose::KeyRing ring;
  ring.Add(key);
  FILE* tmp = tmpfile();
  if (tmp == nullptr) return EnvironmentError("jwe decrypt: no temporary file");
  std::unique_ptr<FILE, int (*)(FILE*)> owned(tmp, fclose);

  auto result = jose::DecryptStream(ring, 0, fileno(tmp), {.min_rsa_bits = min_bits});
  if (!result.ok()) return result.status();
  if (lseek(fileno(tmp), 0, SEEK_SET) != 0) return EnvironmentError("jwe decrypt: seek");
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fileno(tmp), buf, sizeof buf)) > 0) {
    if (::write(1, buf, static_cast<size_t>(n)) != n) {
      return EnvironmentError("jwe decrypt: write to stdout failed");
    }
  }
  return Status::Ok();
}

// Signs a Security Event Token. The payload must be one: a JSON object with
// "iss" (string), "iat" (integer), "jti" (string) and an "events" object
// holding exactly one event, as FIT-Connect's SETs do (RFC 8417 §2.2), so
// that the command cannot be used to sign arbitrary data with a key that
// others trust for events. A trailing line break from the shell is not
// signed.
Status SetSign(const std::string& key_path) {
  DS_ASSIGN_OR_RETURN(jose::Jwk key, LoadJwk(key_path, kSignature));
  DS_ASSIGN_OR_RETURN(std::string input, ReadStdin(kMaxStdin));
  std::string payload(TrimRight(input));
  nlohmann::json claims =
      nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  const bool is_set =
      claims.is_object() && claims.contains("iss") &&
      claims["iss"].is_string() && claims.contains("iat") &&
      claims["iat"].is_number_integer() && claims.contains("jti") &&
      claims["jti"].is_string() && claims.contains("events") &&
      claims["events"].is_object() && claims["events"].size() == 1;
  if (!is_set) {
    return InvalidInput(
        "set sign: the payload is not a SET (a JSON object with iss, iat, "
        "jti and an events object with exactly one event)");
  }
  DS_ASSIGN_OR_RETURN(std::string jws,
                      jose::SignPs512(key, {{"typ", "secevent+jwt"}}, payload));
  std::cout << jws << "\n";
  return Status::Ok();
}

Status SetVerify(const std::string& key_path, const std::string& jwks_path,
                 int min_bits) {
  DS_ASSIGN_OR_RETURN(std::string input, ReadStdin(kMaxStdin));
  std::string_view compact = TrimRight(input);
  DS_ASSIGN_OR_RETURN(jose::ParsedJws parsed, jose::ParseJws(compact));

  // Key: the given one, or the set's key for the header's kid.
  std::optional<jose::Jwk> key;
  if (!key_path.empty()) {
    DS_ASSIGN_OR_RETURN(key, LoadJwk(key_path, kSignature));
  } else {
    DS_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(jwks_path));
    DS_ASSIGN_OR_RETURN(jose::Jwks jwks, jose::Jwks::Parse(text));
    std::string kid = parsed.header.value("kid", "");
    const jose::Jwk* found = jwks.FindByKid(kid);
    if (found == nullptr) return CheckFailed("set verify: no key for kid " + kid);
    key = *found;
  }

  DS_ASSIGN_OR_RETURN(jose::ParsedJws verified,
                      jose::VerifyPs512(compact, *key, min_bits));
  if (verified.header.value("typ", "") != "secevent+jwt") {
    return CheckFailed("set verify: typ must be secevent+jwt");
  }
  std::cout << verified.payload;
  if (verified.payload.empty() || verified.payload.back() != '\n') std::cout << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterJoseCommands(CLI::App& app, Context& ctx) {
  // keys generate
  auto* keys = app.add_subcommand("keys", "JWK key pairs");
  keys->require_subcommand(1);
  auto* gen = keys->add_subcommand(
      "generate", "write encryption and signing key pairs (RSA, self-signed test x5c)");
  static std::string out_dir;
  static int bits = 4096;
  static bool json = false;
  static bool force = false;
  gen->add_option("--out", out_dir, "output directory")->required();
  gen->add_flag("--force", force, "replace existing key files");
  gen->add_option("--bits", bits, "RSA modulus size")->check(CLI::Range(2048, 8192));
  gen->add_flag("--json", json, "print the kids as JSON");
  gen->callback([&ctx] { ctx.status = GenerateKeys(out_dir, bits, json, force); });

  // jwe encrypt | decrypt
  auto* jwe = app.add_subcommand("jwe", "JWE compact serialization (stdin to stdout)");
  jwe->require_subcommand(1);
  static std::string jwe_key, cty;
  static bool deflate = false;
  static int min_bits = 4096;
  auto* enc = jwe->add_subcommand("encrypt", "encrypt stdin (RSA-OAEP-256, A256GCM)");
  enc->add_option("--key", jwe_key, "public JWK file")->required();
  enc->add_option("--cty", cty, "content type, e.g. application/json");
  enc->add_flag("--deflate", deflate, "compress with zip DEF");
  enc->callback([&ctx] { ctx.status = JweEncrypt(jwe_key, cty, deflate); });
  auto* dec = jwe->add_subcommand("decrypt", "decrypt a compact JWE from stdin");
  dec->add_option("--key", jwe_key, "private JWK file")->required();
  dec->add_option("--min-bits", min_bits, "minimum RSA key size");
  dec->callback([&ctx] { ctx.status = JweDecrypt(jwe_key, min_bits); });

  // set sign | verify
  auto* set = app.add_subcommand("set", "Security Event Tokens (PS512 JWS)");
  set->require_subcommand(1);
  static std::string set_key, jwks_file;
  auto* sign = set->add_subcommand("sign", "sign the stdin payload as a SET");
  sign->add_option("--key", set_key, "private JWK file")->required();
  sign->callback([&ctx] { ctx.status = SetSign(set_key); });
  auto* verify = set->add_subcommand("verify", "verify a SET from stdin, print its payload");
  auto* key_opt = verify->add_option("--key", set_key, "public JWK file");
  auto* jwks_opt = verify->add_option("--jwks", jwks_file, "JWK set file (key by kid)");
  key_opt->excludes(jwks_opt);
  verify->add_option("--min-bits", min_bits, "minimum RSA key size");
  verify->callback([&ctx] {
    if (set_key.empty() && jwks_file.empty()) {
      ctx.status = Status(Code::kUsage, "set verify: --key or --jwks required");
      return;
    }
    ctx.status = SetVerify(set_key, jwks_file, min_bits);
  });
}

}  // namespace ds::cli
