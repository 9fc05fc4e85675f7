// Counts the in-kernel SGX driver's EPC page evictions (sgx_encl_ewb: EWB, page written out to
// regular memory) and loads (sgx_encl_eldu: ELDU, page decrypted back into the EPC) with kprobes.
//
// Only call counts are needed, so the programs read nothing from the probed functions' arguments:
// no vmlinux.h or BTF is required, and the object opens on any kernel. Counters live in a per-CPU
// array (no atomics, no contention on the reclaim path); user space sums the CPUs.
// The section names give the default attach points; s3ml-epcd attaches to the symbol it found in
// /proc/kallsyms instead (which may be a compiler clone such as sgx_encl_ewb.isra.0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum { kEvicted = 0, kLoaded = 1, kCounters = 2 };

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, kCounters);
  __type(key, __u32);
  __type(value, __u64);
} epc_page_counts SEC(".maps");

static __always_inline void count(__u32 key) {
  __u64* value = bpf_map_lookup_elem(&epc_page_counts, &key);
  if (value) *value += 1;
}

SEC("kprobe/sgx_encl_ewb")
int count_ewb(void* ctx) {
  count(kEvicted);
  return 0;
}

SEC("kprobe/sgx_encl_eldu")
int count_eldu(void* ctx) {
  count(kLoaded);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
