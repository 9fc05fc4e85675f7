#include "client/channel_adapter.h"

#include <cmath>
#include <string>

namespace s3ml::client {

Result<Image> ConvertChannels(const Image& image, int channels) {
  if (channels != 1 && channels != 3) {
    return InvalidArgument("images can be fed to 1 or 3 channels, the model wants " + std::to_string(channels));
  }
  if (image.channels != 1 && image.channels != 3) {
    return InvalidArgument("image has " + std::to_string(image.channels) + " channels (expected 1 or 3)");
  }
  if (image.channels == channels) return image;
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  const size_t pixel_count = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  if (image.pixels.size() != pixel_count * static_cast<size_t>(image.channels)) {
    return InvalidArgument("image pixel buffer does not match its dimensions");
  }
  out.pixels.resize(pixel_count * static_cast<size_t>(channels));
  for (size_t i = 0; i < pixel_count; ++i) {
    if (channels == 3) {
      out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = image.pixels[i];
    } else {
      const uint8_t* rgb = &image.pixels[3 * i];
      out.pixels[i] = static_cast<uint8_t>(std::lround(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]));
    }
  }
  return out;
}

}  // namespace s3ml::client
