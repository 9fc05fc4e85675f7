#include "serving/classification.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "serving/tensor_validator.h"

namespace s3ml::serving {
namespace {

template <class T>
std::string FormatValue(T value) {
  char text[64];
  // Unary plus prints 8-bit integers as numbers; floats take their shortest exact form.
  const auto [end, ec] = std::to_chars(text, text + sizeof(text), +value);
  return ec == std::errc() ? std::string(text, end) : std::string("?");
}

template <class T>
void ClassifyRows(const TensorPayload& output, size_t rows, size_t classes, size_t count,
                  const client::LabelMap* labels, std::vector<std::string>& elements) {
  std::vector<T> values(classes);
  std::vector<size_t> order(classes);
  // Highest first, equal values by lowest index; NaN after every number.
  auto ranks_before = [&values](size_t a, size_t b) {
    const T x = values[a], y = values[b];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
      if (std::isnan(x)) return a < b;
    }
    return x > y || (x == y && a < b);
  };
  for (size_t row = 0; row < rows; ++row) {
    std::memcpy(values.data(), output.data.data() + row * classes * sizeof(T), classes * sizeof(T));
    std::iota(order.begin(), order.end(), size_t{0});
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(count), order.end(), ranks_before);
    for (size_t i = 0; i < count; ++i) {
      std::string element = FormatValue(values[order[i]]);
      element += ':';
      element += std::to_string(order[i]);
      const std::string_view label = labels != nullptr ? labels->Name(order[i]) : std::string_view();
      if (!label.empty()) {
        element += ':';
        element += label;
      }
      elements.push_back(std::move(element));
    }
  }
}

}  // namespace

Result<Classification> Classify(const TensorPayload& output, size_t count, bool batched,
                                const client::LabelMap* labels) {
  S3ML_RETURN_IF_ERROR(CheckPayloadSize(output, "output \"" + output.name + "\""));
  const size_t elements = output.data.size() / DatatypeSize(output.datatype);
  const size_t rows = batched && !output.shape.empty() ? static_cast<size_t>(output.shape[0]) : 1;
  const size_t classes = rows == 0 ? 0 : elements / rows;
  count = std::min(count, classes);

  Classification result;
  if (batched && !output.shape.empty()) result.shape.push_back(static_cast<int64_t>(rows));
  result.shape.push_back(static_cast<int64_t>(count));
  result.elements.reserve(rows * count);
  switch (output.datatype) {
    case Datatype::kBool:
    case Datatype::kUInt8: ClassifyRows<uint8_t>(output, rows, classes, count, labels, result.elements); break;
    case Datatype::kInt8: ClassifyRows<int8_t>(output, rows, classes, count, labels, result.elements); break;
    case Datatype::kInt16: ClassifyRows<int16_t>(output, rows, classes, count, labels, result.elements); break;
    case Datatype::kInt32: ClassifyRows<int32_t>(output, rows, classes, count, labels, result.elements); break;
    case Datatype::kInt64: ClassifyRows<int64_t>(output, rows, classes, count, labels, result.elements); break;
    case Datatype::kFp32: ClassifyRows<float>(output, rows, classes, count, labels, result.elements); break;
  }
  return result;
}

std::string EncodeBytesElements(const std::vector<std::string>& elements) {
  std::string encoded;
  for (const std::string& element : elements) {
    const uint32_t size = static_cast<uint32_t>(element.size());
    const char length[4] = {static_cast<char>(size), static_cast<char>(size >> 8), static_cast<char>(size >> 16),
                            static_cast<char>(size >> 24)};
    encoded.append(length, 4);
    encoded += element;
  }
  return encoded;
}

}  // namespace s3ml::serving
