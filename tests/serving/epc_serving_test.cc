// The model server's engine memory on a simulated EPC host (serving/epc_engine_allocator.h):
// a ModelStore whose models load through EpcEngineAllocator gives byte-identical outputs to one
// on the heap, its memory counts against the host's capacity, and outputs stay identical under
// heavy paging (host capacity far below the working set, a noisy-neighbour enclave process on
// the same host, concurrent requests on several workers with multi-threaded XNNPACK).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <string>
#include <vector>

#include "engine/model.h"
#include "serving/epc_engine_allocator.h"
#include "serving/model_store.h"
#include "tee/epc/host_snapshot.h"
#include "tests/serving/repository_fixture.h"
#include "tests/serving/served_model_fixture.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::serving {
namespace {

using testing::AddEncryptedModel;
using testing::KeyMap;
using testing::TestKey;

class EpcServingTest : public testing::RepositoryFixture {
 protected:
  void SetUp() override {
    RepositoryFixture::SetUp();
    AddEncryptedModel(root_, "mnet", 1, testing::kMobilenetV1, TestKey(1));
  }

  std::unique_ptr<ModelStore> LoadStore(engine::Allocator* allocator, size_t workers, int engine_threads) {
    ModelStoreOptions options;
    options.repository = root_.string();
    options.load.workers = workers;
    options.load.engine_threads = engine_threads;
    options.load.allocator = allocator;
    auto store = std::make_unique<ModelStore>(options, nullptr);
    store->SetModelKeys(KeyMap({{"mnet", TestKey(1)}}));
    auto report = store->Poll();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (report.ok()) {
      EXPECT_EQ(report.value().loaded, std::vector<std::string>{"mnet/1"});
    }
    return store;
  }

