#include "apps/s3ml-epcd/sgx_bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "core/log.h"

namespace s3ml::epcd {
namespace {

constexpr char kMapName[] = "epc_page_counts";
constexpr char kEwbProgram[] = "count_ewb";
constexpr char kElduProgram[] = "count_eldu";

// libbpf's diagnostics go to our log at debug level (warnings at warning level) rather than
// straight to stderr: an unprivileged open of an object prints nothing alarming.
int LibbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof(line), format, args);
  size_t n = std::strlen(line);
  while (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
  Log(level == LIBBPF_WARN ? LogLevel::kWarning : LogLevel::kDebug, "libbpf", line);
  return static_cast<int>(n);
}

std::string ErrnoText(int err) { return std::strerror(err < 0 ? -err : err); }

}  // namespace

bool KernelHasKprobes() {
  struct stat st{};
  // The perf "kprobe" event source (Linux 4.17+), or the legacy tracefs interface.
  return stat("/sys/bus/event_source/devices/kprobe", &st) == 0 ||
         stat("/sys/kernel/tracing/kprobe_events", &st) == 0 ||
         stat("/sys/kernel/debug/tracing/kprobe_events", &st) == 0;
}

Result<std::unique_ptr<SgxBpfObject>> SgxBpfObject::Open(const std::string& path) {
  libbpf_set_print(&LibbpfPrint);
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return NotFound("BPF object " + path + " does not exist");
  bpf_object* object = bpf_object__open_file(path.c_str(), nullptr);
  if (object == nullptr) {
    return InvalidArgument("cannot open BPF object " + path + ": " + ErrnoText(errno));
  }
  std::unique_ptr<SgxBpfObject> self(new SgxBpfObject(object));
  for (const char* name : {kEwbProgram, kElduProgram}) {
    if (bpf_object__find_program_by_name(object, name) == nullptr) {
      return InvalidArgument("BPF object " + path + " has no program " + name);
    }
  }
  const bpf_map* map = bpf_object__find_map_by_name(object, kMapName);
  if (map == nullptr || bpf_map__type(map) != BPF_MAP_TYPE_PERCPU_ARRAY || bpf_map__max_entries(map) != 2 ||
      bpf_map__key_size(map) != 4 || bpf_map__value_size(map) != 8) {
    return InvalidArgument("BPF object " + path + " has no per-CPU array " + kMapName + " of two 64-bit counters");
  }
  return self;
}

SgxBpfObject::~SgxBpfObject() {
  for (bpf_link* link : links_) bpf_link__destroy(link);
  bpf_object__close(object_);
}

std::vector<BpfProgramInfo> SgxBpfObject::programs() const {
  std::vector<BpfProgramInfo> out;
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, object_) {
    out.push_back({bpf_program__name(prog), bpf_program__section_name(prog)});
  }
  return out;
}

Status SgxBpfObject::LoadAndAttach(const std::string& ewb_symbol, const std::string& eldu_symbol) {
  if (loaded_) return FailedPrecondition("BPF programs are already loaded");
  const int err = bpf_object__load(object_);
  if (err != 0) {
    if (err == -EPERM || err == -EACCES) {
      return PermissionDenied("loading the BPF kprobes needs root (or CAP_BPF and CAP_PERFMON): " + ErrnoText(err));
    }
    return Internal("loading the BPF kprobes failed: " + ErrnoText(err));
  }
  loaded_ = true;
  const std::pair<const char*, const std::string*> attach[] = {{kEwbProgram, &ewb_symbol},
                                                               {kElduProgram, &eldu_symbol}};
  // Attach points come from kallsyms (possibly a clone's name), not from the section names.
  for (const auto& [program, symbol] : attach) {
    bpf_link* link =
        bpf_program__attach_kprobe(bpf_object__find_program_by_name(object_, program), false, symbol->c_str());
    if (link == nullptr) {
      const int e = errno;
      if (e == EPERM || e == EACCES) {
        return PermissionDenied("attaching a kprobe to " + *symbol + " needs root: " + ErrnoText(e));
      }
      std::string hint;
      if (!KernelHasKprobes()) hint = " (this kernel has no kprobe support: CONFIG_KPROBES is off)";
      return FailedPrecondition("the kernel refused a kprobe on " + *symbol + ": " + ErrnoText(e) + hint);
    }
    links_.push_back(link);
  }
  return Status::Ok();
}

Result<SgxPageCounts> SgxBpfObject::ReadCounts() const {
  if (!loaded_) return FailedPrecondition("BPF programs are not loaded");
  const bpf_map* map = bpf_object__find_map_by_name(object_, kMapName);
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return Internal("cannot count possible CPUs: " + ErrnoText(cpus));
  std::vector<uint64_t> values(static_cast<size_t>(cpus));
  uint64_t sums[2] = {0, 0};
  for (uint32_t key = 0; key < 2; ++key) {
    const int err = bpf_map__lookup_elem(map, &key, sizeof(key), values.data(), values.size() * sizeof(uint64_t), 0);
    if (err != 0) return Internal("reading BPF map " + std::string(kMapName) + ": " + ErrnoText(err));
    for (uint64_t v : values) sums[key] += v;
  }
  return SgxPageCounts{sums[0], sums[1]};
}

}  // namespace s3ml::epcd
