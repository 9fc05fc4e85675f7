#include "tee/sim/sim_authority.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/byte_reader.h"
#include "core/file.h"
#include "crypto/crl_builder.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "tee/sim/sgx_extension_builder.h"
#include "tee/sim/sim_tcb_documents.h"

namespace s3ml::tee::sim {
namespace {

using crypto::EcKey;
using crypto::X509Builder;
using crypto::X509Certificate;

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kYear = 365 * kDay;
// Certificates start a little in the past so that small clock differences between the host
// that ran `sim init` and a verifier do not make fresh certificates "not yet valid".
constexpr int64_t kBackdate = 3600;

const char* const kKeyNames[] = {"root_ca", "pck_platform_ca", "pck", "tcb_signing", "qe_attestation"};

crypto::DistinguishedName SimName(const std::string& cn) {
  return {{"CN", cn}, {"O", "s3ml Simulated SGX Platform"}, {"L", "Local"}, {"C", "US"}};
}

Status MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Internal("cannot create directory " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// mkdir -p for an absolute or relative path.
Status MakeDirectories(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos == path.size() || path[pos] == '/') S3ML_RETURN_IF_ERROR(MakeDirectory(path.substr(0, pos)));
  }
  return Status::Ok();
}

Status WriteText(const std::string& path, std::string_view text, unsigned mode) {
  return WriteFileAtomic(path, AsBytes(text), mode);
}

Result<EcKey> LoadKey(const SimPaths& p, const std::string& name) {
  auto pem = ReadFileText(p.key(name), 64 * 1024);
  if (!pem.ok()) return pem.status().WithContext("simulated platform key " + name);
  auto key = EcKey::FromPrivateKeyPem(pem.value());
  if (!key.ok()) return DataLoss("simulated platform key " + p.key(name) + " is not a valid EC private key");
  return key;
}

Result<X509Certificate> LoadCert(const SimPaths& p, const std::string& name) {
  auto pem = ReadFileText(p.cert(name), 64 * 1024);
  if (!pem.ok()) return pem.status().WithContext("simulated platform certificate " + name);
  auto cert = X509Certificate::FromPem(pem.value());
  if (!cert.ok()) return DataLoss("simulated platform certificate " + p.cert(name) + " is malformed");
  return cert;
}

Result<std::string> ChainPem(std::initializer_list<const X509Certificate*> certs) {
  std::string out;
  for (const X509Certificate* c : certs) {
    S3ML_ASSIGN_OR_RETURN(std::string pem, c->Pem());
    out += pem;
  }
  return out;
}

}  // namespace

SimAuthority::SimAuthority(SimPaths paths, SimState state, EcKey root_key, EcKey pck_ca_key, EcKey pck_key,
                           EcKey tcb_signing_key, EcKey attestation_key, X509Certificate root_cert,
                           X509Certificate pck_ca_cert, X509Certificate pck_cert, X509Certificate tcb_signing_cert,
                           crypto::SecretBytes platform_secret)
    : paths_(std::move(paths)),
      state_(std::move(state)),
      root_key_(std::move(root_key)),
      pck_ca_key_(std::move(pck_ca_key)),
      pck_key_(std::move(pck_key)),
      tcb_signing_key_(std::move(tcb_signing_key)),
      attestation_key_(std::move(attestation_key)),
      root_cert_(std::move(root_cert)),
      pck_ca_cert_(std::move(pck_ca_cert)),
      pck_cert_(std::move(pck_cert)),
      tcb_signing_cert_(std::move(tcb_signing_cert)),
      platform_secret_(std::move(platform_secret)) {}

