// Names the calling thread (shown by `ps -L`, `top -H`, perf and debuggers), so a server's IO,
// inference and housekeeping threads can be told apart. Linux keeps at most 15 bytes; longer
// names are cut. Best effort: failure changes nothing else.
#ifndef S3ML_CORE_THREAD_NAME_H_
#define S3ML_CORE_THREAD_NAME_H_

#include <string_view>

namespace s3ml {

void SetCurrentThreadName(std::string_view name);

}  // namespace s3ml

#endif  // S3ML_CORE_THREAD_NAME_H_
