#include "serving/json_tensor_scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "core/byte_reader.h"

#include "serving/json_tensor_data.h"
#include "serving/kserve_v2_request.h"
#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

constexpr Datatype kAllTypes[] = {Datatype::kBool,  Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16,
                                  Datatype::kInt32, Datatype::kInt64, Datatype::kFp32};

// The DOM path the scanner must agree with: nesting and bytes, or nullopt when it refuses.
std::optional<std::pair<std::vector<int64_t>, std::vector<uint8_t>>> Dom(const std::string& text, Datatype type) {
  json value;
  try {
    value = json::parse(text);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  if (!value.is_array()) return std::nullopt;
  Result<std::vector<int64_t>> nesting = NestedJsonShape(value, "t");
  if (!nesting.ok()) return std::nullopt;
  std::vector<uint8_t> bytes;
  if (!AppendJsonElements(value, type, "t", &bytes).ok()) return std::nullopt;
  return std::make_pair(nesting.value(), bytes);
}

// Whenever the scanner accepts, the DOM path accepts with the same result; `scanner_accepts`
// says whether the fast path is expected to take it at all.
void ExpectAgrees(const std::string& text, Datatype type, bool scanner_accepts) {
  std::vector<int64_t> nesting;
  std::vector<uint8_t> bytes;
  const bool scanned = ScanJsonNumbers(text, type, &nesting, &bytes);
  EXPECT_EQ(scanned, scanner_accepts) << text << " as " << DatatypeName(type);
  if (!scanned) return;
  auto dom = Dom(text, type);
  ASSERT_TRUE(dom.has_value()) << "scanner accepted what the DOM path refuses: " << text << " as "
                               << DatatypeName(type);
  EXPECT_EQ(nesting, dom->first) << text;
  EXPECT_EQ(bytes, dom->second) << text << " as " << DatatypeName(type);
}

TEST(JsonTensorScanTest, MatchesTheDomPathOnValidArrays) {
  for (const char* text : {"[0, 127, 7]", "[[1,2],[3,4]]", "[ [ [1] , [2] ] ]", "[]", "[[]]", "[[],[]]",
                           "[\n1,\t2 ,\r3]", "[-0]", "[0,-0]"}) {
    for (Datatype type : {Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16, Datatype::kInt32,
                          Datatype::kInt64, Datatype::kFp32}) {
      ExpectAgrees(text, type, true);
    }
  }
  ExpectAgrees("[0, 255, 7]", Datatype::kUInt8, true);
  ExpectAgrees("[-128, 127]", Datatype::kInt8, true);
  ExpectAgrees("[-32768, 513]", Datatype::kInt16, true);
  ExpectAgrees("[-2147483648, 2147483647]", Datatype::kInt32, true);
  ExpectAgrees("[-9223372036854775808, 9223372036854775807]", Datatype::kInt64, true);
  // Floats: fractions, exponents, integers beyond 2^53 and beyond uint64 (nlohmann's double),
  // and -0 as an integer (nlohmann's int64 0 is +0.0) and as a float (-0.0).
  ExpectAgrees("[0.5, -2, 1e3, 1E-3, 2.5e+2, 3.4028234e38, -1.17549435e-38, 1e-50]", Datatype::kFp32, true);
  ExpectAgrees("[9007199254740993, 18446744073709551615, 18446744073709551616, -9223372036854775809]",
               Datatype::kFp32, true);
  ExpectAgrees("[-0, -0.0, 0.0, 0e5]", Datatype::kFp32, true);
  ExpectAgrees("[0.1, 0.2, 0.30000000000000004, 123456.789e-3]", Datatype::kFp32, true);
}

TEST(JsonTensorScanTest, MatchesTheDomPathOnRandomNumbers) {
  std::mt19937_64 random(7);
  std::string text = "[";
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) text += ",";
    const double value = std::ldexp(static_cast<double>(random() % 2000000) - 1e6, static_cast<int>(random() % 60) - 30);
    text += json(value).dump();
  }
  text += "]";
  ExpectAgrees(text, Datatype::kFp32, true);
}

