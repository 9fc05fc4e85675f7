// ResizeBilinear: scales an Image to width x height with bilinear interpolation.
//
// Sampling convention (half-pixel centres, as TF2's tf.image.resize, PIL and OpenCV's INTER_LINEAR):
// output pixel (x, y) samples the input at ((x + 0.5) * in_w / out_w - 0.5, (y + 0.5) * in_h /
// out_h - 0.5), coordinates clamped to the image; no anti-alias filter when shrinking; results
// rounded to nearest. Same-size resizing returns an exact copy.
// Errors: kInvalidArgument for a non-positive target size or one beyond kMaxResizeDimension.
#ifndef S3ML_CLIENT_IMAGE_RESIZE_H_
#define S3ML_CLIENT_IMAGE_RESIZE_H_

#include "client/image.h"
#include "core/status.h"

namespace s3ml::client {

inline constexpr int kMaxResizeDimension = 1 << 15;

Result<Image> ResizeBilinear(const Image& image, int width, int height);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_IMAGE_RESIZE_H_
