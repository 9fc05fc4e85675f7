// The three policies composed as the local supervisor and the servers' agents use them: per-host
// counters -> paging rates -> agent weights, the HPA decision on the mean rate per replica, and
// placement of the new servers. A scripted noisy neighbour on host "a" (counters below are what
// the simulated EPC would report every 15 s).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cluster/hpa_policy.h"
#include "cluster/paging_rate.h"
#include "cluster/weight_policy.h"

namespace s3ml::cluster {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

TEST(ControlLoopTest, NoisyNeighbourDrainsItsHostAndScalesOutElsewhere) {
  WeightThresholds thresholds;
  thresholds.low_pages_per_second = 100;
  thresholds.critical_pages_per_second = 1000;
  HpaConfig hpa_config;
  hpa_config.target_per_replica = 200;
  hpa_config.max_replicas = 4;
  auto hpa = HpaController::Create(hpa_config);
  ASSERT_TRUE(hpa.ok());

  std::map<std::string, int32_t> servers = {{"a", 1}, {"b", 1}, {"c", 0}};
  // Cumulative (evicted, loaded) per host at t = 0, 15, 30 s.
  const std::map<std::string, std::vector<PageCounters>> counters = {
      {"a", {{0, 0}, {450, 300}, {15000, 15000}}},  // 50 pages/s, then 1950 pages/s (noise)
      {"b", {{0, 0}, {225, 225}, {675, 675}}},      // 30 pages/s, then 60
      {"c", {{0, 0}, {0, 0}, {0, 0}}},
  };
  struct Expected {
    std::map<std::string, std::string> agent;  // hosts running servers
    int32_t desired;
  };
  const Expected expected[] = {
      // t=15: mean (50 + 30) / 2 = 40 per replica: proposal 1, held at 2 by the scale-down window.
      {{{"a", "up 100%\n"}, {"b", "up 100%\n"}}, 2},
      // t=30: a drains; mean (1950 + 60) / 2 = 1005: ceil(2 x 5.025) = 11 -> max 4.
      {{{"a", "drain\n"}, {"b", "up 100%\n"}}, 4},
  };
  for (int step = 1; step <= 2; ++step) {
    std::map<std::string, double> rate;
    double sum = 0;
    int32_t replicas = 0;
    for (const auto& [host, series] : counters) {
      PagingSample before{static_cast<uint64_t>(step - 1) * 15 * kSecond, series[step - 1], {}};
      PagingSample after{static_cast<uint64_t>(step) * 15 * kSecond, series[step], {}};
      rate[host] = ComputePagingRates(before, after)->host.total_per_second();
      sum += rate[host] * servers[host];
      replicas += servers[host];
    }
    const Expected& want = expected[step - 1];
    for (const auto& [host, answer] : want.agent) {
      EXPECT_EQ(WeightForPagingRate(rate[host], thresholds)->ToAgentText(), answer) << "t=" << step * 15 << " " << host;
    }
    auto decision = hpa->Decide(step * 15 * 1000, replicas, sum / replicas);
    ASSERT_TRUE(decision.ok());
    EXPECT_EQ(decision->desired_replicas, want.desired) << "t=" << step * 15;
    for (int32_t n = replicas; n < decision->desired_replicas; ++n) {
      std::vector<HostPressure> hosts;
      for (const auto& [host, count] : servers) hosts.push_back({host, rate[host], 0.5, count, true});
      servers[PickHostForNewServer(hosts).value()] += 1;
    }
  }
  // Both new servers went to the calm host c, none to the drained a.
  EXPECT_EQ(servers["a"], 1);
  EXPECT_EQ(servers["b"], 1);
  EXPECT_EQ(servers["c"], 2);
}

}  // namespace
}  // namespace s3ml::cluster