// Integer tokens of up to 7 digits are read 8 bytes at a time when 8 bytes remain: each token
// here stands first (read that way) and last (read digit by digit) in arrays long enough for it,
// and the scanner must take exactly what the DOM path takes, with the same bytes.
TEST(JsonTensorScanTest, IntegerTokensAgreeWhereverTheyStand) {
  const char* tokens[] = {"0",        "7",        "10",        "255",       "256",       "1234567",
                          "9999999",  "12345678", "123456789", "01",        "00",        "-0",
                          "-1",       "-128",     "1.5",       "1e2",       "1E2",       "10.",
                          "2147483648", "18446744073709551615", "18446744073709551616", "0x1"};
  const std::pair<const char*, const char*> places[] = {
      {"[", ",1,2,3,4,5,6,7]"}, {"[", " , 1 ,2]"}, {"[", "]         "}, {"[[", "],[1]]"}, {"[1,2,3,4,5,6,7,", "]"}};
  for (const char* token : tokens) {
    for (const auto& [before, after] : places) {
      std::string text = before;
      text.append(token).append(after);
      for (Datatype type : {Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16, Datatype::kInt32,
                            Datatype::kInt64, Datatype::kFp32}) {
        const bool trailing_space = text.back() == ' ';
        ExpectAgrees(text, type, !trailing_space && Dom(text, type).has_value());
        if (trailing_space) ExpectAgrees(text.substr(0, text.find(']') + 1), type, Dom(text, type).has_value());
      }
    }
  }
}

TEST(JsonTensorScanTest, MatchesTheDomPathOnRandomIntegers) {
  std::mt19937_64 random(11);
  const char* separators[] = {",", ", ", " ,", ",\n"};
  for (int round = 0; round < 200; ++round) {
    std::string text = "[";
    const int count = 1 + static_cast<int>(random() % 40);
    for (int i = 0; i < count; ++i) {
      if (i > 0) text += separators[random() % 4];
      if (random() % 8 == 0) text += '-';
      const int digits = 1 + static_cast<int>(random() % 21);
      std::string number = std::to_string(1 + random() % 9);
      while (static_cast<int>(number.size()) < digits) number += static_cast<char>('0' + random() % 10);
      text += random() % 16 == 0 ? "0" : number;
    }
    text += "]";
    for (Datatype type : {Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16, Datatype::kInt32,
                          Datatype::kInt64, Datatype::kFp32}) {
      ExpectAgrees(text, type, Dom(text, type).has_value());
    }
  }
}

// Decimals of up to 15 digits without exponent are divided exactly (Clinger's fast path); longer
// ones and exponents go through from_chars. Both must give the DOM path's float.
TEST(JsonTensorScanTest, MatchesTheDomPathOnRandomDecimals) {
  std::mt19937_64 random(13);
  std::string text = "[";
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) text += ",";
    if (random() % 4 == 0) text += '-';
    const int digits = 1 + static_cast<int>(random() % 17);
    std::string number;
    for (int d = 0; d < digits; ++d) number += static_cast<char>('0' + random() % 10);
    const size_t point = random() % static_cast<size_t>(digits);  // digits before the '.'
    size_t first = 0;
    while (first < point && number[first] == '0') ++first;  // no leading zeros
    if (first == point) text += '0';
    text.append(number, first, point - first).append(1, '.').append(number, point, std::string::npos);
    if (random() % 8 == 0) {
      char exponent[8];
      std::snprintf(exponent, sizeof exponent, "e%d", static_cast<int>(random() % 20) - 10);
      text += exponent;
    }
  }
  text += "]";
  ExpectAgrees(text, Datatype::kFp32, true);
  ExpectAgrees("[0.123456789012345, 0.1234567890123456, 123456789012345.0, 1234567890123456.0]",
               Datatype::kFp32, true);
}

