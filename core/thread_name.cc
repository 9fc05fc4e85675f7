#include "core/thread_name.h"

#include <pthread.h>

#include <string>

namespace s3ml {

void SetCurrentThreadName(std::string_view name) {
  const std::string truncated(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), truncated.c_str());
}

}  // namespace s3ml
