#include "net/router.h"

#include <gtest/gtest.h>

namespace s3ml::net {
namespace {

HttpHandler Named(std::string* called, std::string name) {
  return [called, name](HttpRequest, HttpResponder) { *called = name; };
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  std::string called;
  Router router;
  ASSERT_TRUE(router.Add("GET", "/v2/health/live", Named(&called, "live")).ok());
  ASSERT_TRUE(router.Add("POST", "/v2/models/{name}/versions/{version}/infer", Named(&called, "infer")).ok());

  Router::Lookup live = router.Find("GET", "/v2/health/live");
  ASSERT_EQ(live.outcome, Router::Outcome::kFound);
  EXPECT_TRUE(live.params.empty());

  Router::Lookup infer = router.Find("POST", "/v2/models/resnet/versions/3/infer");
  ASSERT_EQ(infer.outcome, Router::Outcome::kFound);
  EXPECT_EQ(infer.params.at("name"), "resnet");
  EXPECT_EQ(infer.params.at("version"), "3");
  (*infer.handler)(HttpRequest{}, HttpResponder([](HttpResponse) {}));
  EXPECT_EQ(called, "infer");
}

TEST(RouterTest, SuffixParameterBeatsPlainParameter) {
  std::string called;
  Router router;
  ASSERT_TRUE(router.Add("GET", "/v1/models/{m}", Named(&called, "status")).ok());
  ASSERT_TRUE(router.Add("POST", "/v1/models/{m}:predict", Named(&called, "predict")).ok());
  ASSERT_TRUE(router.Add("POST", "/v1/models/{m}/versions/{v}:predict", Named(&called, "predict_v")).ok());

  Router::Lookup predict = router.Find("POST", "/v1/models/mnist:predict");
  ASSERT_EQ(predict.outcome, Router::Outcome::kFound);
  EXPECT_EQ(predict.params.at("m"), "mnist");
  Router::Lookup status = router.Find("GET", "/v1/models/mnist");
  ASSERT_EQ(status.outcome, Router::Outcome::kFound);
  EXPECT_EQ(status.params.at("m"), "mnist");
  Router::Lookup versioned = router.Find("POST", "/v1/models/mnist/versions/2:predict");
  ASSERT_EQ(versioned.outcome, Router::Outcome::kFound);
  EXPECT_EQ(versioned.params.at("v"), "2");
  // GET on the predict URL is the predict route with the wrong method, not a model "mnist:predict".
  Router::Lookup wrong = router.Find("GET", "/v1/models/mnist:predict");
  EXPECT_EQ(wrong.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(wrong.allowed_methods, "POST");
}

TEST(RouterTest, ReportsNotFoundAndMethodNotAllowed) {
  std::string called;
  Router router;
  ASSERT_TRUE(router.Add("GET", "/v2/models/{m}", Named(&called, "get")).ok());
  ASSERT_TRUE(router.Add("DELETE", "/v2/models/{m}", Named(&called, "delete")).ok());
  EXPECT_EQ(router.Find("GET", "/v2/nothing").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v2/models/a/b").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v2/models/").outcome, Router::Outcome::kNotFound);  // empty parameter
  EXPECT_EQ(router.Find("GET", "").outcome, Router::Outcome::kNotFound);
  Router::Lookup post = router.Find("POST", "/v2/models/x");
  EXPECT_EQ(post.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(post.allowed_methods, "DELETE, GET");
}

TEST(RouterTest, PercentDecodesParametersAndRejectsBadEscapes) {
  std::string called;
  Router router;
  ASSERT_TRUE(router.Add("GET", "/m/{name}", Named(&called, "m")).ok());
  Router::Lookup decoded = router.Find("GET", "/m/my%20model%2Fv1");
  ASSERT_EQ(decoded.outcome, Router::Outcome::kFound);
  EXPECT_EQ(decoded.params.at("name"), "my model/v1");
  EXPECT_EQ(router.Find("GET", "/m/bad%2").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.Find("GET", "/m/bad%zz").outcome, Router::Outcome::kNotFound);
}

TEST(RouterTest, RefusesMalformedPatterns) {
  Router router;
  auto noop = [](HttpRequest, HttpResponder) {};
  EXPECT_EQ(router.Add("GET", "no-slash", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{unclosed", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{}", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{x}{y}", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{x}/b/{x}", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("", "/a", noop).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a", nullptr).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(router.Add("GET", "/a", noop).ok());
  EXPECT_EQ(router.Add("GET", "/a", noop).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace s3ml::net
