#include "client/repository_labels.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "client/encrypted_model.h"
#include "core/file.h"

namespace s3ml::client {
namespace {

Status WriteText(const std::string& path, const std::string& text) {
  return WriteFileAtomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644);
}

}  // namespace

Status WriteSealedLabels(std::span<const uint8_t> model_key, std::string_view model_name, uint64_t version,
                         std::span<const uint8_t> labels, const std::string& model_dir) {
  // The config is checked before anything is written, so that a bad one leaves no labels file
  // that nothing names.
  const std::string config_path = model_dir + "/config.json";
  nlohmann::json config = nlohmann::json::object();
  std::error_code ec;
  if (std::filesystem::exists(config_path, ec)) {
    S3ML_ASSIGN_OR_RETURN(std::string text, ReadFileText(config_path, 64 * 1024));
    config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!config.is_object()) return InvalidArgument(config_path + " is not a JSON object");
  }
  config["labels"] = kEncryptedLabelsFileName;

  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, EncryptLabels(model_key, model_name, version, labels));
  const std::string version_dir = model_dir + "/" + std::to_string(version);
  std::filesystem::create_directories(version_dir, ec);
  if (ec) return Internal("cannot create " + version_dir + ": " + ec.message());
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(version_dir + "/" + kEncryptedLabelsFileName, sealed, 0644));
  return WriteText(config_path, config.dump(2) + "\n");
}

}  // namespace s3ml::client