  // Submits `count` requests at once (inputs vary per request) and returns each one's output bytes.
  std::vector<std::vector<uint8_t>> RunConcurrently(ModelStore& store, size_t count) {
    auto model = store.Find("mnet", std::nullopt);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    if (!model.ok()) return {};
    const engine::TensorInfo& info = model.value()->inputs()[0];
    const std::vector<uint8_t> cat = testing::CatTensor(info);
    std::vector<std::promise<InferenceResult>> done(count);
    std::vector<std::future<InferenceResult>> results;
    for (size_t i = 0; i < count; ++i) {
      results.push_back(done[i].get_future());
      std::vector<uint8_t> image = cat;
      for (size_t p = 0; p < image.size(); p += 97) image[p] = static_cast<uint8_t>(image[p] + i * 13);
      TensorPayload input{info.name, Datatype::kUInt8, {1, 128, 128, 3}, std::move(image)};
      Status submitted = model.value()->Submit({std::move(input)}, 1, [&done, i](InferenceResult r, const RequestTiming&) {
        done[i].set_value(std::move(r));
      });
      EXPECT_TRUE(submitted.ok()) << submitted.ToString();
      if (!submitted.ok()) done[i].set_value(submitted);
    }
    std::vector<std::vector<uint8_t>> outputs;
    for (auto& result : results) {
      InferenceResult r = result.get();
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      outputs.push_back(r.ok() ? r.value()[0].data : std::vector<uint8_t>());
    }
    return outputs;
  }
};

TEST_F(EpcServingTest, OutputsMatchTheHeapAndMemoryCountsAgainstTheHost) {
  auto heap_store = LoadStore(nullptr, 2, 1);
  const std::vector<std::vector<uint8_t>> expected = RunConcurrently(*heap_store, 6);
  ASSERT_EQ(expected.size(), 6u);
  EXPECT_TRUE(testing::IsCatClass(testing::ArgMax(expected[0])));

  tee::epc::TestHost id;
  auto host = tee::epc::EpcHost::Attach(id.id(), tee::epc::TestHost::Options(tee::epc::kDefaultCapacityPages, "server"));
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  auto memory = EpcEngineAllocator::Create(host.value(), 256u << 20);
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  {
    auto store = LoadStore(memory.value().get(), 2, 1);
    // The model's constants (~470 KiB), and for each of the two prewarmed executions its arena
    // (request tensors included) and everything XNNPACK holds (packed weights, operators).
    const std::vector<uint8_t> tflite = testing::ReadTestModel(testing::kMobilenetV1);
    auto plain = engine::Model::Load(tflite);
    ASSERT_TRUE(plain.ok());
    const size_t per_execution = plain.value()->arena_bytes() + plain.value()->packed_weights_bytes();
    EXPECT_GT(plain.value()->packed_weights_bytes(), 200u << 10);
    EXPECT_GE(memory.value()->bytes_in_use(), (400u << 10) + 2 * per_execution);
    EXPECT_EQ(RunConcurrently(*store, 6), expected);
    auto snapshot = tee::epc::ReadHostSnapshot(id.id());
    ASSERT_TRUE(snapshot.ok());
    // Touched engine pages are resident EPC pages of this enclave; nothing had to page.
    EXPECT_GT(snapshot.value().resident_pages * tee::epc::kEpcPageSize, 400u << 10);
    EXPECT_EQ(snapshot.value().pages_evicted_total, 0u);
    store->UnloadAll();
  }
  EXPECT_EQ(memory.value()->bytes_in_use(), 0u);  // every engine block came back
}

TEST_F(EpcServingTest, OutputsStayIdenticalUnderHeavyPagingWithANoisyNeighbour) {
  auto heap_store = LoadStore(nullptr, 3, 2);
  const std::vector<std::vector<uint8_t>> expected = RunConcurrently(*heap_store, 6);

  tee::epc::TestHost id;
  // 128 pages (512 KiB): about the model copy alone, far below it plus three executions' packed
  // weights and arenas (~2.5 MiB), and the neighbour wants 128 pages too.
  ASSERT_TRUE(tee::epc::EpcHost::Create(id.id(), 128).ok());
  auto host = tee::epc::EpcHost::Attach(id.id(), tee::epc::TestHost::Options(128, "server"));
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  auto memory = EpcEngineAllocator::Create(host.value(), 256u << 20);
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();

  // The neighbour writes and checks 128 pages of its own for 2 s once both enclaves are attached.
  const pid_t neighbour = fork();
  ASSERT_GE(neighbour, 0);
  if (neighbour == 0) {
    execl(EPC_HELPER, EPC_HELPER, "stress", id.id().c_str(), "128", "2000", "7", "2", static_cast<char*>(nullptr));
    _exit(127);
  }
  {
    auto store = LoadStore(memory.value().get(), 3, 2);
    EXPECT_EQ(RunConcurrently(*store, 6), expected);
    store->UnloadAll();
  }
  const tee::epc::RegionStats stats = memory.value()->region_stats();
  EXPECT_GT(stats.pages_evicted, 500u);
  EXPECT_GT(stats.pages_loaded, 500u);
  int status = 0;
  ASSERT_EQ(waitpid(neighbour, &status, 0), neighbour);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the neighbour saw corrupted memory: " << status;
}

TEST(ServingEpcAllocatorTest, RefusesBadArgumentsAndReturnsNullWhenFull) {
  EXPECT_EQ(EpcEngineAllocator::Create(nullptr).status().code(), StatusCode::kInvalidArgument);
  tee::epc::TestHost id;
  auto host = tee::epc::EpcHost::Attach(id.id(), tee::epc::TestHost::Options(64));
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(EpcEngineAllocator::Create(host.value(), 0).status().code(), StatusCode::kInvalidArgument);
  auto memory = EpcEngineAllocator::Create(host.value(), 16 * tee::epc::kEpcPageSize);
  ASSERT_TRUE(memory.ok());
  void* block = memory.value()->Allocate(8 * tee::epc::kEpcPageSize, 64);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 64, 0u);
  EXPECT_EQ(memory.value()->Allocate(9 * tee::epc::kEpcPageSize, 64), nullptr);  // no heap fallback
  memory.value()->Free(block);
  EXPECT_EQ(memory.value()->bytes_in_use(), 0u);
}

}  // namespace
}  // namespace s3ml::serving
