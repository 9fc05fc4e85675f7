#include "apps/s3ml-epcd/epc_exporter.h"

#include <gtest/gtest.h>

#include <deque>
#include <regex>

#include "apps/s3ml-epcd/sim_epc_source.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "tee/epc/enclave_memory.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::epcd {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

// Replaces a real EPC source with a scripted sequence of readings (or errors), so that the
// exporter's arithmetic and text can be checked exactly.
class ScriptedSource final : public EpcSource {
 public:
  explicit ScriptedSource(std::deque<Result<EpcReading>> script) : script_(std::move(script)) {}
  Result<EpcReading> Read() override {
    Result<EpcReading> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }
  std::string kind() const override { return "scripted"; }

 private:
  std::deque<Result<EpcReading>> script_;
};

EpcReading Reading(uint64_t evicted, uint64_t loaded, std::vector<EnclaveReading> enclaves = {}) {
  EpcReading r;
  r.capacity_bytes = 1000 * 4096;
  r.resident_bytes = 900 * 4096;
  r.pages_evicted_total = evicted;
  r.pages_loaded_total = loaded;
  r.enclaves = std::move(enclaves);
  return r;
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(EpcExporterTest, SeriesAndRatesFromTwoSamples) {
  std::deque<Result<EpcReading>> script;
  script.push_back(Reading(100, 50, {{41, "server", 4096, 10, 5}, {42, "noise", 8192, 90, 45}}));
  script.push_back(Reading(300, 150, {{41, "server", 4096, 10, 25}, {42, "noise", 8192, 290, 125}}));
  EpcExporter exporter("host-a", std::make_unique<ScriptedSource>(std::move(script)));

  ASSERT_TRUE(exporter.Sample(10 * kSecond).ok());
  std::string text = exporter.RenderText();
  EXPECT_TRUE(HasLine(text, "s3ml_epc_source_up{host=\"host-a\",source=\"scripted\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_capacity_bytes{host=\"host-a\"} 4096000")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_resident_bytes{host=\"host-a\"} 3686400")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_resident_bytes{enclave=\"noise\",host=\"host-a\",pid=\"42\"} 8192")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_pages_evicted_total{host=\"host-a\"} 100")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_pages_loaded_total{enclave=\"server\",host=\"host-a\",pid=\"41\"} 5")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE s3ml_epc_pages_evicted_total counter")) << text;
  // One sample: no rate yet.
  EXPECT_EQ(text.find("s3ml_epc_paging_rate_pages_per_second{"), std::string::npos) << text;
  EXPECT_FALSE(exporter.last_rates().has_value());

  ASSERT_TRUE(exporter.Sample(12 * kSecond).ok());
  text = exporter.RenderText();
  // (200 evicted + 100 loaded) / 2 s; server (0 + 20) / 2; noise (200 + 80) / 2.
  EXPECT_TRUE(HasLine(text, "s3ml_epc_paging_rate_pages_per_second{host=\"host-a\"} 150")) << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_paging_rate_pages_per_second{enclave=\"server\",host=\"host-a\",pid=\"41\"} 10"))
      << text;
  EXPECT_TRUE(HasLine(text, "s3ml_epc_paging_rate_pages_per_second{enclave=\"noise\",host=\"host-a\",pid=\"42\"} 140"))
      << text;
  EXPECT_TRUE(HasLine(text, "# TYPE s3ml_epc_paging_rate_pages_per_second gauge")) << text;
  ASSERT_TRUE(exporter.last_rates().has_value());
  EXPECT_DOUBLE_EQ(exporter.last_rates()->host.evicted_per_second, 100.0);
}

TEST(EpcExporterTest, SourceDownExportsOnlyUpZeroAndRecovers) {
  std::deque<Result<EpcReading>> script;
  script.push_back(Reading(100, 0));
  script.push_back(Result<EpcReading>(NotFound("EPC host segment /s3ml-epc-x does not exist")));
  script.push_back(Reading(400, 0));
  EpcExporter exporter("h", std::make_unique<ScriptedSource>(std::move(script)));
  ASSERT_TRUE(exporter.Sample(1 * kSecond).ok());
  EXPECT_EQ(exporter.Sample(2 * kSecond).code(), StatusCode::kNotFound);
  std::string text = exporter.RenderText();
  EXPECT_TRUE(HasLine(text, "s3ml_epc_source_up{host=\"h\",source=\"scripted\"} 0")) << text;
  EXPECT_EQ(text.find("s3ml_epc_capacity_bytes"), std::string::npos) << text;
  // Back up: the rate spans the gap, from the last successful sample.
  ASSERT_TRUE(exporter.Sample(4 * kSecond).ok());
  text = exporter.RenderText();
  EXPECT_TRUE(HasLine(text, "s3ml_epc_paging_rate_pages_per_second{host=\"h\"} 100")) << text;
}

TEST(EpcExporterTest, CounterResetGivesTheNewValueNotANegativeRate) {
  std::deque<Result<EpcReading>> script;
  script.push_back(Reading(5000, 5000));
  script.push_back(Reading(30, 10));  // the host segment was recreated
  EpcExporter exporter("h", std::make_unique<ScriptedSource>(std::move(script)));
  ASSERT_TRUE(exporter.Sample(kSecond).ok());
  ASSERT_TRUE(exporter.Sample(2 * kSecond).ok());
  EXPECT_TRUE(HasLine(exporter.RenderText(), "s3ml_epc_paging_rate_pages_per_second{host=\"h\"} 40"));
}

TEST(EpcExporterTest, HostileEnclaveNamesAreEscaped) {
  std::deque<Result<EpcReading>> script;
  script.push_back(Reading(0, 0, {{7, "a\"b\\c\nd", 0, 0, 0}}));
  EpcExporter exporter("h", std::make_unique<ScriptedSource>(std::move(script)));
  ASSERT_TRUE(exporter.Sample(kSecond).ok());
  const std::string text = exporter.RenderText();
  EXPECT_TRUE(HasLine(text, "s3ml_epc_pages_evicted_total{enclave=\"a\\\"b\\\\c\\nd\",host=\"h\",pid=\"7\"} 0"))
      << text;
}

// The value of the first series line starting with `series` ("name{labels}"), or -1.
double Value(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(EpcExporterTest, ServesARealSimulatedHostOverHttp) {
  using tee::epc::EnclaveMemory;
  using tee::epc::EpcHost;
  using tee::epc::kEpcPageSize;
  tee::epc::TestHost host;
  auto epc = EpcHost::Attach(host.id(), tee::epc::TestHost::Options(32, "http-test"));
  ASSERT_TRUE(epc.ok()) << epc.status().ToString();
  auto region = EnclaveMemory::Create(*epc, 128 * kEpcPageSize);
  ASSERT_TRUE(region.ok());
  auto source = SimEpcSource::Create(host.id());
  ASSERT_TRUE(source.ok());
  EpcExporter exporter(host.id(), std::move(source).value());
  auto router = MakeExporterRouter(&exporter);
  ASSERT_TRUE(router.ok());
  net::HttpServer server(net::HttpServerOptions{}, std::move(router).value());
  ASSERT_TRUE(server.Start().ok());
  net::HttpClient client("127.0.0.1", server.port());

  ASSERT_TRUE(exporter.Sample(kSecond).ok());
  auto first = client.Get("/metrics");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->headers.Get("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  const std::string h = "{host=\"" + host.id() + "\"}";
  for (const char* name : {"s3ml_epc_capacity_bytes", "s3ml_epc_resident_bytes", "s3ml_epc_pages_evicted_total",
                           "s3ml_epc_pages_loaded_total"}) {
    EXPECT_GE(Value(first->body, name + h), 0) << name << "\n" << first->body;
  }
  EXPECT_EQ(Value(first->body, "s3ml_epc_capacity_bytes" + h), 32.0 * 4096);
  EXPECT_EQ(Value(first->body, "s3ml_epc_pages_evicted_total" + h), 0);

  volatile uint8_t* data = (*region)->data();
  for (int sweep = 0; sweep < 3; ++sweep) {
    for (size_t p = 0; p < (*region)->page_count(); ++p) data[p * kEpcPageSize] = 1;
  }
  ASSERT_TRUE(exporter.Sample(3 * kSecond).ok());
  auto second = client.Get("/metrics");
  ASSERT_TRUE(second.ok());
  const double evicted = Value(second->body, "s3ml_epc_pages_evicted_total" + h);
  const double loaded = Value(second->body, "s3ml_epc_pages_loaded_total" + h);
  EXPECT_GE(evicted, 96) << second->body;  // 128 pages through 32 places
  EXPECT_GT(loaded, 0) << second->body;
  EXPECT_DOUBLE_EQ(Value(second->body, "s3ml_epc_paging_rate_pages_per_second" + h), (evicted + loaded) / 2)
      << second->body;
  const std::string enclave = "{enclave=\"http-test\",host=\"" + host.id() + "\",pid=\"" + std::to_string(getpid()) + "\"}";
  EXPECT_EQ(Value(second->body, "s3ml_epc_pages_evicted_total" + enclave), evicted) << second->body;

  EXPECT_EQ(client.Get("/nope")->status, 404);
  server.Shutdown(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace s3ml::epcd
