#include "client/bmp_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "tests/client/bmp_builder.h"

namespace s3ml::client {
namespace {

using ::testing::HasSubstr;
using testing::BmpOptions;
using testing::BuildBmp;
using testing::PatternImage;
using testing::PutU16;
using testing::PutU32;

void ExpectSameImage(const Image& actual, const Image& expected) {
  EXPECT_EQ(actual.width, expected.width);
  EXPECT_EQ(actual.height, expected.height);
  EXPECT_EQ(actual.channels, expected.channels);
  EXPECT_EQ(actual.pixels, expected.pixels);
}

TEST(BmpDecoderTest, Decodes24BitBottomUpWithRowPadding) {
  // Width 5 at 3 bytes per pixel makes 15-byte rows padded to 16.
  const Image image = PatternImage(5, 3, 3);
  Result<Image> decoded = DecodeBmp(BuildBmp(image));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, Decodes24BitTopDown) {
  const Image image = PatternImage(7, 4, 3);
  Result<Image> decoded = DecodeBmp(BuildBmp(image, {.bits = 24, .top_down = true}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, BottomUpAndTopDownDifferOnlyInStorage) {
  const Image image = PatternImage(3, 5, 3);
  std::vector<uint8_t> bottom_up = BuildBmp(image);
  std::vector<uint8_t> top_down = BuildBmp(image, {.bits = 24, .top_down = true});
  EXPECT_NE(bottom_up, top_down);
  ExpectSameImage(*DecodeBmp(bottom_up), *DecodeBmp(top_down));
}

TEST(BmpDecoderTest, Decodes32BitBgrx) {
  const Image image = PatternImage(3, 2, 3);
  Result<Image> decoded = DecodeBmp(BuildBmp(image, {.bits = 32}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, Decodes32BitBitfieldsInEveryHeaderVersion) {
  const Image image = PatternImage(4, 3, 3);
  for (uint32_t header_size : {40u, 52u, 56u, 108u, 124u}) {
    SCOPED_TRACE(header_size);
    Result<Image> decoded = DecodeBmp(BuildBmp(image, {.bits = 32, .header_size = header_size, .bitfields = true}));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ExpectSameImage(*decoded, image);
  }
}

TEST(BmpDecoderTest, Decodes8BitGreyPaletteToOneChannel) {
  const Image image = PatternImage(6, 5, 1);
  Result<Image> decoded = DecodeBmp(BuildBmp(image, {.bits = 8}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, Decodes8BitColourPaletteToRgb) {
  const Image image = PatternImage(5, 3, 3);
  Result<Image> decoded = DecodeBmp(BuildBmp(image, {.bits = 8, .header_size = 124}));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, AcceptsMissingPaddingOnTheLastRow) {
  const Image image = PatternImage(5, 2, 3);
  std::vector<uint8_t> bmp = BuildBmp(image);
  bmp.pop_back();  // the last stored row's single padding byte
  PutU32(bmp, testing::kFileSizeOffset, static_cast<uint32_t>(bmp.size()));
  Result<Image> decoded = DecodeBmp(bmp);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameImage(*decoded, image);
}

TEST(BmpDecoderTest, RefusesWrongMagic) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  bmp[1] = 'A';
  Result<Image> decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("magic"));
}

TEST(BmpDecoderTest, RefusesEveryTruncation) {
  const std::vector<uint8_t> grey = BuildBmp(PatternImage(9, 7, 1), {.bits = 8});
  const std::vector<uint8_t> rgb = BuildBmp(PatternImage(9, 7, 3), {.bits = 32, .header_size = 40, .bitfields = true});
  // Writers may leave the file size field 0: then the other size checks must catch every cut.
  std::vector<uint8_t> grey_no_size = grey;
  PutU32(grey_no_size, testing::kFileSizeOffset, 0);
  std::vector<uint8_t> rgb_no_size = rgb;
  PutU32(rgb_no_size, testing::kFileSizeOffset, 0);
  for (const std::vector<uint8_t>* bmp :
       std::vector<const std::vector<uint8_t>*>{&grey, &rgb, &grey_no_size, &rgb_no_size}) {
    // Every cut point short of the padding of the last row.
    const size_t last_padding = (bmp == &grey || bmp == &grey_no_size) ? 3 : 0;
    for (size_t cut = 0; cut + last_padding < bmp->size(); ++cut) {
      Result<Image> decoded = DecodeBmp(std::span<const uint8_t>(*bmp).first(cut));
      ASSERT_FALSE(decoded.ok()) << "cut at " << cut;
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << "cut at " << cut;
    }
  }
}

TEST(BmpDecoderTest, RefusesTruncationEvenWhenTheSizeFieldIsPatched) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(8, 8, 3));
  bmp.resize(bmp.size() - 40);
  PutU32(bmp, testing::kFileSizeOffset, static_cast<uint32_t>(bmp.size()));
  Result<Image> decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("pixel data truncated"));
}

TEST(BmpDecoderTest, RefusesAbsurdDimensionsWithoutAllocating) {
  // 30000 x 30000 at 24 bits would be 2.7 GB: refused from the sizes alone.
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  PutU32(bmp, testing::kWidthOffset, 30000);
  PutU32(bmp, testing::kHeightOffset, 30000);
  Result<Image> decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("pixel data truncated"));

  PutU32(bmp, testing::kWidthOffset, 0x7fffffff);
  decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("width 2147483647 exceeds"));

