// Helpers for tests that serve real models: encrypted copies of testdata models in a scratch
// repository (as `s3ml model encrypt` lays them out) and a testdata image as the input tensor.
#ifndef S3ML_TESTS_SERVING_SERVED_MODEL_FIXTURE_H_
#define S3ML_TESTS_SERVING_SERVED_MODEL_FIXTURE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "client/encrypted_model.h"
#include "client/input_loader.h"
#include "core/file.h"
#include "crypto/secret_bytes.h"
#include "engine/tensor_info.h"

namespace s3ml::serving::testing {

inline constexpr char kMobilenetV1[] = "coral/mobilenet_v1_0.25_128_quant.tflite";
inline constexpr char kMobilenetV2[] = "coral/mobilenet_v2_1.0_224_quant.tflite";

inline std::string TestdataPath(const std::string& relative) {
  return std::string(S3ML_TESTDATA_DIR) + "/models/" + relative;
}

inline std::vector<uint8_t> ReadTestModel(const std::string& relative) {
  auto bytes = ReadFileBytes(TestdataPath(relative));
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? bytes.value() : std::vector<uint8_t>();
}

inline std::vector<uint8_t> TestKey(uint8_t seed) {
  std::vector<uint8_t> key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed * 31 + i);
  return key;
}

inline std::map<std::string, crypto::SecretBytes> KeyMap(const std::map<std::string, std::vector<uint8_t>>& keys) {
  std::map<std::string, crypto::SecretBytes> out;
  for (const auto& [name, key] : keys) out.emplace(name, crypto::SecretBytes(key));
  return out;
}

// Writes <root>/<name>/<version>/model.tflite.s3ml: `model_file` encrypted for (name, version).
inline void AddEncryptedModel(const std::filesystem::path& root, const std::string& name, int64_t version,
                              const std::string& model_file, const std::vector<uint8_t>& key) {
  const std::vector<uint8_t> plaintext = ReadTestModel(model_file);
  auto encrypted = client::EncryptModel(key, name, static_cast<uint64_t>(version), plaintext);
  ASSERT_TRUE(encrypted.ok()) << encrypted.status().ToString();
  const auto dir = root / name / std::to_string(version);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "model.tflite.s3ml", std::ios::binary)
      .write(reinterpret_cast<const char*>(encrypted.value().data()), static_cast<std::streamsize>(encrypted.value().size()));
}

// cat.bmp as the model's input tensor (decoded, resized, uint8).
inline std::vector<uint8_t> CatTensor(const engine::TensorInfo& input) {
  auto tensor = client::LoadInputTensor(TestdataPath("coral/cat.bmp"), input, client::PixelNormalization{});
  EXPECT_TRUE(tensor.ok()) << tensor.status().ToString();
  return tensor.ok() ? tensor.value() : std::vector<uint8_t>();
}

inline size_t ArgMax(const std::vector<uint8_t>& scores) {
  return static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

// MobileNet's ImageNet cat classes (tabby .. Egyptian cat).
inline bool IsCatClass(size_t index) { return index >= 281 && index <= 286; }

}  // namespace s3ml::serving::testing

#endif  // S3ML_TESTS_SERVING_SERVED_MODEL_FIXTURE_H_
