// Differential fuzz target of ParseV2InferRequest and its header cache (serving/v2_header_cache.h):
// any body must parse without crashing, and a parse answered from the cache must equal the parse
// without one, byte for byte, error message included. Input: bytes 0-1 are the
// Inference-Header-Content-Length, little-endian (0xffff: none), the rest the body; the model has two inputs
// (x FP32 [1,2], k INT32 [1,1]) and one output, so small inputs reach every field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "serving/kserve_v2_request.h"
#include "serving/v2_header_cache.h"

namespace {

using namespace s3ml;
using namespace s3ml::serving;

std::vector<engine::TensorInfo> Inputs() {
  engine::TensorInfo x;
  x.name = "x";
  x.type = engine::DataType::kFloat32;
  x.shape = {1, 2};
  engine::TensorInfo k;
  k.name = "k";
  k.type = engine::DataType::kInt32;
  k.shape = {1, 1};
  return {x, k};
}

std::vector<engine::TensorInfo> Outputs() {
  engine::TensorInfo y;
  y.name = "y";
  y.type = engine::DataType::kFloat32;
  y.shape = {1, 3};
  return {y};
}

bool Same(const Result<V2InferRequest>& a, const Result<V2InferRequest>& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return a.status().code() == b.status().code() && a.status().message() == b.status().message();
  if (a->id != b->id || a->parameters != b->parameters || !(a->inputs == b->inputs) ||
      a->binary_data_output != b->binary_data_output || a->outputs.size() != b->outputs.size()) {
    return false;
  }
  for (size_t i = 0; i < a->outputs.size(); ++i) {
    const V2RequestedOutput& x = a->outputs[i];
    const V2RequestedOutput& y = b->outputs[i];
    if (x.name != y.name || x.binary_data != y.binary_data || x.classification != y.classification) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t length = data[0] | (static_cast<size_t>(data[1]) << 8);
  const std::optional<size_t> header_length = length == 0xffff ? std::nullopt : std::optional<size_t>(length);
  const std::span<const uint8_t> body(data + 2, size - 2);
  static const std::vector<engine::TensorInfo> inputs = Inputs();
  static const std::vector<engine::TensorInfo> outputs = Outputs();
  const Result<V2InferRequest> plain = ParseV2InferRequest(body, header_length, inputs, outputs, {});
  V2HeaderCache cache;
  const Result<V2InferRequest> first = ParseV2InferRequest(body, header_length, inputs, outputs, {}, &cache);
  const Result<V2InferRequest> second = ParseV2InferRequest(body, header_length, inputs, outputs, {}, &cache);
  if (!Same(plain, first) || !Same(plain, second)) std::abort();
  return 0;
}
