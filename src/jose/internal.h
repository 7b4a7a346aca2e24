// Private helpers of ds_jose: OpenSSL ownership wrappers and small JSON and
// error helpers. Not part of the public interface; include only from
// src/jose/*.cc and the part's tests.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ds::jose::internal {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using CipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

// The first queued OpenSSL error as text (and clears the queue), for
// messages; never contains key material.
std::string OpenSslError();

// A status `code` with "step: what (openssl reason)".
Status SslFailure(Code code, std::string_view step, std::string_view what);

// Parses `text` as a JSON object; kInvalidInput naming `what` otherwise.
// Duplicate member names are not detected by nlohmann; see the callers.
Result<nlohmann::json> ParseJsonObject(std::string_view text,
                                       std::string_view what);

// Random bytes from the OpenSSL DRBG.
Result<std::string> RandomBytes(size_t n);

// RSA modulus size in bytes.
size_t ModulusBytes(EVP_PKEY* pkey);

// Splits at '.'; returns the number of segments found (stops at `max`+1).
size_t SplitDots(std::string_view text, std::string_view* parts, size_t max);

}  // namespace ds::jose::internal

namespace ds::jose::internal {

// Fast base64url without padding, for bulk data (ciphertexts of hundreds of
// megabytes). DecodeBase64UrlInto decodes `in` into `out` (room for
// in.size() * 3 / 4 bytes) and returns the bytes written, or -1 if `in` is
// not canonical base64url. EncodeBase64UrlInto writes 4 characters per 3
// bytes (fewer for a final partial group) and returns the count.
long DecodeBase64UrlInto(std::string_view in, char* out);
size_t EncodeBase64UrlInto(std::string_view in, char* out);

// write(2) until all is written; EnvironmentError on failure.
Status WriteAll(int fd, const char* data, size_t size);

}  // namespace ds::jose::internal
