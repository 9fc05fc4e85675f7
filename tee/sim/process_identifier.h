// ProcessIdentifier: how the simulated quoting daemon learns who is asking. Given the peer's pid
// (from SO_PEERCRED), it measures the process's executable through /proc/<pid>/exe (the file the
// process mapped, even if its path was replaced since) together with "<path>.enclave.json", and
// takes MRSIGNER/ISVPRODID/ISVSVN from "<path>.sigstruct", which must be a valid signature over
// exactly that MRENCLAVE. Identities are never self-declared by the caller.
//
// Measurements are cached by (device, inode, size, mtime) of both the executable and the
// configuration, so repeated requests do not re-hash the binary. Errors: kFailedPrecondition
// (no configuration), kPermissionDenied (unsigned: sigstruct missing, bad or for another
// MRENCLAVE), kUnavailable (the process vanished or changed while it was measured).
#ifndef S3ML_TEE_SIM_PROCESS_IDENTIFIER_H_
#define S3ML_TEE_SIM_PROCESS_IDENTIFIER_H_

#include <sys/types.h>

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "core/status.h"
#include "tee/identity.h"
#include "tee/sim/enclave_measurement.h"

namespace s3ml::tee::sim {

class ProcessIdentifier {
 public:
  // proc_root: normally "/proc" (a parameter so that the lookup is explicit, not hidden).
  explicit ProcessIdentifier(std::string proc_root = "/proc") : proc_root_(std::move(proc_root)) {}

  Result<Identity> Identify(pid_t pid);
  // Number of measurements actually computed (not served from the cache); for tests and metrics.
  size_t measurements_computed() const;

 private:
  // (dev, inode, size, mtime s, mtime ns) of the executable, then of the configuration.
  using FileKey = std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t>;
  using CacheKey = std::pair<FileKey, FileKey>;
  static constexpr size_t kMaxCacheEntries = 256;

  std::string proc_root_;
  mutable std::mutex mu_;
  std::map<CacheKey, EnclaveMeasurement> cache_;
  size_t computed_ = 0;
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_PROCESS_IDENTIFIER_H_
