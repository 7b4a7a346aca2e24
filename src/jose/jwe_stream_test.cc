#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "core/encoding.h"
#include "jose/jwe.h"
#include "jose/test_keys.h"

namespace ds::jose {
namespace {

using ds::testing::IsOk;
using ds::testing::StatusIs;
using ds::testing::TempDir;
using testing::ReadFile;
using testing::VectorsDir;

// An open file descriptor, closed with the object.
class Fd {
 public:
  Fd(const std::filesystem::path& path, int flags)
      : fd_(::open(path.c_str(), flags | O_CLOEXEC, 0600)) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  int get() const { return fd_; }

 private:
  int fd_;
};

void WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::ofstream(path, std::ios::binary).write(data.data(), data.size());
}

KeyRing Ring(const Jwk& key) {
  KeyRing ring;
  ring.Add(key);
  return ring;
}

// Decrypts the file `in` into `out` with the ring.
Result<StreamResult> DecryptFile(const KeyRing& ring, const std::filesystem::path& in,
                                 const std::filesystem::path& out,
                                 const StreamOptions& options = {}) {
  Fd src(in, O_RDONLY);
  Fd dst(out, O_WRONLY | O_CREAT | O_TRUNC);
  return DecryptStream(ring, src.get(), dst.get(), options);
}

Status EncryptFile(const Jwk& key, const std::filesystem::path& in,
                   const std::filesystem::path& out, const EncryptOptions& options) {
  Fd src(in, O_RDONLY);
  Fd dst(out, O_WRONLY | O_CREAT | O_TRUNC);
  return EncryptStream(key, src.get(), dst.get(), options);
}

// About 20 MB of mildly compressible bytes.
const std::string& LargePayload() {
  static const std::string data = [] {
    std::string s;
    s.reserve(20u << 20);
    uint32_t x = 12345;
    while (s.size() < (20u << 20)) {
      x = x * 1103515245 + 12345;
      s += static_cast<char>((x >> 16) % 64 + 32);
    }
    return s;
  }();
  return data;
}

TEST(JweStream, DecryptsRealVectorWithHashAndTag) {
  TempDir dir;
  auto out = DecryptFile(Ring(testing::VectorEncryptionKey()),
                         VectorsDir() / "jose-utils" / "encodedString.txt",
                         dir.path() / "plain");
  ASSERT_OK(out);
  std::string expected =
      ReadFile(VectorsDir() / "derived" / "thavel-test-metadata.decrypted.json");
  EXPECT_EQ(ReadFile(dir.path() / "plain"), expected);
  EXPECT_EQ(out->plaintext_bytes, expected.size());
  EXPECT_EQ(out->sha512, Sha512(expected));
  EXPECT_EQ(out->authentication_tag, "gZGx1fiD_gmTXJ2f_Esh_A");
  EXPECT_EQ(out->header.zip, "DEF");
}

TEST(JweStream, RoundTrips20MegabytesBothWays) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  WriteFile(dir.path() / "plain", LargePayload());
  for (bool deflate : {false, true}) {
    ASSERT_OK(EncryptFile(key.PublicOnly(), dir.path() / "plain", dir.path() / "jwe",
                          {.cty = "application/pdf", .deflate = deflate}));
    // The in-memory decryptor agrees with the streaming encryptor ...
    auto whole = Decrypt(key, ReadFile(dir.path() / "jwe"), {});
    ASSERT_OK(whole);
    EXPECT_TRUE(whole->plaintext == LargePayload());
    // ... and the streaming decryptor with it.
    auto out = DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out");
    ASSERT_OK(out);
    EXPECT_EQ(out->plaintext_bytes, LargePayload().size());
    EXPECT_EQ(out->sha512, Sha512(LargePayload()));
    EXPECT_EQ(out->header.cty, "application/pdf");
    EXPECT_TRUE(ReadFile(dir.path() / "out") == LargePayload());
  }
}