TEST(JsonTensorScanTest, LeavesEverythingElseToTheDomPath) {
  // Out of range, non-integers for integer types, BOOL, non-numbers, ragged or too deep nesting,
  // malformed numbers and arrays: the scanner refuses, the DOM path then reports the error.
  const std::pair<const char*, Datatype> refused[] = {
      {"[256]", Datatype::kUInt8},
      {"[-1]", Datatype::kUInt8},
      {"[128]", Datatype::kInt8},
      {"[-129]", Datatype::kInt8},
      {"[40000]", Datatype::kInt16},
      {"[2147483648]", Datatype::kInt32},
      {"[9223372036854775808]", Datatype::kInt64},
      {"[-9223372036854775809]", Datatype::kInt64},
      {"[99999999999999999999]", Datatype::kUInt8},
      {"[1.0]", Datatype::kInt32},
      {"[1e2]", Datatype::kUInt8},
      {"[1e39]", Datatype::kFp32},
      {"[1e400]", Datatype::kFp32},
      {"[true, false]", Datatype::kBool},
      {"[true]", Datatype::kFp32},
      {"[null]", Datatype::kFp32},
      {"[\"1\"]", Datatype::kFp32},
      {"[[1],[2,3]]", Datatype::kUInt8},
      {"[[1],2]", Datatype::kUInt8},
      {"[1,[2]]", Datatype::kUInt8},
      {"[[],[1]]", Datatype::kUInt8},
      {"[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", Datatype::kUInt8},  // 17 levels
      {"[01]", Datatype::kUInt8},
      {"[+1]", Datatype::kUInt8},
      {"[.5]", Datatype::kFp32},
      {"[1.]", Datatype::kFp32},
      {"[1e]", Datatype::kFp32},
      {"[-]", Datatype::kInt8},
      {"[NaN]", Datatype::kFp32},
      {"[1,]", Datatype::kUInt8},
      {"[,1]", Datatype::kUInt8},
      {"[1 2]", Datatype::kUInt8},
      {"[1x]", Datatype::kUInt8},
      {"[1]]", Datatype::kUInt8},
      {"[[1]", Datatype::kUInt8},
      {"[1] ", Datatype::kUInt8},
      {"5", Datatype::kUInt8},
      {"", Datatype::kUInt8},
  };
  for (const auto& [text, type] : refused) ExpectAgrees(text, type, false);
  // 16 levels are still a tensor.
  ExpectAgrees("[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]", Datatype::kUInt8, true);
  // Truncations of a valid array never read past the end and are refused.
  const std::string valid = "[[1.5e3,-2],[3,4]]";
  for (size_t n = 0; n < valid.size(); ++n) ExpectAgrees(valid.substr(0, n), Datatype::kFp32, false);
}

TEST(JsonTensorScanTest, CutsTheDataArraysOfTheInputs) {
  const std::string text =
      R"({"id":"x","inputs":[{"name":"a","data":[1,2],"shape":[2]},7,{"data" : [[3]] ,"name":"b"}],)"
      R"("outputs":[{"data":[9]}],"data":[8]})";
  std::optional<CutJson> cut = CutV2InputData(text);
  ASSERT_TRUE(cut.has_value());
  ASSERT_EQ(cut->arrays.size(), 2u);
  EXPECT_EQ(cut->arrays[0].first, 0u);
  EXPECT_EQ(cut->arrays[0].second, "[1,2]");
  EXPECT_EQ(cut->arrays[1].first, 2u);
  EXPECT_EQ(cut->arrays[1].second, "[[3]]");
  json rest = json::parse(cut->rest);
  EXPECT_TRUE(rest["inputs"][0]["data"].is_null());
  EXPECT_TRUE(rest["inputs"][2]["data"].is_null());
  EXPECT_EQ(rest["outputs"][0]["data"], json::array({9}));  // not an input: left in place
  EXPECT_EQ(rest["data"], json::array({8}));
  EXPECT_EQ(rest["inputs"][0]["shape"], json::array({2}));
}

