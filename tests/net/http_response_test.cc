#include "net/http_response.h"

#include <gtest/gtest.h>

#include "net/http_responder.h"

namespace s3ml::net {
namespace {

TEST(HttpResponseTest, ErrorIsJsonWithEscapedMessage) {
  HttpResponse r = HttpResponse::Error(413, "body \"x\" too big\n\x01\xff");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers.Get("content-type"), "application/json");
  EXPECT_EQ(r.body, "{\"error\":\"body \\\"x\\\" too big\\n\\u0001\\u00ff\"}");
}

TEST(HttpResponseTest, MapsStatusCodes) {
  EXPECT_EQ(HttpResponse::FromStatus(InvalidArgument("x")).status, 400);
  EXPECT_EQ(HttpResponse::FromStatus(NotFound("x")).status, 404);
  EXPECT_EQ(HttpResponse::FromStatus(PermissionDenied("x")).status, 403);
  EXPECT_EQ(HttpResponse::FromStatus(ResourceExhausted("x")).status, 429);
  EXPECT_EQ(HttpResponse::FromStatus(Unavailable("x")).status, 503);
  EXPECT_EQ(HttpResponse::FromStatus(Internal("boom")).body, "{\"error\":\"boom\"}");
}

TEST(HttpHeadersTest, LookupIsCaseInsensitiveAndSetReplaces) {
  HttpHeaders h;
  h.Add("X-Thing", "1");
  h.Add("x-thing", "2");
  EXPECT_EQ(h.Get("X-THING"), "1");
  h.Set("X-Thing", "3");
  EXPECT_EQ(h.fields().size(), 1u);
  EXPECT_EQ(h.Get("x-thing"), "3");
  EXPECT_FALSE(h.Get("missing").has_value());
}

TEST(HttpResponderTest, FirstAnswerWinsAndDroppingAnswers500) {
  std::vector<int> delivered;
  {
    HttpResponder respond([&](HttpResponse r) { delivered.push_back(r.status); });
    HttpResponder copy = respond;
    copy(HttpResponse::Text(201, "a"));
    respond(HttpResponse::Text(202, "b"));
    EXPECT_TRUE(respond.answered());
  }
  ASSERT_EQ(delivered, std::vector<int>({201}));
  {
    HttpResponder dropped([&](HttpResponse r) { delivered.push_back(r.status); });
  }
  EXPECT_EQ(delivered, std::vector<int>({201, 500}));
}

}  // namespace
}  // namespace s3ml::net
