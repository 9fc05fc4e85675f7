// SgxBpfObject: the compiled kprobe programs of bpf/sgx_paging.bpf.c (built with clang at build
// time) opened with libbpf, and, once loaded and attached, the two page counters they keep.
//
// Open() only parses the ELF object: it works unprivileged and without SGX, so tests can check
// the object. LoadAndAttach() needs root (or CAP_BPF + CAP_PERFMON) and the probed functions in the
// running kernel; its errors say which of the two is missing.
#ifndef S3ML_APPS_S3ML_EPCD_SGX_BPF_OBJECT_H_
#define S3ML_APPS_S3ML_EPCD_SGX_BPF_OBJECT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

struct bpf_object;
struct bpf_link;

namespace s3ml::epcd {

inline constexpr char kEwbSymbol[] = "sgx_encl_ewb";
inline constexpr char kElduSymbol[] = "sgx_encl_eldu";

struct BpfProgramInfo {
  std::string name;     // "count_ewb"
  std::string section;  // "kprobe/sgx_encl_ewb"
};

struct SgxPageCounts {
  uint64_t evicted = 0;  // sgx_encl_ewb calls since attach
  uint64_t loaded = 0;   // sgx_encl_eldu calls since attach
};

// True when the running kernel can create kprobes (perf's kprobe event source or tracefs's
// kprobe_events exists).
bool KernelHasKprobes();

class SgxBpfObject {
 public:
  // InvalidArgument if the file is not a BPF object with programs count_ewb and count_eldu and
  // a per-CPU array map epc_page_counts of two 64-bit counters; NotFound if the file is missing.
  static Result<std::unique_ptr<SgxBpfObject>> Open(const std::string& path);
  ~SgxBpfObject();
  SgxBpfObject(const SgxBpfObject&) = delete;
  SgxBpfObject& operator=(const SgxBpfObject&) = delete;

  std::vector<BpfProgramInfo> programs() const;

  // Loads the programs into the kernel and attaches count_ewb to ewb_symbol and count_eldu to
  // eldu_symbol (the names found in /proc/kallsyms). PermissionDenied without the privileges;
  // FailedPrecondition if the kernel refuses a kprobe; Internal for other libbpf failures.
  Status LoadAndAttach(const std::string& ewb_symbol, const std::string& eldu_symbol);
  // The counters summed over CPUs. REQUIRES: LoadAndAttach succeeded.
  Result<SgxPageCounts> ReadCounts() const;

 private:
  explicit SgxBpfObject(bpf_object* object) : object_(object) {}
  bpf_object* object_;
  std::vector<bpf_link*> links_;
  bool loaded_ = false;
};

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_SGX_BPF_OBJECT_H_
