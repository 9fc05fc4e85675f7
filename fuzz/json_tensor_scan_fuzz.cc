// Differential fuzz target of the JSON tensor fast path (serving/json_tensor_scan.h): whenever
// ScanJsonNumbers accepts an array, the DOM path (nlohmann + json_tensor_data.h) must accept the
// same text with the same nesting and the same bytes; and CutV2InputData must never crash on any
// text. The first input byte picks the datatype; the rest is the JSON text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "serving/json_body.h"
#include "serving/json_tensor_data.h"
#include "serving/json_tensor_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3ml::serving;
  if (size < 1) return 0;
  constexpr Datatype kTypes[] = {Datatype::kBool,  Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16,
                                 Datatype::kInt32, Datatype::kInt64, Datatype::kFp32};
  const Datatype type = kTypes[data[0] % 7];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  (void)CutV2InputData(text);

  std::vector<int64_t> nesting;
  std::vector<uint8_t> fast;
  if (!ScanJsonNumbers(text, type, &nesting, &fast)) return 0;
  auto dom = ParseJsonBody(text, "fuzz");
  if (!dom.ok()) std::abort();  // the fast path accepted what is not JSON
  auto dom_nesting = NestedJsonShape(*dom, "fuzz");
  std::vector<uint8_t> slow;
  if (!dom_nesting.ok() || !AppendJsonElements(*dom, type, "fuzz", &slow).ok()) std::abort();
  if (*dom_nesting != nesting || slow != fast) std::abort();
  return 0;
}
