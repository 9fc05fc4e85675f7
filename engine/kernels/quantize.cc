// QUANTIZE (float -> int8/uint8, and requantization between int8/uint8 such as the uint8 -> int8
// input stage of TF2 post-training-quantized models), and the affine helpers the kernels share.
#include <cmath>
#include <cstring>

#include "engine/kernels/kernels.h"

namespace s3ml::engine::kernels {

float DequantizeValue(const TensorInfo& t, const uint8_t* base, size_t i) {
  switch (t.type) {
    case DataType::kFloat32: {
      float v;
      std::memcpy(&v, base + 4 * i, 4);
      return v;
    }
    case DataType::kUInt8:
      return t.quantization.scales[0] * static_cast<float>(static_cast<int32_t>(base[i]) - t.quantization.zero_points[0]);
    case DataType::kInt8:
      return t.quantization.scales[0] *
             static_cast<float>(static_cast<int32_t>(static_cast<int8_t>(base[i])) - t.quantization.zero_points[0]);
    default:
      return 0.0f;  // unreachable: validation admits only these types
  }
}

void QuantizeValue(const TensorInfo& t, float real, uint8_t* base, size_t i) {
  if (t.type == DataType::kFloat32) {
    std::memcpy(base + 4 * i, &real, 4);
    return;
  }
  const float lo = t.type == DataType::kUInt8 ? 0.0f : -128.0f;
  const float hi = t.type == DataType::kUInt8 ? 255.0f : 127.0f;
  float q = std::round(real / t.quantization.scales[0]) + static_cast<float>(t.quantization.zero_points[0]);
  if (!(q >= lo)) q = lo;  // also maps NaN to the low end
  if (q > hi) q = hi;
  const int32_t v = static_cast<int32_t>(q);
  base[i] = static_cast<uint8_t>(t.type == DataType::kUInt8 ? v : static_cast<int8_t>(v));
}

Status Quantize(const Graph& graph, const GraphOperator& op, const TensorData& data) {
  const TensorInfo& in = graph.tensors[op.inputs[0]].info;
  const TensorInfo& out = graph.tensors[op.outputs[0]].info;
  const uint8_t* src = data(op.inputs[0]);
  uint8_t* dst = data(op.outputs[0]);
  const size_t n = in.element_count();
  // Same scale between uint8 and int8: a pure zero-point shift, exact in integers.
  if (in.type != DataType::kFloat32 && in.quantization.scales[0] == out.quantization.scales[0]) {
    const int32_t lo = out.type == DataType::kUInt8 ? 0 : -128;
    const int32_t hi = out.type == DataType::kUInt8 ? 255 : 127;
    const int32_t shift = static_cast<int32_t>(out.quantization.zero_points[0] - in.quantization.zero_points[0]);
    for (size_t i = 0; i < n; ++i) {
      const int32_t q = in.type == DataType::kUInt8 ? src[i] : static_cast<int8_t>(src[i]);
      const int32_t v = std::min(hi, std::max(lo, q + shift));
      dst[i] = static_cast<uint8_t>(out.type == DataType::kUInt8 ? v : static_cast<int8_t>(v));
    }
    return Status::Ok();
  }
  for (size_t i = 0; i < n; ++i) QuantizeValue(out, DequantizeValue(in, src, i), dst, i);
  return Status::Ok();
}

}  // namespace s3ml::engine::kernels
