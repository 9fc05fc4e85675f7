// json_tensor_scan_bench: reading a KServe v2 request's inline tensor from JSON text, the fast
// path (serving/json_tensor_scan.h: CutV2InputData + ScanJsonNumbers) against the DOM path it
// replaces (nlohmann parse + NestedJsonShape + AppendJsonElements) in the same process. Bodies:
// MobileNet v2's input (150,528 elements) as UINT8 integers (flat and nested [1,224,224,3]) and as
// FP32 decimals. Prints the median of --rounds parses per body, MB/s of JSON text, and the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "serving/json_body.h"
#include "serving/json_tensor_data.h"
#include "serving/json_tensor_scan.h"

namespace s3ml::serving {
namespace {

using Clock = std::chrono::steady_clock;

struct Body {
  const char* name;
  Datatype type;
  std::string text;
};

// {"inputs":[{"name":"input","shape":[1,224,224,3],"datatype":T,"data":[...]}]}, pixel-like
// values, the data flat or nested as the shape.
Body MakeBody(const char* name, Datatype type, bool nested) {
  std::mt19937 random(42);
  std::string data;
  const int rows = 224, columns = 224, channels = 3;
  char number[32];
  if (nested) data += "[[";
  for (int r = 0; r < rows; ++r) {
    if (nested) data += r == 0 ? "[" : ",[";
    for (int c = 0; c < columns; ++c) {
      if (nested) data += c == 0 ? "[" : ",[";
      for (int k = 0; k < channels; ++k) {
        const unsigned v = random() % 256;
        if (type == Datatype::kFp32) {
          std::snprintf(number, sizeof number, "%.6f", v / 127.5 - 1.0);
        } else {
          std::snprintf(number, sizeof number, "%u", v);
        }
        if (!(k == 0 && (nested || (r == 0 && c == 0)))) data += ',';
        data += number;
      }
      if (nested) data += ']';
    }
    if (nested) data += ']';
  }
  if (nested) data += "]]";
  const std::string array = nested ? data : "[" + data + "]";
  const char* dtype = type == Datatype::kFp32 ? "FP32" : "UINT8";
  return {name, type,
          std::string(R"({"inputs":[{"name":"input","shape":[1,224,224,3],"datatype":")") + dtype +
              R"(","data":)" + array + "}]}"};
}

size_t DomPath(const Body& body) {
  auto parsed = ParseJsonBody(body.text, "bench");
  if (!parsed.ok()) std::abort();
  const nlohmann::json& data = parsed.value()["inputs"][0]["data"];
  if (!NestedJsonShape(data, "bench").ok()) std::abort();
  std::vector<uint8_t> out;
  if (!AppendJsonElements(data, body.type, "bench", &out).ok()) std::abort();
  return out.size();
}

size_t FastPath(const Body& body) {
  auto cut = CutV2InputData(body.text);
  if (!cut || cut->arrays.size() != 1) std::abort();
  auto rest = ParseJsonBody(cut->rest, "bench");
  if (!rest.ok()) std::abort();
  std::vector<int64_t> nesting;
  std::vector<uint8_t> out;
  out.reserve(150528 * DatatypeSize(body.type));
  if (!ScanJsonNumbers(cut->arrays[0].second, body.type, &nesting, &out)) std::abort();
  return out.size();
}

template <class Fn>
double MedianMicros(int rounds, Fn&& fn) {
  std::vector<double> micros;
  for (int round = -2; round < rounds; ++round) {
    const auto start = Clock::now();
    if (fn() == 0) std::abort();
    if (round >= 0) micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(micros.begin(), micros.end());
  return micros[micros.size() / 2];
}

int Main(int argc, char** argv) {
  int rounds = 50;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  const Body bodies[] = {MakeBody("UINT8 flat", Datatype::kUInt8, false),
                         MakeBody("UINT8 [1,224,224,3]", Datatype::kUInt8, true),
                         MakeBody("FP32 flat", Datatype::kFp32, false)};
  std::printf("json_tensor_scan_bench: one 150,528-element input, median of %d\n", rounds);
  std::printf("%-22s %10s %14s %14s %10s %8s\n", "body", "bytes", "DOM (us)", "fast (us)", "fast MB/s", "ratio");
  for (const Body& body : bodies) {
    if (DomPath(body) != FastPath(body)) std::abort();
    const double dom = MedianMicros(rounds, [&] { return DomPath(body); });
    const double fast = MedianMicros(rounds, [&] { return FastPath(body); });
    std::printf("%-22s %10zu %14.0f %14.0f %10.0f %8.2f\n", body.name, body.text.size(), dom, fast,
                static_cast<double>(body.text.size()) / fast, fast / dom);
  }
  return 0;
}

}  // namespace
}  // namespace s3ml::serving

int main(int argc, char** argv) { return s3ml::serving::Main(argc, argv); }