Result<SimAuthority> SimAuthority::Create(const std::string& dir, const SimInitOptions& options, const Clock& clock) {
  if (dir.empty()) return InvalidArgument("simulated platform directory is empty");
  if (!IsKnownTcbStatus(options.tcb_status)) {
    return InvalidArgument("--tcb-status '" + options.tcb_status + "' is not a TCB status Intel defines");
  }
  if (options.validity_days < 1 || options.validity_days > 3650) {
    return InvalidArgument("collateral validity must be 1..3650 days, got " + std::to_string(options.validity_days));
  }
  SimPaths paths(dir);
  struct stat st;
  if (::stat(paths.state().c_str(), &st) == 0) {
    return AlreadyExists("a simulated platform already exists in " + dir + " (use `s3ml sim refresh`)");
  }
  const int64_t now = clock.NowUnixSeconds();

  SimState state;
  state.tcb_status = options.tcb_status;
  if (options.fmspc) state.fmspc = *options.fmspc;
  state.validity_days = options.validity_days;
  S3ML_RETURN_IF_ERROR(crypto::FillRandom(state.ppid));
  // The simulated QE's signer: a fixed, recognisable value that is not Intel's QE MRSIGNER.
  state.qe_mrsigner = crypto::Sha256(AsBytes("s3ml simulated SGX quoting enclave signer"));

  S3ML_ASSIGN_OR_RETURN(EcKey root_key, EcKey::Generate(crypto::EcCurve::kP256));
  S3ML_ASSIGN_OR_RETURN(EcKey pck_ca_key, EcKey::Generate(crypto::EcCurve::kP256));
  S3ML_ASSIGN_OR_RETURN(EcKey pck_key, EcKey::Generate(crypto::EcCurve::kP256));
  S3ML_ASSIGN_OR_RETURN(EcKey tcb_key, EcKey::Generate(crypto::EcCurve::kP256));
  S3ML_ASSIGN_OR_RETURN(EcKey attestation_key, EcKey::Generate(crypto::EcCurve::kP256));

  S3ML_ASSIGN_OR_RETURN(X509Certificate root, X509Builder()
                                                  .SetSubject(SimName(kSimRootCaName))
                                                  .SetValidity(now - kBackdate, now + 30 * kYear)
                                                  .SetPublicKey(root_key)
                                                  .SetBasicConstraints(true, 1)
                                                  .SetKeyUsage(crypto::kKeyUsageKeyCertSign | crypto::kKeyUsageCrlSign)
                                                  .Build(root_key));
  S3ML_ASSIGN_OR_RETURN(X509Certificate pck_ca,
                        X509Builder()
                            .SetSubject(SimName("s3ml Simulated SGX PCK Platform CA"))
                            .SetIssuer(root)
                            .SetValidity(now - kBackdate, now + 15 * kYear)
                            .SetPublicKey(pck_ca_key)
                            .SetBasicConstraints(true, 0)
                            .SetKeyUsage(crypto::kKeyUsageKeyCertSign | crypto::kKeyUsageCrlSign)
                            .Build(root_key));
  SgxExtensionFields ext{.ppid = state.ppid,
                         .tcb_component_svns = state.tcb_component_svns,
                         .pcesvn = state.pcesvn,
                         .cpusvn = state.cpusvn,
                         .pce_id = state.pce_id,
                         .fmspc = state.fmspc,
                         .sgx_type = 0};
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> ext_der, BuildSgxExtensionDer(ext));
  S3ML_ASSIGN_OR_RETURN(X509Certificate pck,
                        X509Builder()
                            .SetSubject(SimName("s3ml Simulated SGX PCK Certificate"))
                            .SetIssuer(pck_ca)
                            .SetValidity(now - kBackdate, now + 7 * kYear)
                            .SetPublicKey(pck_key)
                            .SetBasicConstraints(false)
                            .SetKeyUsage(crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageNonRepudiation)
                            .AddExtension(kSgxExtensionOid, ext_der)
                            .Build(pck_ca_key));
  S3ML_ASSIGN_OR_RETURN(X509Certificate tcb_signing,
                        X509Builder()
                            .SetSubject(SimName("s3ml Simulated SGX TCB Signing"))
                            .SetIssuer(root)
                            .SetValidity(now - kBackdate, now + 7 * kYear)
                            .SetPublicKey(tcb_key)
                            .SetBasicConstraints(false)
                            .SetKeyUsage(crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageNonRepudiation)
                            .Build(root_key));
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes secret, crypto::RandomSecret(32));

  S3ML_RETURN_IF_ERROR(MakeDirectories(dir));
  ::chmod(dir.c_str(), 0700);
  S3ML_RETURN_IF_ERROR(MakeDirectory(paths.keys()));
  S3ML_RETURN_IF_ERROR(MakeDirectory(paths.certs()));
  S3ML_RETURN_IF_ERROR(MakeDirectory(paths.collateral()));
  const EcKey* keys[] = {&root_key, &pck_ca_key, &pck_key, &tcb_key, &attestation_key};
  for (size_t i = 0; i < 5; ++i) {
    S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes pem, keys[i]->PrivateKeyPem());
    S3ML_RETURN_IF_ERROR(WriteFileAtomic(paths.key(kKeyNames[i]), pem.span(), 0600));
  }
  const X509Certificate* certs[] = {&root, &pck_ca, &pck, &tcb_signing};
  for (size_t i = 0; i < 4; ++i) {
    S3ML_ASSIGN_OR_RETURN(std::string pem, certs[i]->Pem());
    S3ML_RETURN_IF_ERROR(WriteText(paths.cert(kKeyNames[i]), pem, 0644));
  }
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(paths.platform_secret(), secret.span(), 0600));

  SimAuthority a(paths, std::move(state), std::move(root_key), std::move(pck_ca_key), std::move(pck_key),
                 std::move(tcb_key), std::move(attestation_key), std::move(root), std::move(pck_ca), std::move(pck),
                 std::move(tcb_signing), std::move(secret));
  S3ML_ASSIGN_OR_RETURN(a.pck_chain_pem_, ChainPem({&a.pck_cert_, &a.pck_ca_cert_, &a.root_cert_}));
  S3ML_RETURN_IF_ERROR(a.WriteCollateral(now));
  // The state file last: its presence marks a complete platform.
  S3ML_RETURN_IF_ERROR(a.WriteState());
  return a;
}

