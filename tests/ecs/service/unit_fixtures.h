// Small builders shared by the ECS unit tests (no processes, no platform): owner keys and
// manifests as JSON text, synthetic verified quotes.
#ifndef S3ML_TESTS_ECS_SERVICE_UNIT_FIXTURES_H_
#define S3ML_TESTS_ECS_SERVICE_UNIT_FIXTURES_H_

#include <string>

#include <nlohmann/json.hpp>

#include "attest/dcap_verifier.h"
#include "core/hex.h"
#include "crypto/ec_key.h"

namespace s3ml::ecs::testing {

inline std::string P384PublicPem() {
  return crypto::EcKey::Generate(crypto::EcCurve::kP384).value().PublicKeyPem().value();
}

inline std::array<uint8_t, 32> Filled(uint8_t v) {
  std::array<uint8_t, 32> a;
  a.fill(v);
  return a;
}

// A manifest object whose one identity allows MRSIGNER 0x22.., prod 1, svn >= 2, simulated.
inline nlohmann::json BaseManifest(const std::string& owner_pem, int version = 1) {
  return nlohmann::json{
      {"version", version},
      {"owner_public_key", owner_pem},
      {"recovery_public_key", P384PublicPem()},
      {"service_names", {"localhost", "127.0.0.1"}},
      {"certificate_lifetime_seconds", 3600},
      {"identities",
       {{{"name", "model-server"},
         {"signers", {{{"mrsigner", HexEncode(Filled(0x22))}, {"isvprodid", 1}, {"min_isvsvn", 2}}}},
         {"allow_simulated", true},
         {"models", {"mobilenet_v2", "resnet"}}}}}};
}

inline attest::VerifiedQuote Quote(uint8_t mrenclave, uint8_t mrsigner, uint16_t prod, uint16_t svn) {
  attest::VerifiedQuote q;
  q.identity.mrenclave = Filled(mrenclave);
  q.identity.mrsigner = Filled(mrsigner);
  q.identity.isv_prod_id = prod;
  q.identity.isv_svn = svn;
  q.tcb_status = attest::TcbStatus::kUpToDate;
  q.simulated_root = true;
  q.trust_anchor = "sim";
  return q;
}

}  // namespace s3ml::ecs::testing

#endif  // S3ML_TESTS_ECS_SERVICE_UNIT_FIXTURES_H_
