#include "attest/sgx_quote.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;

void PutU32(std::vector<uint8_t>& q, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) q[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(SgxQuoteTest, ParsesDcapQvlSample) {
  auto sample = LoadSample("dcap-qvl");
  auto q = ParseSgxQuote(sample.quote);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->header.version, 3);
  EXPECT_EQ(q->header.attestation_key_type, 2);
  EXPECT_EQ(q->header.tee_type, 0u);
  EXPECT_EQ(q->header.qe_svn, 10);
  EXPECT_EQ(q->header.pce_svn, 15);
  EXPECT_EQ(HexEncode(q->report_body.mrenclave), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(HexEncode(q->report_body.mrsigner), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(q->report_body.isv_prod_id, 0);
  EXPECT_EQ(q->report_body.isv_svn, 0);
  EXPECT_EQ(q->report_body.attribute_flags, 0x5u);
  EXPECT_FALSE(q->report_body.debug());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(q->report_body.report_data.data()), 13), "Hello, world!");
  EXPECT_EQ(q->report_body.report_data[13], 0);
  EXPECT_EQ(q->signed_bytes.size(), 432u);
  EXPECT_EQ(q->qe_report.isv_prod_id, 1);
  EXPECT_EQ(q->qe_report.isv_svn, 10);
  EXPECT_EQ(q->qe_auth_data.size(), 32u);
  EXPECT_EQ(q->certification_data_type, 5);
  EXPECT_EQ(q->pck_chain_pem.back(), '\n');  // trailing NUL removed
  EXPECT_EQ(q->pck_chain_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

TEST(SgxQuoteTest, ParsesDebugFlag) {
  auto q = ParseSgxQuote(LoadSample("occlum-debug").quote);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->report_body.debug());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(q->report_body.report_data.data()), 4), "test");
  // This sample's PEM chain has no trailing NUL.
  EXPECT_EQ(q->pck_chain_pem.back(), '\n');
}

TEST(SgxQuoteTest, EveryTruncationFailsCleanly) {
  for (const auto& name : testing::SampleNames()) {
    auto quote = LoadSample(name).quote;
    for (size_t cut = 0; cut < quote.size(); ++cut) {
      std::vector<uint8_t> prefix(quote.begin(), quote.begin() + static_cast<long>(cut));
      auto q = ParseSgxQuote(prefix);
      ASSERT_FALSE(q.ok()) << name << " cut at " << cut;
      EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument) << name << " cut at " << cut;
    }
  }
}

TEST(SgxQuoteTest, RefusesWrongHeaderFields) {
  auto quote = LoadSample("automata").quote;
  auto version = quote;
  version[0] = 4;
  EXPECT_EQ(ParseSgxQuote(version).status().code(), StatusCode::kUnimplemented);
  auto key_type = quote;
  key_type[2] = 3;
  EXPECT_EQ(ParseSgxQuote(key_type).status().code(), StatusCode::kUnimplemented);
  auto tee = quote;
  tee[4] = 0x81;  // TDX
  EXPECT_EQ(ParseSgxQuote(tee).status().code(), StatusCode::kUnimplemented);
  auto vendor = quote;
  vendor[12] ^= 1;
  auto v = ParseSgxQuote(vendor);
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("vendor"), std::string::npos);
}

TEST(SgxQuoteTest, RefusesInconsistentLengths) {
  auto quote = LoadSample("automata").quote;
  auto extra = quote;
  extra.push_back(0);
  auto r = ParseSgxQuote(extra);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("signature data length"), std::string::npos) << r.status().ToString();

  auto sig_len = quote;
  PutU32(sig_len, 432, 0xffffffffu);
  EXPECT_EQ(ParseSgxQuote(sig_len).status().code(), StatusCode::kInvalidArgument);

  // QE auth data size claiming more than there is.
  const size_t auth_at = 436 + 64 + 64 + 384 + 64;
  auto auth = quote;
  auth[auth_at] = 0xff;
  auth[auth_at + 1] = 0xff;
  EXPECT_EQ(ParseSgxQuote(auth).status().code(), StatusCode::kInvalidArgument);

  // Certification data type other than 5, and a wrong certification data size.
  const size_t cert_at = auth_at + 2 + 32;
  auto type = quote;
  type[cert_at] = 4;
  EXPECT_EQ(ParseSgxQuote(type).status().code(), StatusCode::kUnimplemented);
  auto size = quote;
  PutU32(size, cert_at + 2, 12);
  auto s = ParseSgxQuote(size);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("certification data size"), std::string::npos);

  // Binary junk in place of the PEM chain.
  auto junk = quote;
  junk[cert_at + 6 + 10] = 0x00;
  EXPECT_EQ(ParseSgxQuote(junk).status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(ParseSgxQuote(std::vector<uint8_t>(kMaxSgxQuoteSize + 1, 0)).status().code(), StatusCode::kResourceExhausted);
}

TEST(SgxReportBodyTest, RequiresExactSize) {
  EXPECT_EQ(ParseSgxReportBody(std::vector<uint8_t>(383, 0)).status().code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> body(384, 0);
  body[48] = 0x02;   // attributes.flags DEBUG
  body[256] = 0x34;  // ISVPRODID (offset 304 in a quote)
  body[258] = 0x12;  // ISVSVN
  auto parsed = ParseSgxReportBody(body);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->debug());
  EXPECT_EQ(parsed->isv_prod_id, 0x34);
  EXPECT_EQ(parsed->isv_svn, 0x12);
}

}  // namespace
}  // namespace s3ml::attest