Result<SimAuthority> SimAuthority::Open(const std::string& dir) {
  SimPaths paths(dir);
  auto text = ReadFileText(paths.state(), 1 << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound("no simulated platform in " + dir + ": run `s3ml sim init` first");
    }
    return text.status().WithContext("simulated platform state");
  }
  S3ML_ASSIGN_OR_RETURN(SimState state, SimState::FromJson(text.value()));
  S3ML_ASSIGN_OR_RETURN(EcKey root_key, LoadKey(paths, "root_ca"));
  S3ML_ASSIGN_OR_RETURN(EcKey pck_ca_key, LoadKey(paths, "pck_platform_ca"));
  S3ML_ASSIGN_OR_RETURN(EcKey pck_key, LoadKey(paths, "pck"));
  S3ML_ASSIGN_OR_RETURN(EcKey tcb_key, LoadKey(paths, "tcb_signing"));
  S3ML_ASSIGN_OR_RETURN(EcKey attestation_key, LoadKey(paths, "qe_attestation"));
  S3ML_ASSIGN_OR_RETURN(X509Certificate root, LoadCert(paths, "root_ca"));
  S3ML_ASSIGN_OR_RETURN(X509Certificate pck_ca, LoadCert(paths, "pck_platform_ca"));
  S3ML_ASSIGN_OR_RETURN(X509Certificate pck, LoadCert(paths, "pck"));
  S3ML_ASSIGN_OR_RETURN(X509Certificate tcb_signing, LoadCert(paths, "tcb_signing"));
  auto secret = ReadFileBytes(paths.platform_secret(), 64);
  if (!secret.ok()) return secret.status().WithContext("simulated platform secret");
  if (secret->size() != 32) {
    return DataLoss("simulated platform secret " + paths.platform_secret() + " must be 32 bytes, got " +
                    std::to_string(secret->size()));
  }
  crypto::SecretBytes platform_secret(secret.value());
  std::fill(secret->begin(), secret->end(), 0);
  // The PCK certificate must certify the PCK key we hold, or quotes would never verify.
  S3ML_ASSIGN_OR_RETURN(EcKey pck_public, pck.PublicKey());
  S3ML_ASSIGN_OR_RETURN(auto want, pck_public.PublicKeyDer());
  S3ML_ASSIGN_OR_RETURN(auto have, pck_key.PublicKeyDer());
  if (want != have) return DataLoss("simulated PCK key does not match the PCK certificate in " + paths.certs());

  SimAuthority a(paths, std::move(state), std::move(root_key), std::move(pck_ca_key), std::move(pck_key),
                 std::move(tcb_key), std::move(attestation_key), std::move(root), std::move(pck_ca), std::move(pck),
                 std::move(tcb_signing), std::move(platform_secret));
  S3ML_ASSIGN_OR_RETURN(a.pck_chain_pem_, ChainPem({&a.pck_cert_, &a.pck_ca_cert_, &a.root_cert_}));
  return a;
}