  PutU32(bmp, testing::kWidthOffset, 2);
  PutU32(bmp, testing::kHeightOffset, 0x80000000u);  // INT32_MIN: its negation overflows
  decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("height -2147483648 exceeds"));
}

TEST(BmpDecoderTest, RefusesZeroOrNegativeWidthAndZeroHeight) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  PutU32(bmp, testing::kWidthOffset, static_cast<uint32_t>(-2));
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("width -2 must be positive"));
  PutU32(bmp, testing::kWidthOffset, 2);
  PutU32(bmp, testing::kHeightOffset, 0);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("height is 0"));
}

TEST(BmpDecoderTest, RefusesUnsupportedBitDepthsByName) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  for (uint16_t bits : {1, 4, 16}) {
    PutU16(bmp, testing::kBitsOffset, bits);
    Result<Image> decoded = DecodeBmp(bmp);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kUnimplemented);
    EXPECT_THAT(decoded.status().message(), HasSubstr("bits per pixel " + std::to_string(bits)));
  }
  PutU16(bmp, testing::kBitsOffset, 7);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("bits per pixel 7 is invalid"));
}

TEST(BmpDecoderTest, RefusesCompressionAndOtherHeaders) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  PutU32(bmp, testing::kCompressionOffset, 1);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("RLE"));
  PutU32(bmp, testing::kCompressionOffset, 4);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("JPEG/PNG"));
  PutU32(bmp, testing::kCompressionOffset, 3);  // bitfields on 24 bits
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("BI_BITFIELDS with 24"));
  PutU32(bmp, testing::kCompressionOffset, 99);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("compression 99 is unknown"));
  PutU32(bmp, testing::kCompressionOffset, 0);

  PutU32(bmp, testing::kHeaderSizeOffset, 12);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("BITMAPCOREHEADER"));
  PutU32(bmp, testing::kHeaderSizeOffset, 41);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("header size 41"));
  PutU32(bmp, testing::kHeaderSizeOffset, 40);

  PutU16(bmp, testing::kPlanesOffset, 2);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("planes 2"));
}

TEST(BmpDecoderTest, RefusesBadPalettes) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(4, 4, 1), {.bits = 8});
  PutU32(bmp, testing::kColorsUsedOffset, 300);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("colors used 300"));
  // A 16-entry palette: pattern pixels index beyond it.
  PutU32(bmp, testing::kColorsUsedOffset, 16);
  Result<Image> decoded = DecodeBmp(bmp);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("beyond the 16-entry palette"));
}

TEST(BmpDecoderTest, RefusesPixelOffsetInsideTheHeaders) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  PutU32(bmp, testing::kPixelOffsetOffset, 20);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("overlaps the headers"));
  std::vector<uint8_t> grey = BuildBmp(PatternImage(2, 2, 1), {.bits = 8});
  PutU32(grey, testing::kPixelOffsetOffset, 60);
  EXPECT_THAT(DecodeBmp(grey).status().message(), HasSubstr("overlaps the palette"));
}

TEST(BmpDecoderTest, RefusesNonContiguousMasks) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3), {.bits = 32, .bitfields = true});
  PutU32(bmp, 54, 0x0000f0f0u);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("red mask 0x0000f0f0 is not a contiguous"));
  PutU32(bmp, 54, 0);
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("red mask is zero"));
}

TEST(BmpDecoderTest, RefusesFileSizeFieldLargerThanTheFile) {
  std::vector<uint8_t> bmp = BuildBmp(PatternImage(2, 2, 3));
  PutU32(bmp, testing::kFileSizeOffset, static_cast<uint32_t>(bmp.size() + 1));
  EXPECT_THAT(DecodeBmp(bmp).status().message(), HasSubstr("file size field"));
}

TEST(BmpDecoderTest, DecodesTheShippedImages) {
  Result<std::vector<uint8_t>> cat = ReadFileBytes(S3ML_TESTDATA_DIR "/models/coral/cat.bmp");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  Result<Image> image = DecodeBmp(*cat);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 512);
  EXPECT_EQ(image->height, 341);
  EXPECT_EQ(image->channels, 3);

  Result<std::vector<uint8_t>> person = ReadFileBytes(S3ML_TESTDATA_DIR "/models/tflite-micro/no_person.bmp");
  ASSERT_TRUE(person.ok()) << person.status().ToString();
  image = DecodeBmp(*person);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->width, 96);
  EXPECT_EQ(image->height, 96);
  EXPECT_EQ(image->channels, 1);
}

}  // namespace
}  // namespace s3ml::client
