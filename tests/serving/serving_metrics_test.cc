#include "serving/serving_metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace s3ml::serving {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Every label value in the exposition text, by label name: the {name="value",...} part of each
// sample line (values may contain \" escapes).
std::map<std::string, std::set<std::string>> LabelValues(const std::string& text) {
  std::map<std::string, std::set<std::string>> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t pos = line.find('{');
    if (pos == std::string::npos) continue;
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      const size_t eq = line.find("=\"", pos);
      if (eq == std::string::npos) break;
      const std::string name = line.substr(pos, eq - pos);
      std::string value;
      size_t i = eq + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        value += line[i];
      }
      values[name].insert(value);
      pos = i + 1;
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
  }
  return values;
}

TEST(ServingMetricsTest, ExportsEverySeries) {
  ServingMetrics metrics;
  metrics.RegisterModelVersion("mnist", 3);
  metrics.ObserveRequest("mnist", 3, Protocol::kV2, 200, 0.004);
  metrics.ObserveRequest("mnist", 3, Protocol::kV1, 400, 0.001);
  metrics.ObserveQueueTime("mnist", 3, Protocol::kV2, 0.001);
  metrics.ObserveComputeTime("mnist", 3, Protocol::kV2, 0.003);
  metrics.SetPendingRequests("mnist", 3, 5);
  metrics.SetLoadedModels(2);
  metrics.SetCertificateExpiry(1800000000);
  const std::string text = metrics.RenderText();

  EXPECT_TRUE(Contains(text, "# TYPE s3ml_request_duration_seconds histogram"));
  EXPECT_TRUE(Contains(text, R"(s3ml_request_duration_seconds_count{model="mnist",protocol="v2",version="3"} 1)"))
      << text;
  EXPECT_TRUE(Contains(text, R"(s3ml_queue_duration_seconds_count{model="mnist",protocol="v2",version="3"} 1)"));
  EXPECT_TRUE(Contains(text, R"(s3ml_compute_duration_seconds_sum{model="mnist",protocol="v2",version="3"} 0.003)"));
  EXPECT_TRUE(Contains(text, R"(s3ml_requests_total{code="200",model="mnist",outcome="success",protocol="v2",version="3"} 1)"));
  EXPECT_TRUE(Contains(text, R"(s3ml_requests_total{code="400",model="mnist",outcome="failure",protocol="v1",version="3"} 1)"));
  EXPECT_TRUE(Contains(text, R"(s3ml_pending_requests{model="mnist",version="3"} 5)"));
  EXPECT_TRUE(Contains(text, "s3ml_loaded_model_versions 2"));
  EXPECT_TRUE(Contains(text, "s3ml_certificate_expiry_timestamp_seconds 1800000000"));
}

TEST(ServingMetricsTest, OnlyFixedLabelValuesAppear) {
  ServingMetrics metrics;
  metrics.RegisterModelVersion("mnist", 3);
  // Request-controlled text in every argument that could carry it.
  const std::string hostile = "secret\"} 1\nevil{a=\"b";
  metrics.ObserveRequest(hostile, 3, Protocol::kV2, 404, 0.001);
  metrics.ObserveRequest("mnist", 999, Protocol::kV2, 404, 0.001);
  metrics.ObserveRequest("mnist", 3, Protocol::kV1, 418, 0.001);
  metrics.ObserveRequest("mnist", 3, Protocol::kV1, -5, 0.001);
  metrics.ObserveQueueTime(hostile, 1, Protocol::kV1, 0.1);
  metrics.ObserveComputeTime(hostile, 1, Protocol::kV1, 0.1);
  metrics.SetPendingRequests(hostile, 1, 7);
  const std::string text = metrics.RenderText();

  EXPECT_FALSE(Contains(text, "secret"));
  EXPECT_FALSE(Contains(text, "evil"));
  EXPECT_FALSE(Contains(text, "999"));
  const std::map<std::string, std::set<std::string>> expected = {
      {"model", {"mnist", ""}},
      {"version", {"3", ""}},
      {"protocol", {"v1", "v2"}},
      {"outcome", {"failure"}},
      {"code", {"404", "other"}},
  };
  std::map<std::string, std::set<std::string>> seen = LabelValues(text);
  seen.erase("le");  // histogram bucket bounds
  EXPECT_EQ(seen, expected);
  // Unregistered models are counted, without their name.
  EXPECT_TRUE(Contains(text, R"(s3ml_requests_total{code="404",model="",outcome="failure",protocol="v2",version=""} 2)"));
}

