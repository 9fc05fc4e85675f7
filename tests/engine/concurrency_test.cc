// Threads, concurrent executions and memory accounting: results do not depend on the thread
// count or on concurrency, and every byte the engine and XNNPACK hold comes from (and returns to)
// the Allocator given at load time.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "engine/model.h"
#include "tests/engine/test_models.h"

namespace s3ml::engine {
namespace {

using testing::ReadTestFile;

class CountingAllocator final : public Allocator {
 public:
  // Refuses allocations once `limit` bytes are live (to exercise out-of-memory paths).
  explicit CountingAllocator(size_t limit = SIZE_MAX) : limit_(limit) {}
  void* Allocate(size_t size, size_t alignment) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (live_ + size > limit_) return nullptr;
    void* p = HeapAllocator().Allocate(size, alignment);
    if (p == nullptr) return nullptr;
    sizes_[p] = size;
    live_ += size;
    peak_ = std::max(peak_, live_);
    ++allocations_;
    return p;
  }
  void Free(void* ptr) override {
    if (ptr == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sizes_.find(ptr);
    ASSERT_NE(it, sizes_.end()) << "freeing a block this allocator never gave out";
    live_ -= it->second;
    sizes_.erase(it);
    HeapAllocator().Free(ptr);
  }
  size_t live() { std::lock_guard<std::mutex> l(mu_); return live_; }
  size_t peak() { std::lock_guard<std::mutex> l(mu_); return peak_; }
  size_t allocations() { std::lock_guard<std::mutex> l(mu_); return allocations_; }
  size_t blocks() { std::lock_guard<std::mutex> l(mu_); return sizes_.size(); }

 private:
  std::mutex mu_;
  size_t limit_;
  size_t live_ = 0, peak_ = 0, allocations_ = 0;
  std::unordered_map<void*, size_t> sizes_;
};

std::vector<uint8_t> RunOnce(Model& model, const std::vector<uint8_t>& input) {
  auto exec = model.CreateExecution();
  EXPECT_TRUE(exec.ok());
  std::memcpy((*exec)->input(0).data(), input.data(), input.size());
  EXPECT_TRUE((*exec)->Invoke().ok());
  auto out = (*exec)->output(0);
  return {out.begin(), out.end()};
}

std::shared_ptr<Model> Load(const std::string& name, int threads, Allocator* allocator = nullptr) {
  LoadOptions options;
  options.threads = threads;
  options.allocator = allocator;
  auto model = Model::Load(ReadTestFile(name), options);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : nullptr;
}

TEST(EngineThreads, TwoThreadsGiveTheSameOutputAsOne) {
  const auto bird = ReadTestFile("coral/bird.rgb");
  for (const char* name : {"coral/mobilenet_v2_1.0_224_quant.tflite", "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"}) {
    auto one = Load(name, 1);
    auto two = Load(name, 2);
    ASSERT_TRUE(one && two);
    EXPECT_EQ(RunOnce(*one, bird), RunOnce(*two, bird)) << name;
  }
  // A float model too (input: a deterministic pattern of finite floats).
  auto one = Load("mlperf-tiny/vww_96_float.tflite", 1);
  auto two = Load("mlperf-tiny/vww_96_float.tflite", 2);
  ASSERT_TRUE(one && two);
  std::vector<float> pattern(96 * 96 * 3);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<float>(i % 251) / 251.0f;
  std::vector<uint8_t> bytes(pattern.size() * 4);
  std::memcpy(bytes.data(), pattern.data(), bytes.size());
  EXPECT_EQ(RunOnce(*one, bytes), RunOnce(*two, bytes));
}

TEST(EngineThreads, FourExecutionsOfOneModelOnFourThreadsAgree) {
  for (int pool : {1, 2}) {
    auto model = Load("coral/mobilenet_v1_0.25_128_quant.tflite", pool);
    ASSERT_NE(model, nullptr);
    // Four different inputs, and what a lone execution computes for each.
    std::vector<std::vector<uint8_t>> inputs(4), expected(4);
    for (size_t t = 0; t < 4; ++t) {
      inputs[t].resize(model->inputs()[0].byte_size());
      for (size_t i = 0; i < inputs[t].size(); ++i) inputs[t][i] = static_cast<uint8_t>((i * (t + 3)) >> 2);
      expected[t] = RunOnce(*model, inputs[t]);
    }
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto exec = model->CreateExecution();
        if (!exec.ok()) {
          ++mismatches;
          return;
        }
        for (int round = 0; round < 25; ++round) {
          std::memcpy((*exec)->input(0).data(), inputs[t].data(), inputs[t].size());
          if (!(*exec)->Invoke().ok()) ++mismatches;
          auto out = (*exec)->output(0);
          if (!std::equal(out.begin(), out.end(), expected[t].begin(), expected[t].end())) ++mismatches;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0) << "pool of " << pool;
  }
}

TEST(EngineMemory, ACountingAllocatorSeesAllMemoryAndGetsItAllBack) {
  CountingAllocator counter;
  {
    auto model = Load("coral/mobilenet_v2_1.0_224_quant.tflite", 2, &counter);
    ASSERT_NE(model, nullptr);
    const size_t after_load = counter.live();
    // Constants (~3.4 MB of weights), the arena and XNNPACK's packed weights all came from it.
    EXPECT_GT(after_load, 3'000'000u + model->arena_bytes() + model->packed_weights_bytes());
    EXPECT_GT(model->packed_weights_bytes(), 3'000'000u);
    auto first = model->CreateExecution();  // the one built during Load
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(counter.live(), after_load);
    auto second = model->CreateExecution();  // a fresh one: its arena and XNNPACK runtime
    ASSERT_TRUE(second.ok());
    const size_t grew = counter.live() - after_load;
    EXPECT_GE(grew, model->arena_bytes() + model->packed_weights_bytes());
    const auto bird = ReadTestFile("coral/bird.rgb");
    std::memcpy((*second)->input(0).data(), bird.data(), bird.size());
    ASSERT_TRUE((*second)->Invoke().ok());
    std::printf("mobilenet_v2: %zu allocations, peak %zu B, live with 2 executions %zu B\n", counter.allocations(),
                counter.peak(), counter.live());
  }
  EXPECT_EQ(counter.live(), 0u);
  EXPECT_EQ(counter.blocks(), 0u);
  EXPECT_GT(counter.allocations(), 10u);
}

TEST(EngineMemory, ExecutionsOutliveTheirModelHandle) {
  CountingAllocator counter;
  {
    auto model = Load("tflite-micro/hello_world_float.tflite", 1, &counter);
    ASSERT_NE(model, nullptr);
    auto exec = model->CreateExecution();
    ASSERT_TRUE(exec.ok());
    auto exec2 = model->CreateExecution();
    ASSERT_TRUE(exec2.ok());
    model.reset();
    const float x = 1.5f;
    std::memcpy((*exec2)->input(0).data(), &x, 4);
    EXPECT_TRUE((*exec2)->Invoke().ok());
  }
  EXPECT_EQ(counter.live(), 0u);
}

TEST(EngineMemory, OutOfMemoryIsAnErrorNotACrash) {
  for (size_t limit : {size_t{0}, size_t{1000}, size_t{600'000}, size_t{900'000}, size_t{1'500'000}}) {
    CountingAllocator counter(limit);
    LoadOptions options;
    options.allocator = &counter;
    auto model = Model::Load(ReadTestFile("coral/mobilenet_v1_0.25_128_quant.tflite"), options);
    EXPECT_FALSE(model.ok()) << "limit " << limit;
    if (!model.ok()) {
      EXPECT_FALSE(model.status().message().empty());
    }
    EXPECT_EQ(counter.live(), 0u) << "limit " << limit;
  }
}

}  // namespace
}  // namespace s3ml::engine
