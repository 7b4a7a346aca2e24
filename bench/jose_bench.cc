// jose_bench: prints our JOSE costs next to reference implementations.
//
//   jose_bench [--quick] [--node-script bench/jose_node_bench.mjs]
//
// 1. JWE decrypt throughput (1 MB, 100 MB) against npm jose (node) and
//    against `openssl speed -evp aes-256-gcm`.
// 2. RSA-4096 OAEP unwrap against `openssl speed rsa4096` (private ops).
// 3. Peak RSS while a 500 MB attachment decrypts via DecryptStream, in a
//    fresh child process (getrusage ru_maxrss).
// --quick uses 20 MB and 100 MB instead of 100 MB and 500 MB.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "jose/jwe.h"
#include "jose/jwe_internal.h"
#include "jose/jwk.h"

namespace {

namespace fs = std::filesystem;
using ds::jose::Jwk;

// CPU seconds of this process. The machine is shared, and `openssl speed`
// reports per CPU second too, so all rates here are per CPU second.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string Run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// The value of field `index` (':'-separated) of the first line starting
// with `prefix` in `openssl speed -mr` output.
double SpeedField(const std::string& text, const std::string& prefix,
                  int index) {
  std::string out = "\n" + text;
  size_t pos = out.find("\n" + prefix);
  if (pos == std::string::npos) return 0;
  std::string line = out.substr(pos + 1, out.find('\n', pos + 1) - pos - 1);
  for (int i = 0; i < index; ++i) line = line.substr(line.find(':') + 1);
  return std::atof(line.c_str());
}

std::string Payload(size_t size) {
  std::string s(size, '\0');
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < size; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(&s[i], &x, std::min<size_t>(8, size - i));
  }
  return s;
}

void WriteFile(const fs::path& path, const std::string& data) {
  std::ofstream(path, std::ios::binary).write(data.data(), data.size());
}

// Our in-memory Decrypt throughput in MB/s of plaintext.
double OurDecrypt(const Jwk& key, const std::string& jwe, size_t size,
                  int reps) {
  double start = CpuSeconds();
  for (int i = 0; i < reps; ++i) {
    auto out = ds::jose::Decrypt(key, jwe, {.max_plaintext = size + 1});
    if (!out.ok() || out->plaintext.size() != size) {
      std::cerr << "decrypt failed: " << out.status().ToString() << "\n";
      std::exit(2);
    }
  }
  return size * double(reps) / 1e6 / (CpuSeconds() - start);
}

double NodeDecrypt(const std::string& script, const fs::path& jwe_file,
                   const fs::path& key_file, int reps) {
  std::string out = Run("node " + script + " " + jwe_file.string() + " " +
                        key_file.string() + " " + std::to_string(reps));
  auto json = nlohmann::json::parse(out, nullptr, false);
  if (json.is_discarded()) return 0;
  return json.value("mb_per_s", 0.0);
}

void ThroughputRow(const Jwk& key, const std::string& node_script,
                   const fs::path& dir, size_t size, int reps,
                   double openssl_mbs) {
  std::string plain = Payload(size);
  std::string jwe = *ds::jose::Encrypt(key, plain, {});
  plain.clear();
  plain.shrink_to_fit();
  WriteFile(dir / "bench.jwe", jwe);
  double ours = OurDecrypt(key, jwe, size, reps);
  double node =
      NodeDecrypt(node_script, dir / "bench.jwe", dir / "key.jwk", reps);
  std::printf(
      "jwe_decrypt_%zuMB  ours %8.1f MB/s  node-jose %8.1f MB/s  ratio %6.1fx"
      "  openssl-aes-gcm %8.1f MB/s  share %5.1f%%\n",
      size >> 20, ours, node, node > 0 ? ours / node : 0, openssl_mbs,
      100 * ours / openssl_mbs);
}

