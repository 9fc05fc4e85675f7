#include "tests/engine/test_models.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace s3ml::engine::testing {

std::vector<uint8_t> ReadTestFile(const std::string& relative) {
  const std::string path = std::string(S3ML_TESTDATA_DIR) + "/models/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::vector<std::string>& RunnableModels() {
  static const std::vector<std::string> models = {
      "coral/mobilenet_v2_1.0_224_quant.tflite",
      "coral/mobilenet_v1_0.5_160_quant.tflite",
      "coral/mobilenet_v1_0.25_128_quant.tflite",
      "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite",
      "tflite-micro/hello_world_float.tflite",
      "tflite-micro/hello_world_int8.tflite",
      "tflite-micro/simple_add_model.tflite",
      "tflite-micro/person_detect.tflite",
      "mlperf-tiny/kws_ref_model.tflite",
      "mlperf-tiny/kws_ref_model_float32.tflite",
      "mlperf-tiny/pretrainedResnet.tflite",
      "mlperf-tiny/pretrainedResnet_quant.tflite",
      "mlperf-tiny/vww_96_float.tflite",
      "mlperf-tiny/vww_96_int8.tflite",
      "mlperf-tiny/ad01_int8.tflite",
  };
  return models;
}

}  // namespace s3ml::engine::testing