TEST(JweStream, DecryptsInMemoryEncryptionOfOddSizes) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  for (size_t size : {0u, 1u, 2u, 3u, 4u, 1000u, (1u << 20) + 1}) {
    std::string text(size, 'q');
    WriteFile(dir.path() / "jwe", *Encrypt(key, text, {}));
    auto out = DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out");
    ASSERT_OK(out) << size;
    EXPECT_EQ(ReadFile(dir.path() / "out"), text);
  }
}

TEST(JweStream, RejectsTamperedTagOf20Megabytes) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  WriteFile(dir.path() / "plain", LargePayload());
  ASSERT_OK(EncryptFile(key, dir.path() / "plain", dir.path() / "jwe", {}));
  std::string jwe = ReadFile(dir.path() / "jwe");
  jwe[jwe.size() - 3] = jwe[jwe.size() - 3] == 'A' ? 'B' : 'A';
  WriteFile(dir.path() / "bad", jwe);
  EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "bad", dir.path() / "out"),
              StatusIs(Code::kCheckFailed, "tag"));
}

TEST(JweStream, RejectsTamperedCiphertextEvenWhenDeflated) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  WriteFile(dir.path() / "plain", LargePayload().substr(0, 3u << 20));
  for (bool deflate : {false, true}) {
    ASSERT_OK(EncryptFile(key, dir.path() / "plain", dir.path() / "jwe",
                          {.deflate = deflate}));
    std::string jwe = ReadFile(dir.path() / "jwe");
    size_t pos = jwe.size() / 2;
    jwe[pos] = jwe[pos] == 'A' ? 'B' : 'A';
    WriteFile(dir.path() / "bad", jwe);
    EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "bad", dir.path() / "out"),
                StatusIs(Code::kCheckFailed, "tag")) << deflate;
  }
}

TEST(JweStream, CapsInflatedPlaintext) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  WriteFile(dir.path() / "jwe", *Encrypt(key, std::string(8u << 20, 'a'), {.deflate = true}));
  EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out",
                          {.max_plaintext = 1u << 20}),
              StatusIs(Code::kInvalidInput, "cap"));
  EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out",
                          {.max_input = 1000}),
              StatusIs(Code::kInvalidInput, "input exceeds"));
}

TEST(JweStream, RejectsTruncatedAndMalformedInput) {
  TempDir dir;
  const Jwk& key = testing::VectorEncryptionKey();
  std::string jwe = *Encrypt(key, "some text", {});
  for (size_t cut : {size_t{0}, size_t{10}, jwe.find('.') + 1, jwe.rfind('.')}) {
    WriteFile(dir.path() / "jwe", jwe.substr(0, cut));
    EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out"),
                StatusIs(Code::kInvalidInput)) << cut;
  }
  WriteFile(dir.path() / "jwe", jwe + ".x");
  EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out"),
              ::testing::Not(IsOk()));
  WriteFile(dir.path() / "jwe", std::string(10000, 'e'));
  EXPECT_THAT(DecryptFile(Ring(key), dir.path() / "jwe", dir.path() / "out"),
              StatusIs(Code::kInvalidInput, "header too long"));
}

TEST(JweStream, ChecksHeaderAndKeyLikeDecrypt) {
  TempDir dir;
  const Jwk& short_key = testing::VectorSigningKey2048();
  WriteFile(dir.path() / "jwe", *Encrypt(short_key, "x", {}));
  EXPECT_THAT(DecryptFile(Ring(short_key), dir.path() / "jwe", dir.path() / "out"),
              StatusIs(Code::kCheckFailed, "bits"));
  std::string jwe = *Encrypt(testing::VectorEncryptionKey(), "x", {});
  std::string crit = Base64UrlEncode(
      R"({"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["b64"]})");
  WriteFile(dir.path() / "jwe", crit + jwe.substr(jwe.find('.')));
  EXPECT_THAT(DecryptFile(Ring(testing::VectorEncryptionKey()), dir.path() / "jwe",
                          dir.path() / "out"),
              StatusIs(Code::kCheckFailed, "crit"));
}

}  // namespace
}  // namespace ds::jose
