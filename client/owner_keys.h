// The model owner's keys (docs/protocol.md, "Keys the owner holds"), kept in one directory:
//
//   owner.key.pem      owner signing key, EC P-384, PKCS#8 PEM, 0600
//   owner.cert.pem     self-signed certificate for it (CN "s3ml owner"): the owner's TLS client
//                      certificate for owner-authenticated ECS calls
//   recovery.key.pem   recovery key, EC P-384, PKCS#8 PEM, 0600 (to be moved offline)
//   recovery.pub.pem   its SubjectPublicKeyInfo PEM, which goes into the manifest
//
// CreateOwnerKeys never overwrites: if any of the four files exists it fails with kAlreadyExists
// and writes nothing. LoadOwnerKeys reads the owner key, certificate and recovery public key (the
// recovery private key may be offline and is not read) and checks that they fit together: P-384
// keys, the certificate holds the owner key and is self-signed by it, a private key file readable
// by group or others is refused (kPermissionDenied). Malformed files are kInvalidArgument naming
// the file; missing ones kNotFound.
#ifndef S3ML_CLIENT_OWNER_KEYS_H_
#define S3ML_CLIENT_OWNER_KEYS_H_

#include <cstdint>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"

namespace s3ml::client {

inline constexpr char kOwnerKeyFile[] = "owner.key.pem";
inline constexpr char kOwnerCertificateFile[] = "owner.cert.pem";
inline constexpr char kRecoveryKeyFile[] = "recovery.key.pem";
inline constexpr char kRecoveryPublicKeyFile[] = "recovery.pub.pem";
inline constexpr char kOwnerSignatureHeader[] = "X-S3ML-Owner-Signature";

struct OwnerKeyPaths {
  std::string owner_key;
  std::string owner_certificate;
  std::string recovery_key;
  std::string recovery_public_key;
};
OwnerKeyPaths OwnerKeyPathsIn(const std::string& directory);

struct OwnerKeys {
  crypto::EcKey owner_key;              // with its private key
  crypto::SecretBytes owner_key_pem;    // PKCS#8, for net::TlsClientOptions::private_key_pem
  std::string owner_certificate_pem;    // the TLS client certificate
  std::string owner_public_key_pem;     // SPKI PEM: the manifest's owner_public_key
  std::string recovery_public_key_pem;  // SPKI PEM: the manifest's recovery_public_key
};

struct OwnerKeyOptions {
  // Validity of the self-signed owner certificate, from now - 300 s.
  int64_t certificate_lifetime_seconds = 10LL * 365 * 24 * 3600;
};

// Creates `directory` (0700) if needed and the four files. REQUIRES: none of them exists.
Result<OwnerKeys> CreateOwnerKeys(const std::string& directory, const Clock& clock,
                                  const OwnerKeyOptions& options = {});

Result<OwnerKeys> LoadOwnerKeys(const std::string& directory);

// The X-S3ML-Owner-Signature header value for a manifest update: base64 of the DER
// ECDSA-SHA384 signature over the exact body bytes.
Result<std::string> SignManifest(const crypto::EcKey& owner_key, std::span<const uint8_t> manifest_bytes);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_OWNER_KEYS_H_
