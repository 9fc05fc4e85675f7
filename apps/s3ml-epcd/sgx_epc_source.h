// SgxEpcSource: a real SGX host's EPC paging, counted by kprobes on the in-kernel SGX driver's
// sgx_encl_ewb (eviction) and sgx_encl_eldu (load back) functions, with the EPC capacity from
// sysfs. Needs Linux 5.11+ with the in-kernel driver, root (or CAP_BPF + CAP_PERFMON) and SGX
// hardware; it is unit-tested here only up to opening the BPF object.
//
// Resident EPC bytes and per-enclave figures are not known on this path (the counters are host
// wide: eviction runs in the driver's reclaimer thread, not in the enclave's process).
#ifndef S3ML_APPS_S3ML_EPCD_SGX_EPC_SOURCE_H_
#define S3ML_APPS_S3ML_EPCD_SGX_EPC_SOURCE_H_

#include <memory>
#include <string>

#include "apps/s3ml-epcd/epc_source.h"
#include "apps/s3ml-epcd/sgx_bpf_object.h"
#include "apps/s3ml-epcd/sgx_sysfs.h"

namespace s3ml::epcd {

struct SgxSourceOptions {
  std::string bpf_object_path;  // the compiled bpf/sgx_paging.bpf.c
  std::string kallsyms_path = "/proc/kallsyms";
  std::string sysfs_node_dir = kSysfsNodeDir;
};

class SgxEpcSource final : public EpcSource {
 public:
  // Checks, in this order, with a message naming what is missing: the probed symbols in kallsyms
  // (FailedPrecondition "sgx_encl_ewb not found ..."), the EPC capacity in sysfs (NotFound), the
  // BPF object (NotFound / InvalidArgument), loading and attaching (PermissionDenied, ...).
  static Result<std::unique_ptr<SgxEpcSource>> Create(const SgxSourceOptions& options);
  Result<EpcReading> Read() override;
  std::string kind() const override { return "sgx"; }

 private:
  SgxEpcSource(std::unique_ptr<SgxBpfObject> object, uint64_t capacity_bytes)
      : object_(std::move(object)), capacity_bytes_(capacity_bytes) {}
  std::unique_ptr<SgxBpfObject> object_;
  uint64_t capacity_bytes_;
};

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_SGX_EPC_SOURCE_H_
