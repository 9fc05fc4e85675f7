// The byte layouts of state.s3ml's header and of the head record: round trips and refusals.
#include "ecs/state_file.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"

namespace s3ml::ecs {
namespace {

StateFileHeader SampleHeader() {
  StateFileHeader h;
  h.version = 42;
  h.seal_check.fill(0xcc);
  h.sealed_state_key.assign(80, 0x5a);
  h.recovery_wrap.assign(200, 0x77);
  return h;
}

std::vector<uint8_t> SampleFile() {
  std::vector<uint8_t> file = SerializeStateFileHeader(SampleHeader());
  file.insert(file.end(), 12 + 100 + 16, 0xee);  // nonce, ciphertext, tag
  return file;
}

TEST(StateFileTest, HeaderRoundTripAndSpans) {
  const std::vector<uint8_t> file = SampleFile();
  auto p = ParseStateFile(file);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->header.version, 42u);
  EXPECT_EQ(p->header.seal_check, SampleHeader().seal_check);
  EXPECT_EQ(p->header.sealed_state_key, SampleHeader().sealed_state_key);
  EXPECT_EQ(p->header.recovery_wrap, SampleHeader().recovery_wrap);
  EXPECT_EQ(p->aad.size(), 8 + 2 + 8 + 32 + 4 + 80 + 4 + 200u);
  EXPECT_EQ(p->aad.data(), file.data());
  EXPECT_EQ(p->ciphertext.size(), 128u);

  StateFileHeader no_wrap = SampleHeader();
  no_wrap.recovery_wrap.clear();
  std::vector<uint8_t> f = SerializeStateFileHeader(no_wrap);
  f.resize(f.size() + 28);
  auto q = ParseStateFile(f);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_TRUE(q->header.recovery_wrap.empty());
}

TEST(StateFileTest, MalformedFilesAreDataLossWithClearMessages) {
  EXPECT_NE(ParseStateFile({}).status().message().find("empty"), std::string::npos);
  EXPECT_NE(ParseStateFile(AsBytes("garbage garbage garbage")).status().message().find("magic"), std::string::npos);
  const std::vector<uint8_t> file = SampleFile();
  for (size_t n = 1; n < file.size() - 127; ++n) {
    auto r = ParseStateFile(std::span(file).first(n));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "length " << n;
  }
  auto format = file;
  format[8] = 2;
  EXPECT_NE(ParseStateFile(format).status().message().find("format version 2"), std::string::npos);
  auto zero = file;
  std::fill(zero.begin() + 10, zero.begin() + 18, 0);
  EXPECT_NE(ParseStateFile(zero).status().message().find("version is 0"), std::string::npos);

  StateFileHeader h = SampleHeader();
  h.sealed_state_key.clear();
  auto no_key = SerializeStateFileHeader(h);
  no_key.resize(no_key.size() + 28);
  EXPECT_NE(ParseStateFile(no_key).status().message().find("sealed key is 0 bytes"), std::string::npos);
  h = SampleHeader();
  h.recovery_wrap.assign(kMaxRecoveryWrapSize + 1, 1);
  auto big_wrap = SerializeStateFileHeader(h);
  big_wrap.resize(big_wrap.size() + 28);
  EXPECT_NE(ParseStateFile(big_wrap).status().message().find("recovery wrap is"), std::string::npos);
  // A length prefix larger than the file.
  auto long_len = file;
  long_len[50] = long_len[51] = long_len[52] = 0xff;
  EXPECT_NE(ParseStateFile(long_len).status().message().find("truncated"), std::string::npos);
  // Header fine but no room for nonce and tag.
  auto headless = SerializeStateFileHeader(SampleHeader());
  headless.resize(headless.size() + 27);
  EXPECT_NE(ParseStateFile(headless).status().message().find("no room for nonce and tag"), std::string::npos);
}

TEST(StateFileTest, HeadRecordRoundTripAndRefusals) {
  HeadRecord head{9, {}};
  head.state_sha256.fill(0x11);
  const auto bytes = SerializeHeadRecord(head);
  EXPECT_EQ(bytes.size(), 8 + 2 + 8 + 32u);
  auto back = ParseHeadRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->version, 9u);
  EXPECT_EQ(back->state_sha256, head.state_sha256);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(ParseHeadRecord(std::span(bytes).first(n)).status().code(), StatusCode::kDataLoss) << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_NE(ParseHeadRecord(longer).status().message().find("trailing"), std::string::npos);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_NE(ParseHeadRecord(magic).status().message().find("magic"), std::string::npos);
  auto format = bytes;
  format[8] = 3;
  EXPECT_NE(ParseHeadRecord(format).status().message().find("format version 3"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::ecs
