#include "tee/sim/qe_protocol.h"

#include <gtest/gtest.h>

namespace s3ml::tee::sim {
namespace {

TEST(QeProtocolTest, RequestsRoundTrip) {
  QeRequest q;
  q.type = QeRequestType::kQuote;
  q.report_data.fill(0x7e);
  auto dq = DecodeQeRequest(EncodeQeRequest(q));
  ASSERT_TRUE(dq.ok());
  EXPECT_EQ(dq->type, QeRequestType::kQuote);
  EXPECT_EQ(dq->report_data, q.report_data);

  QeRequest s;
  s.type = QeRequestType::kSealKey;
  s.policy = SealKeyPolicy::kMrSigner;
  s.label = "ecs-state";
  auto ds = DecodeQeRequest(EncodeQeRequest(s));
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->policy, SealKeyPolicy::kMrSigner);
  EXPECT_EQ(ds->label, "ecs-state");
}

TEST(QeProtocolTest, MalformedRequestsAreRefusedWithTheReason) {
  struct Case {
    std::vector<uint8_t> body;
    const char* expect;
  };
  std::vector<uint8_t> short_quote = {1, 1};
  short_quote.resize(2 + 63);
  std::vector<uint8_t> long_quote = {1, 1};
  long_quote.resize(2 + 65);
  const Case cases[] = {
      {{}, "header"},
      {{1}, "header"},
      {{2, 3}, "version"},
      {{1, 9}, "type 9"},
      {short_quote, "64 bytes"},
      {long_quote, "64 bytes"},
      {{1, 2}, "policy"},
      {{1, 2, 7, 1, 0, 'x'}, "policy byte 7"},
      {{1, 2, 1, 5, 0, 'a'}, "truncated"},
      {{1, 2, 1, 0, 0}, "label"},
      {{1, 2, 1, 1, 0, 'a', 'b'}, "trailing"},
      {{1, 3, 0}, "trailing"},
  };
  for (const Case& c : cases) {
    auto r = DecodeQeRequest(c.body);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.expect;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

TEST(QeProtocolTest, RepliesCarryPayloadOrError) {
  std::vector<uint8_t> payload = {1, 2, 3};
  EXPECT_EQ(DecodeQeReply(EncodeQeReply(Status::Ok(), payload)).value(), payload);
  auto err = DecodeQeReply(EncodeQeReply(PermissionDenied("unsigned"), {}));
  EXPECT_EQ(err.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(err.status().message().find("unsigned"), std::string::npos);
  EXPECT_EQ(DecodeQeReply(std::vector<uint8_t>{1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeQeReply(std::vector<uint8_t>{1, 200}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeQeReply(std::vector<uint8_t>{9, 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST(QeProtocolTest, IdentityEncodingIsExact) {
  Identity id;
  id.mrenclave.fill(1);
  id.mrsigner.fill(2);
  id.isv_prod_id = 513;
  id.isv_svn = 2;
  id.debug = true;
  auto bytes = EncodeIdentity(id);
  EXPECT_EQ(bytes.size(), 69u);
  EXPECT_EQ(DecodeIdentity(bytes).value(), id);
  bytes.push_back(0);
  EXPECT_FALSE(DecodeIdentity(bytes).ok());
  bytes.resize(68);
  EXPECT_FALSE(DecodeIdentity(bytes).ok());
}

}  // namespace
}  // namespace s3ml::tee::sim
