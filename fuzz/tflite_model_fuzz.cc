// Fuzzes the TFLite reader: arbitrary bytes must load cleanly or fail with an error, never crash.
// A model that loads is also run once on zero inputs when it is small, so that validated-but-odd
// graphs reach the planner and kernels too.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "engine/model.h"

namespace {

constexpr size_t kMaxArenaForRun = 16u << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = s3ml::engine::Model::Load(std::span<const uint8_t>(data, size));
  if (!model.ok()) return 0;
  if ((*model)->arena_bytes() > kMaxArenaForRun) return 0;
  auto execution = (*model)->CreateExecution();
  if (!execution.ok()) return 0;
  for (size_t i = 0; i < (*model)->inputs().size(); ++i) {
    std::span<uint8_t> in = (*execution)->input(i);
    std::memset(in.data(), 0, in.size());
  }
  (void)(*execution)->Invoke();
  return 0;
}
