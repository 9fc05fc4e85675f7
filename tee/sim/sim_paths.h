// Where the simulated SGX platform of a host keeps its state (`s3ml sim init`), and where its
// quoting daemon listens. One directory per simulated host:
//   <dir>/sim.json                 platform parameters (FMSPC, TCB, QE, counters)
//   <dir>/platform_secret          32 random bytes, 0600: the root of every seal key
//   <dir>/keys/*.key.pem           CA, PCK, TCB signing and QE attestation private keys, 0600
//   <dir>/certs/*.pem              root CA, PCK Platform CA, PCK leaf, TCB Signing certificates
//   <dir>/collateral/              laid out exactly as testdata/sgx/<sample>/ (minus quote.bin)
//   <dir>/qe.sock                  the quoting daemon's default socket
#ifndef S3ML_TEE_SIM_SIM_PATHS_H_
#define S3ML_TEE_SIM_SIM_PATHS_H_

#include <string>

#include "core/status.h"

namespace s3ml::tee::sim {

// $XDG_DATA_HOME/s3ml/sim, else $HOME/.local/share/s3ml/sim; kFailedPrecondition when neither
// variable is set.
Result<std::string> DefaultSimDirectory();
// $S3ML_SIM_QE_SOCKET, else <DefaultSimDirectory()>/qe.sock.
Result<std::string> DefaultQeSocketPath();

struct SimPaths {
  explicit SimPaths(std::string dir) : root(std::move(dir)) {}
  std::string root;
  std::string state() const { return root + "/sim.json"; }
  std::string platform_secret() const { return root + "/platform_secret"; }
  std::string keys() const { return root + "/keys"; }
  std::string certs() const { return root + "/certs"; }
  std::string collateral() const { return root + "/collateral"; }
  std::string socket() const { return root + "/qe.sock"; }
  std::string key(const std::string& name) const { return keys() + "/" + name + ".key.pem"; }
  std::string cert(const std::string& name) const { return certs() + "/" + name + ".pem"; }
  std::string collateral_file(const std::string& name) const { return collateral() + "/" + name; }
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_PATHS_H_
