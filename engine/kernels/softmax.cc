// SOFTMAX over the last axis for float32, uint8 and int8: softmax(beta * x) computed in float with
// the row maximum subtracted for stability, quantized to the output's parameters. For quantized
// inputs exp(beta * scale * (q - max_q)) takes only 256 values, so it comes from a table built
// once per call (as TFLite's kernels do) instead of one exp per element.
#include <array>
#include <cmath>
#include <vector>

#include "engine/kernels/kernels.h"

namespace s3ml::engine::kernels {
namespace {

Status FloatSoftmax(const TensorInfo& in, const TensorInfo& out, float beta, const uint8_t* src, uint8_t* dst) {
  const size_t depth = static_cast<size_t>(in.shape.back());
  const size_t rows = in.element_count() / depth;
  std::vector<float> row(depth);
  for (size_t r = 0; r < rows; ++r) {
    float max = -INFINITY;
    for (size_t i = 0; i < depth; ++i) {
      row[i] = DequantizeValue(in, src, r * depth + i);
      max = std::max(max, row[i]);
    }
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) {
      row[i] = std::exp(beta * (row[i] - max));
      sum += row[i];
    }
    for (size_t i = 0; i < depth; ++i) QuantizeValue(out, row[i] / sum, dst, r * depth + i);
  }
  return Status::Ok();
}

}  // namespace

Status Softmax(const Graph& graph, const GraphOperator& op, const TensorData& data) {
  const TensorInfo& in = graph.tensors[op.inputs[0]].info;
  const TensorInfo& out = graph.tensors[op.outputs[0]].info;
  const uint8_t* src = data(op.inputs[0]);
  uint8_t* dst = data(op.outputs[0]);
  if (in.type == DataType::kFloat32) return FloatSoftmax(in, out, op.beta, src, dst);

  // table[d] = exp(-beta * scale * d) for d = max_q - q in [0, 255].
  std::array<float, 256> table;
  const float step = op.beta * in.quantization.scales[0];
  for (size_t d = 0; d < table.size(); ++d) table[d] = std::exp(-step * static_cast<float>(d));
  const bool in_u8 = in.type == DataType::kUInt8;
  auto q_at = [&](size_t i) { return in_u8 ? static_cast<int32_t>(src[i]) : static_cast<int32_t>(static_cast<int8_t>(src[i])); };

  const size_t depth = static_cast<size_t>(in.shape.back());
  const size_t rows = in.element_count() / depth;
  for (size_t r = 0; r < rows; ++r) {
    const size_t base = r * depth;
    int32_t max_q = q_at(base);
    for (size_t i = 1; i < depth; ++i) max_q = std::max(max_q, q_at(base + i));
    float sum = 0.0f;
    for (size_t i = 0; i < depth; ++i) sum += table[max_q - q_at(base + i)];
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < depth; ++i) QuantizeValue(out, table[max_q - q_at(base + i)] * inv, dst, base + i);
  }
  return Status::Ok();
}

}  // namespace s3ml::engine::kernels