// The data array's end is found 8 bytes at a time between brackets: wherever a bracket, string or
// object falls relative to those 8 bytes, the cut is that exact text, or nothing.
TEST(JsonTensorScanTest, CutsExactlyWhereverBracketsFall) {
  std::mt19937 random(3);
  for (int round = 0; round < 300; ++round) {
    // Random nesting and spacing, so that brackets land at every offset.
    std::string data = "[";
    const int rows = 1 + static_cast<int>(random() % 4);
    for (int r = 0; r < rows; ++r) {
      if (r > 0) data += random() % 2 ? "," : " , ";
      data += "[";
      const int columns = 1 + static_cast<int>(random() % 12);
      for (int c = 0; c < columns; ++c) {
        if (c > 0) data += random() % 3 ? "," : ", ";
        data += std::to_string(random() % 1000);
      }
      data += "]";
    }
    data += "]";
    auto request = [](const std::string& array) {
      std::string text = R"({"inputs":[{"name":"a","data":)";
      text.append(array).append(R"(,"shape":[1]}]})");
      return text;
    };
    const std::string text = request(data);  // the cut's arrays are views into it
    std::optional<CutJson> cut = CutV2InputData(text);
    ASSERT_TRUE(cut.has_value()) << data;
    ASSERT_EQ(cut->arrays.size(), 1u);
    EXPECT_EQ(cut->arrays[0].second, data);
    // One foreign byte somewhere inside: a string or an object gives up; a byte the 8-byte test
    // only suspects ('y') is cut with the rest, for ScanJsonNumbers to refuse.
    const size_t at = 1 + random() % (data.size() - 1);
    for (char foreign : {'"', '{', '}', 'y'}) {
      std::string changed = data;
      changed.insert(at, 1, foreign);
      const std::string changed_text = request(changed);
      std::optional<CutJson> changed_cut = CutV2InputData(changed_text);
      if (foreign == 'y') {
        ASSERT_TRUE(changed_cut.has_value()) << changed;
        EXPECT_EQ(changed_cut->arrays[0].second, changed);
      } else {
        EXPECT_FALSE(changed_cut.has_value()) << changed;
      }
    }
  }
}

TEST(JsonTensorScanTest, GivesUpWhereNlohmannMightReadTheTextDifferently) {
  for (const char* text : {
           R"({"inputs":[{"d\u0061ta":[1]}]})",               // escaped key
           R"({"inp\u0075ts":[{"data":[1]}]})",               // escaped key
           R"({"inputs":[{"data":[1],"data":[2]}]})",         // duplicate keys: nlohmann keeps the last
           R"({"inputs":[{"data":[1]}],"inputs":[]})",
           R"({"inputs":[{"data":[1,"x"]}]})",                // not numeric: the DOM path's
           R"({"inputs":[{"data":[1,2}]})",                   // unbalanced
           R"({"inputs":[{"data":[1]})",                      // truncated
           R"({"inputs":[{"data":5}]})",                      // nothing to cut
           R"([{"inputs":[{"data":[1]}]}])",                  // not an object
           R"({"inputs":[{"name":"a\"],\"data\":[1]"}]})",    // brackets inside strings
       }) {
    EXPECT_FALSE(CutV2InputData(text).has_value()) << text;
  }
  // Whatever is cut, nothing reads past the end of a truncated text.
  const std::string valid = R"({"a":{"b":[1,"]"]},"inputs":[{"name":"x","data":[[1,2]]}]})";
  EXPECT_TRUE(CutV2InputData(valid).has_value());
  for (size_t n = 0; n < valid.size(); ++n) EXPECT_FALSE(CutV2InputData(valid.substr(0, n)).has_value()) << n;
}

// Through the request parser: the fast path's results equal the DOM path's, and its refusals
// still come back as the DOM path's errors.
TEST(JsonTensorScanTest, RequestParserGivesTheSameResultsAndErrors) {
  auto parse = [](const std::string& body) {
    return ParseV2InferRequest(AsBytes(body), std::nullopt, testing::TwoInputs(), {}, {});
  };
  Result<V2InferRequest> parsed = parse(
      R"({"inputs":[{"name":"k","datatype":"INT32","shape":[1,1],"data":[[-7]]},)"
      R"({"name":"x","datatype":"FP32","shape":[1,2],"data":[0.5,-0]}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->inputs.size(), 2u);
  EXPECT_EQ(parsed->inputs[0].data, testing::Bytes<float>({0.5f, 0.0f}));
  EXPECT_EQ(parsed->inputs[1].data, testing::Bytes<int32_t>({-7}));

  const std::string x = R"({"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]})";
  auto with_k = [&](const std::string& k_data) {
    return parse(R"({"inputs":[)" + x + R"(,{"name":"k","datatype":"INT32","shape":[1,1],"data":)" + k_data + "}]}");
  };
  Result<V2InferRequest> error = with_k("[2147483648]");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(), "input \"k\": element 0: 2147483648 is out of range for INT32");
  error = with_k("[1.5]");
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("1.5 is not an integer (datatype INT32)"), std::string::npos);
  error = with_k("[[1,2]]");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(), "input \"k\": \"data\" is nested as [1,2] but \"shape\" is [1,1]");
  error = with_k("[1,2");
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.status().message().find("infer request: malformed JSON"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::serving
