#include "tee/sim/enclave_measurement.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::TempDir;

void Write(const std::string& path, std::string_view text) {
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(text), 0755).ok());
}

TEST(EnclaveMeasurementTest, CoversExecutableAndConfiguration) {
  TempDir tmp;
  const std::string exe = tmp.Sub("app");
  Write(exe, "binary bytes");
  Write(EnclaveConfigPath(exe), "{\"debug\": false}");
  auto m1 = MeasureEnclaveFile(exe);
  ASSERT_TRUE(m1.ok()) << m1.status().ToString();
  EXPECT_FALSE(m1->config.debug);
  EXPECT_EQ(MeasureEnclaveFile(exe)->mrenclave, m1->mrenclave);  // deterministic

  Write(exe, "binary bytez");
  auto m2 = MeasureEnclaveFile(exe);
  EXPECT_NE(m2->mrenclave, m1->mrenclave);

  Write(EnclaveConfigPath(exe), "{\"debug\": true}");
  auto m3 = MeasureEnclaveFile(exe);
  EXPECT_TRUE(m3->config.debug);
  EXPECT_NE(m3->mrenclave, m2->mrenclave);
}

TEST(EnclaveMeasurementTest, MissingOrBadConfigurationIsRefused) {
  TempDir tmp;
  const std::string exe = tmp.Sub("app");
  Write(exe, "binary");
  auto missing = MeasureEnclaveFile(exe);
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("app.enclave.json"), std::string::npos);
  EXPECT_EQ(ParseEnclaveConfig("[]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEnclaveConfig("{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseEnclaveConfig("{\"debug\": 1}").status().message().find("debug"), std::string::npos);
  EXPECT_NE(ParseEnclaveConfig("{\"debug\": false, \"debgu\": true}").status().message().find("debgu"),
            std::string::npos);
  EXPECT_EQ(ParseEnclaveConfig(std::string(kMaxEnclaveConfigSize + 1, ' ')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MeasureEnclaveFile(tmp.Sub("nothing")).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace s3ml::tee::sim
