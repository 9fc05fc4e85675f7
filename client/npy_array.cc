#include "client/npy_array.h"

#include <cstring>
#include <string_view>

#include "core/byte_reader.h"
#include "core/checked_math.h"

namespace s3ml::client {
namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// NumPy's own limit on array rank.
constexpr size_t kMaxRank = 64;

struct Dtype {
  engine::DataType type;
  size_t item_size;
};

Result<Dtype> ParseDescr(const std::string& descr) {
  if (descr.size() < 3) return InvalidArgument("npy dtype '" + descr + "' is unknown");
  const char order = descr[0];
  const std::string_view kind = std::string_view(descr).substr(1);
  struct Known {
    std::string_view kind;
    Dtype dtype;
  };
  static constexpr Known kKnown[] = {
      {"u1", {engine::DataType::kUInt8, 1}},  {"i1", {engine::DataType::kInt8, 1}},
      {"b1", {engine::DataType::kBool, 1}},   {"i2", {engine::DataType::kInt16, 2}},
      {"i4", {engine::DataType::kInt32, 4}},  {"i8", {engine::DataType::kInt64, 8}},
      {"f4", {engine::DataType::kFloat32, 4}},
  };
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    return InvalidArgument("npy dtype '" + descr + "' has an unknown byte order '" + std::string(1, order) + "'");
  }
  for (const Known& known : kKnown) {
    if (kind != known.kind) continue;
    if (known.dtype.item_size > 1 && order == '>') {
      return Unimplemented("npy dtype '" + descr + "' is big-endian (only little-endian is supported)");
    }
    if (known.dtype.item_size > 1 && order == '|') {
      return InvalidArgument("npy dtype '" + descr + "' has no byte order for a multi-byte type");
    }
    return known.dtype;
  }
  return Unimplemented("npy dtype '" + descr + "' is not supported (supported: |u1 |i1 |b1 <i2 <i4 <i8 <f4)");
}

// A cursor over the header text, which is a Python dict literal.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  size_t position() const { return pos_; }

  Result<std::string> String() {
    SkipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return Error("a quoted string");
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return Error("a closing quote");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  Result<bool> Boolean() {
    SkipSpace();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    return Error("True or False");
  }

  Result<std::vector<int64_t>> Tuple() {
    if (!Consume('(')) return Error("'(' starting the shape tuple");
    std::vector<int64_t> values;
    while (!Consume(')')) {
      if (values.size() == kMaxRank) return InvalidArgument("npy shape has more than 64 dimensions");
      SkipSpace();
      int64_t value = 0;
      size_t digits = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (!CheckedMul<int64_t>(value, 10, &value) || !CheckedAdd<int64_t>(value, text_[pos_] - '0', &value)) {
          return InvalidArgument("npy shape dimension is too large");
        }
        ++pos_;
        ++digits;
      }
      if (digits == 0) return Error("a non-negative integer in the shape tuple");
      // Python also writes the L suffix of long integers in old files.
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
      values.push_back(value);
      if (!Consume(',')) {
        if (!Consume(')')) return Error("',' or ')' in the shape tuple");
        break;
      }
    }
    return values;
  }

  Status Error(const std::string& expected) const {
    return InvalidArgument("npy header: expected " + expected + " at character " + std::to_string(pos_));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<NpyArray> ParseNpy(std::span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  std::span<const uint8_t> magic;
  if (!reader.ReadBytes(sizeof(kMagic), &magic)) {
    return InvalidArgument("npy truncated: " + std::to_string(bytes.size()) + " bytes is shorter than the magic");
  }
  if (std::memcmp(magic.data(), kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgument("npy magic is wrong (expected \\x93NUMPY)");
  }
  uint8_t major, minor;
  if (!reader.ReadU8(&major) || !reader.ReadU8(&minor)) return InvalidArgument("npy truncated in the version");
  if (major < 1 || major > 3 || minor != 0) {
    return Unimplemented("npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                         " is not supported (1.0, 2.0, 3.0)");
  }
  uint32_t header_length;
  if (major == 1) {
    uint16_t length16;
    if (!reader.ReadU16Le(&length16)) return InvalidArgument("npy truncated in the header length");
    header_length = length16;
  } else if (!reader.ReadU32Le(&header_length)) {
    return InvalidArgument("npy truncated in the header length");
  }
  std::span<const uint8_t> header_bytes;
  if (!reader.ReadBytes(header_length, &header_bytes)) {
    return InvalidArgument("npy truncated: header length " + std::to_string(header_length) + " but only " +
                           std::to_string(reader.remaining()) + " bytes follow");
  }
  HeaderParser header(std::string_view(reinterpret_cast<const char*>(header_bytes.data()), header_bytes.size()));

  NpyArray array;
  bool have_descr = false, have_order = false, have_shape = false;
  if (!header.Consume('{')) return header.Error("'{'");
  while (!header.Consume('}')) {
    S3ML_ASSIGN_OR_RETURN(std::string key, header.String());
    if (!header.Consume(':')) return header.Error("':' after key '" + key + "'");
    if (key == "descr" && !have_descr) {
      S3ML_ASSIGN_OR_RETURN(array.descr, header.String());
      have_descr = true;
    } else if (key == "fortran_order" && !have_order) {
      S3ML_ASSIGN_OR_RETURN(bool fortran_order, header.Boolean());
      if (fortran_order) return Unimplemented("npy fortran_order True is not supported (save with C order)");
      have_order = true;
    } else if (key == "shape" && !have_shape) {
      S3ML_ASSIGN_OR_RETURN(array.shape, header.Tuple());
      have_shape = true;
    } else {
      return InvalidArgument("npy header: unexpected or repeated key '" + key + "'");
    }
    if (!header.Consume(',')) {
      if (!header.Consume('}')) return header.Error("',' or '}'");
      break;
    }
  }
  if (!header.AtEnd()) return header.Error("only padding after the header dict");
  if (!have_descr) return InvalidArgument("npy header has no 'descr'");
  if (!have_order) return InvalidArgument("npy header has no 'fortran_order'");
  if (!have_shape) return InvalidArgument("npy header has no 'shape'");

  S3ML_ASSIGN_OR_RETURN(Dtype dtype, ParseDescr(array.descr));
  array.type = dtype.type;
  array.item_size = dtype.item_size;
  size_t needed = dtype.item_size;
  std::string shape_text;
  for (int64_t dim : array.shape) {
    if (!shape_text.empty()) shape_text += ',';
    shape_text += std::to_string(dim);
    if (!CheckedMul<size_t>(needed, static_cast<size_t>(dim), &needed)) {
      return InvalidArgument("npy shape (" + shape_text + ",...) overflows the size of memory");
    }
  }
  if (needed != reader.remaining()) {
    return InvalidArgument("npy data is " + std::to_string(reader.remaining()) + " bytes but shape (" + shape_text +
                           ") of '" + array.descr + "' needs " + std::to_string(needed));
  }
  array.data = reader.rest();
  return array;
}

}  // namespace s3ml::client
