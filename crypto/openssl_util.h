// RAII owners for the OpenSSL objects s3ml holds, and the conversion of OpenSSL's error queue into
// a Status. Every OpenSSL handle in s3ml lives in one of these unique_ptrs.
#ifndef S3ML_CRYPTO_OPENSSL_UTIL_H_
#define S3ML_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "core/status.h"

namespace s3ml::crypto {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

using BioPtr = OpenSslPtr<BIO, BIO_free_all>;
using BignumPtr = OpenSslPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using EvpPkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpCipherCtxPtr = OpenSslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpKdfPtr = OpenSslPtr<EVP_KDF, EVP_KDF_free>;
using EvpKdfCtxPtr = OpenSslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using X509CrlPtr = OpenSslPtr<X509_CRL, X509_CRL_free>;
using X509StorePtr = OpenSslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpenSslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using Asn1ObjectPtr = OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;

// Drains OpenSSL's thread-local error queue into "what: <first OpenSSL reason>". Use right after
// a failing OpenSSL call so that stale errors never leak into a later, unrelated message.
std::string DrainOpenSslErrors(std::string_view what);
Status OpenSslFailure(StatusCode code, std::string_view what);

// A read-only memory BIO over bytes (the bytes must outlive the BIO).
BioPtr MemoryBio(std::span<const uint8_t> bytes);
// Everything written into a memory BIO so far.
std::string BioContents(BIO* bio);

// ASN1_TIME (UTCTime or GeneralizedTime) as Unix seconds.
Result<int64_t> Asn1TimeToUnix(const ASN1_TIME* t);

// Refuses sizes that OpenSSL's int-typed length parameters cannot hold.
Status CheckIntSize(size_t n, std::string_view what);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_OPENSSL_UTIL_H_
