#include "engine/xnnpack_segment.h"

#include <cmath>
#include <limits>
#include <string>

#include "engine/operator_registry.h"
#include "engine/xnn_memory.h"

namespace s3ml::engine {
namespace {

struct SubgraphDeleter {
  void operator()(xnn_subgraph* s) const { xnn_delete_subgraph(s); }
};
using SubgraphPtr = std::unique_ptr<xnn_subgraph, SubgraphDeleter>;

// XNNPACK's status, as ours: its parameter checks (e.g. a requantization scale out of its
// supported range) are the last line of validation for values that passed ours.
Status FromXnnStatus(xnn_status status, std::string message) {
  message += " (XNNPACK status " + std::to_string(static_cast<int>(status)) + ")";
  switch (status) {
    case xnn_status_invalid_parameter: return InvalidArgument(std::move(message));
    case xnn_status_unsupported_parameter: return Unimplemented(std::move(message));
    case xnn_status_out_of_memory: return ResourceExhausted(std::move(message));
    default: return Internal(std::move(message));
  }
}

Status XnnError(xnn_status status, size_t op_index, const GraphOperator& op, const char* what) {
  return FromXnnStatus(status, std::string("XNNPACK refused ") + what + " of operator " + std::to_string(op_index) +
                                   " (" + BuiltinOperatorName(static_cast<int32_t>(op.code)) + ")");
}

// Defines the subgraph's values and nodes for one segment.
class SegmentBuilder {
 public:
  SegmentBuilder(const Graph& g, const MemoryPlan& plan, xnn_subgraph_t sg, std::deque<std::vector<float>>* scales)
      : g_(g), plan_(plan), sg_(sg), scales_(scales), ids_(g.tensors.size(), XNN_INVALID_VALUE_ID) {}

  // Value for an activation tensor (run-time or constant used as data, e.g. an ADD operand).
  Result<uint32_t> Activation(int32_t t, bool produced_here, size_t k, const GraphOperator& op) {
    if (ids_[t] != XNN_INVALID_VALUE_ID) return ids_[t];
    const GraphTensor& gt = g_.tensors[t];
    uint32_t external = XNN_INVALID_VALUE_ID;
    uint32_t flags = 0;
    const void* data = nullptr;
    if (gt.constant()) {
      data = g_.constant_data(t);
    } else if (plan_.arena_offset[t] >= 0) {
      external = static_cast<uint32_t>(t);
      flags = produced_here ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : XNN_VALUE_FLAG_EXTERNAL_INPUT;
      externals_.push_back(static_cast<uint32_t>(t));
    }
    std::vector<size_t> dims(gt.info.shape.begin(), gt.info.shape.end());
    uint32_t id = XNN_INVALID_VALUE_ID;
    xnn_status s;
    const auto& q = gt.info.quantization;
    switch (gt.info.type) {
      case DataType::kFloat32:
        s = xnn_define_tensor_value(sg_, xnn_datatype_fp32, dims.size(), dims.data(), data, external, flags, &id);
        break;
      case DataType::kUInt8:
      case DataType::kInt8:
        s = xnn_define_quantized_tensor_value(
            sg_, gt.info.type == DataType::kUInt8 ? xnn_datatype_quint8 : xnn_datatype_qint8,
            static_cast<int32_t>(q.zero_points[0]), q.scales[0], dims.size(), dims.data(), data, external, flags, &id);
        break;
      default:
        return Internal("tensor type not supported by XNNPACK");
    }
    if (s != xnn_status_success) return XnnError(s, k, op, "a tensor");
    ids_[t] = id;
    return id;
  }

