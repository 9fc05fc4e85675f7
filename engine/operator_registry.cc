#include "engine/operator_registry.h"

#include <array>

namespace s3ml::engine {
namespace {

// TFLite's BuiltinOperator names by code (schema.fbs), so errors name operators as users know them.
constexpr std::array<std::string_view, 159> kBuiltinNames = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR",
    "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL",
    "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
    "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2",
    "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM",
    "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT",
    "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT",
    "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
    "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
    "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU",
    "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
    "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
    "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM",
    "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE",
    "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE",
    "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL",
    "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1",
    "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2",
    "UNSORTED_SEGMENT_MIN", "SIGN"};

bool IsQuantized(const Graph& graph, int32_t tensor) {
  return graph.tensors[tensor].info.type != DataType::kFloat32;
}

}  // namespace

std::string BuiltinOperatorName(int32_t code) {
  if (code >= 0 && static_cast<size_t>(code) < kBuiltinNames.size()) {
    return std::string(kBuiltinNames[code]);
  }
  return "BUILTIN_" + std::to_string(code);
}

std::optional<OpCode> SupportedOperator(int32_t code) {
  switch (code) {
    case static_cast<int32_t>(OpCode::kAdd):
    case static_cast<int32_t>(OpCode::kAveragePool2d):
    case static_cast<int32_t>(OpCode::kConv2d):
    case static_cast<int32_t>(OpCode::kDepthwiseConv2d):
    case static_cast<int32_t>(OpCode::kDequantize):
    case static_cast<int32_t>(OpCode::kFullyConnected):
    case static_cast<int32_t>(OpCode::kReshape):
    case static_cast<int32_t>(OpCode::kSoftmax):
    case static_cast<int32_t>(OpCode::kMean):
    case static_cast<int32_t>(OpCode::kQuantize):
      return static_cast<OpCode>(code);
    default:
      return std::nullopt;
  }
}

// What Debian's XNNPACK (2022-02 snapshot) subgraph API can run: convolutions, fully connected
// and ADD for fp32/qu8/qs8; reshape; global average pooling for all three types but windowed
// average pooling and softmax for fp32 only. Everything else goes to a fallback kernel.
bool RunsOnXnnpack(const Graph& graph, const GraphOperator& op) {
  switch (op.code) {
    case OpCode::kAdd:
    case OpCode::kConv2d:
    case OpCode::kDepthwiseConv2d:
    case OpCode::kFullyConnected:
    case OpCode::kReshape:
    case OpCode::kMean:  // validated to be a spatial mean, i.e. global average pooling
      return true;
    case OpCode::kAveragePool2d: {
      if (!IsQuantized(graph, op.inputs[0])) return true;
      const auto& in = graph.tensors[op.inputs[0]].info.shape;
      const auto& out = graph.tensors[op.outputs[0]].info.shape;
      // A window covering the whole (unpadded) input is a global average pooling.
      return op.padding == Padding::kValid && op.filter_h == in[1] && op.filter_w == in[2] &&
             out[1] == 1 && out[2] == 1;
    }
    case OpCode::kSoftmax:
      return !IsQuantized(graph, op.inputs[0]) && op.beta == 1.0f;
    case OpCode::kQuantize:
    case OpCode::kDequantize:
    case OpCode::kCustom:
      return false;
  }
  return false;
}

}  // namespace s3ml::engine
