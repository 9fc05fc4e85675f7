// DEQUANTIZE: int8/uint8 -> float32, real = scale * (q - zero_point).
#include "engine/kernels/kernels.h"

namespace s3ml::engine::kernels {

Status Dequantize(const Graph& graph, const GraphOperator& op, const TensorData& data) {
  const TensorInfo& in = graph.tensors[op.inputs[0]].info;
  const TensorInfo& out = graph.tensors[op.outputs[0]].info;
  const uint8_t* src = data(op.inputs[0]);
  uint8_t* dst = data(op.outputs[0]);
  for (size_t i = 0; i < in.element_count(); ++i) QuantizeValue(out, DequantizeValue(in, src, i), dst, i);
  return Status::Ok();
}

}  // namespace s3ml::engine::kernels
