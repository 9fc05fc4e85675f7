#include "apps/s3ml-epcd/sgx_epc_source.h"

#include "apps/s3ml-epcd/kernel_symbols.h"

namespace s3ml::epcd {

Result<std::unique_ptr<SgxEpcSource>> SgxEpcSource::Create(const SgxSourceOptions& options) {
  S3ML_ASSIGN_OR_RETURN(auto symbols, RequireKernelSymbols(options.kallsyms_path, {kEwbSymbol, kElduSymbol}));
  S3ML_ASSIGN_OR_RETURN(uint64_t capacity, SumSgxTotalBytes(options.sysfs_node_dir));
  S3ML_ASSIGN_OR_RETURN(std::unique_ptr<SgxBpfObject> object, SgxBpfObject::Open(options.bpf_object_path));
  S3ML_RETURN_IF_ERROR(object->LoadAndAttach(symbols.at(kEwbSymbol), symbols.at(kElduSymbol)));
  return std::unique_ptr<SgxEpcSource>(new SgxEpcSource(std::move(object), capacity));
}

Result<EpcReading> SgxEpcSource::Read() {
  S3ML_ASSIGN_OR_RETURN(SgxPageCounts counts, object_->ReadCounts());
  EpcReading reading;
  reading.capacity_bytes = capacity_bytes_;
  reading.pages_evicted_total = counts.evicted;
  reading.pages_loaded_total = counts.loaded;
  return reading;
}

}  // namespace s3ml::epcd
