#include "serving/json_tensor_scan.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>

#include "serving/json_body.h"
#include "serving/json_tensor_data.h"

namespace s3ml::serving {
namespace {

static_assert(std::endian::native == std::endian::little,
              "payload bytes are little-endian and copied as host integers");

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

constexpr std::array<bool, 256> kBracketOrStringOrObject = [] {
  std::array<bool, 256> table{};
  for (char c : {'[', ']', '"', '{', '}'}) table[static_cast<uint8_t>(c)] = true;
  return table;
}();

// False when none of the 8 bytes is '[', ']', '{', '}' or '"'. (True also for a few other
// bytes, such as 'y', which no number holds; the caller then looks byte by byte.)
bool MayHoldBracketOrStringOrObject(uint64_t chars) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHighBits = 0x8080808080808080;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHighBits) != 0; };
  // '[' ']' '{' '}' are 0x5B 0x5D 0x7B 0x7D: all 0x7F once 0x26 is or-ed in; '"' is 0x22.
  return has_zero_byte((chars | 0x26 * kOnes) ^ 0x7F * kOnes) || has_zero_byte(chars ^ 0x22 * kOnes);
}

// A structural scan of a JSON text: just enough to find the members of the top-level object and
// of the objects in its "inputs" array. Not a validator: nlohmann parses everything not cut out.
// It must only be right for valid JSON and stay within the text for any input.
class Skimmer {
 public:
  explicit Skimmer(std::string_view text) : t_(text) {}

  bool Run(CutJson* cut) {
    SkipSpace();
    bool seen_inputs = false;
    return Members([&](std::string_view key) {
      if (key != "inputs") return SkipValue(1);
      if (seen_inputs) return false;  // nlohmann keeps the last of duplicate keys
      seen_inputs = true;
      if (Peek() != '[') return SkipValue(1);
      return Inputs(cut);
    });
  }

