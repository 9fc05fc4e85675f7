// ModelStore against a scratch repository of encrypted real models (MobileNet v1 0.25): decrypt
// and load, refusals with clear errors that leave the other models serving, hot load of new
// versions by polling, unload, and running an inference on the loaded version.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <future>
#include <thread>

#include "client/repository_labels.h"
#include "serving/model_store.h"
#include "serving/repository_poller.h"
#include "tests/serving/repository_fixture.h"
#include "tests/serving/served_model_fixture.h"

namespace s3ml::serving {
namespace {

using testing::AddEncryptedModel;
using testing::KeyMap;
using testing::kMobilenetV1;
using testing::TestKey;

class ModelStoreTest : public testing::RepositoryFixture {
 protected:
  std::unique_ptr<ModelStore> MakeStore() {
    ModelStoreOptions options;
    options.repository = root_.string();
    options.load.workers = 1;
    auto store = std::make_unique<ModelStore>(options, &metrics_);
    store->SetModelKeys(KeyMap({{"mnet", TestKey(1)}, {"other", TestKey(2)}}));
    return store;
  }
  PollReport MustPoll(ModelStore& store) {
    auto report = store.Poll();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report.value() : PollReport();
  }

  ServingMetrics metrics_;
};

TEST_F(ModelStoreTest, DecryptsAndLoadsAndRuns) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/1"});
  EXPECT_TRUE(report.failed.empty());
  auto model = store->Find("mnet", std::nullopt);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model.value()->version(), 1);
  ASSERT_EQ(model.value()->inputs().size(), 1u);
  EXPECT_EQ(model.value()->inputs()[0].shape, (std::vector<int32_t>{1, 128, 128, 3}));

  const std::vector<uint8_t> cat = testing::CatTensor(model.value()->inputs()[0]);
  std::promise<InferenceResult> done;
  TensorPayload input{model.value()->inputs()[0].name, Datatype::kUInt8, {1, 128, 128, 3}, cat};
  ASSERT_TRUE(model.value()
                  ->Submit({input}, 1, [&done](InferenceResult result, const RequestTiming&) { done.set_value(std::move(result)); })
                  .ok());
  InferenceResult result = done.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result.value().size(), 1u);
  EXPECT_EQ(result.value()[0].shape, (std::vector<int64_t>{1, 1001}));
  EXPECT_TRUE(testing::IsCatClass(testing::ArgMax(result.value()[0].data))) << testing::ArgMax(result.value()[0].data);
  EXPECT_EQ(metrics_.RenderText().find("s3ml_loaded_model_versions 1") != std::string::npos, true);
}

TEST_F(ModelStoreTest, BatchingConfigRunsEveryRowOfARequest) {
  WriteFile("mnet/config.json", R"({"batching": {"max_batch": 4, "max_queue_delay_us": 100, "max_queue_size": 8}})");
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  ASSERT_EQ(MustPoll(*store).loaded, std::vector<std::string>{"mnet/1"});
  auto model = store->Find("mnet", 1);
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(model.value()->batching());
  EXPECT_EQ(model.value()->validation().max_batch_size, 4);
  // Two rows: the cat, then a grey image; each row's scores come back in order.
  std::vector<uint8_t> rows = testing::CatTensor(model.value()->inputs()[0]);
  const size_t row_bytes = rows.size();
  rows.resize(2 * row_bytes, 128);
  std::promise<InferenceResult> done;
  TensorPayload input{model.value()->inputs()[0].name, Datatype::kUInt8, {2, 128, 128, 3}, rows};
  ASSERT_TRUE(model.value()
                  ->Submit({input}, 2, [&done](InferenceResult result, const RequestTiming&) { done.set_value(std::move(result)); })
                  .ok());
  InferenceResult result = done.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result.value()[0].shape, (std::vector<int64_t>{2, 1001}));
  const std::vector<uint8_t>& scores = result.value()[0].data;
  const std::vector<uint8_t> first(scores.begin(), scores.begin() + 1001), second(scores.begin() + 1001, scores.end());
  EXPECT_TRUE(testing::IsCatClass(testing::ArgMax(first)));
  EXPECT_NE(first, second);
}

TEST_F(ModelStoreTest, WrongKeyIsRefusedAndOthersKeepServing) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  AddEncryptedModel(root_, "other", 1, kMobilenetV1, TestKey(9));  // not the provisioned key
  auto store = MakeStore();
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/1"});
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].path, "other/1");
  EXPECT_NE(report.failed[0].reason.find("authentication failed"), std::string::npos) << report.failed[0].reason;
  EXPECT_NE(report.failed[0].reason.find("model other version 1"), std::string::npos) << report.failed[0].reason;
  EXPECT_TRUE(store->Find("mnet", 1).ok());
  auto missing = store->Find("other", std::nullopt);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->LoadError("other", 1).has_value());
  // Not retried while nothing changed.
  EXPECT_TRUE(MustPoll(*store).failed.empty());
}

