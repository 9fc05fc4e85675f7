#include "tests/oracle/engine_runner.h"

#include <cstring>

#include "core/file.h"

namespace s3ml::oracle {

std::string ModelPath(const std::string& relative) { return std::string(S3ML_TESTDATA_DIR "/models/") + relative; }

Result<std::shared_ptr<engine::Model>> LoadEngineModel(const std::string& path, int threads) {
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path));
  engine::LoadOptions options;
  options.threads = threads;
  Result<std::shared_ptr<engine::Model>> model = engine::Model::Load(bytes, options);
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

Result<std::vector<std::vector<uint8_t>>> RunEngine(const engine::Model& model,
                                                    const std::vector<std::vector<uint8_t>>& inputs) {
  if (inputs.size() != model.inputs().size()) return InvalidArgument("wrong number of inputs");
  S3ML_ASSIGN_OR_RETURN(std::unique_ptr<engine::Execution> execution, model.CreateExecution());
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::span<uint8_t> destination = execution->input(i);
    if (destination.size() != inputs[i].size()) {
      return InvalidArgument("input " + std::to_string(i) + " is " + std::to_string(destination.size()) +
                             " bytes, given " + std::to_string(inputs[i].size()));
    }
    std::memcpy(destination.data(), inputs[i].data(), inputs[i].size());
  }
  S3ML_RETURN_IF_ERROR(execution->Invoke());
  std::vector<std::vector<uint8_t>> outputs;
  for (size_t i = 0; i < model.outputs().size(); ++i) {
    std::span<const uint8_t> output = execution->output(i);
    outputs.emplace_back(output.begin(), output.end());
  }
  return outputs;
}

std::vector<uint8_t> RandomTensor(const engine::TensorInfo& info, std::mt19937& rng, float low, float high) {
  std::vector<uint8_t> data(info.byte_size());
  if (info.type == engine::DataType::kFloat32) {
    std::uniform_real_distribution<float> dist(low, high);
    for (size_t i = 0; i < info.element_count(); ++i) {
      const float value = dist(rng);
      std::memcpy(data.data() + 4 * i, &value, 4);
    }
  } else {
    std::uniform_int_distribution<int> dist(0, 255);
    for (uint8_t& byte : data) byte = static_cast<uint8_t>(dist(rng));
  }
  return data;
}

double StoredValue(const engine::TensorInfo& info, const std::vector<uint8_t>& data, size_t i) {
  switch (info.type) {
    case engine::DataType::kFloat32: {
      float value;
      std::memcpy(&value, data.data() + 4 * i, 4);
      return value;
    }
    case engine::DataType::kUInt8:
      return data[i];
    case engine::DataType::kInt8:
      return static_cast<int8_t>(data[i]);
    case engine::DataType::kInt32: {
      int32_t value;
      std::memcpy(&value, data.data() + 4 * i, 4);
      return value;
    }
    default:
      return 0;
  }
}

float RealValue(const engine::TensorInfo& info, const std::vector<uint8_t>& data, size_t i) {
  const double stored = StoredValue(info, data, i);
  if (info.type == engine::DataType::kFloat32 || !info.quantization.quantized()) return static_cast<float>(stored);
  const double zero_point = info.quantization.zero_points.empty() ? 0 : info.quantization.zero_points[0];
  return static_cast<float>(info.quantization.scales[0] * (stored - zero_point));
}

}  // namespace s3ml::oracle
