#include "client/owner_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/base64.h"
#include "core/file.h"
#include "crypto/x509_certificate.h"
#include "tests/client/temp_dir.h"

namespace s3ml::client {
namespace {

using testing::ScratchDir;

constexpr int64_t kNow = 1767225600;

unsigned ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::string Read(const std::string& path) { return ReadFileText(path).value(); }

void Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

TEST(OwnerKeysTest, CreatesFourFilesWithTheProtocolsKeysAndModes) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("owner");
  auto keys = CreateOwnerKeys(dir, FixedClock(kNow));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  OwnerKeyPaths paths = OwnerKeyPathsIn(dir);
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(paths.owner_key), 0600u);
  EXPECT_EQ(ModeOf(paths.recovery_key), 0600u);

  auto owner = crypto::EcKey::FromPrivateKeyPem(Read(paths.owner_key));
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->curve(), crypto::EcCurve::kP384);
  EXPECT_NE(Read(paths.owner_key).find("BEGIN PRIVATE KEY"), std::string::npos);  // PKCS#8
  auto recovery = crypto::EcKey::FromPrivateKeyPem(Read(paths.recovery_key));
  ASSERT_TRUE(recovery.ok());
  EXPECT_EQ(recovery->curve(), crypto::EcCurve::kP384);
  EXPECT_EQ(Read(paths.recovery_public_key), recovery->PublicKeyPem().value());
  EXPECT_NE(owner->PublicKeyDer().value(), recovery->PublicKeyDer().value());

  auto cert = crypto::X509Certificate::FromPem(Read(paths.owner_certificate));
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->SubjectCommonName(), "s3ml owner");
  EXPECT_EQ(cert->SubjectPublicKeyInfoDer().value(), owner->PublicKeyDer().value());
  EXPECT_TRUE(cert->VerifySignedBy(*owner).ok());
  EXPECT_TRUE(cert->CheckValidAt(kNow).ok());
  EXPECT_EQ(keys->owner_public_key_pem, owner->PublicKeyPem().value());
}

TEST(OwnerKeysTest, LoadsWhatCreateWrote) {
  ScratchDir tmp;
  auto created = CreateOwnerKeys(tmp.path(), FixedClock(kNow));
  ASSERT_TRUE(created.ok());
  auto loaded = LoadOwnerKeys(tmp.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->owner_public_key_pem, created->owner_public_key_pem);
  EXPECT_EQ(loaded->recovery_public_key_pem, created->recovery_public_key_pem);
  EXPECT_EQ(loaded->owner_certificate_pem, created->owner_certificate_pem);
  EXPECT_TRUE(loaded->owner_key.has_private_key());
  EXPECT_TRUE(loaded->owner_key_pem.Equals(created->owner_key_pem.span()));
}

TEST(OwnerKeysTest, LoadsWithoutTheOfflineRecoveryPrivateKey) {
  ScratchDir tmp;
  ASSERT_TRUE(CreateOwnerKeys(tmp.path(), FixedClock(kNow)).ok());
  ASSERT_EQ(::unlink(OwnerKeyPathsIn(tmp.path()).recovery_key.c_str()), 0);
  EXPECT_TRUE(LoadOwnerKeys(tmp.path()).ok());
}

TEST(OwnerKeysTest, RefusesToOverwriteAndWritesNothing) {
  ScratchDir tmp;
  ASSERT_TRUE(CreateOwnerKeys(tmp.path(), FixedClock(kNow)).ok());
  OwnerKeyPaths paths = OwnerKeyPathsIn(tmp.path());
  const std::string before = Read(paths.owner_key);
  auto again = CreateOwnerKeys(tmp.path(), FixedClock(kNow));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Read(paths.owner_key), before);

  // One stray file is enough to refuse, and the other three are not created.
  ScratchDir other;
  OwnerKeyPaths other_paths = OwnerKeyPathsIn(other.path());
  Write(other_paths.recovery_public_key, "keep me");
  EXPECT_EQ(CreateOwnerKeys(other.path(), FixedClock(kNow)).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Read(other_paths.recovery_public_key), "keep me");
  struct stat st;
  EXPECT_NE(::stat(other_paths.owner_key.c_str(), &st), 0);
}

