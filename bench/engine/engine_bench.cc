// Engine benchmark: per model, load time, then inference latency (median and p99 over 300 runs
// after 20 warm-up runs) at 1 and 2 threads, GMAC/s, arena and XNNPACK bytes, and the same
// XNNPACK runtimes invoked directly (xnn_invoke_runtime, no engine wrapper) in the same process,
// interleaved run by run, with the ratio engine/raw. "raw" excludes fallback kernels (e.g. the
// quantized softmax), which the engine ratio therefore includes.
//
//   engine_bench                                   all models
//   engine_bench --benchmark_filter='v2_uint8/1$'  one model: peak_rss_MB is then that process's
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/model_impl.h"

namespace s3ml::engine {
namespace {

struct BenchModel {
  const char* label;
  const char* path;
};

const BenchModel kModels[] = {
    {"mobilenet_v2_uint8", "coral/mobilenet_v2_1.0_224_quant.tflite"},
    {"mobilenet_v1_0.25_128_uint8", "coral/mobilenet_v1_0.25_128_quant.tflite"},
    {"mobilenet_v1_0.5_160_uint8", "coral/mobilenet_v1_0.5_160_quant.tflite"},
    {"tf2_mobilenet_v2_int8", "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"},
    {"person_detect_int8", "tflite-micro/person_detect.tflite"},
    {"kws_int8", "mlperf-tiny/kws_ref_model.tflite"},
    {"resnet8_int8", "mlperf-tiny/pretrainedResnet_quant.tflite"},
    {"vww_float", "mlperf-tiny/vww_96_float.tflite"},
};

std::vector<uint8_t> ReadModelFile(const char* relative) {
  std::ifstream in(std::string(S3ML_TESTDATA_DIR) + "/models/" + relative, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Multiply-accumulates of one inference (convolutions and fully connected layers).
double CountMacs(const Graph& g) {
  double macs = 0;
  for (const GraphOperator& op : g.operators) {
    const TensorInfo& out = g.tensors[op.outputs[0]].info;
    const auto& w = op.inputs.size() > 1 && op.inputs[1] >= 0 ? g.tensors[op.inputs[1]].info.shape
                                                               : std::vector<int32_t>{};
    const double n = static_cast<double>(out.element_count());
    if (op.code == OpCode::kConv2d) macs += n * w[1] * w[2] * w[3];
    if (op.code == OpCode::kDepthwiseConv2d) macs += n * w[1] * w[2];
    if (op.code == OpCode::kFullyConnected) macs += n * w[1];
  }
  return macs;
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

void BM_Load(benchmark::State& state, const BenchModel& m) {
  const auto bytes = ReadModelFile(m.path);
  for (auto _ : state) {
    auto model = Model::Load(bytes);
    if (!model.ok()) {
      state.SkipWithError(model.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(model);
  }
}

void BM_Inference(benchmark::State& state, const BenchModel& m) {
  const int threads = static_cast<int>(state.range(0));
  LoadOptions options;
  options.threads = threads;
  auto model = Model::Load(ReadModelFile(m.path), options);
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return;
  }
  auto exec_or = (*model)->CreateExecution();
  if (!exec_or.ok()) {
    state.SkipWithError(exec_or.status().ToString().c_str());
    return;
  }
  auto* exec = static_cast<ExecutionImpl*>(exec_or->get());
  for (size_t i = 0; i < exec->input(0).size(); ++i) exec->input(0)[i] = static_cast<uint8_t>(i * 13);
  if (m.path == std::string("mlperf-tiny/vww_96_float.tflite")) {
    auto* f = reinterpret_cast<float*>(exec->input(0).data());
    for (size_t i = 0; i < exec->input(0).size() / 4; ++i) f[i] = static_cast<float>(i % 255) / 255.0f;
  }
  const std::vector<xnn_runtime_t> runtimes = exec->xnnpack_runtimes();
  for (int i = 0; i < 20; ++i) (void)exec->Invoke();

  using Clock = std::chrono::steady_clock;
  std::vector<double> engine_ms, raw_ms;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (!exec->Invoke().ok()) state.SkipWithError("Invoke failed");
    const auto t1 = Clock::now();
    for (xnn_runtime_t r : runtimes) xnn_invoke_runtime(r);  // same runtimes, no engine wrapper
    const auto t2 = Clock::now();
    engine_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    raw_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  const auto* impl = static_cast<const ModelImpl*>(model->get());
  const double median = Percentile(engine_ms, 0.5);
  const double raw_median = Percentile(raw_ms, 0.5);
  state.counters["median_ms"] = median;
  state.counters["p99_ms"] = Percentile(engine_ms, 0.99);
  state.counters["raw_median_ms"] = raw_median;
  state.counters["raw_p99_ms"] = Percentile(raw_ms, 0.99);
  state.counters["engine_over_raw"] = median / raw_median;
  state.counters["GMAC_per_s"] = CountMacs(impl->graph()) / (median * 1e6);
  state.counters["arena_B"] = static_cast<double>((*model)->arena_bytes());
  state.counters["xnnpack_B"] = static_cast<double>((*model)->packed_weights_bytes());
  state.counters["constants_B"] = static_cast<double>(impl->constant_bytes());
  state.counters["peak_rss_MB"] = PeakRssMb();
}

int RegisterAll() {
  for (const BenchModel& m : kModels) {
    benchmark::RegisterBenchmark((std::string("Load/") + m.label).c_str(), BM_Load, m)
        ->Unit(benchmark::kMillisecond);
    // Interleaved engine and raw runs: each iteration is one of each.
    benchmark::RegisterBenchmark((std::string("Inference/") + m.label).c_str(), BM_Inference, m)
        ->Arg(1)
        ->Arg(2)
        ->Iterations(300)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}

const int registered = RegisterAll();

}  // namespace
}  // namespace s3ml::engine

BENCHMARK_MAIN();