  // Filter and bias of a convolution or fully connected layer. `channel_dim` is the filter axis of
  // output channels. int8 convolution weights always use XNNPACK's channelwise type (a per-tensor
  // scale is repeated), since its per-channel kernels are the ones TFLite's int8 path matches.
  Status Weights(size_t k, const GraphOperator& op, size_t channel_dim, bool channelwise_ok,
                 uint32_t* filter_id, uint32_t* bias_id) {
    const TensorInfo& in = g_.tensors[op.inputs[0]].info;
    const int32_t w = op.inputs[1];
    const TensorInfo& filter = g_.tensors[w].info;
    std::vector<size_t> fdims(filter.shape.begin(), filter.shape.end());
    const size_t channels = fdims[channel_dim];
    xnn_status s;
    bool channelwise = false;
    *filter_id = XNN_INVALID_VALUE_ID;
    if (filter.type == DataType::kFloat32) {
      s = xnn_define_tensor_value(sg_, xnn_datatype_fp32, fdims.size(), fdims.data(), g_.constant_data(w),
                                  XNN_INVALID_VALUE_ID, 0, filter_id);
    } else if (filter.type == DataType::kInt8 && channelwise_ok) {
      channelwise = true;
      std::vector<float>& sc = scales_->emplace_back(channels);
      for (size_t c = 0; c < channels; ++c) {
        sc[c] = filter.quantization.scales[filter.quantization.scales.size() == 1 ? 0 : c];
      }
      s = xnn_define_channelwise_quantized_tensor_value(sg_, xnn_datatype_qcint8, sc.data(), fdims.size(),
                                                        channel_dim, fdims.data(), g_.constant_data(w),
                                                        XNN_INVALID_VALUE_ID, 0, filter_id);
    } else {
      s = xnn_define_quantized_tensor_value(
          sg_, filter.type == DataType::kUInt8 ? xnn_datatype_quint8 : xnn_datatype_qint8,
          static_cast<int32_t>(filter.quantization.zero_points[0]), filter.quantization.scales[0], fdims.size(),
          fdims.data(), g_.constant_data(w), XNN_INVALID_VALUE_ID, 0, filter_id);
    }
    if (s != xnn_status_success) return XnnError(s, k, op, "the filter");

    *bias_id = XNN_INVALID_VALUE_ID;
    if (op.inputs.size() < 3 || op.inputs[2] < 0) return Status::Ok();
    const int32_t b = op.inputs[2];
    const size_t bdims[1] = {channels};
    if (filter.type == DataType::kFloat32) {
      s = xnn_define_tensor_value(sg_, xnn_datatype_fp32, 1, bdims, g_.constant_data(b), XNN_INVALID_VALUE_ID, 0,
                                  bias_id);
    } else if (channelwise) {
      // TFLite's bias scale is input_scale * filter_scale[c] by construction; XNNPACK wants it stated.
      std::vector<float>& sc = scales_->emplace_back(channels);
      const std::vector<float>& fs = scales_->end()[-2];
      for (size_t c = 0; c < channels; ++c) sc[c] = in.quantization.scales[0] * fs[c];
      s = xnn_define_channelwise_quantized_tensor_value(sg_, xnn_datatype_qcint32, sc.data(), 1, 0, bdims,
                                                        g_.constant_data(b), XNN_INVALID_VALUE_ID, 0, bias_id);
    } else {
      s = xnn_define_quantized_tensor_value(sg_, xnn_datatype_qint32, 0,
                                            in.quantization.scales[0] * filter.quantization.scales[0], 1, bdims,
                                            g_.constant_data(b), XNN_INVALID_VALUE_ID, 0, bias_id);
    }
    if (s != xnn_status_success) return XnnError(s, k, op, "the bias");
    return Status::Ok();
  }

  // Output range: the fused activation intersected with what the output's quantization can
  // represent (TF1 uint8 models rely on that implicit clamp).
  void OutputRange(const GraphOperator& op, float* lo, float* hi) const {
    *lo = -std::numeric_limits<float>::infinity();
    *hi = std::numeric_limits<float>::infinity();
    switch (op.activation) {
      case Activation::kNone: break;
      case Activation::kRelu: *lo = 0.0f; break;
      case Activation::kRelu6: *lo = 0.0f, *hi = 6.0f; break;
      case Activation::kReluN1To1: *lo = -1.0f, *hi = 1.0f; break;
    }
    const TensorInfo& out = g_.tensors[op.outputs[0]].info;
    if (out.type == DataType::kFloat32) return;
    const float qmin = out.type == DataType::kUInt8 ? 0.0f : -128.0f;
    const float qmax = out.type == DataType::kUInt8 ? 255.0f : 127.0f;
    const float scale = out.quantization.scales[0];
    const float zp = static_cast<float>(out.quantization.zero_points[0]);
    *lo = std::max(*lo, scale * (qmin - zp));
    *hi = std::min(*hi, scale * (qmax - zp));
  }