Status SimAuthority::Refresh(const Clock& clock) {
  ++state_.tcb_evaluation_data_number;
  ++state_.crl_number;
  S3ML_RETURN_IF_ERROR(WriteCollateral(clock.NowUnixSeconds()));
  return WriteState();
}

Status SimAuthority::RevokePck(const Clock& clock) {
  if (state_.pck_revoked_at == 0) state_.pck_revoked_at = clock.NowUnixSeconds();
  ++state_.crl_number;
  S3ML_RETURN_IF_ERROR(WriteCollateral(clock.NowUnixSeconds()));
  return WriteState();
}

Status SimAuthority::WriteState() const { return WriteText(paths_.state(), state_.ToJson(), 0600); }

Status SimAuthority::WriteCollateral(int64_t now) const {
  const int64_t next = now + state_.validity_days * kDay;
  crypto::CrlBuilder root_crl;
  root_crl.SetIssuer(root_cert_).SetUpdateTimes(now, next).SetCrlNumber(state_.crl_number);
  crypto::CrlBuilder pck_crl;
  pck_crl.SetIssuer(pck_ca_cert_).SetUpdateTimes(now, next).SetCrlNumber(state_.crl_number);
  if (state_.pck_revoked_at != 0) pck_crl.AddRevoked(pck_cert_.SerialNumber(), state_.pck_revoked_at);
  S3ML_ASSIGN_OR_RETURN(crypto::X509Crl root_crl_signed, root_crl.Build(root_key_));
  S3ML_ASSIGN_OR_RETURN(crypto::X509Crl pck_crl_signed, pck_crl.Build(pck_ca_key_));
  S3ML_ASSIGN_OR_RETURN(std::string tcb_info, BuildTcbInfoJson(state_, now, tcb_signing_key_));
  S3ML_ASSIGN_OR_RETURN(std::string qe_identity, BuildQeIdentityJson(state_, now, tcb_signing_key_));
  S3ML_ASSIGN_OR_RETURN(std::string signing_chain, ChainPem({&tcb_signing_cert_, &root_cert_}));
  S3ML_ASSIGN_OR_RETURN(std::string pck_crl_chain, ChainPem({&pck_ca_cert_, &root_cert_}));

  auto file = [&](const char* name) { return paths_.collateral_file(name); };
  S3ML_RETURN_IF_ERROR(WriteText(file("tcb_info.json"), tcb_info, 0644));
  S3ML_RETURN_IF_ERROR(WriteText(file("tcb_info_issuer_chain.pem"), signing_chain, 0644));
  S3ML_RETURN_IF_ERROR(WriteText(file("qe_identity.json"), qe_identity, 0644));
  S3ML_RETURN_IF_ERROR(WriteText(file("qe_identity_issuer_chain.pem"), signing_chain, 0644));
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(file("pck_crl.der"), pck_crl_signed.Der(), 0644));
  S3ML_RETURN_IF_ERROR(WriteText(file("pck_crl_issuer_chain.pem"), pck_crl_chain, 0644));
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(file("root_ca_crl.der"), root_crl_signed.Der(), 0644));
  return WriteFileAtomic(file("intel_sgx_root_ca.der"), root_cert_.Der(), 0644);
}

}  // namespace s3ml::tee::sim