TEST_F(ModelStoreTest, TamperedFileIsRefused) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  AddEncryptedModel(root_, "other", 1, kMobilenetV1, TestKey(2));
  const auto path = root_ / "other" / "1" / "model.tflite.s3ml";
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(1000);
  file.put('\x5a');
  file.close();
  auto store = MakeStore();
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/1"});
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_NE(report.failed[0].reason.find("authentication failed"), std::string::npos) << report.failed[0].reason;
}

TEST_F(ModelStoreTest, FileOfAnotherVersionIsRefused) {
  WriteFile("mnet/config.json", R"({"version_policy": {"latest": 2}})");
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  std::filesystem::create_directories(root_ / "mnet" / "2");
  std::filesystem::copy_file(root_ / "mnet" / "1" / "model.tflite.s3ml", root_ / "mnet" / "2" / "model.tflite.s3ml");
  auto store = MakeStore();
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/1"});
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].path, "mnet/2");
  EXPECT_EQ(store->Versions("mnet"), std::vector<int64_t>{1});
}

TEST_F(ModelStoreTest, ModelWithoutProvisionedKeyWaitsForKeys) {
  AddEncryptedModel(root_, "newcomer", 1, kMobilenetV1, TestKey(5));
  auto store = MakeStore();
  PollReport report = MustPoll(*store);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_NE(report.failed[0].reason.find("no model key"), std::string::npos) << report.failed[0].reason;
  store->SetModelKeys(KeyMap({{"newcomer", TestKey(5)}}));
  EXPECT_EQ(MustPoll(*store).loaded, std::vector<std::string>{"newcomer/1"});
}

TEST_F(ModelStoreTest, NewVersionAppearsByPollingAndOldOneIsUnloaded) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  MustPoll(*store);
  auto v1 = store->Find("mnet", std::nullopt);
  ASSERT_TRUE(v1.ok());
  AddEncryptedModel(root_, "mnet", 2, kMobilenetV1, TestKey(1));
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/2"});
  EXPECT_EQ(report.unloaded, std::vector<std::string>{"mnet/1"});  // the default policy serves the latest
  EXPECT_EQ(store->Find("mnet", std::nullopt).value()->version(), 2);
  EXPECT_EQ(store->Find("mnet", 1).status().code(), StatusCode::kNotFound);
  // The unloaded version refuses new work but stays valid for whoever still holds it.
  EXPECT_EQ(v1.value()->Submit({}, 1, [](InferenceResult, const RequestTiming&) {}).code(), StatusCode::kUnavailable);
}

TEST_F(ModelStoreTest, BadNewVersionKeepsThePreviousOneServing) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  MustPoll(*store);
  AddEncryptedModel(root_, "mnet", 2, kMobilenetV1, TestKey(7));  // encrypted under another key
  PollReport report = MustPoll(*store);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0].path, "mnet/2");
  EXPECT_TRUE(report.unloaded.empty());
  EXPECT_EQ(store->Versions("mnet"), std::vector<int64_t>{1});
  // Once a good version 3 appears, version 1 goes.
  AddEncryptedModel(root_, "mnet", 3, kMobilenetV1, TestKey(1));
  report = MustPoll(*store);
  EXPECT_EQ(report.loaded, std::vector<std::string>{"mnet/3"});
  EXPECT_EQ(report.unloaded, std::vector<std::string>{"mnet/1"});
  EXPECT_EQ(store->Versions("mnet"), std::vector<int64_t>{3});
}

TEST_F(ModelStoreTest, PollerPicksUpANewVersion) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  MustPoll(*store);
  RepositoryPoller poller(store.get(), std::chrono::milliseconds(10));
  AddEncryptedModel(root_, "mnet", 2, kMobilenetV1, TestKey(1));
  for (int i = 0; i < 300 && store->Versions("mnet") != std::vector<int64_t>{2}; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(store->Versions("mnet"), std::vector<int64_t>{2});
  poller.Stop();
}

TEST_F(ModelStoreTest, RemovedModelIsUnloaded) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  MustPoll(*store);
  EXPECT_EQ(store->loaded_count(), 1u);
  std::filesystem::remove_all(root_ / "mnet");
  PollReport report = MustPoll(*store);
  EXPECT_EQ(report.unloaded, std::vector<std::string>{"mnet/1"});
  EXPECT_EQ(store->loaded_count(), 0u);
  EXPECT_EQ(store->Find("mnet", std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_NE(metrics_.RenderText().find("s3ml_loaded_model_versions 0"), std::string::npos);
}

TEST_F(ModelStoreTest, UnreadableRootIsAnErrorAndKeepsModels) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  auto store = MakeStore();
  MustPoll(*store);
  std::filesystem::rename(root_, base_ / "moved");
  EXPECT_FALSE(store->Poll().ok());
  EXPECT_EQ(store->loaded_count(), 1u);
}

}  // namespace
}  // namespace s3ml::serving

