// The dispatch from an operator to its fallback kernel.
#include "engine/kernels/kernels.h"

namespace s3ml::engine::kernels {

Status RunFallback(const Graph& graph, const GraphOperator& op, const TensorData& data) {
  switch (op.code) {
    case OpCode::kSoftmax: return Softmax(graph, op, data);
    case OpCode::kQuantize: return Quantize(graph, op, data);
    case OpCode::kDequantize: return Dequantize(graph, op, data);
    case OpCode::kAveragePool2d: return AveragePool(graph, op, data);
    default: break;
  }
  return Internal("no fallback kernel for operator code " + std::to_string(static_cast<int>(op.code)));
}

}  // namespace s3ml::engine::kernels
