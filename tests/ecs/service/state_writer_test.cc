// StateWriter: ordering, group commit, answers only after the commit, fail-closed on a failed
// commit. The commit function here is an in-memory stand-in for StateStore::Commit (it records
// what was committed and can be told to fail).
#include "ecs/state_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

namespace s3ml::ecs {
namespace {

struct FakeStore {
  std::mutex mu;
  std::vector<size_t> committed_audit_sizes;
  std::atomic<bool> fail{false};
  std::atomic<int> delay_ms{0};
  Status Commit(EcsState& state) {
    if (delay_ms.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
    if (fail.load()) return DataLoss("disk on fire");
    std::lock_guard<std::mutex> lock(mu);
    ++state.version;
    committed_audit_sizes.push_back(state.audit.entries().size());
    return Status::Ok();
  }
};

StateWriter::Task AppendTask(int n) {
  return [n](StateWriter::Context& context, bool* changed) {
    context.state.audit.Append(n, "provision", nlohmann::json{{"n", n}});
    *changed = true;
    return net::HttpResponse::Json(200, std::to_string(context.state.audit.entries().size()));
  };
}

TEST(StateWriterTest, AnswersAfterCommitInOrderAndGroupsCommits) {
  FakeStore store;
  store.delay_ms = 20;  // slow disk: later tasks pile up and share a commit
  std::atomic<int> published{0};
  StateWriter writer(
      EcsState{}, std::nullopt, [&](EcsState& s) { return store.Commit(s); },
      [&](const EcsState&, const std::optional<Manifest>&) { published.fetch_add(1); });
  std::vector<std::promise<net::HttpResponse>> answers(50);
  for (int i = 0; i < 50; ++i) {
    writer.Submit(AppendTask(i), [&answers, i](net::HttpResponse r) { answers[i].set_value(std::move(r)); });
  }
  for (int i = 0; i < 50; ++i) {
    auto r = answers[i].get_future().get();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, std::to_string(i + 1));  // ran in submission order
    // When the answer arrived, the state containing it was committed.
    std::lock_guard<std::mutex> lock(store.mu);
    ASSERT_FALSE(store.committed_audit_sizes.empty());
    EXPECT_GE(store.committed_audit_sizes.back(), static_cast<size_t>(i + 1));
  }
  EXPECT_LT(writer.commits(), 50u);  // grouped
  EXPECT_EQ(published.load(), static_cast<int>(writer.commits()));
}

TEST(StateWriterTest, ReadOnlyTasksDoNotCommit) {
  FakeStore store;
  StateWriter writer(EcsState{}, std::nullopt, [&](EcsState& s) { return store.Commit(s); }, nullptr);
  std::promise<net::HttpResponse> answer;
  writer.Submit([](StateWriter::Context&, bool*) { return net::HttpResponse::Json(200, "{}"); },
                [&](net::HttpResponse r) { answer.set_value(std::move(r)); });
  EXPECT_EQ(answer.get_future().get().status, 200);
  EXPECT_EQ(writer.commits(), 0u);
}

TEST(StateWriterTest, AFailedCommitWithholdsAnswersAndStopsFurtherChanges) {
  FakeStore store;
  store.fail = true;
  StateWriter writer(EcsState{}, std::nullopt, [&](EcsState& s) { return store.Commit(s); }, nullptr);
  std::promise<net::HttpResponse> first;
  writer.Submit(AppendTask(1), [&](net::HttpResponse r) { first.set_value(std::move(r)); });
  auto r = first.get_future().get();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("1"), std::string::npos);  // not the task's answer
  EXPECT_TRUE(writer.failed());
  store.fail = false;
  std::promise<net::HttpResponse> second;
  writer.Submit(AppendTask(2), [&](net::HttpResponse r) { second.set_value(std::move(r)); });
  EXPECT_EQ(second.get_future().get().status, 503);
}

TEST(StateWriterTest, StopRunsWhatIsQueued) {
  FakeStore store;
  store.delay_ms = 5;
  std::atomic<int> answered{0};
  {
    StateWriter writer(EcsState{}, std::nullopt, [&](EcsState& s) { return store.Commit(s); }, nullptr);
    for (int i = 0; i < 20; ++i) writer.Submit(AppendTask(i), [&](net::HttpResponse) { answered.fetch_add(1); });
    writer.Stop();
    std::atomic<int> late{0};
    writer.Submit(AppendTask(99), [&](net::HttpResponse r) { late = r.status; });
    EXPECT_EQ(late.load(), 503);
  }
  EXPECT_EQ(answered.load(), 20);
}

}  // namespace
}  // namespace s3ml::ecs
