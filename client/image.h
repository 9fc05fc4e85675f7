// Image: decoded 8-bit pixels, interleaved channels (1 = grey, 3 = RGB), rows top to bottom,
// no row padding. pixels.size() == width * height * channels.
#ifndef S3ML_CLIENT_IMAGE_H_
#define S3ML_CLIENT_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace s3ml::client {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;

  size_t index(int x, int y, int c) const {
    return (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
               static_cast<size_t>(channels) +
           static_cast<size_t>(c);
  }
  uint8_t at(int x, int y, int c) const { return pixels[index(x, y, c)]; }
};

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_IMAGE_H_
