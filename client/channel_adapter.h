// ConvertChannels: makes an Image have the channel count a model wants (1 = grey, 3 = RGB).
//
// grey -> RGB replicates the grey value; RGB -> grey is the ITU-R BT.601 luma
// 0.299 R + 0.587 G + 0.114 B rounded to nearest (what PIL's "L" mode and
// tf.image.rgb_to_grayscale compute). Same count returns a copy.
// Errors: kInvalidArgument for channel counts other than 1 and 3.
#ifndef S3ML_CLIENT_CHANNEL_ADAPTER_H_
#define S3ML_CLIENT_CHANNEL_ADAPTER_H_

#include "client/image.h"
#include "core/status.h"

namespace s3ml::client {

Result<Image> ConvertChannels(const Image& image, int channels);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_CHANNEL_ADAPTER_H_
