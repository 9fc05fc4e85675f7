#include "apps/s3ml-epcd/sim_epc_source.h"

#include "tee/epc/host_segment.h"
#include "tee/epc/host_snapshot.h"

namespace s3ml::epcd {

using tee::epc::kEpcPageSize;

Result<std::unique_ptr<SimEpcSource>> SimEpcSource::Create(std::string host_id) {
  S3ML_RETURN_IF_ERROR(tee::epc::HostSegmentName(host_id).status());
  return std::unique_ptr<SimEpcSource>(new SimEpcSource(std::move(host_id)));
}

Result<EpcReading> SimEpcSource::Read() {
  S3ML_ASSIGN_OR_RETURN(tee::epc::HostSnapshot snap, tee::epc::ReadHostSnapshot(host_id_));
  EpcReading reading;
  reading.capacity_bytes = snap.capacity_pages * kEpcPageSize;
  reading.resident_bytes = snap.resident_pages * kEpcPageSize;
  reading.pages_evicted_total = snap.pages_evicted_total;
  reading.pages_loaded_total = snap.pages_loaded_total;
  for (const tee::epc::EnclaveRow& row : snap.enclaves) {
    if (!row.alive) continue;
    reading.enclaves.push_back({row.pid, row.name, row.resident_pages * kEpcPageSize, row.pages_evicted,
                                row.pages_loaded});
  }
  return reading;
}

}  // namespace s3ml::epcd
