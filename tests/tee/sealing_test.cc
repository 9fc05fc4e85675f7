// Sealing through the simulated platform with real enclave processes: the seal key comes from the
// daemon's measurement of the calling process, so identity and host separation are end to end.
#include "tee/sealing.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

const std::string kSecret = "model key: 0123456789abcdef";

class SealingTest : public ::testing::Test {
 protected:
  SealingTest() : qe_(testing::MakeAuthority(tmp_.Sub("sim")), tmp_.Sub("qe.sock")) {
    EXPECT_TRUE(WriteFileAtomic(tmp_.Sub("plain"), AsBytes(kSecret)).ok());
  }

  std::string Enclave(const std::string& name, const crypto::EcKey& signer, uint16_t prod = 1, bool debug = false) {
    std::string path = testing::InstallEnclave(tmp_.path(), name, debug);
    testing::SignEnclave(path, signer, prod, 1);
    return path;
  }
  // The binaries differ only in their name (same bytes), so they need different configurations
  // to be different enclaves; a trailing byte appended to the copy makes them differ in code.
  std::string OtherCode(const std::string& name, const crypto::EcKey& signer, uint16_t prod = 1) {
    std::string path = testing::InstallEnclave(tmp_.path(), name);
    auto bytes = ReadFileBytes(path).value();
    bytes.push_back(0);
    EXPECT_TRUE(WriteFileAtomic(path, bytes, 0755).ok());
    testing::SignEnclave(path, signer, prod, 1);
    return path;
  }

  ProcessResult Seal(const std::string& enclave, const std::string& policy, const std::string& out,
                     const std::string& socket = "") {
    return RunProcess(
        {enclave, "seal", socket.empty() ? qe_.socket() : socket, policy, "state", tmp_.Sub("plain"), out});
  }
  ProcessResult Unseal(const std::string& enclave, const std::string& in, const std::string& socket = "",
                       const std::string& label = "state") {
    return RunProcess({enclave, "unseal", socket.empty() ? qe_.socket() : socket, label, in});
  }

  TempDir tmp_;
  testing::RunningQe qe_;
  crypto::EcKey signer_ = testing::NewSigner();
};

TEST_F(SealingTest, SameEnclaveUnsealsWithBothPolicies) {
  const std::string app = Enclave("app", signer_);
  for (const char* policy : {"mrenclave", "mrsigner"}) {
    const std::string blob = tmp_.Sub(std::string("blob-") + policy);
    ProcessResult s = Seal(app, policy, blob);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(ReadFileText(blob)->find(kSecret), std::string::npos);  // not in the clear
    ProcessResult u = Unseal(app, blob);
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(u.out, kSecret);
  }
}