TEST(ServingMetricsTest, UnregisteringRemovesTheVersionsSeries) {
  ServingMetrics metrics;
  metrics.RegisterModelVersion("mnist", 3);
  metrics.ObserveRequest("mnist", 3, Protocol::kV2, 200, 0.004);
  metrics.ObserveQueueTime("mnist", 3, Protocol::kV2, 0.001);
  metrics.SetPendingRequests("mnist", 3, 1);
  ASSERT_TRUE(Contains(metrics.RenderText(), "model=\"mnist\""));
  metrics.UnregisterModelVersion("mnist", 3);
  EXPECT_FALSE(Contains(metrics.RenderText(), "model=\"mnist\""));
  metrics.ObserveRequest("mnist", 3, Protocol::kV2, 200, 0.004);
  EXPECT_FALSE(Contains(metrics.RenderText(), "model=\"mnist\""));
}

TEST(ServingMetricsTest, HttpCodeLabelsAreAFixedSet) {
  EXPECT_EQ(HttpCodeLabel(200), "200");
  EXPECT_EQ(HttpCodeLabel(503), "503");
  EXPECT_EQ(HttpCodeLabel(201), "other");
  EXPECT_EQ(HttpCodeLabel(-1), "other");
  EXPECT_EQ(ProtocolLabel(Protocol::kV1), "v1");
}

}  // namespace
}  // namespace s3ml::serving

namespace s3ml::serving {
namespace {

TEST(ServingMetricsEpcTest, ExportsHostAndOwnEpcFigures) {
  ServingMetrics metrics;
  EpcFigures figures;
  figures.host = "host-a";
  figures.enclave = "s3ml-server";
  figures.capacity_bytes = 4096 * 100;
  figures.host_resident_bytes = 4096 * 90;
  figures.enclave_resident_bytes = 4096 * 30;
  figures.host_evicted_per_second = 120;
  figures.host_loaded_per_second = 80;
  figures.enclave_evicted_per_second = 5;
  figures.enclave_loaded_per_second = 7;
  metrics.SetEpcFigures(figures);
  const std::string text = metrics.RenderText();
  const std::string host = "{host=\"host-a\"} ", own = "{enclave=\"s3ml-server\",host=\"host-a\"} ";
  for (const std::string& line :
       {"s3ml_epc_capacity_bytes" + host + "409600", "s3ml_epc_resident_bytes" + host + "368640",
        "s3ml_epc_resident_bytes" + own + "122880", "s3ml_epc_pages_evicted_per_second" + host + "120",
        "s3ml_epc_pages_loaded_per_second" + own + "7", "s3ml_epc_paging_rate_pages_per_second" + host + "200",
        "s3ml_epc_paging_rate_pages_per_second" + own + "12"}) {
    EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << line << "\n" << text;
  }
  // Another host name replaces the series instead of adding to them.
  figures.host = "host-b";
  metrics.SetEpcFigures(figures);
  const std::string moved = metrics.RenderText();
  EXPECT_EQ(moved.find("host-a"), std::string::npos) << moved;
  EXPECT_NE(moved.find("s3ml_epc_capacity_bytes{host=\"host-b\"} 409600"), std::string::npos);
}

TEST(ServingMetricsEpcTest, NoEpcSeriesWithoutFigures) {
  ServingMetrics metrics;
  EXPECT_EQ(metrics.RenderText().find("s3ml_epc_capacity_bytes{"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::serving
