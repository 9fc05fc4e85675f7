// AVERAGE_POOL_2D for quantized tensors whose window is not global (XNNPACK 2022-02 has only a
// float windowed average pooling). As TFLite: padded positions are not counted, the integer
// mean rounds half away from zero, then the fused activation and the type's range clamp it.
#include <algorithm>
#include <cmath>

#include "engine/kernels/kernels.h"

namespace s3ml::engine::kernels {

Status AveragePool(const Graph& graph, const GraphOperator& op, const TensorData& data) {
  const TensorInfo& in = graph.tensors[op.inputs[0]].info;
  const TensorInfo& out = graph.tensors[op.outputs[0]].info;
  if (in.type == DataType::kFloat32) return Internal("float average pooling runs on XNNPACK");
  const uint8_t* src = data(op.inputs[0]);
  uint8_t* dst = data(op.outputs[0]);
  const int32_t n = in.shape[0], ih = in.shape[1], iw = in.shape[2], c = in.shape[3];
  const int32_t oh = out.shape[1], ow = out.shape[2];
  int32_t pad_h = 0, pad_w = 0;
  if (op.padding == Padding::kSame) {
    pad_h = std::max(0, ((oh - 1) * op.stride_h + op.filter_h - ih) / 2);
    pad_w = std::max(0, ((ow - 1) * op.stride_w + op.filter_w - iw) / 2);
  }
  const bool u8 = in.type == DataType::kUInt8;
  const float scale = out.quantization.scales[0];
  const int32_t zp = static_cast<int32_t>(out.quantization.zero_points[0]);
  int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
  auto clamp_real = [&](float real, bool upper) {
    const int32_t q = static_cast<int32_t>(std::round(real / scale)) + zp;
    if (upper) hi = std::min(hi, q); else lo = std::max(lo, q);
  };
  if (op.activation == Activation::kRelu || op.activation == Activation::kRelu6) clamp_real(0.0f, false);
  if (op.activation == Activation::kRelu6) clamp_real(6.0f, true);
  if (op.activation == Activation::kReluN1To1) clamp_real(-1.0f, false), clamp_real(1.0f, true);
  for (int32_t b = 0; b < n; ++b) {
    for (int32_t y = 0; y < oh; ++y) {
      for (int32_t x = 0; x < ow; ++x) {
        const int32_t y0 = y * op.stride_h - pad_h, x0 = x * op.stride_w - pad_w;
        const int32_t ys = std::max(0, y0), ye = std::min(ih, y0 + op.filter_h);
        const int32_t xs = std::max(0, x0), xe = std::min(iw, x0 + op.filter_w);
        const int32_t count = std::max(1, (ye - ys) * (xe - xs));
        for (int32_t ch = 0; ch < c; ++ch) {
          int32_t sum = 0;
          for (int32_t yy = ys; yy < ye; ++yy) {
            for (int32_t xx = xs; xx < xe; ++xx) {
              const size_t i = ((static_cast<size_t>(b) * ih + yy) * iw + xx) * c + ch;
              sum += u8 ? src[i] : static_cast<int8_t>(src[i]);
            }
          }
          int32_t avg = sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          avg = std::min(hi, std::max(lo, avg));
          const size_t o = ((static_cast<size_t>(b) * oh + y) * ow + x) * c + ch;
          dst[o] = static_cast<uint8_t>(u8 ? avg : static_cast<int8_t>(avg));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace s3ml::engine::kernels