  Status Node(size_t k, const GraphOperator& op) {
    S3ML_ASSIGN_OR_RETURN(uint32_t in, Activation(op.inputs[0], false, k, op));
    S3ML_ASSIGN_OR_RETURN(uint32_t out, Activation(op.outputs[0], true, k, op));
    float lo, hi;
    OutputRange(op, &lo, &hi);
    const TensorInfo& it = g_.tensors[op.inputs[0]].info;
    xnn_status s = xnn_status_success;
    const uint32_t same = op.padding == Padding::kSame ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
    switch (op.code) {
      case OpCode::kConv2d: {
        const auto& f = g_.tensors[op.inputs[1]].info.shape;
        uint32_t filter, bias;
        S3ML_RETURN_IF_ERROR(Weights(k, op, 0, true, &filter, &bias));
        s = xnn_define_convolution_2d(sg_, 0, 0, 0, 0, f[1], f[2], op.stride_h, op.stride_w, op.dilation_h,
                                      op.dilation_w, 1, f[3], f[0], lo, hi, in, filter, bias, out, same);
        break;
      }
      case OpCode::kDepthwiseConv2d: {
        const auto& f = g_.tensors[op.inputs[1]].info.shape;
        uint32_t filter, bias;
        S3ML_RETURN_IF_ERROR(Weights(k, op, 3, true, &filter, &bias));
        const uint32_t channels = it.shape[3];
        // The multiplier follows from the shapes; the option field is unreliable in old files.
        s = xnn_define_depthwise_convolution_2d(sg_, 0, 0, 0, 0, f[1], f[2], op.stride_h, op.stride_w,
                                                op.dilation_h, op.dilation_w, f[3] / channels, channels, lo, hi,
                                                in, filter, bias, out, same);
        break;
      }
      case OpCode::kFullyConnected: {
        uint32_t filter, bias;
        S3ML_RETURN_IF_ERROR(Weights(k, op, 0, false, &filter, &bias));
        s = xnn_define_fully_connected(sg_, lo, hi, in, filter, bias, out,
                                       op.keep_num_dims ? 0 : XNN_FLAG_TENSORFLOW_RESHAPE_2D);
        break;
      }
      case OpCode::kAdd: {
        S3ML_ASSIGN_OR_RETURN(uint32_t in2, Activation(op.inputs[1], false, k, op));
        s = xnn_define_add2(sg_, lo, hi, in, in2, out, 0);
        break;
      }
      case OpCode::kAveragePool2d: {
        const auto& os = g_.tensors[op.outputs[0]].info.shape;
        if (op.padding == Padding::kValid && op.filter_h == it.shape[1] && op.filter_w == it.shape[2] &&
            os[1] == 1 && os[2] == 1) {
          s = xnn_define_global_average_pooling_2d(sg_, lo, hi, in, out, 0);
        } else {
          s = xnn_define_average_pooling_2d(sg_, 0, 0, 0, 0, op.filter_h, op.filter_w, op.stride_h, op.stride_w,
                                            lo, hi, in, out, same);
        }
        break;
      }
      case OpCode::kMean:
        s = xnn_define_global_average_pooling_2d(sg_, lo, hi, in, out, 0);
        break;
      case OpCode::kReshape: {
        const auto& os = g_.tensors[op.outputs[0]].info.shape;
        std::vector<size_t> dims(os.begin(), os.end());
        s = xnn_define_static_reshape(sg_, dims.size(), dims.data(), in, out, 0);
        break;
      }
      case OpCode::kSoftmax:
        s = xnn_define_softmax(sg_, in, out, 0);
        break;
      default:
        return Internal("operator " + std::to_string(k) + " does not run on XNNPACK");
    }
    if (s != xnn_status_success) return XnnError(s, k, op, "the node");
    return Status::Ok();
  }

  const std::vector<uint32_t>& externals() const { return externals_; }

 private:
  const Graph& g_;
  const MemoryPlan& plan_;
  xnn_subgraph_t sg_;
  std::deque<std::vector<float>>* scales_;
  std::vector<uint32_t> ids_;
  std::vector<uint32_t> externals_;
};

}  // namespace

Result<std::unique_ptr<XnnpackSegment>> XnnpackSegment::Create(const Graph& graph, const ExecutionStep& step,
                                                               const MemoryPlan& plan, uint8_t* arena,
                                                               pthreadpool_t threadpool, Allocator& allocator) {
  S3ML_RETURN_IF_ERROR(EnsureXnnpackInitialized());
  std::unique_ptr<XnnpackSegment> seg(new XnnpackSegment(allocator));
  XnnAllocatorScope scope(allocator);
  xnn_subgraph_t raw = nullptr;
  xnn_status s = xnn_create_subgraph(static_cast<uint32_t>(graph.tensors.size()), 0, &raw);
  if (s != xnn_status_success) return FromXnnStatus(s, "xnn_create_subgraph failed");
  SubgraphPtr subgraph(raw);
  SegmentBuilder builder(graph, plan, raw, &seg->scales_);
  for (size_t k : step.operators) S3ML_RETURN_IF_ERROR(builder.Node(k, graph.operators[k]));
  s = xnn_create_runtime_v2(raw, threadpool, 0, &seg->runtime_);
  if (s != xnn_status_success) {
    return FromXnnStatus(s, "XNNPACK cannot create a runtime for operators " + std::to_string(step.operators.front()) +
                                "-" + std::to_string(step.operators.back()));
  }
  std::vector<xnn_external_value> externals;
  for (uint32_t t : builder.externals()) externals.push_back({t, arena + plan.arena_offset[t]});
  s = xnn_setup_runtime(seg->runtime_, externals.size(), externals.data());
  if (s != xnn_status_success) return FromXnnStatus(s, "xnn_setup_runtime failed");
  return seg;
}

XnnpackSegment::~XnnpackSegment() {
  if (runtime_ != nullptr) {
    XnnAllocatorScope scope(allocator_);
    xnn_delete_runtime(runtime_);
  }
}

Status XnnpackSegment::Invoke() {
  XnnAllocatorScope scope(allocator_);
  const xnn_status s = xnn_invoke_runtime(runtime_);
  if (s != xnn_status_success) return FromXnnStatus(s, "xnn_invoke_runtime failed");
  return Status::Ok();
}

}  // namespace s3ml::engine
