#include "engine/model_reader.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include "core/checked_math.h"
#include "engine/op_validation.h"
#include "engine/operator_registry.h"
#include "engine/schema/tflite_subset_generated.h"

namespace s3ml::engine {
namespace {

namespace fb = ::s3ml::engine::tflite;

std::string TensorLabel(size_t index, const std::string& name) {
  return "tensor " + std::to_string(index) + " '" + name + "'";
}

Result<DataType> MapType(fb::TensorType type, const std::string& label) {
  switch (type) {
    case fb::TensorType::FLOAT32: return DataType::kFloat32;
    case fb::TensorType::UINT8: return DataType::kUInt8;
    case fb::TensorType::INT8: return DataType::kInt8;
    case fb::TensorType::INT16: return DataType::kInt16;
    case fb::TensorType::INT32: return DataType::kInt32;
    case fb::TensorType::INT64: return DataType::kInt64;
    case fb::TensorType::BOOL: return DataType::kBool;
    default: break;
  }
  return Unimplemented(label + " has unsupported element type " +
                       std::to_string(static_cast<int>(type)));
}

Result<std::vector<int32_t>> ReadShape(const fb::Tensor& t, const std::string& label) {
  std::vector<int32_t> shape;
  if (t.shape() == nullptr) return shape;  // a scalar
  if (t.shape()->size() > kMaxTensorRank) {
    return InvalidArgument(label + " has rank " + std::to_string(t.shape()->size()) +
                           ", more than " + std::to_string(kMaxTensorRank));
  }
  for (int32_t d : *t.shape()) {
    if (d < 1) {
      return InvalidArgument(label + " has dimension " + std::to_string(d) +
                             " (dimensions must be positive)");
    }
    shape.push_back(d);
  }
  return shape;
}

Result<Quantization> ReadQuantization(const fb::Tensor& t, const TensorInfo& info,
                                      const std::string& label) {
  Quantization q;
  const fb::QuantizationParameters* p = t.quantization();
  if (p == nullptr || p->scale() == nullptr || p->scale()->size() == 0) {
    if (p != nullptr && p->zero_point() != nullptr && p->zero_point()->size() != 0) {
      return InvalidArgument(label + " has zero points but no scales");
    }
    return q;
  }
  if (p->details_type() != fb::QuantizationDetails::NONE) {
    return Unimplemented(label + " uses custom quantization");
  }
  const size_t n = p->scale()->size();
  const size_t nz = p->zero_point() == nullptr ? 0 : p->zero_point()->size();
  if (nz != n) {
    return InvalidArgument(label + " has " + std::to_string(n) + " scales but " + std::to_string(nz) +
                           " zero points");
  }
  int32_t dim = p->quantized_dimension();
  if (n == 1) {
    dim = 0;  // per tensor: the axis is meaningless, some converters write junk here
  } else {
    if (dim < 0 || static_cast<size_t>(dim) >= info.shape.size()) {
      // Seen on real 1-D bias tensors (quantized_dimension 3): there is only one possible axis.
      if (info.shape.size() != 1) {
        return InvalidArgument(label + " has quantized_dimension " + std::to_string(dim) +
                               " outside its rank " + std::to_string(info.shape.size()));
      }
      dim = 0;
    }
    if (static_cast<size_t>(info.shape[dim]) != n) {
      return InvalidArgument(label + " has " + std::to_string(n) + " scales but dimension " +
                             std::to_string(dim) + " has size " + std::to_string(info.shape[dim]));
    }
  }
  q.dimension = dim;
  int64_t zmin = std::numeric_limits<int64_t>::min(), zmax = std::numeric_limits<int64_t>::max();
  if (info.type == DataType::kUInt8) zmin = 0, zmax = 255;
  if (info.type == DataType::kInt8) zmin = -128, zmax = 127;
  if (info.type == DataType::kInt32) zmin = zmax = 0;
  for (size_t i = 0; i < n; ++i) {
    const float s = p->scale()->Get(i);
    if (!std::isfinite(s) || s < 0.0f) {
      return InvalidArgument(label + " has invalid scale " + std::to_string(s) + " at " + std::to_string(i));
    }
    const int64_t z = p->zero_point()->Get(i);
    if (z < zmin || z > zmax) {
      return InvalidArgument(label + " has zero point " + std::to_string(z) + " outside the range of " +
                             std::string(DataTypeName(info.type)));
    }
    q.scales.push_back(s);
    q.zero_points.push_back(z);
  }
  return q;
}

struct RawTensor {
  std::span<const uint8_t> data;  // constant bytes inside the flatbuffer, empty otherwise
  bool dequantize_to_float = false;
};

// Reads one tensor's description and locates its constant data; checks everything.
Status ReadTensor(const fb::Model& model, const fb::Tensor* t, size_t index, GraphTensor* out,
                  RawTensor* raw) {
  if (t == nullptr) return InvalidArgument("tensor " + std::to_string(index) + " is null");
  const std::string name = t->name() ? t->name()->str() : std::string();
  const std::string label = TensorLabel(index, name);
  TensorInfo& info = out->info;
  info.name = name;
  S3ML_ASSIGN_OR_RETURN(info.type, MapType(t->type(), label));
  S3ML_ASSIGN_OR_RETURN(info.shape, ReadShape(*t, label));
  size_t bytes = DataTypeSize(info.type);
  for (int32_t d : info.shape) {
    if (!CheckedMul(bytes, static_cast<size_t>(d), &bytes) || bytes > kMaxTensorBytes) {
      return InvalidArgument(label + " is larger than " + std::to_string(kMaxTensorBytes) + " bytes");
    }
  }
  if (t->sparsity() != nullptr) return Unimplemented(label + " is sparse");
  if (t->is_variable()) return Unimplemented(label + " is a variable tensor");
  if (info.type != DataType::kFloat32) {
    S3ML_ASSIGN_OR_RETURN(info.quantization, ReadQuantization(*t, info, label));
  }
  const auto* buffers = model.buffers();
  const size_t buffer_count = buffers == nullptr ? 0 : buffers->size();
  if (t->buffer() >= buffer_count) {
    // Buffer 0 is TFLite's "no data" sentinel, but it must still exist.
    return InvalidArgument(label + " refers to buffer " + std::to_string(t->buffer()) + " but the model has " +
                           std::to_string(buffer_count) + " buffers");
  }
  const fb::Buffer* b = buffers->Get(t->buffer());
  if (b == nullptr) return InvalidArgument(label + " refers to a null buffer");
  if (b->offset() != 0 || b->size() != 0) {
    return Unimplemented(label + " keeps its data outside the flatbuffer (buffer offset/size)");
  }
  if (b->data() != nullptr && b->data()->size() != 0) {
    if (b->data()->size() != bytes) {
      return InvalidArgument(label + " " + std::string(DataTypeName(info.type)) + " needs " +
                             std::to_string(bytes) + " bytes but buffer " + std::to_string(t->buffer()) +
                             " holds " + std::to_string(b->data()->size()));
    }
    raw->data = {b->data()->data(), b->data()->size()};
    out->constant_offset = 0;  // placed later
  }
  return Status::Ok();
}

Activation MapActivation(fb::ActivationFunctionType a, bool* ok) {
  *ok = true;
  switch (a) {
    case fb::ActivationFunctionType::NONE: return Activation::kNone;
    case fb::ActivationFunctionType::RELU: return Activation::kRelu;
    case fb::ActivationFunctionType::RELU_N1_TO_1: return Activation::kReluN1To1;
    case fb::ActivationFunctionType::RELU6: return Activation::kRelu6;
    default: break;
  }
  *ok = false;
  return Activation::kNone;
}

Status MapPadding(fb::Padding p, Padding* out, const std::string& label) {
  switch (p) {
    case fb::Padding::SAME: *out = Padding::kSame; return Status::Ok();
    case fb::Padding::VALID: *out = Padding::kValid; return Status::Ok();
  }
  return InvalidArgument(label + "has unknown padding " + std::to_string(static_cast<int>(p)));
}

// Copies the options an operator needs into `op`.
Status ReadOptions(const fb::Operator& src, const std::string& label, GraphOperator* op) {
  bool ok = true;
  auto activation = [&](fb::ActivationFunctionType a) -> Status {
    op->activation = MapActivation(a, &ok);
    if (!ok) return Unimplemented(label + "has unsupported fused activation " + std::to_string(static_cast<int>(a)));
    return Status::Ok();
  };
  switch (op->code) {
    case OpCode::kConv2d: {
      const auto* o = src.builtin_options_as_Conv2DOptions();
      if (o == nullptr) return InvalidArgument(label + "is missing Conv2DOptions");
      S3ML_RETURN_IF_ERROR(MapPadding(o->padding(), &op->padding, label));
      op->stride_w = o->stride_w(), op->stride_h = o->stride_h();
      op->dilation_w = o->dilation_w_factor(), op->dilation_h = o->dilation_h_factor();
      return activation(o->fused_activation_function());
    }
    case OpCode::kDepthwiseConv2d: {
      const auto* o = src.builtin_options_as_DepthwiseConv2DOptions();
      if (o == nullptr) return InvalidArgument(label + "is missing DepthwiseConv2DOptions");
      S3ML_RETURN_IF_ERROR(MapPadding(o->padding(), &op->padding, label));
      op->stride_w = o->stride_w(), op->stride_h = o->stride_h();
      op->dilation_w = o->dilation_w_factor(), op->dilation_h = o->dilation_h_factor();
      op->depth_multiplier = o->depth_multiplier();
      return activation(o->fused_activation_function());
    }
    case OpCode::kAveragePool2d: {
      const auto* o = src.builtin_options_as_Pool2DOptions();
      if (o == nullptr) return InvalidArgument(label + "is missing Pool2DOptions");
      S3ML_RETURN_IF_ERROR(MapPadding(o->padding(), &op->padding, label));
      op->stride_w = o->stride_w(), op->stride_h = o->stride_h();
      op->filter_w = o->filter_width(), op->filter_h = o->filter_height();
      return activation(o->fused_activation_function());
    }
    case OpCode::kFullyConnected: {
      const auto* o = src.builtin_options_as_FullyConnectedOptions();
      if (o == nullptr) return Status::Ok();  // all defaults
      if (o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
        return Unimplemented(label + "uses shuffled weights");
      }
      op->keep_num_dims = o->keep_num_dims();
      return activation(o->fused_activation_function());
    }
    case OpCode::kAdd: {
      const auto* o = src.builtin_options_as_AddOptions();
      if (o == nullptr) return Status::Ok();
      return activation(o->fused_activation_function());
    }
    case OpCode::kSoftmax: {
      const auto* o = src.builtin_options_as_SoftmaxOptions();
      if (o == nullptr) return InvalidArgument(label + "is missing SoftmaxOptions");
      op->beta = o->beta();
      return Status::Ok();
    }
    case OpCode::kMean: {
      const auto* o = src.builtin_options_as_ReducerOptions();
      op->keep_dims = o != nullptr && o->keep_dims();
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Result<int32_t> BuiltinCode(const fb::OperatorCode* code, size_t index) {
  if (code == nullptr) return InvalidArgument("operator code " + std::to_string(index) + " is null");
  // Files written before the int32 field carry the code only in the deprecated int8 field.
  return std::max<int32_t>(code->deprecated_builtin_code(), static_cast<int32_t>(code->builtin_code()));
}

Status CheckIndexList(const flatbuffers::Vector<int32_t>* list, size_t tensor_count, bool allow_missing,
                      const std::string& what, std::vector<int32_t>* out) {
  if (list == nullptr) return Status::Ok();
  for (int32_t i : *list) {
    if ((i < 0 && !(allow_missing && i == -1)) || (i >= 0 && static_cast<size_t>(i) >= tensor_count)) {
      return InvalidArgument(what + " refers to tensor " + std::to_string(i) + " but the model has " +
                             std::to_string(tensor_count) + " tensors");
    }
    out->push_back(i);
  }
  return Status::Ok();
}

// Every run-time tensor is written once, before it is read, and never a model input or constant.
Status CheckDataflow(const Graph& g) {
  std::vector<bool> ready(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i) ready[i] = g.tensors[i].constant();
  for (int32_t in : g.inputs) {
    if (g.tensors[in].constant()) return InvalidArgument("model input " + TensorLabel(in, g.tensors[in].info.name) + " is a constant");
    ready[in] = true;
  }
  for (size_t k = 0; k < g.operators.size(); ++k) {
    const GraphOperator& op = g.operators[k];
    for (int32_t in : op.inputs) {
      if (in >= 0 && !ready[in]) {
        return InvalidArgument("operator " + std::to_string(k) + " reads " + TensorLabel(in, g.tensors[in].info.name) +
                               " before any operator writes it");
      }
    }
    for (int32_t out : op.outputs) {
      if (ready[out]) {
        return InvalidArgument("operator " + std::to_string(k) + " writes " + TensorLabel(out, g.tensors[out].info.name) +
                               " which is a constant, a model input or already written");
      }
      ready[out] = true;
    }
  }
  for (int32_t out : g.outputs) {
    if (!ready[out] || g.tensors[out].constant()) {
      return InvalidArgument("model output " + TensorLabel(out, g.tensors[out].info.name) + " is never computed");
    }
  }
  return Status::Ok();
}

// Dequantizes int8/uint8 weights into float32 (hybrid models): real = scale[c] * (q - zero_point[c]).
void DequantizeWeights(const TensorInfo& quantized, std::span<const uint8_t> src, float* dst) {
  const auto& q = quantized.quantization;
  size_t inner = 1;
  for (size_t d = q.dimension + 1; d < quantized.shape.size(); ++d) inner *= quantized.shape[d];
  const size_t channels = q.scales.size();
  for (size_t i = 0; i < src.size(); ++i) {
    const size_t c = channels == 1 ? 0 : (i / inner) % channels;
    const int32_t v = quantized.type == DataType::kInt8 ? static_cast<int8_t>(src[i]) : src[i];
    dst[i] = q.scales[c] * static_cast<float>(v - q.zero_points[c]);
  }
}

}  // namespace

Result<Graph> ReadModel(std::span<const uint8_t> tflite, Allocator& allocator) {
  if (tflite.size() < 8) {
    return InvalidArgument("model is " + std::to_string(tflite.size()) + " bytes, too short for a TFLite file");
  }
  if (tflite.size() >= FLATBUFFERS_MAX_BUFFER_SIZE) return InvalidArgument("model is larger than 2 GiB");
  if (!fb::ModelBufferHasIdentifier(tflite.data())) {
    return InvalidArgument("not a TFLite model: file identifier is not \"TFL3\"");
  }
  flatbuffers::Verifier verifier(tflite.data(), tflite.size(), /*max_depth=*/64, /*max_tables=*/1000000);
  if (!fb::VerifyModelBuffer(verifier)) {
    return InvalidArgument("malformed TFLite model: flatbuffer verification failed (truncated or corrupt)");
  }
  const fb::Model& model = *fb::GetModel(tflite.data());
  if (model.version() != 3) {
    return InvalidArgument("unsupported TFLite schema version " + std::to_string(model.version()) + " (expected 3)");
  }
  if (model.subgraphs() == nullptr || model.subgraphs()->size() != 1) {
    return Unimplemented("model has " + std::to_string(model.subgraphs() ? model.subgraphs()->size() : 0) +
                         " subgraphs; exactly one is supported");
  }
  const fb::SubGraph* sg = model.subgraphs()->Get(0);
  if (sg == nullptr || sg->tensors() == nullptr || sg->operators() == nullptr) {
    return InvalidArgument("subgraph 0 has no tensors or no operators");
  }

  // Operator codes: resolve each to a builtin code; refuse unsupported ones, all named at once.
  const auto* codes = model.operator_codes();
  const size_t code_count = codes == nullptr ? 0 : codes->size();
  Graph g;
  std::vector<std::string> unsupported;
  for (size_t k = 0; k < sg->operators()->size(); ++k) {
    const fb::Operator* src = sg->operators()->Get(k);
    if (src == nullptr) return InvalidArgument("operator " + std::to_string(k) + " is null");
    if (src->opcode_index() >= code_count) {
      return InvalidArgument("operator " + std::to_string(k) + " has opcode_index " +
                             std::to_string(src->opcode_index()) + " but the model has " +
                             std::to_string(code_count) + " operator codes");
    }
    const fb::OperatorCode* oc = codes->Get(src->opcode_index());
    S3ML_ASSIGN_OR_RETURN(int32_t builtin, BuiltinCode(oc, src->opcode_index()));
    const std::optional<OpCode> supported = SupportedOperator(builtin);
    if (!supported) {
      std::string name = BuiltinOperatorName(builtin);
      if (builtin == static_cast<int32_t>(OpCode::kCustom)) {
        name += "(" + (oc->custom_code() ? oc->custom_code()->str() : std::string("unnamed")) + ")";
      }
      bool seen = false;
      for (const auto& u : unsupported) seen = seen || u == name;
      if (!seen) unsupported.push_back(name);
      continue;
    }
    GraphOperator op;
    op.code = *supported;
    g.operators.push_back(std::move(op));
  }
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& u : unsupported) list += (list.empty() ? "" : ", ") + u;
    return Unimplemented("unsupported operators: " + list);
  }

  // Tensors.
  const size_t tensor_count = sg->tensors()->size();
  g.tensors.resize(tensor_count);
  std::vector<RawTensor> raw(tensor_count);
  for (size_t i = 0; i < tensor_count; ++i) {
    S3ML_RETURN_IF_ERROR(ReadTensor(model, sg->tensors()->Get(i), i, &g.tensors[i], &raw[i]));
  }

  // Operators: indices and options.
  for (size_t k = 0; k < g.operators.size(); ++k) {
    const fb::Operator* src = sg->operators()->Get(k);
    GraphOperator& op = g.operators[k];
    const std::string label = "operator " + std::to_string(k) + " (" +
                              BuiltinOperatorName(static_cast<int32_t>(op.code)) + ") ";
    S3ML_RETURN_IF_ERROR(CheckIndexList(src->inputs(), tensor_count, true, label + "input", &op.inputs));
    S3ML_RETURN_IF_ERROR(CheckIndexList(src->outputs(), tensor_count, false, label + "output", &op.outputs));
    S3ML_RETURN_IF_ERROR(ReadOptions(*src, label, &op));
  }
  S3ML_RETURN_IF_ERROR(CheckIndexList(sg->inputs(), tensor_count, false, "subgraph input", &g.inputs));
  S3ML_RETURN_IF_ERROR(CheckIndexList(sg->outputs(), tensor_count, false, "subgraph output", &g.outputs));
  if (g.inputs.empty() || g.outputs.empty()) return InvalidArgument("model has no inputs or no outputs");

  // Hybrid layers: quantized constant weights feeding a float layer become float weights.
  for (const GraphOperator& op : g.operators) {
    const bool weighted = op.code == OpCode::kConv2d || op.code == OpCode::kDepthwiseConv2d ||
                          op.code == OpCode::kFullyConnected;
    if (!weighted || op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) continue;
    GraphTensor& w = g.tensors[op.inputs[1]];
    if (g.tensors[op.inputs[0]].info.type == DataType::kFloat32 && w.constant() &&
        (w.info.type == DataType::kInt8 || w.info.type == DataType::kUInt8) && w.info.quantization.quantized()) {
      raw[op.inputs[1]].dequantize_to_float = true;
    }
  }

  // Constants: one aligned block, each tensor at a 64-byte boundary.
  size_t total = 0;
  for (size_t i = 0; i < tensor_count; ++i) {
    if (!g.tensors[i].constant()) continue;
    size_t bytes = raw[i].dequantize_to_float ? raw[i].data.size() * sizeof(float) : raw[i].data.size();
    if (!CheckedAlignUp(total, kBufferAlignment, &total) || !CheckedAdd(total, bytes, &total)) {
      return InvalidArgument("constant data size overflows");
    }
  }
  S3ML_ASSIGN_OR_RETURN(g.constants, AlignedBuffer::Create(allocator, total, "model constants"));
  size_t offset = 0;
  for (size_t i = 0; i < tensor_count; ++i) {
    GraphTensor& t = g.tensors[i];
    if (!t.constant()) continue;
    (void)CheckedAlignUp(offset, kBufferAlignment, &offset);  // cannot overflow: checked above
    t.constant_offset = static_cast<int64_t>(offset);
    if (raw[i].dequantize_to_float) {
      DequantizeWeights(t.info, raw[i].data, reinterpret_cast<float*>(g.constants.data() + offset));
      t.info.type = DataType::kFloat32;
      t.info.quantization = Quantization();
      offset += raw[i].data.size() * sizeof(float);
    } else {
      std::memcpy(g.constants.data() + offset, raw[i].data.data(), raw[i].data.size());
      offset += raw[i].data.size();
    }
  }

  S3ML_RETURN_IF_ERROR(CheckDataflow(g));
  for (size_t k = 0; k < g.operators.size(); ++k) {
    S3ML_RETURN_IF_ERROR(ValidateOperator(g, k, g.operators[k]));
  }
  return g;
}

}  // namespace s3ml::engine
