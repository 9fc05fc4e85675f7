// Graph: the engine's own, validated view of a TFLite model (one subgraph). Produced only by
// ModelReader; everything in it has been checked (indices in range, shapes positive, buffers the
// right length, quantization consistent, each operator's shapes and types), so later stages
// (planner, XNNPACK builder, kernels) may rely on it without re-checking untrusted input.
#ifndef S3ML_ENGINE_GRAPH_H_
#define S3ML_ENGINE_GRAPH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/aligned_buffer.h"
#include "engine/tensor_info.h"

namespace s3ml::engine {

// TFLite builtin operator codes (values as in TFLite's schema) that the engine knows about.
enum class OpCode : int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kReshape = 22,
  kSoftmax = 25,
  kCustom = 32,
  kMean = 40,
  kQuantize = 114,
};

enum class Padding { kSame, kValid };
enum class Activation { kNone, kRelu, kReluN1To1, kRelu6 };

struct GraphTensor {
  TensorInfo info;
  // Offset of the constant data in Graph::constants, or -1 for a tensor computed at run time.
  int64_t constant_offset = -1;
  bool constant() const { return constant_offset >= 0; }
};

struct GraphOperator {
  OpCode code = OpCode::kAdd;
  std::vector<int32_t> inputs;   // tensor indices; -1 marks an omitted optional input
  std::vector<int32_t> outputs;
  // Options (only those meaningful for `code` are set).
  Padding padding = Padding::kValid;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 1, filter_h = 1;
  int32_t depth_multiplier = 1;
  Activation activation = Activation::kNone;
  float beta = 1.0f;
  bool keep_dims = false;
  bool keep_num_dims = false;
};

struct Graph {
  std::vector<GraphTensor> tensors;
  std::vector<GraphOperator> operators;  // in execution order
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  // All constant tensor data, each tensor's bytes 64-byte aligned (owned, from the Allocator).
  AlignedBuffer constants;

  const uint8_t* constant_data(int32_t tensor) const {
    return constants.data() + tensors[tensor].constant_offset;
  }
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_GRAPH_H_