TEST(OwnerKeysTest, MissingDirectoryOrFilesAreNotFound) {
  ScratchDir tmp;
  EXPECT_EQ(LoadOwnerKeys(tmp.Sub("nothing")).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(CreateOwnerKeys(tmp.path(), FixedClock(kNow)).ok());
  ASSERT_EQ(::unlink(OwnerKeyPathsIn(tmp.path()).owner_certificate.c_str()), 0);
  EXPECT_EQ(LoadOwnerKeys(tmp.path()).status().code(), StatusCode::kNotFound);
}

TEST(OwnerKeysTest, PrivateKeyReadableByOthersIsRefused) {
  ScratchDir tmp;
  ASSERT_TRUE(CreateOwnerKeys(tmp.path(), FixedClock(kNow)).ok());
  ::chmod(OwnerKeyPathsIn(tmp.path()).owner_key.c_str(), 0644);
  auto loaded = LoadOwnerKeys(tmp.path());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied) << loaded.status().ToString();
}

TEST(OwnerKeysTest, BadFilesAreInvalidArgumentNamingTheFile) {
  ScratchDir a, b, c, d, e;
  for (auto* t : {&a, &b, &c, &d, &e}) ASSERT_TRUE(CreateOwnerKeys(t->path(), FixedClock(kNow)).ok());
  Write(OwnerKeyPathsIn(a.path()).owner_key, "not a key");
  Write(OwnerKeyPathsIn(b.path()).owner_certificate, "not a certificate", 0644);
  // A certificate of another owner.
  Write(OwnerKeyPathsIn(c.path()).owner_certificate, Read(OwnerKeyPathsIn(d.path()).owner_certificate), 0644);
  // A P-256 owner key.
  auto p256 = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto pem = p256.PrivateKeyPem().value();
  Write(OwnerKeyPathsIn(d.path()).owner_key, std::string(pem.data(), pem.data() + pem.size()));
  Write(OwnerKeyPathsIn(e.path()).recovery_public_key, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 0644);
  const std::pair<ScratchDir*, std::string> cases[] = {{&a, kOwnerKeyFile},
                                                       {&b, kOwnerCertificateFile},
                                                       {&c, kOwnerCertificateFile},
                                                       {&d, kOwnerKeyFile},
                                                       {&e, kRecoveryPublicKeyFile}};
  for (const auto& [dir, file] : cases) {
    auto loaded = LoadOwnerKeys(dir->path());
    ASSERT_FALSE(loaded.ok()) << file;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << loaded.status().ToString();
    EXPECT_NE(loaded.status().message().find(file), std::string::npos) << loaded.status().ToString();
  }
}

TEST(OwnerKeysTest, ManifestSignatureIsBase64DerEcdsaOverTheExactBytes) {
  ScratchDir tmp;
  auto keys = CreateOwnerKeys(tmp.path(), FixedClock(kNow));
  ASSERT_TRUE(keys.ok());
  const std::string body = R"({"version": 2})";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  auto signature = SignManifest(keys->owner_key, bytes);
  ASSERT_TRUE(signature.ok());
  auto der = Base64Decode(*signature);
  ASSERT_TRUE(der.ok());
  auto pub = crypto::EcKey::FromPublicKeyPem(keys->owner_public_key_pem).value();
  EXPECT_TRUE(pub.VerifyDer(bytes, *der).ok());
  const std::string other = R"({"version": 3})";
  EXPECT_FALSE(pub.VerifyDer({reinterpret_cast<const uint8_t*>(other.data()), other.size()}, *der).ok());
}

}  // namespace
}  // namespace s3ml::client