TEST_F(SealingTest, OtherEnclaveCannotUnsealMrEnclaveDataButSameSignerCanUnsealMrSignerData) {
  const std::string app = Enclave("app", signer_);
  const std::string next_version = OtherCode("next", signer_);
  ASSERT_EQ(Seal(app, "mrenclave", tmp_.Sub("by-enclave")).exit_code, 0);
  ASSERT_EQ(Seal(app, "mrsigner", tmp_.Sub("by-signer")).exit_code, 0);

  ProcessResult refused = Unseal(next_version, tmp_.Sub("by-enclave"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("DataLoss"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("another enclave identity or host"), std::string::npos) << refused.err;

  ProcessResult upgraded = Unseal(next_version, tmp_.Sub("by-signer"));
  ASSERT_EQ(upgraded.exit_code, 0) << upgraded.err;
  EXPECT_EQ(upgraded.out, kSecret);

  // Another signer, or the same signer's other product, or a debug build: no key.
  const std::string stranger = OtherCode("stranger", testing::NewSigner());
  EXPECT_EQ(Unseal(stranger, tmp_.Sub("by-signer")).exit_code, 1);
  const std::string other_product = OtherCode("product2", signer_, /*prod=*/2);
  EXPECT_EQ(Unseal(other_product, tmp_.Sub("by-signer")).exit_code, 1);
  const std::string debug = Enclave("debug", signer_, 1, /*debug=*/true);
  EXPECT_EQ(Unseal(debug, tmp_.Sub("by-signer")).exit_code, 1);
}

TEST_F(SealingTest, AnotherHostCannotUnseal) {
  const std::string app = Enclave("app", signer_);
  ASSERT_EQ(Seal(app, "mrsigner", tmp_.Sub("blob")).exit_code, 0);
  testing::RunningQe other_host(testing::MakeAuthority(tmp_.Sub("other-host")), tmp_.Sub("other.sock"));
  ProcessResult r = Unseal(app, tmp_.Sub("blob"), other_host.socket());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("DataLoss"), std::string::npos) << r.err;
  // Same binary, same identity, back on its own host: fine.
  EXPECT_EQ(Unseal(app, tmp_.Sub("blob")).out, kSecret);
}

TEST_F(SealingTest, TamperingTruncationAndWrongLabelAreDetected) {
  const std::string app = Enclave("app", signer_);
  ASSERT_EQ(Seal(app, "mrenclave", tmp_.Sub("blob")).exit_code, 0);
  const auto blob = ReadFileBytes(tmp_.Sub("blob")).value();
  const size_t header = 4 + 1 + 1 + 2 + 5;  // magic, version, policy, label length, "state"
  // Policy byte, a label byte, nonce, ciphertext, tag.
  for (size_t offset : {size_t{5}, size_t{9}, header + 1, header + 12 + 3, blob.size() - 1}) {
    auto altered = blob;
    altered[offset] ^= 0x01;
    ASSERT_TRUE(WriteFileAtomic(tmp_.Sub("altered"), altered).ok());
    ProcessResult r = Unseal(app, tmp_.Sub("altered"));
    EXPECT_EQ(r.exit_code, 1) << "offset " << offset;
    EXPECT_TRUE(r.err.find("DataLoss") != std::string::npos || r.err.find("PermissionDenied") != std::string::npos)
        << "offset " << offset << ": " << r.err;
  }
  auto truncated = std::vector<uint8_t>(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(header + 20));
  ASSERT_TRUE(WriteFileAtomic(tmp_.Sub("truncated"), truncated).ok());
  ProcessResult t = Unseal(app, tmp_.Sub("truncated"));
  EXPECT_NE(t.err.find("truncated"), std::string::npos) << t.err;

  ProcessResult wrong_label = Unseal(app, tmp_.Sub("blob"), "", "other");
  EXPECT_NE(wrong_label.err.find("PermissionDenied"), std::string::npos) << wrong_label.err;
  EXPECT_NE(wrong_label.err.find("'state', not 'other'"), std::string::npos) << wrong_label.err;
}

TEST(SealedHeaderTest, MalformedHeadersAreDataLoss) {
  EXPECT_EQ(ParseSealedHeader({}).status().code(), StatusCode::kDataLoss);
  const std::vector<uint8_t> bad_magic = {'X', '3', 'S', 'L', 1, 1, 1, 0, 'a'};
  EXPECT_NE(ParseSealedHeader(bad_magic).status().message().find("magic"), std::string::npos);
  const std::vector<uint8_t> bad_version = {'S', '3', 'S', 'L', 2, 1, 1, 0, 'a'};
  EXPECT_NE(ParseSealedHeader(bad_version).status().message().find("version 2"), std::string::npos);
  const std::vector<uint8_t> bad_policy = {'S', '3', 'S', 'L', 1, 9, 1, 0, 'a'};
  EXPECT_NE(ParseSealedHeader(bad_policy).status().message().find("policy"), std::string::npos);
  const std::vector<uint8_t> short_label = {'S', '3', 'S', 'L', 1, 1, 5, 0, 'a'};
  EXPECT_NE(ParseSealedHeader(short_label).status().message().find("truncated"), std::string::npos);
  const std::vector<uint8_t> empty_label = {'S', '3', 'S', 'L', 1, 1, 0, 0};
  EXPECT_EQ(ParseSealedHeader(empty_label).status().code(), StatusCode::kDataLoss);
  const std::vector<uint8_t> good = {'S', '3', 'S', 'L', 1, 2, 1, 0, 'a'};
  auto h = ParseSealedHeader(good);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->policy, SealKeyPolicy::kMrSigner);
  EXPECT_EQ(h->label, "a");
  EXPECT_EQ(h->size, 9u);
}

}  // namespace
}  // namespace s3ml::tee::sim
