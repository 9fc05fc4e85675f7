// The EPC capacity of a real SGX machine, as the kernel reports it per NUMA node in
// /sys/devices/system/node/node<N>/x86/sgx_total_bytes.
#ifndef S3ML_APPS_S3ML_EPCD_SGX_SYSFS_H_
#define S3ML_APPS_S3ML_EPCD_SGX_SYSFS_H_

#include <cstdint>
#include <string>

#include "core/status.h"

namespace s3ml::epcd {

inline constexpr char kSysfsNodeDir[] = "/sys/devices/system/node";

// The sum over node<N>/x86/sgx_total_bytes under node_dir. NotFound if node_dir is missing or no
// node has the file (no SGX, or a kernel without per-node EPC figures); DataLoss naming the file
// if one does not hold a decimal byte count.
Result<uint64_t> SumSgxTotalBytes(const std::string& node_dir = kSysfsNodeDir);

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_SGX_SYSFS_H_
