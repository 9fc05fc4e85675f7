#include "client/image_resize.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace s3ml::client {
namespace {

// For one output coordinate: the two input neighbours and the weight of the second.
struct Tap {
  int low;
  int high;
  float weight;
};

std::vector<Tap> Taps(int in_size, int out_size) {
  std::vector<Tap> taps(static_cast<size_t>(out_size));
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  for (int i = 0; i < out_size; ++i) {
    float source = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    source = std::clamp(source, 0.0f, static_cast<float>(in_size - 1));
    const int low = static_cast<int>(source);
    taps[static_cast<size_t>(i)] = {low, std::min(low + 1, in_size - 1), source - static_cast<float>(low)};
  }
  return taps;
}

}  // namespace

Result<Image> ResizeBilinear(const Image& image, int width, int height) {
  if (width <= 0 || height <= 0 || width > kMaxResizeDimension || height > kMaxResizeDimension) {
    return InvalidArgument("resize target " + std::to_string(width) + "x" + std::to_string(height) +
                           " is out of range (1.." + std::to_string(kMaxResizeDimension) + ")");
  }
  if (image.width <= 0 || image.height <= 0 || image.channels <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * image.channels) {
    return InvalidArgument("resize source image is empty or inconsistent");
  }
  if (width == image.width && height == image.height) return image;

  const std::vector<Tap> xs = Taps(image.width, width);
  const std::vector<Tap> ys = Taps(image.height, height);
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<size_t>(width) * height * image.channels);
  size_t o = 0;
  for (const Tap& ty : ys) {
    for (const Tap& tx : xs) {
      for (int c = 0; c < image.channels; ++c) {
        const float top = image.at(tx.low, ty.low, c) +
                          (image.at(tx.high, ty.low, c) - image.at(tx.low, ty.low, c)) * tx.weight;
        const float bottom = image.at(tx.low, ty.high, c) +
                             (image.at(tx.high, ty.high, c) - image.at(tx.low, ty.high, c)) * tx.weight;
        const float value = top + (bottom - top) * ty.weight;
        out.pixels[o++] = static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
      }
    }
  }
  return out;
}

}  // namespace s3ml::client
