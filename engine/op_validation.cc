#include "engine/op_validation.h"

#include <cmath>
#include <cstring>
#include <string>

#include "engine/operator_registry.h"

namespace s3ml::engine {
namespace {

std::string ShapeString(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// Checks one operator; each method returns an error naming the operator and the tensor at fault.
class OperatorChecker {
 public:
  OperatorChecker(const Graph& graph, size_t index, const GraphOperator& op)
      : graph_(graph), op_(op),
        prefix_("operator " + std::to_string(index) + " (" +
                BuiltinOperatorName(static_cast<int32_t>(op.code)) + "): ") {}

  Status Fail(const std::string& what) const { return InvalidArgument(prefix_ + what); }
  Status Unsupported(const std::string& what) const { return Unimplemented(prefix_ + what); }

  Status Counts(size_t min_in, size_t max_in, size_t outputs) const {
    if (op_.inputs.size() < min_in || op_.inputs.size() > max_in) {
      return Fail("has " + std::to_string(op_.inputs.size()) + " inputs, expected " +
                  std::to_string(min_in) + (min_in == max_in ? "" : "-" + std::to_string(max_in)));
    }
    if (op_.outputs.size() != outputs) {
      return Fail("has " + std::to_string(op_.outputs.size()) + " outputs, expected " +
                  std::to_string(outputs));
    }
    for (size_t i = 0; i < min_in; ++i) {
      if (op_.inputs[i] < 0) return Fail("required input " + std::to_string(i) + " is missing");
    }
    for (int32_t o : op_.outputs) {
      if (o < 0) return Fail("an output is missing");
    }
    return Status::Ok();
  }

  const TensorInfo& In(size_t i) const { return graph_.tensors[op_.inputs[i]].info; }
  const TensorInfo& Out() const { return graph_.tensors[op_.outputs[0]].info; }
  bool HasInput(size_t i) const { return i < op_.inputs.size() && op_.inputs[i] >= 0; }
  bool InConstant(size_t i) const { return graph_.tensors[op_.inputs[i]].constant(); }

  std::string Describe(const TensorInfo& t) const {
    return "tensor '" + t.name + "' " + std::string(DataTypeName(t.type)) + ShapeString(t.shape);
  }

  Status Rank(const TensorInfo& t, size_t rank, const char* role) const {
    if (t.shape.size() != rank) {
      return Fail(std::string(role) + " " + Describe(t) + " must have rank " + std::to_string(rank));
    }
    return Status::Ok();
  }

  Status ActivationType(const TensorInfo& t, const char* role) const {
    if (t.type != DataType::kFloat32 && t.type != DataType::kUInt8 && t.type != DataType::kInt8) {
      return Unsupported(std::string(role) + " " + Describe(t) + " has an unsupported type");
    }
    if (t.type != DataType::kFloat32) {
      if (!t.quantization.quantized()) {
        return Fail(std::string(role) + " " + Describe(t) + " is not quantized");
      }
      if (t.quantization.scales.size() != 1) {
        return Unsupported(std::string(role) + " " + Describe(t) +
                           " is quantized per channel; activations must be per tensor");
      }
      if (!std::isnormal(t.quantization.scales[0])) {
        return Fail(std::string(role) + " " + Describe(t) + " has scale " +
                    std::to_string(t.quantization.scales[0]) + " (must be positive)");
      }
    }
    return Status::Ok();
  }

  Status SameType(const TensorInfo& a, const TensorInfo& b) const {
    if (a.type != b.type) {
      return Fail(Describe(a) + " and " + Describe(b) + " must have the same type");
    }
    return Status::Ok();
  }

  Status ShapeIs(const TensorInfo& t, const std::vector<int32_t>& expected) const {
    if (t.shape != expected) {
      return Fail("output " + Describe(t) + " should have shape " + ShapeString(expected));
    }
    return Status::Ok();
  }

  Status Window(int32_t stride_h, int32_t stride_w, int32_t dil_h, int32_t dil_w) const {
    if (stride_h < 1 || stride_w < 1 || stride_h > 1024 || stride_w > 1024) {
      return Fail("strides " + std::to_string(stride_h) + "x" + std::to_string(stride_w) +
                  " are out of range");
    }
    if (dil_h < 1 || dil_w < 1 || dil_h > 1024 || dil_w > 1024) {
      return Fail("dilations " + std::to_string(dil_h) + "x" + std::to_string(dil_w) +
                  " are out of range");
    }
    return Status::Ok();
  }

  // TFLite's output size for SAME/VALID padding; -1 when the window does not fit.
  static int64_t OutputSize(Padding padding, int64_t in, int64_t kernel, int64_t stride,
                            int64_t dilation) {
    const int64_t effective = (kernel - 1) * dilation + 1;
    if (padding == Padding::kSame) return (in + stride - 1) / stride;
    if (in < effective) return -1;
    return (in - effective + stride) / stride;
  }

  // Weights and bias of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED.
  // `channel_dim` is the filter axis carrying output channels, `channels` their count.
  Status WeightsAndBias(const TensorInfo& in, const TensorInfo& filter, size_t channel_dim,
                        int32_t channels, bool allow_per_channel) const {
    if (!InConstant(1)) return Unsupported("filter " + Describe(filter) + " is not a constant");
    const bool quantized = in.type != DataType::kFloat32;
    if (!quantized && filter.type != DataType::kFloat32) {
      return Fail("filter " + Describe(filter) + " must be float32 for a float32 input");
    }
    if (quantized) {
      if (filter.type != in.type) {
        return Fail("filter " + Describe(filter) + " must have the input's type " +
                    std::string(DataTypeName(in.type)));
      }
      const auto& q = filter.quantization;
      if (!q.quantized()) return Fail("filter " + Describe(filter) + " is not quantized");
      if (q.scales.size() != 1) {
        if (!allow_per_channel || filter.type != DataType::kInt8) {
          return Unsupported("filter " + Describe(filter) + " is quantized per channel");
        }
        if (q.dimension != static_cast<int32_t>(channel_dim) ||
            q.scales.size() != static_cast<size_t>(channels)) {
          return Fail("filter " + Describe(filter) + " has " + std::to_string(q.scales.size()) +
                      " scales along dimension " + std::to_string(q.dimension) + ", expected " +
                      std::to_string(channels) + " along " + std::to_string(channel_dim));
        }
      }
      for (float s : q.scales) {
        if (!std::isnormal(s)) return Fail("filter " + Describe(filter) + " has a zero or subnormal scale");
      }
      if (filter.type == DataType::kInt8) {
        for (int64_t zp : q.zero_points) {
          if (zp != 0) return Fail("int8 filter " + Describe(filter) + " has a nonzero zero point");
        }
      }
    }
    if (!HasInput(2)) return Status::Ok();
    const TensorInfo& bias = In(2);
    if (!InConstant(2)) return Unsupported("bias " + Describe(bias) + " is not a constant");
    if (bias.element_count() != static_cast<size_t>(channels)) {
      return Fail("bias " + Describe(bias) + " must have " + std::to_string(channels) + " elements");
    }
    const DataType want = quantized ? DataType::kInt32 : DataType::kFloat32;
    if (bias.type != want) {
      return Fail("bias " + Describe(bias) + " must be " + std::string(DataTypeName(want)));
    }
    if (quantized) {
      for (int64_t zp : bias.quantization.zero_points) {
        if (zp != 0) return Fail("bias " + Describe(bias) + " has a nonzero zero point");
      }
    }
    return Status::Ok();
  }

  Status InOutActivations() const {
    S3ML_RETURN_IF_ERROR(ActivationType(In(0), "input"));
    S3ML_RETURN_IF_ERROR(ActivationType(Out(), "output"));
    return SameType(In(0), Out());
  }

  Status Conv() const {
    S3ML_RETURN_IF_ERROR(Counts(2, 3, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    const TensorInfo& in = In(0);
    const TensorInfo& filter = In(1);
    const TensorInfo& out = Out();
    S3ML_RETURN_IF_ERROR(Rank(in, 4, "input"));
    S3ML_RETURN_IF_ERROR(Rank(filter, 4, "filter"));
    S3ML_RETURN_IF_ERROR(Window(op_.stride_h, op_.stride_w, op_.dilation_h, op_.dilation_w));
    const bool depthwise = op_.code == OpCode::kDepthwiseConv2d;
    int32_t out_channels;
    if (depthwise) {
      if (filter.shape[0] != 1) return Fail("depthwise filter " + Describe(filter) + " must be [1,h,w,c]");
      out_channels = filter.shape[3];
      if (out_channels % in.shape[3] != 0) {
        return Fail("depthwise filter " + Describe(filter) + " channels are not a multiple of the input's " +
                    std::to_string(in.shape[3]));
      }
    } else {
      out_channels = filter.shape[0];
      if (filter.shape[3] != in.shape[3]) {
        return Fail("filter " + Describe(filter) + " input channels do not match input " + Describe(in));
      }
    }
    S3ML_RETURN_IF_ERROR(WeightsAndBias(in, filter, depthwise ? 3 : 0, out_channels, true));
    const int64_t oh = OutputSize(op_.padding, in.shape[1], filter.shape[1], op_.stride_h, op_.dilation_h);
    const int64_t ow = OutputSize(op_.padding, in.shape[2], filter.shape[2], op_.stride_w, op_.dilation_w);
    if (oh < 1 || ow < 1) return Fail("filter " + Describe(filter) + " is larger than input " + Describe(in));
    return ShapeIs(out, {in.shape[0], static_cast<int32_t>(oh), static_cast<int32_t>(ow), out_channels});
  }

  Status FullyConnected() const {
    S3ML_RETURN_IF_ERROR(Counts(2, 3, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    const TensorInfo& in = In(0);
    const TensorInfo& filter = In(1);
    S3ML_RETURN_IF_ERROR(Rank(filter, 2, "filter"));
    if (in.shape.empty()) return Fail("input " + Describe(in) + " is a scalar");
    const int32_t units = filter.shape[0];
    const int32_t depth = filter.shape[1];
    S3ML_RETURN_IF_ERROR(WeightsAndBias(in, filter, 0, units, false));
    std::vector<int32_t> expected;
    if (op_.keep_num_dims) {
      if (in.shape.back() != depth) {
        return Fail("input " + Describe(in) + " last dimension must be " + std::to_string(depth));
      }
      expected = in.shape;
      expected.back() = units;
    } else {
      if (in.element_count() % static_cast<size_t>(depth) != 0) {
        return Fail("input " + Describe(in) + " is not a whole number of rows of " + std::to_string(depth));
      }
      expected = {static_cast<int32_t>(in.element_count() / depth), units};
    }
    return ShapeIs(Out(), expected);
  }

  Status Add() const {
    S3ML_RETURN_IF_ERROR(Counts(2, 2, 1));
    S3ML_RETURN_IF_ERROR(ActivationType(In(0), "input"));
    S3ML_RETURN_IF_ERROR(ActivationType(In(1), "input"));
    S3ML_RETURN_IF_ERROR(ActivationType(Out(), "output"));
    S3ML_RETURN_IF_ERROR(SameType(In(0), Out()));
    S3ML_RETURN_IF_ERROR(SameType(In(1), Out()));
    const auto& a = In(0).shape;
    const auto& b = In(1).shape;
    if (a.size() > 4 || b.size() > 4) return Unsupported("inputs of rank above 4");
    const size_t rank = std::max(a.size(), b.size());
    std::vector<int32_t> expected(rank);
    for (size_t i = 0; i < rank; ++i) {
      const int32_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
      const int32_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
      if (da != db && da != 1 && db != 1) {
        return Fail("inputs " + ShapeString(a) + " and " + ShapeString(b) + " do not broadcast");
      }
      expected[i] = std::max(da, db);
    }
    return ShapeIs(Out(), expected);
  }

  Status SameQuantization(const TensorInfo& a, const TensorInfo& b) const {
    if (a.type != DataType::kFloat32 &&
        (a.quantization.scales != b.quantization.scales ||
         a.quantization.zero_points != b.quantization.zero_points)) {
      return Unsupported(Describe(a) + " and " + Describe(b) + " must share quantization parameters");
    }
    return Status::Ok();
  }

  Status AveragePool() const {
    S3ML_RETURN_IF_ERROR(Counts(1, 1, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    const TensorInfo& in = In(0);
    S3ML_RETURN_IF_ERROR(Rank(in, 4, "input"));
    S3ML_RETURN_IF_ERROR(Window(op_.stride_h, op_.stride_w, 1, 1));
    if (op_.filter_h < 1 || op_.filter_w < 1 || op_.filter_h > 4096 || op_.filter_w > 4096) {
      return Fail("pooling window " + std::to_string(op_.filter_h) + "x" + std::to_string(op_.filter_w) +
                  " is out of range");
    }
    S3ML_RETURN_IF_ERROR(SameQuantization(in, Out()));
    const int64_t oh = OutputSize(op_.padding, in.shape[1], op_.filter_h, op_.stride_h, 1);
    const int64_t ow = OutputSize(op_.padding, in.shape[2], op_.filter_w, op_.stride_w, 1);
    if (oh < 1 || ow < 1) return Fail("pooling window is larger than input " + Describe(in));
    return ShapeIs(Out(), {in.shape[0], static_cast<int32_t>(oh), static_cast<int32_t>(ow), in.shape[3]});
  }

  Status Mean() const {
    S3ML_RETURN_IF_ERROR(Counts(2, 2, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    const TensorInfo& in = In(0);
    const TensorInfo& axes = In(1);
    S3ML_RETURN_IF_ERROR(Rank(in, 4, "input"));
    if (!InConstant(1) || axes.type != DataType::kInt32) {
      return Unsupported("axes " + Describe(axes) + " must be a constant int32 tensor");
    }
    bool h = false, w = false, other = false;
    const uint8_t* data = graph_.constant_data(op_.inputs[1]);
    for (size_t i = 0; i < axes.element_count(); ++i) {
      int32_t axis;
      std::memcpy(&axis, data + 4 * i, 4);
      if (axis < 0) axis += 4;
      if (axis == 1) h = true;
      else if (axis == 2) w = true;
      else other = true;
    }
    if (!h || !w || other || !op_.keep_dims) {
      return Unsupported("only a spatial mean (axes 1 and 2, keep_dims) is supported");
    }
    return ShapeIs(Out(), {in.shape[0], 1, 1, in.shape[3]});
  }

  Status Reshape() const {
    S3ML_RETURN_IF_ERROR(Counts(1, 2, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    if (In(0).element_count() != Out().element_count()) {
      return Fail("output " + Describe(Out()) + " does not have the element count of input " + Describe(In(0)));
    }
    if (Out().shape.size() > 6) return Unsupported("output of rank above 6");
    return SameQuantization(In(0), Out());
  }

  Status Softmax() const {
    S3ML_RETURN_IF_ERROR(Counts(1, 1, 1));
    S3ML_RETURN_IF_ERROR(InOutActivations());
    if (In(0).shape.empty()) return Fail("input " + Describe(In(0)) + " is a scalar");
    if (!(op_.beta > 0.0f) || !std::isfinite(op_.beta)) return Fail("beta must be positive and finite");
    return ShapeIs(Out(), In(0).shape);
  }

  Status Quantize() const {
    S3ML_RETURN_IF_ERROR(Counts(1, 1, 1));
    S3ML_RETURN_IF_ERROR(ActivationType(In(0), "input"));
    S3ML_RETURN_IF_ERROR(ActivationType(Out(), "output"));
    if (Out().type == DataType::kFloat32) return Fail("output " + Describe(Out()) + " must be quantized");
    return ShapeIs(Out(), In(0).shape);
  }

  Status Dequantize() const {
    S3ML_RETURN_IF_ERROR(Counts(1, 1, 1));
    S3ML_RETURN_IF_ERROR(ActivationType(In(0), "input"));
    if (In(0).type == DataType::kFloat32) return Fail("input " + Describe(In(0)) + " must be quantized");
    if (Out().type != DataType::kFloat32) return Fail("output " + Describe(Out()) + " must be float32");
    return ShapeIs(Out(), In(0).shape);
  }

 private:
  const Graph& graph_;
  const GraphOperator& op_;
  std::string prefix_;
};

}  // namespace

Status ValidateOperator(const Graph& graph, size_t op_index, const GraphOperator& op) {
  OperatorChecker check(graph, op_index, op);
  switch (op.code) {
    case OpCode::kConv2d:
    case OpCode::kDepthwiseConv2d: return check.Conv();
    case OpCode::kFullyConnected: return check.FullyConnected();
    case OpCode::kAdd: return check.Add();
    case OpCode::kAveragePool2d: return check.AveragePool();
    case OpCode::kMean: return check.Mean();
    case OpCode::kReshape: return check.Reshape();
    case OpCode::kSoftmax: return check.Softmax();
    case OpCode::kQuantize: return check.Quantize();
    case OpCode::kDequantize: return check.Dequantize();
    case OpCode::kCustom: break;
  }
  return check.Unsupported("operator is not supported");
}

}  // namespace s3ml::engine
