// Helpers shared by the engine tests: reading the shared test models.
#ifndef S3ML_TESTS_ENGINE_TEST_MODELS_H_
#define S3ML_TESTS_ENGINE_TEST_MODELS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace s3ml::engine::testing {

// Bytes of testdata/models/<relative>; fails the current test (empty result) when unreadable.
std::vector<uint8_t> ReadTestFile(const std::string& relative);

// Every model in testdata/models except model_invoking_error.tflite.
const std::vector<std::string>& RunnableModels();

}  // namespace s3ml::engine::testing

#endif  // S3ML_TESTS_ENGINE_TEST_MODELS_H_
