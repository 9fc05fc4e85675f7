#include "tests/attest/ratls/ratls_test_env.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/hex.h"
#include "tee/sim/enclave_measurement.h"

namespace s3ml::attest::testing {

namespace tt = tee::testing;

Result<std::vector<uint8_t>> EnclaveProcessPlatform::GetQuote(std::span<const uint8_t> report_data) {
  S3ML_RETURN_IF_ERROR(tee::CheckReportDataSize(report_data));
  tt::ProcessResult r = tt::RunProcess({binary_, "quote", socket_, HexEncode(report_data)});
  if (r.exit_code != 0) return Unavailable("enclave helper quote failed: " + r.err);
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return HexDecode(r.out);
}

Result<crypto::SecretBytes> EnclaveProcessPlatform::GetSealKey(tee::SealKeyPolicy, std::string_view) {
  return Unimplemented("EnclaveProcessPlatform does not seal");
}

Result<tee::Identity> EnclaveProcessPlatform::SelfIdentity() {
  tt::ProcessResult r = tt::RunProcess({binary_, "identity", socket_});
  if (r.exit_code != 0) return Unavailable("enclave helper identity failed: " + r.err);
  std::istringstream in(r.out);
  std::string mrenclave, mrsigner;
  unsigned prod = 0, svn = 0;
  int debug = 0;
  if (!(in >> mrenclave >> mrsigner >> prod >> svn >> debug)) return Internal("bad identity line: " + r.out);
  tee::Identity id;
  S3ML_ASSIGN_OR_RETURN(auto enclave_bytes, HexDecode(mrenclave));
  S3ML_ASSIGN_OR_RETURN(auto signer_bytes, HexDecode(mrsigner));
  if (enclave_bytes.size() != 32 || signer_bytes.size() != 32) return Internal("bad identity line: " + r.out);
  std::copy(enclave_bytes.begin(), enclave_bytes.end(), id.mrenclave.begin());
  std::copy(signer_bytes.begin(), signer_bytes.end(), id.mrsigner.begin());
  id.isv_prod_id = static_cast<uint16_t>(prod);
  id.isv_svn = static_cast<uint16_t>(svn);
  id.debug = debug != 0;
  return id;
}

RaTlsTestEnv::RaTlsTestEnv() {
  tee::sim::SimAuthority authority = tt::MakeAuthority(dir_.Sub("sim"));
  collateral_ = tt::LoadSimCollateral(authority);
  anchors_ = tt::SimAnchors(authority);
  qe_ = std::make_unique<tt::RunningQe>(std::move(authority), dir_.Sub("qe.sock"));
}

RaTlsTestEnv::~RaTlsTestEnv() = default;

TestEnclave RaTlsTestEnv::AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn, bool debug) {
  TestEnclave e{tt::InstallEnclave(dir_.path(), name, debug), tt::NewSigner()};
  tt::SignEnclave(e.binary, e.signer, isv_prod_id, isv_svn);
  auto measured = tee::sim::MeasureEnclaveFile(e.binary);
  if (!measured.ok()) std::abort();
  e.mrenclave = measured->mrenclave;
  e.mrsigner = tt::MrSignerOf(e.signer);
  e.isv_prod_id = isv_prod_id;
  e.isv_svn = isv_svn;
  e.debug = debug;
  return e;
}

std::unique_ptr<EnclaveProcessPlatform> RaTlsTestEnv::PlatformOf(const TestEnclave& enclave) const {
  return std::make_unique<EnclaveProcessPlatform>(enclave.binary, qe_->socket());
}

AttestationPolicy PolicyForSigner(const TestEnclave& enclave, bool allow_debug) {
  AttestationPolicy policy;
  policy.allowed_signers.push_back(SignerRule{enclave.mrsigner, enclave.isv_prod_id, enclave.isv_svn});
  policy.allow_simulated = true;
  policy.allow_debug = allow_debug;
  return policy;
}

RaTlsVerifierOptions SimVerifierOptions(const RaTlsTestEnv& env, AttestationPolicy policy, const Clock* clock) {
  RaTlsVerifierOptions options;
  options.anchors = env.anchors();
  options.collateral = FixedCollateralSource(env.collateral());
  options.policy = std::move(policy);
  options.clock = clock;
  return options;
}

}  // namespace s3ml::attest::testing
