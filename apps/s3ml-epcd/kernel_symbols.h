// Kernel symbol lookup in /proc/kallsyms, to check before attaching kprobes that the in-kernel SGX
// driver's functions exist on this kernel.
//
// Each line is "<address> <type> <name>[\t[<module>]]". Unprivileged readers see zero addresses
// but the names are there, so the check needs no root. The compiler may clone a static function
// (sgx_encl_ewb.isra.0, .constprop.0, ...); a kprobe must then name the clone, so a lookup also
// accepts "<name>.<suffix>" when the exact name is absent.
#ifndef S3ML_APPS_S3ML_EPCD_KERNEL_SYMBOLS_H_
#define S3ML_APPS_S3ML_EPCD_KERNEL_SYMBOLS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml::epcd {

// For each wanted name, the symbol to probe: the exact name if present, else its first clone.
// Wanted names without any match are absent from the result. Lines that do not have the
// three-field shape are skipped (the file is the kernel's, but be strict about what we trust).
std::map<std::string, std::string> FindKernelSymbols(std::string_view kallsyms_text,
                                                     const std::vector<std::string>& wanted);

// Reads the file (NotFound / PermissionDenied / Internal naming it) and looks the names up;
// FailedPrecondition naming the first missing one, e.g. "sgx_encl_ewb not found in /proc/kallsyms:
// this kernel has no in-kernel SGX driver".
Result<std::map<std::string, std::string>> RequireKernelSymbols(const std::string& kallsyms_path,
                                                                const std::vector<std::string>& wanted);

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_KERNEL_SYMBOLS_H_
