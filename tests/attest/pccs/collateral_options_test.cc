// MakeCollateralSource (attest/collateral_options.h): the one factory behind --collateral /
// --pccs. Option errors are named; a directory source and a PCCS source (a local HTTPS PCCS
// serving a testdata/sgx sample, cached on disk) both give collateral that verifies the quote.
#include "attest/collateral_options.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "attest/dcap_verifier.h"
#include "core/file.h"
#include "tests/attest/pccs/test_pccs_server.h"
#include "tests/attest/sgx_samples.h"
#include "tests/net/test_certificates.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;
using testing::SgxSample;
using testing::TestPccsServer;

class CollateralOptionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new net::testing::TestPki(net::testing::MakeTestPki("collateral options")); }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("s3ml_collateral_options_") + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    sample_ = LoadSample("automata");
    auto quote = ParseSgxQuote(sample_.quote);
    ASSERT_TRUE(quote.ok()) << quote.status().ToString();
    quote_ = std::move(quote).value();
    clock_ = std::make_unique<FixedClock>(sample_.inside);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void ExpectVerifies(CollateralSource& source) {
    auto collateral = source.CollateralFor(quote_);
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto verified = VerifyDcapQuote(quote_, *collateral, TrustAnchors::IntelOnly(), sample_.inside);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  }

  static net::testing::TestPki* pki_;
  std::filesystem::path dir_;
  SgxSample sample_;
  SgxQuote quote_;
  std::unique_ptr<FixedClock> clock_;
};
net::testing::TestPki* CollateralOptionsTest::pki_ = nullptr;

TEST_F(CollateralOptionsTest, ExactlyOneOfDirectoryAndPccsIsRequired) {
  CollateralOptions none;
  EXPECT_EQ(MakeCollateralSource(none, clock_.get()).status().code(), StatusCode::kInvalidArgument);
  CollateralOptions both;
  both.directory = testing::SgxDir("automata");
  both.pccs_url = "https://127.0.0.1:1";
  auto r = MakeCollateralSource(both, clock_.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("exactly one"), std::string::npos) << r.status().ToString();
}

TEST_F(CollateralOptionsTest, DirectorySourceIsCheckedAtCreationAndVerifies) {
  CollateralOptions missing;
  missing.directory = (dir_ / "nothing-here").string();
  auto refused = MakeCollateralSource(missing, clock_.get());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("nothing-here"), std::string::npos) << refused.status().ToString();

  CollateralOptions options;
  options.directory = testing::SgxDir("automata");
  auto source = MakeCollateralSource(options, /*clock=*/nullptr);  // a directory needs no clock
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ExpectVerifies(**source);
}

TEST_F(CollateralOptionsTest, PccsOptionErrorsAreNamed) {
  CollateralOptions options;
  options.pccs_url = "https://127.0.0.1:1";
  options.cache_directory = dir_.string();
  EXPECT_EQ(MakeCollateralSource(options, nullptr).status().code(), StatusCode::kInvalidArgument);  // no clock
  options.pccs_ca_pem = pki_->ca.certificate_pem;
  options.pccs_ca_path = (dir_ / "ca.pem").string();
  EXPECT_EQ(MakeCollateralSource(options, clock_.get()).status().code(), StatusCode::kInvalidArgument);  // both CAs
  options.pccs_ca_pem.clear();
  auto unreadable = MakeCollateralSource(options, clock_.get());  // the CA file does not exist
  ASSERT_FALSE(unreadable.ok());
  EXPECT_NE(unreadable.status().message().find("PCCS CA"), std::string::npos) << unreadable.status().ToString();
  options.pccs_ca_path.clear();
  options.pccs_url = "http://127.0.0.1:1";  // not https
  EXPECT_FALSE(MakeCollateralSource(options, clock_.get()).ok());
}

TEST_F(CollateralOptionsTest, PccsSourceFetchesByQuoteAndCachesOnDisk) {
  TestPccsServer server("automata", pki_->server);
  std::filesystem::create_directories(dir_);
  const std::string ca_path = (dir_ / "pccs-ca.pem").string();
  const std::string& ca_pem = pki_->ca.certificate_pem;
  ASSERT_TRUE(WriteFileAtomic(ca_path, {reinterpret_cast<const uint8_t*>(ca_pem.data()), ca_pem.size()}).ok());
  CollateralOptions options;
  options.pccs_url = server.base_url();
  options.pccs_ca_path = ca_path;
  options.cache_directory = (dir_ / "cache").string();
  auto source = MakeCollateralSource(options, clock_.get());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ExpectVerifies(**source);
  const uint64_t after_first = server.requests();
  EXPECT_GT(after_first, 0u);
  EXPECT_TRUE(std::filesystem::is_directory(options.cache_directory));
  ExpectVerifies(**source);
  EXPECT_EQ(server.requests(), after_first);  // the second answer came from the disk cache
}

TEST(DefaultCollateralCacheDirectoryTest, EndsInS3mlCollateral) {
  const std::string dir = DefaultCollateralCacheDirectory();
  EXPECT_NE(dir.find("s3ml/collateral"), std::string::npos) << dir;
}

}  // namespace
}  // namespace s3ml::attest
