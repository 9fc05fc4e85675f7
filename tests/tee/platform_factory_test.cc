#include "tee/platform_factory.h"

#include <gtest/gtest.h>

#include "tests/tee/sim_test_env.h"

namespace s3ml::tee {
namespace {

TEST(PlatformFactoryTest, CreatesNamedBackends) {
  PlatformOptions options;
  options.sim_qe_socket = "/tmp/nonexistent-qe.sock";
  auto sim = CreatePlatform("sim", options);
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ((*sim)->name(), "sim");
  // Nothing listens there: a clear Unavailable, not a hang or crash.
  auto quote = (*sim)->GetQuote(std::vector<uint8_t>(64));
  EXPECT_EQ(quote.status().code(), StatusCode::kUnavailable);

  options.gramine_root = "/nonexistent/attestation";
  auto gramine = CreatePlatform("gramine", options);
  EXPECT_FALSE(gramine.ok());
  EXPECT_NE(gramine.status().message().find("Gramine"), std::string::npos);

  auto unknown = CreatePlatform("sgx-magic", options);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("sgx-magic"), std::string::npos);
}

TEST(PlatformFactoryTest, SimSocketFallsBackToTheEnvironment) {
  ::setenv("S3ML_SIM_QE_SOCKET", "/tmp/from-env.sock", 1);
  auto sim = CreatePlatform("sim", PlatformOptions{});
  ::unsetenv("S3ML_SIM_QE_SOCKET");
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(
      (*sim)->GetQuote(std::vector<uint8_t>(64)).status().message().find("/tmp/from-env.sock") != std::string::npos,
      true);
}

}  // namespace
}  // namespace s3ml::tee
