#include "cluster/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace s3ml::cluster {
namespace {

// What s3ml-epcd serves (prometheus-cpp's text serializer), trimmed.
constexpr char kExporterText[] =
    "# HELP s3ml_epc_capacity_bytes Usable EPC of the host.\n"
    "# TYPE s3ml_epc_capacity_bytes gauge\n"
    "s3ml_epc_capacity_bytes{host=\"h0\"} 98041856\n"
    "# TYPE s3ml_epc_pages_evicted_total counter\n"
    "s3ml_epc_pages_evicted_total{host=\"h0\"} 1234\n"
    "s3ml_epc_pages_evicted_total{enclave=\"s3ml-server\",host=\"h0\",pid=\"42\"} 34\n"
    "s3ml_epc_pages_evicted_total_more{host=\"h0\"} 9\n";

TEST(PrometheusTextTest, FindsTheSeriesWithExactlyTheseLabels) {
  EXPECT_EQ(*FindPrometheusSample(kExporterText, "s3ml_epc_pages_evicted_total", {{"host", "h0"}}), 1234);
  EXPECT_EQ(*FindPrometheusSample(kExporterText, "s3ml_epc_pages_evicted_total",
                                  {{"host", "h0"}, {"enclave", "s3ml-server"}, {"pid", "42"}}),
            34);
  EXPECT_EQ(*FindPrometheusSample(kExporterText, "s3ml_epc_capacity_bytes", {{"host", "h0"}}), 98041856);
}

TEST(PrometheusTextTest, MissingSeriesIsNotFoundNamingIt) {
  auto r = FindPrometheusSample(kExporterText, "s3ml_epc_pages_evicted_total", {{"host", "h1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("s3ml_epc_pages_evicted_total{host=\"h1\"}"), std::string::npos);
  EXPECT_FALSE(FindPrometheusSample(kExporterText, "s3ml_epc_pages", {{"host", "h0"}}).ok());  // no prefix match
}

TEST(PrometheusTextTest, EscapesSpecialValuesAndTimestamps) {
  const std::string text =
      "m{l=\"a\\\"b\\\\c\\nd\"} 1.5e3 1700000000000\r\n"
      "n NaN\n"
      "p +Inf\n"
      "q -7\n";
  EXPECT_EQ(*FindPrometheusSample(text, "m", {{"l", "a\"b\\c\nd"}}), 1500);
  EXPECT_TRUE(std::isnan(*FindPrometheusSample(text, "n", {})));
  EXPECT_TRUE(std::isinf(*FindPrometheusSample(text, "p", {})));
  EXPECT_EQ(*FindPrometheusSample(text, "q", {}), -7);
}

TEST(PrometheusTextTest, MalformedLinesAreSkippedNotTrusted) {
  const char* bad[] = {
      "m{host=\"h0\" 5\n",           // unterminated label set
      "m{host=\"h0} 5\n",            // unterminated value
      "m{host=\"h\\x0\"} 5\n",       // unknown escape
      "m{host=h0} 5\n",              // unquoted
      "m{host=\"h0\"}\n",            // no value
      "m{host=\"h0\"} 5x\n",         // junk value
      "m{host=\"h0\"} 1e999\n",      // out of range
      "m{host=\"h0\"}5\n",           // no separator
      "m{=\"h0\"} 5\n",              // empty label name
  };
  for (const char* line : bad) {
    EXPECT_FALSE(FindPrometheusSample(line, "m", {{"host", "h0"}}).ok()) << line;
    // A good line after a bad one is still found.
    EXPECT_EQ(*FindPrometheusSample(std::string(line) + "m{host=\"h0\"} 3\n", "m", {{"host", "h0"}}), 3) << line;
  }
  EXPECT_FALSE(FindPrometheusSample("", "m", {}).ok());
  EXPECT_FALSE(FindPrometheusSample(std::string("m 1") + std::string(1, '\0'), "m", {}).ok());
}

}  // namespace
}  // namespace s3ml::cluster
