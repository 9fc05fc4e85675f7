#include "serving/http_status.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace s3ml::serving {
namespace {

TEST(HttpStatusTest, MapsStatusCodes) {
  EXPECT_EQ(HttpStatusFor(Status::Ok()), 200);
  EXPECT_EQ(HttpStatusFor(InvalidArgument("x")), 400);
  EXPECT_EQ(HttpStatusFor(Unimplemented("x")), 400);
  EXPECT_EQ(HttpStatusFor(NotFound("x")), 404);
  EXPECT_EQ(HttpStatusFor(ResourceExhausted("queue full")), 503);
  EXPECT_EQ(HttpStatusFor(Unavailable("x")), 503);
  EXPECT_EQ(HttpStatusFor(Internal("x")), 500);
}

TEST(HttpStatusTest, ErrorBodyIsJsonEvenForInvalidUtf8) {
  std::string body = ErrorBodyJson(InvalidArgument("input \"a\xff\" is \"bad\""));
  nlohmann::json parsed = nlohmann::json::parse(body);
  ASSERT_TRUE(parsed.contains("error"));
  EXPECT_NE(parsed["error"].get<std::string>().find("is \"bad\""), std::string::npos);
}

}  // namespace
}  // namespace s3ml::serving
