// Fuzzes the compact JWE parser, header checks and both decryptors (in
// memory and streaming from a file descriptor).
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_keys.h"
#include "jose/jwe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ds::jose;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto split = SplitCompactJwe(input);
  if (split.ok()) (void)ParseJweHeader(split->header);
  (void)AuthenticationTag(input);

  KeyRing ring;
  ring.Add(ds::fuzz::FuzzKey());
  (void)Decrypt(ring, input, {.max_plaintext = 1u << 20, .min_rsa_bits = 2048});

  // The streaming reader over a memory file, output to /dev/null.
  static int null_fd = open("/dev/null", O_WRONLY);
  int in = memfd_create("jwe", 0);
  if (in < 0) abort();
  if (write(in, data, size) != static_cast<ssize_t>(size)) abort();
  lseek(in, 0, SEEK_SET);
  (void)DecryptStream(ring, in, null_fd,
                      {.max_plaintext = 1u << 20, .max_input = 1u << 20,
                       .min_rsa_bits = 2048});
  close(in);
  return 0;
}
