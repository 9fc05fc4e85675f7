// Fuzz target of the client's reading of v2 infer answers (client/v2_tensor.h) and of the
// classification extension's strings (client/classification_result.h): an answer comes from the
// network, so any bytes must decode or fail cleanly, and what decodes must hold what its shape
// says (a datatype's bytes per element, or one string per element for BYTES).
// Input: bytes 0-1 are the Inference-Header-Content-Length, little-endian (0xffff: none), the rest
// the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "client/classification_result.h"
#include "client/v2_tensor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3ml::client;
  if (size < 2) return 0;
  const size_t length = data[0] | (static_cast<size_t>(data[1]) << 8);
  const std::string header = std::to_string(length);
  const std::optional<std::string_view> header_length =
      length == 0xffff ? std::nullopt : std::optional<std::string_view>(header);
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto decoded = DecodeV2InferResponse(body, header_length);
  if (!decoded.ok()) return 0;
  for (const V2Tensor& output : decoded->outputs) {
    size_t elements = 1;
    for (int64_t dim : output.shape) elements *= static_cast<size_t>(dim);
    if (output.datatype == "BYTES") {
      if (output.strings.size() != elements || !output.data.empty()) std::abort();
      (void)ParseClassifications(output, std::make_pair(0.5f, int64_t{3}));
    } else {
      auto type = ParseV2Datatype(output.datatype);
      if (!type.ok() || output.data.size() != elements * s3ml::engine::DataTypeSize(type.value())) std::abort();
    }
  }
  return 0;
}