void UnwrapRow(const Jwk& key) {
  std::string cek(32, 'k');
  std::string wrapped = *ds::jose::internal::WrapKey(key, cek);
  constexpr int kReps = 200;
  double start = CpuSeconds();
  for (int i = 0; i < kReps; ++i) {
    if (!ds::jose::internal::UnwrapKey(key, wrapped, 4096).ok()) std::exit(2);
  }
  double ours_ms = (CpuSeconds() - start) * 1000 / kReps;
  std::string out = Run("openssl speed -mr -seconds 3 rsa4096 2>/dev/null");
  double sign_per_s = SpeedField(out, "+F2:", 3);
  double openssl_ms = sign_per_s > 0 ? 1000 / sign_per_s : 0;
  std::printf(
      "rsa4096_unwrap  ours %.2f ms  openssl-rsa4096-private %.2f ms  ratio "
      "%.2fx\n",
      ours_ms, openssl_ms, openssl_ms > 0 ? ours_ms / openssl_ms : 0);
}

// Child mode: DecryptStream from `jwe_file` into /dev/null; prints maxrss.
int StreamChild(const char* jwe_file, const char* key_file) {
  std::ifstream in(key_file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  ds::jose::KeyRing ring;
  ring.Add(*Jwk::Parse(text));
  int fd = open(jwe_file, O_RDONLY);
  int out = open("/dev/null", O_WRONLY);
  double start = CpuSeconds();
  auto result = ds::jose::DecryptStream(ring, fd, out, {});
  double secs = CpuSeconds() - start;
  if (!result.ok()) {
    std::cerr << result.status().ToString() << "\n";
    return 2;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("%.1f %ld %.2f\n", result->plaintext_bytes / 1e6, usage.ru_maxrss,
              secs);
  return 0;
}

void StreamRow(const Jwk& key, const fs::path& dir, size_t size) {
  // Write the JWE with EncryptStream from a pipe fed by a thread.
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) std::exit(2);
  std::thread feeder([&] {
    std::string chunk = Payload(1u << 20);
    for (size_t done = 0; done < size; done += chunk.size()) {
      if (write(pipe_fds[1], chunk.data(), chunk.size()) < 0) break;
    }
    close(pipe_fds[1]);
  });
  fs::path jwe_file = dir / "stream.jwe";
  int out = open(jwe_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  auto status = ds::jose::EncryptStream(key, pipe_fds[0], out, {});
  feeder.join();
  close(pipe_fds[0]);
  close(out);
  if (!status.ok()) std::exit(2);

  std::string command = "/proc/" + std::to_string(getpid()) +
                        "/exe --stream-child " + jwe_file.string() + " " +
                        (dir / "key.jwk").string();
  std::string result = Run(command);
  double mb = 0, secs = 0;
  long maxrss_kb = 0;
  std::sscanf(result.c_str(), "%lf %ld %lf", &mb, &maxrss_kb, &secs);
  std::printf(
      "decrypt_stream_%zuMB  peak-rss %.1f MB  (%.0f MB/s, SHA-512 included)\n",
      size >> 20, maxrss_kb / 1024.0, secs > 0 ? mb / secs : 0);
  fs::remove(jwe_file);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--stream-child") {
    return StreamChild(argv[2], argv[3]);
  }
  bool quick = false;
  std::string node_script = "bench/jose_node_bench.mjs";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") quick = true;
    if (arg == "--node-script" && i + 1 < argc) node_script = argv[++i];
  }

  fs::path dir =
      fs::temp_directory_path() / ("jose_bench." + std::to_string(getpid()));
  fs::create_directories(dir);
  Jwk key = *Jwk::Generate(4096, "bench", "RSA-OAEP-256");
  WriteFile(dir / "key.jwk", key.PrivateJson().dump());

  std::string aes = Run(
      "openssl speed -mr -seconds 3 -bytes 16384 -evp aes-256-gcm 2>/dev/null");
  double openssl_mbs = SpeedField(aes, "+F:", 3) / 1e6;

  ThroughputRow(key, node_script, dir, 1u << 20, 20, openssl_mbs);
  ThroughputRow(key, node_script, dir, (quick ? 20u : 100u) << 20, 3,
                openssl_mbs);
  UnwrapRow(key);
  StreamRow(key, dir, (quick ? 100ull : 500ull) << 20);
  fs::remove_all(dir);
  return 0;
}
