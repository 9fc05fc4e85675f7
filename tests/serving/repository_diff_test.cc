#include "serving/repository_diff.h"

#include <gtest/gtest.h>

#include "tests/serving/repository_fixture.h"

namespace s3ml::serving {
namespace {

class RepositoryDiffTest : public testing::RepositoryFixture {
 protected:
  RepositoryScan Scan() { return ScanModelRepository(root_.string()).value(); }
};

std::vector<std::pair<std::string, int64_t>> Keys(const std::vector<ServableVersion>& servables) {
  std::vector<std::pair<std::string, int64_t>> keys;
  for (const ServableVersion& servable : servables) keys.emplace_back(servable.model, servable.version);
  return keys;
}

TEST_F(RepositoryDiffTest, ReportsAddedRemovedAndChangedVersions) {
  AddVersion("a", "1");
  AddVersion("b", "1");
  AddVersion("c", "1");
  RepositoryScan before = Scan();
  EXPECT_TRUE(DiffRepositoryScans(before, before).empty());

  AddVersion("a", "2");  // a/1 replaced by a/2 under "latest 1"
  std::filesystem::remove_all(root_ / "b");
  WriteFile("c/config.json", R"({"batching":{"max_batch":2,"max_queue_delay_us":10,"max_queue_size":4}})");
  AddVersion("d", "5");
  RepositoryDiff diff = DiffRepositoryScans(before, Scan());
  using Keys_t = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(Keys(diff.added), (Keys_t{{"a", 2}, {"c", 1}, {"d", 5}}));
  EXPECT_EQ(Keys(diff.removed), (Keys_t{{"a", 1}, {"b", 1}, {"c", 1}}));
  // The changed version carries its new config in `added`.
  EXPECT_TRUE(diff.added[1].config.batching.has_value());
  EXPECT_FALSE(diff.removed[2].config.batching.has_value());
}

}  // namespace
}  // namespace s3ml::serving