 private:
  char Peek() const { return p_ < t_.size() ? t_[p_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++p_;
    return true;
  }
  void SkipSpace() {
    while (p_ < t_.size() && IsJsonSpace(t_[p_])) ++p_;
  }

  // At '"': skips the string; `*unescaped` is false when it contains a backslash.
  bool String(std::string_view* contents, bool* unescaped) {
    if (!Eat('"')) return false;
    const size_t start = p_;
    *unescaped = true;
    while (p_ < t_.size()) {
      const char c = t_[p_];
      if (c == '"') {
        *contents = t_.substr(start, p_ - start);
        ++p_;
        return true;
      }
      if (c == '\\') {
        *unescaped = false;
        ++p_;
      }
      ++p_;
    }
    return false;
  }

  // At '{': calls on_member(key) with the position at the member's value, for every member.
  // Keys with escapes give up: "d\u0061ta" is "data" to nlohmann.
  template <class Fn>
  bool Members(Fn&& on_member) {
    if (!Eat('{')) return false;
    SkipSpace();
    if (Eat('}')) return true;
    while (true) {
      std::string_view key;
      bool unescaped = false;
      if (!String(&key, &unescaped) || !unescaped) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      if (!on_member(key)) return false;
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      return Eat('}');
    }
  }

  bool Inputs(CutJson* cut) {
    if (!Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (size_t index = 0;; ++index) {
      if (Peek() == '{') {
        bool seen_data = false;
        const bool ok = Members([&](std::string_view key) {
          if (key != "data") return SkipValue(3);
          if (seen_data) return false;
          seen_data = true;
          if (Peek() != '[') return SkipValue(3);
          const size_t start = p_;
          if (!NumericArrayEnd()) return false;
          cut->arrays.emplace_back(index, t_.substr(start, p_ - start));
          return true;
        });
        if (!ok) return false;
      } else if (!SkipValue(2)) {
        return false;
      }
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      return Eat(']');
    }
  }

  // At '[': moves past the matching ']' of an array of numbers and arrays. Anything with
  // strings or objects gives up (ScanJsonNumbers would refuse it anyway).
  bool NumericArrayEnd() {
    size_t depth = 0;
    const size_t size = t_.size();
    while (p_ < size) {
      // Numbers, commas and spaces are most of a tensor: skip them 8 bytes at a time, then
      // byte by byte up to the next bracket.
      for (uint64_t chars; size - p_ >= 8; p_ += 8) {
        std::memcpy(&chars, t_.data() + p_, sizeof chars);
        if (MayHoldBracketOrStringOrObject(chars)) break;
      }
      while (p_ < size && !kBracketOrStringOrObject[static_cast<uint8_t>(t_[p_])]) ++p_;
      if (p_ == size) return false;
      const char c = t_[p_++];
      if (c == '[') {
        ++depth;
      } else if (c == ']') {
        if (--depth == 0) return true;
      } else {
        return false;  // '"', '{' or '}'
      }
    }
    return false;
  }

  bool SkipValue(size_t depth) {
    if (depth > kMaxJsonBodyDepth) return false;
    const char c = Peek();
    if (c == '{') {
      return Members([&](std::string_view) { return SkipValue(depth + 1); });
    }
    if (c == '[') {
      ++p_;
      SkipSpace();
      if (Eat(']')) return true;
      while (true) {
        if (!SkipValue(depth + 1)) return false;
        SkipSpace();
        if (Eat(',')) {
          SkipSpace();
          continue;
        }
        return Eat(']');
      }
    }
    if (c == '"') {
      std::string_view ignored;
      bool unescaped = false;
      return String(&ignored, &unescaped);
    }
    const size_t start = p_;
    while (p_ < t_.size()) {
      const char s = t_[p_];
      if (s == ',' || s == ']' || s == '}' || IsJsonSpace(s)) break;
      ++p_;
    }
    return p_ > start;
  }

  const std::string_view t_;
  size_t p_ = 0;
};

template <typename T>
void AppendRaw(T value, std::vector<uint8_t>* out) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->insert(out->end(), bytes, bytes + sizeof(T));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One JSON number token, classified as nlohmann does: an integer token fitting int64 (negative)
// or uint64 (otherwise) is an integer, everything else is a double.
struct Number {
  bool integer = false;
  bool negative = false;
  uint64_t magnitude = 0;  // when integer
  std::string_view token;
  // A decimal without exponent and with at most 15 digits ("0.5019608", "-12.25") is its digits
  // over 10^fraction_digits, both exact in a double (fraction_digits < 0 for any other token).
  uint64_t decimal_digits = 0;
  int fraction_digits = -1;
};

// The common token of an integer tensor: 1 to 7 digits, no sign, no fraction or exponent. Reads
// the 8 bytes at p (REQUIRES: p + 8 <= end of the text) and finds the token's length and value
// without a branch per digit (random lengths, as in image data, would mispredict every other
// number). Returns the position after it, or null to leave the token to the full parser.
inline const char* ParseShortInteger(const char* p, Number* number) {
  uint64_t chars;
  std::memcpy(&chars, p, sizeof chars);  // little-endian: p[0] is the low byte
  const uint64_t values = chars ^ 0x3030303030303030;  // '0'..'9' -> 0..9
  // A byte is a digit exactly when its high nibble is 0 and its low nibble + 6 stays below 16.
  const uint64_t non_digits = (values & 0xF0F0F0F0F0F0F0F0) |
                              (((values & 0x0F0F0F0F0F0F0F0F) + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0);
  if (non_digits == 0) return nullptr;  // 8 digits or more
  const int length = std::countr_zero(non_digits) / 8;
  if (length == 0 || (length > 1 && p[0] == '0')) return nullptr;  // the full parser refuses "01"
  const char next = p[length];
  if (next == '.' || next == 'e' || next == 'E') return nullptr;
  // The digits moved to the top bytes, zeros below: the 8-digit decimal of the value, which
  // three multiplications turn into binary (pairs, then quads, then all eight).
  uint64_t v = chars << (8 * (8 - length));
  v = ((v & 0x0F0F0F0F0F0F0F0F) * 2561) >> 8;
  v = ((v & 0x00FF00FF00FF00FF) * 6553601) >> 16;
  v = ((v & 0x0000FFFF0000FFFF) * 42949672960001) >> 32;
  number->negative = false;
  number->integer = true;
  number->magnitude = v;
  number->token = std::string_view(p, static_cast<size_t>(length));
  return p + length;
}

// Parses a strict JSON number at p; returns the position after it, or null. REQUIRES: a ']'
// follows somewhere after p (the scanned array ends with one), so that every loop below stops
// at a character that cannot continue a number without reading past the text.
const char* ParseNumber(const char* p, Number* number) {
  const char* const start = p;
  number->negative = *p == '-';
  if (number->negative) ++p;
  const char* const digits = p;
  uint64_t magnitude = 0;
  if (*p == '0') {
    ++p;
    if (IsDigit(*p)) return nullptr;  // leading zeros are not JSON
  } else if (IsDigit(*p)) {
    for (; IsDigit(*p); ++p) magnitude = magnitude * 10 + static_cast<uint64_t>(*p - '0');
  } else {
    return nullptr;
  }
  bool fits = true;
  if (p - digits > 19) {  // 19 digits always fit in uint64; longer ones are counted again, checked
    magnitude = 0;
    for (const char* d = digits; d < p && fits; ++d) {
      const uint64_t digit = static_cast<uint64_t>(*d - '0');
      if (magnitude > (UINT64_MAX - digit) / 10) fits = false;
      magnitude = magnitude * 10 + digit;
    }
  }
  bool integer = true;
  if (*p == '.') {
    integer = false;
    const ptrdiff_t integer_digits = p - digits;
    ++p;
    if (!IsDigit(*p)) return nullptr;
    const char* const fraction = p;
    uint64_t decimal = magnitude;  // meaningful only for the 15 digits taken below
    for (; IsDigit(*p); ++p) decimal = decimal * 10 + static_cast<uint64_t>(*p - '0');
    if (integer_digits + (p - fraction) <= 15 && *p != 'e' && *p != 'E') {
      number->decimal_digits = decimal;
      number->fraction_digits = static_cast<int>(p - fraction);
    }
  }
  if (*p == 'e' || *p == 'E') {
    integer = false;
    ++p;
    if (*p == '+' || *p == '-') ++p;
    if (!IsDigit(*p)) return nullptr;
    while (IsDigit(*p)) ++p;
  }
  if (number->negative && magnitude > (uint64_t{1} << 63)) fits = false;
  number->integer = integer && fits;
  number->magnitude = magnitude;
  number->token = std::string_view(start, static_cast<size_t>(p - start));
  return p;
}

// Appends `number` as kType if the DOM path would accept it (ReadInteger / AppendScalar in
// json_tensor_data.cc) and gives the same bytes.
template <Datatype kType>
bool AppendNumber(const Number& number, std::vector<uint8_t>* out) {
  if constexpr (kType == Datatype::kFp32) {
    double d = 0;
    if (number.integer) {
      // nlohmann stores an int64 / uint64 and converts it: -0 is +0.0.
      const double m = static_cast<double>(number.magnitude);
      d = number.negative && number.magnitude != 0 ? -m : m;
    } else if (number.fraction_digits >= 0) {
      // Clinger's fast path: one correctly rounded division of exact values gives the double
      // nearest to the decimal, as from_chars does.
      static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
      const double magnitude =
          static_cast<double>(number.decimal_digits) / kPowersOfTen[number.fraction_digits];
      d = number.negative ? -magnitude : magnitude;
    } else {
      const auto [end, ec] = std::from_chars(number.token.data(), number.token.data() + number.token.size(), d);
      if (ec != std::errc() || end != number.token.data() + number.token.size()) return false;
    }
    if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) return false;
    AppendRaw(static_cast<float>(d), out);
    return true;
  } else {
    if (!number.integer) return false;
    // Within [min, max] of the type, as int64 (negative) or uint64 (positive) magnitudes.
    constexpr uint64_t kMax = kType == Datatype::kUInt8   ? UINT8_MAX
                              : kType == Datatype::kInt8  ? INT8_MAX
                              : kType == Datatype::kInt16 ? INT16_MAX
                              : kType == Datatype::kInt32 ? INT32_MAX
                                                          : INT64_MAX;
    constexpr uint64_t kMinMagnitude = kType == Datatype::kUInt8 ? 0 : kMax + 1;
    if (number.negative ? number.magnitude > kMinMagnitude : number.magnitude > kMax) return false;
    // Two's complement of the magnitude; -0 is 0.
    const uint64_t bits = number.negative ? ~number.magnitude + 1 : number.magnitude;
    if constexpr (kType == Datatype::kUInt8 || kType == Datatype::kInt8) {
      out->push_back(static_cast<uint8_t>(bits));
    } else if constexpr (kType == Datatype::kInt16) {
      AppendRaw(static_cast<uint16_t>(bits), out);
    } else if constexpr (kType == Datatype::kInt32) {
      AppendRaw(static_cast<uint32_t>(bits), out);
    } else {
      AppendRaw(bits, out);
    }
    return true;
  }
}

// ScanJsonNumbers for one datatype (not kBool).
template <Datatype kType>
bool ScanAs(std::string_view array, std::vector<int64_t>* nesting, std::vector<uint8_t>* out) {
  // A valid array ends with its ']', and nothing follows; the number parser relies on it.
  if (array.empty() || array.back() != ']') return false;
  // Per depth d (1 = elements of the outermost array): the size every array at d must have
  // (that of the first, as NestedJsonShape takes the first path) and whether its elements are
  // arrays or numbers.
  enum class Kind : uint8_t { kUnknown, kArray, kNumber };
  std::array<int64_t, kMaxJsonTensorRank + 1> sizes;
  std::array<int64_t, kMaxJsonTensorRank + 1> counts{};
  std::array<Kind, kMaxJsonTensorRank + 1> kinds;
  sizes.fill(-1);
  kinds.fill(Kind::kUnknown);
  size_t depth = 0, max_depth = 0;
  const char* p = array.data();
  const char* const end = p + array.size();
  auto skip_space = [&] {
    while (p < end && IsJsonSpace(*p)) ++p;
  };
  auto element = [&](Kind kind) {
    if (kinds[depth] == Kind::kUnknown) kinds[depth] = kind;
    ++counts[depth];
    return kinds[depth] == kind;
  };
  // Closes the array at `depth`.
  auto close = [&] {
    if (sizes[depth] < 0) sizes[depth] = counts[depth];
    if (sizes[depth] != counts[depth]) return false;
    --depth;
    ++p;
    return true;
  };
  bool expect_value = true;
  while (true) {
    if (p >= end) return false;
    const char c = *p;
    if (expect_value) {
      if (c == '[') {
        if (depth == kMaxJsonTensorRank) return false;
        if (depth > 0 && !element(Kind::kArray)) return false;
        ++depth;
        max_depth = std::max(max_depth, depth);
        counts[depth] = 0;
        ++p;
        skip_space();
        if (p < end && *p == ']') {
          if (!close()) return false;
          expect_value = false;
          if (depth == 0) break;
          skip_space();
        }
        continue;
      }
      if (depth == 0 || !element(Kind::kNumber)) return false;
      // The numbers of this array, up to its ']' or a nested '[' (refused by element()).
      while (true) {
        Number number;
        const char* after = end - p >= 8 ? ParseShortInteger(p, &number) : nullptr;
        p = after != nullptr ? after : ParseNumber(p, &number);
        if (p == nullptr || !AppendNumber<kType>(number, out)) return false;
        if (*p == ',') {  // the common "n,n,n" without spaces
          ++p;
          if (IsDigit(*p) || *p == '-') {
            ++counts[depth];  // element(Kind::kNumber), whose kind check this array has passed
            continue;
          }
          skip_space();
          expect_value = true;
          break;
        }
        expect_value = false;
        skip_space();
        break;
      }
      continue;
    }
    if (c == ',') {
      ++p;
      skip_space();
      expect_value = true;
      continue;
    }
    if (c != ']' || !close()) return false;
    if (depth == 0) break;
    skip_space();
  }
  if (p != end) return false;
  nesting->assign(sizes.begin() + 1, sizes.begin() + 1 + static_cast<std::ptrdiff_t>(max_depth));
  return true;
}

}  // namespace

std::optional<CutJson> CutV2InputData(std::string_view text) {
  CutJson cut;
  Skimmer skimmer(text);
  if (!skimmer.Run(&cut) || cut.arrays.empty()) return std::nullopt;
  size_t copied = 0;
  for (const auto& [index, array] : cut.arrays) {
    const size_t start = static_cast<size_t>(array.data() - text.data());
    cut.rest.append(text.substr(copied, start - copied));
    cut.rest.append(" null ");
    copied = start + array.size();
  }
  cut.rest.append(text.substr(copied));
  return cut;
}

bool ScanJsonNumbers(std::string_view array, Datatype type, std::vector<int64_t>* nesting,
                     std::vector<uint8_t>* out) {
  switch (type) {
    case Datatype::kUInt8: return ScanAs<Datatype::kUInt8>(array, nesting, out);
    case Datatype::kInt8: return ScanAs<Datatype::kInt8>(array, nesting, out);
    case Datatype::kInt16: return ScanAs<Datatype::kInt16>(array, nesting, out);
    case Datatype::kInt32: return ScanAs<Datatype::kInt32>(array, nesting, out);
    case Datatype::kInt64: return ScanAs<Datatype::kInt64>(array, nesting, out);
    case Datatype::kFp32: return ScanAs<Datatype::kFp32>(array, nesting, out);
    case Datatype::kBool: return false;
  }
  return false;
}

}  // namespace s3ml::serving