namespace s3ml::serving {
namespace {

class ModelStoreLabelsTest : public ModelStoreTest {
 protected:
  void SealLabels(const std::string& model, int64_t version, const std::string& text, uint8_t key) {
    const std::vector<uint8_t> plain(text.begin(), text.end());
    ASSERT_TRUE(client::WriteSealedLabels(TestKey(key), model, static_cast<uint64_t>(version), plain,
                                          (root_ / model).string())
                    .ok());
  }
  std::string LabelOf(ModelStore& store, int64_t version, size_t index) {
    auto model = store.Find("mnet", version);
    if (!model.ok() || model.value()->labels() == nullptr) return "<none>";
    return std::string(model.value()->labels()->Name(index));
  }
};

TEST_F(ModelStoreLabelsTest, EachVersionOpensItsOwnSealedLabels) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  AddEncryptedModel(root_, "mnet", 2, kMobilenetV1, TestKey(1));
  SealLabels("mnet", 1, "background\ntench\n", 1);
  SealLabels("mnet", 2, "background\ngoldfish\n", 1);
  WriteFile("mnet/config.json", R"({"labels": "labels.txt.s3ml", "version_policy": {"latest": 2}})");
  auto store = MakeStore();
  EXPECT_EQ(MustPoll(*store).loaded, (std::vector<std::string>{"mnet/1", "mnet/2"}));
  EXPECT_EQ(LabelOf(*store, 1, 1), "tench");
  EXPECT_EQ(LabelOf(*store, 2, 1), "goldfish");
}

TEST_F(ModelStoreLabelsTest, PlainMissingTamperedOrForeignLabelsRefuseTheVersion) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  AddEncryptedModel(root_, "mnet", 2, kMobilenetV1, TestKey(1));
  const auto labels = root_ / "mnet/1/labels.txt.s3ml";
  const auto copy = [&](const std::filesystem::path& from) {
    std::filesystem::copy_file(from, labels, std::filesystem::copy_options::overwrite_existing);
  };
  const struct {
    const char* name;
    std::function<void()> write;
    const char* reason;
  } cases[] = {
      {"plain", [&] { WriteFile("mnet/1/labels.txt.s3ml", "background\ntench\n"); }, "not an s3ml encrypted labels file"},
      {"other key", [&] { SealLabels("mnet", 1, "a\nb\n", 2); }, "authentication failed"},
      {"other version", [&] { SealLabels("mnet", 2, "a\nb\n", 1); copy(root_ / "mnet/2/labels.txt.s3ml"); },
       "authentication failed"},
      {"other model", [&] { SealLabels("other", 1, "a\nb\n", 1); copy(root_ / "other/1/labels.txt.s3ml"); },
       "authentication failed"},
      {"not UTF-8", [&] { SealLabels("mnet", 1, "caf\xe9\n", 1); }, "not UTF-8 text"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    c.write();
    WriteFile("mnet/config.json", R"({"labels": "labels.txt.s3ml", "version_policy": {"specific": [1]}})");
    auto store = MakeStore();
    PollReport report = MustPoll(*store);
    EXPECT_TRUE(report.loaded.empty());
    ASSERT_EQ(report.failed.size(), 1u);
    EXPECT_NE(report.failed[0].reason.find(c.reason), std::string::npos) << report.failed[0].reason;
    EXPECT_NE(report.failed[0].reason.find("model mnet version 1: labels"), std::string::npos) << report.failed[0].reason;
    EXPECT_FALSE(store->Find("mnet", std::nullopt).ok());
  }
  // The config names labels: a version without its file is not served at all.
  std::filesystem::remove(labels);
  auto store = MakeStore();
  auto scan = store->Poll();
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->loaded.empty());
  EXPECT_FALSE(store->Find("mnet", 1).ok());
}

// A labels file fixed in place (or a copy completed) after a failed load is loaded at the next poll.
TEST_F(ModelStoreLabelsTest, AFixedLabelsFileIsLoadedAtTheNextPoll) {
  AddEncryptedModel(root_, "mnet", 1, kMobilenetV1, TestKey(1));
  WriteFile("mnet/config.json", R"({"labels": "labels.txt.s3ml"})");
  WriteFile("mnet/1/labels.txt.s3ml", "S3MLLBL1 half copied");
  auto store = MakeStore();
  EXPECT_EQ(MustPoll(*store).failed.size(), 1u);
  SealLabels("mnet", 1, "background\ntench\n", 1);
  EXPECT_EQ(MustPoll(*store).loaded, std::vector<std::string>{"mnet/1"});
  EXPECT_EQ(LabelOf(*store, 1, 1), "tench");
}

}  // namespace
}  // namespace s3ml::serving
