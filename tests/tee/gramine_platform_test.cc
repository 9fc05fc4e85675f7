// The Gramine backend against a fake /dev/attestation directory holding a real quote from
// testdata (dcap-qvl/quote.bin, MRENCLAVE 33d8...).
#include "tee/gramine_platform.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/file.h"
#include "core/hex.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee {
namespace {

using testing::TempDir;

class GraminePlatformTest : public ::testing::Test {
 protected:
  GraminePlatformTest() {
    root_ = tmp_.Sub("attestation");
    std::filesystem::create_directories(root_ + "/keys");
    quote_ = ReadFileBytes(std::string(S3ML_TESTDATA_DIR) + "/sgx/dcap-qvl/quote.bin").value();
    Put("attestation_type", AsBytes("dcap"));
    Put("user_report_data", {});
    Put("quote", quote_);
    Put("keys/_sgx_mrenclave", std::vector<uint8_t>(16, 0x01));
    Put("keys/_sgx_mrsigner", std::vector<uint8_t>(16, 0x02));
  }
  void Put(const std::string& name, std::span<const uint8_t> bytes) {
    ASSERT_TRUE(WriteFileAtomic(root_ + "/" + name, bytes, 0600).ok());
  }
  std::unique_ptr<GraminePlatform> Open() {
    auto p = GraminePlatform::Open(root_);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  TempDir tmp_;
  std::string root_;
  std::vector<uint8_t> quote_;
};

TEST_F(GraminePlatformTest, QuoteWritesReportDataAndReadsTheQuote) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "gramine");
  std::vector<uint8_t> rd(64);
  for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(i + 1);
  auto q = p->GetQuote(rd);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q.value(), quote_);
  EXPECT_EQ(ReadFileBytes(root_ + "/user_report_data").value(), rd);
  EXPECT_EQ(p->GetQuote(std::vector<uint8_t>(32)).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GraminePlatformTest, SelfIdentityComesFromTheQuotesReportBody) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  auto id = p->SelfIdentity();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(HexEncode(id->mrenclave), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(HexEncode(id->mrsigner), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(id->isv_prod_id, 0);
  EXPECT_EQ(id->isv_svn, 0);
  EXPECT_FALSE(id->debug);
}

TEST_F(GraminePlatformTest, DebugQuoteGivesDebugIdentity) {
  Put("quote", ReadFileBytes(std::string(S3ML_TESTDATA_DIR) + "/sgx/occlum-debug/quote.bin").value());
  auto p = Open();
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->SelfIdentity()->debug);
}

TEST_F(GraminePlatformTest, SealKeysAreDerivedPerPolicyAndLabel) {
  auto p = Open();
  ASSERT_NE(p, nullptr);
  auto k1 = p->GetSealKey(SealKeyPolicy::kMrEnclave, "state");
  auto k2 = p->GetSealKey(SealKeyPolicy::kMrEnclave, "state");
  auto k3 = p->GetSealKey(SealKeyPolicy::kMrSigner, "state");
  auto k4 = p->GetSealKey(SealKeyPolicy::kMrEnclave, "other");
  ASSERT_TRUE(k1.ok() && k2.ok() && k3.ok() && k4.ok());
  EXPECT_EQ(k1->size(), 32u);
  EXPECT_TRUE(k1->Equals(k2->span()));
  EXPECT_FALSE(k1->Equals(k3->span()));
  EXPECT_FALSE(k1->Equals(k4->span()));
  // Another enclave (another SGX key) gets another key.
  Put("keys/_sgx_mrenclave", std::vector<uint8_t>(16, 0x03));
  EXPECT_FALSE(p->GetSealKey(SealKeyPolicy::kMrEnclave, "state")->Equals(k1->span()));
  EXPECT_EQ(p->GetSealKey(SealKeyPolicy::kMrEnclave, "").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GraminePlatformTest, BadInterfaceFilesAreReported) {
  Put("attestation_type", AsBytes("epid"));
  auto epid = GraminePlatform::Open(root_);
  EXPECT_EQ(epid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(epid.status().message().find("epid"), std::string::npos);
  EXPECT_FALSE(GraminePlatform::Open(tmp_.Sub("missing")).ok());

  Put("attestation_type", AsBytes("dcap\n"));
  auto p = Open();
  ASSERT_NE(p, nullptr);
  Put("keys/_sgx_mrsigner", std::vector<uint8_t>(15, 0x02));
  auto short_key = p->GetSealKey(SealKeyPolicy::kMrSigner, "state");
  EXPECT_EQ(short_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_key.status().message().find("16-byte"), std::string::npos);

  Put("quote", std::vector<uint8_t>(quote_.begin(), quote_.begin() + 100));
  auto truncated = p->GetQuote(std::vector<uint8_t>(64));
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(p->SelfIdentity().ok());

  auto not_v3 = quote_;
  not_v3[0] = 4;
  Put("quote", not_v3);
  EXPECT_NE(p->SelfIdentity().status().message().find("version 4"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::tee
