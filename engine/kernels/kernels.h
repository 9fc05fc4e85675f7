// Fallback kernels: plain C++ for the operators (or operator variants) that Debian's XNNPACK
// lacks: quantized SOFTMAX, QUANTIZE, DEQUANTIZE and quantized windowed AVERAGE_POOL_2D.
// Each kernel reads validated tensors (op_validation.h guarantees types and shapes) and writes
// its output completely; results saturate to the output type, which is the implicit clamp of
// quantized outputs.
#ifndef S3ML_ENGINE_KERNELS_KERNELS_H_
#define S3ML_ENGINE_KERNELS_KERNELS_H_

#include <cstdint>
#include <functional>

#include "core/status.h"
#include "engine/graph.h"

namespace s3ml::engine::kernels {

// Where tensor `index`'s bytes are at run time (constant store or the execution's arena).
using TensorData = std::function<uint8_t*(int32_t index)>;

Status Softmax(const Graph& graph, const GraphOperator& op, const TensorData& data);
Status Quantize(const Graph& graph, const GraphOperator& op, const TensorData& data);
Status Dequantize(const Graph& graph, const GraphOperator& op, const TensorData& data);
Status AveragePool(const Graph& graph, const GraphOperator& op, const TensorData& data);

// Dispatches to the kernel for op.code.
Status RunFallback(const Graph& graph, const GraphOperator& op, const TensorData& data);

// Affine (de)quantization helpers shared by the kernels.
float DequantizeValue(const TensorInfo& t, const uint8_t* base, size_t i);
void QuantizeValue(const TensorInfo& t, float real, uint8_t* base, size_t i);

}  // namespace s3ml::engine::kernels

#endif  // S3ML_ENGINE_KERNELS_KERNELS_H_
