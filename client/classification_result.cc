#include "client/classification_result.h"

#include <charconv>
#include <string_view>

namespace s3ml::client {

Result<std::vector<LabeledClass>> ParseClassifications(const V2Tensor& output,
                                                       const std::optional<std::pair<float, int64_t>>& quantization) {
  const std::string what = "classification of output '" + output.name + "'";
  if (output.datatype != "BYTES") return InvalidArgument(what + ": datatype " + output.datatype + ", not BYTES");
  std::vector<LabeledClass> classes;
  for (const std::string& element : output.strings) {
    const std::string_view text = element;
    const size_t value_end = text.find(':');
    const size_t index_end = value_end == std::string_view::npos ? value_end : text.find(':', value_end + 1);
    if (value_end == std::string_view::npos) return InvalidArgument(what + ": element without ':'");
    const std::string_view value_text = text.substr(0, value_end);
    const std::string_view index_text = text.substr(value_end + 1, index_end - value_end - 1);
    double value = 0;
    LabeledClass entry;
    const auto value_parsed = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
    const auto index_parsed = std::from_chars(index_text.data(), index_text.data() + index_text.size(), entry.index);
    if (value_text.empty() || value_parsed.ec != std::errc() || value_parsed.ptr != value_text.data() + value_text.size() ||
        index_text.empty() || index_parsed.ec != std::errc() || index_parsed.ptr != index_text.data() + index_text.size()) {
      return InvalidArgument(what + ": element is not <value>:<index>[:<label>]");
    }
    if (quantization) value = static_cast<double>(quantization->first) * (value - static_cast<double>(quantization->second));
    entry.score = static_cast<float>(value);
    if (index_end != std::string_view::npos) entry.label = std::string(text.substr(index_end + 1));
    classes.push_back(std::move(entry));
  }
  return classes;
}

}  // namespace s3ml::client
