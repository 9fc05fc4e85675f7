// Test helpers shared by the oracle tests: load a test model on the s3ml engine, run it on byte
// buffers, and make seeded random inputs.
#ifndef S3ML_TESTS_ORACLE_ENGINE_RUNNER_H_
#define S3ML_TESTS_ORACLE_ENGINE_RUNNER_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/model.h"
#include "engine/tensor_info.h"

namespace s3ml::oracle {

// Path of a model under testdata/models/, e.g. ModelPath("coral/cat.bmp").
std::string ModelPath(const std::string& relative);

Result<std::shared_ptr<engine::Model>> LoadEngineModel(const std::string& path, int threads = 1);

// One buffer per input in, one buffer per output out (copies of the engine's outputs).
Result<std::vector<std::vector<uint8_t>>> RunEngine(const engine::Model& model,
                                                    const std::vector<std::vector<uint8_t>>& inputs);

// Uniform random elements: every byte value for 8-bit types, [low, high) for float32.
std::vector<uint8_t> RandomTensor(const engine::TensorInfo& info, std::mt19937& rng, float low = -1.0f,
                                  float high = 1.0f);

// Element i of a tensor as a real number (dequantized when quantized per tensor).
float RealValue(const engine::TensorInfo& info, const std::vector<uint8_t>& data, size_t i);
// Element i as its stored integer (the quantized value) or float.
double StoredValue(const engine::TensorInfo& info, const std::vector<uint8_t>& data, size_t i);

}  // namespace s3ml::oracle

#endif  // S3ML_TESTS_ORACLE_ENGINE_RUNNER_H_
