#include "tests/oracle/armnn_reference.h"

#include <armnn/ArmNN.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>

#include <cstring>
#include <exception>
#include <utility>

namespace s3ml::oracle {

struct ArmnnReference::State {
  armnn::IRuntimePtr runtime{nullptr, &armnn::IRuntime::Destroy};
  armnn::NetworkId network_id = 0;
  bool loaded = false;
  std::vector<armnn::BindingPointInfo> inputs;
  std::vector<armnn::BindingPointInfo> outputs;

  ~State() {
    if (loaded && runtime) runtime->UnloadNetwork(network_id);
  }
};

ArmnnReference::ArmnnReference(std::unique_ptr<State> state) : state_(std::move(state)) {}
ArmnnReference::~ArmnnReference() = default;

Result<std::unique_ptr<ArmnnReference>> ArmnnReference::Load(const std::string& tflite_path) {
  auto state = std::make_unique<State>();
  try {
    armnnTfLiteParser::ITfLiteParserPtr parser = armnnTfLiteParser::ITfLiteParser::Create();
    armnn::INetworkPtr network = parser->CreateNetworkFromBinaryFile(tflite_path.c_str());
    for (const std::string& name : parser->GetSubgraphInputTensorNames(0)) {
      state->inputs.push_back(parser->GetNetworkInputBindingInfo(0, name));
    }
    for (const std::string& name : parser->GetSubgraphOutputTensorNames(0)) {
      state->outputs.push_back(parser->GetNetworkOutputBindingInfo(0, name));
    }
    armnn::IRuntime::CreationOptions options;
    state->runtime = armnn::IRuntime::Create(options);
    std::vector<std::string> messages;
    armnn::IOptimizedNetworkPtr optimized =
        armnn::Optimize(*network, {armnn::Compute::CpuRef}, state->runtime->GetDeviceSpec(),
                        armnn::OptimizerOptions(), armnn::Optional<std::vector<std::string>&>(messages));
    if (!optimized) return Internal(tflite_path + ": ArmNN could not optimise the network");
    std::string error;
    if (state->runtime->LoadNetwork(state->network_id, std::move(optimized), error) != armnn::Status::Success) {
      return Internal(tflite_path + ": ArmNN LoadNetwork failed: " + error);
    }
    state->loaded = true;
  } catch (const std::exception& e) {
    return Unimplemented(tflite_path + ": ArmNN cannot load it: " + e.what());
  }
  return std::unique_ptr<ArmnnReference>(new ArmnnReference(std::move(state)));
}

size_t ArmnnReference::input_count() const { return state_->inputs.size(); }
size_t ArmnnReference::output_count() const { return state_->outputs.size(); }
size_t ArmnnReference::input_bytes(size_t index) const { return state_->inputs.at(index).second.GetNumBytes(); }
size_t ArmnnReference::output_bytes(size_t index) const {
  return state_->outputs.at(index).second.GetNumBytes();
}

Result<std::vector<std::vector<uint8_t>>> ArmnnReference::Run(const std::vector<std::vector<uint8_t>>& inputs) {
  if (inputs.size() != state_->inputs.size()) {
    return InvalidArgument("ArmNN model has " + std::to_string(state_->inputs.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  armnn::InputTensors input_tensors;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const armnn::BindingPointInfo& binding = state_->inputs[i];
    if (inputs[i].size() != binding.second.GetNumBytes()) {
      return InvalidArgument("ArmNN input " + std::to_string(i) + " needs " +
                             std::to_string(binding.second.GetNumBytes()) + " bytes, got " +
                             std::to_string(inputs[i].size()));
    }
    input_tensors.emplace_back(binding.first, armnn::ConstTensor(binding.second, inputs[i].data()));
  }
  std::vector<std::vector<uint8_t>> outputs(state_->outputs.size());
  armnn::OutputTensors output_tensors;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const armnn::BindingPointInfo& binding = state_->outputs[i];
    outputs[i].resize(binding.second.GetNumBytes());
    output_tensors.emplace_back(binding.first, armnn::Tensor(binding.second, outputs[i].data()));
  }
  try {
    if (state_->runtime->EnqueueWorkload(state_->network_id, input_tensors, output_tensors) !=
        armnn::Status::Success) {
      return Internal("ArmNN EnqueueWorkload failed");
    }
  } catch (const std::exception& e) {
    return Internal(std::string("ArmNN EnqueueWorkload threw: ") + e.what());
  }
  return outputs;
}

}  // namespace s3ml::oracle
