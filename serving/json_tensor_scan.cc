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
    for (; p_ < t_.size(); ++p_) {
      const char c = t_[p_];
      if (c == '[') {
        ++depth;
      } else if (c == ']') {
        if (--depth == 0) {
          ++p_;
          return true;
        }
      } else if (c == '"' || c == '{' || c == '}') {
        return false;
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

// One JSON number token, classified as nlohmann does: an integer token fitting int64 (negative)
// or uint64 (otherwise) is an integer, everything else is a double.
struct Number {
  bool integer = false;
  bool negative = false;
  uint64_t magnitude = 0;  // when integer
  std::string_view token;
};

// Parses a strict JSON number at text[*p] and moves past it.
bool ParseNumber(std::string_view text, size_t* p, Number* number) {
  size_t i = *p;
  const size_t start = i;
  auto at = [&](size_t k) { return k < text.size() ? text[k] : '\0'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  number->negative = at(i) == '-';
  if (number->negative) ++i;
  bool fits = true;
  uint64_t magnitude = 0;
  if (at(i) == '0') {
    ++i;
    if (digit(at(i))) return false;  // leading zeros are not JSON
  } else if (digit(at(i))) {
    for (; digit(at(i)); ++i) {
      const uint64_t d = static_cast<uint64_t>(at(i) - '0');
      if (magnitude > (UINT64_MAX - d) / 10) fits = false;
      if (fits) magnitude = magnitude * 10 + d;
    }
  } else {
    return false;
  }
  bool integer = true;
  if (at(i) == '.') {
    integer = false;
    ++i;
    if (!digit(at(i))) return false;
    while (digit(at(i))) ++i;
  }
  if (at(i) == 'e' || at(i) == 'E') {
    integer = false;
    ++i;
    if (at(i) == '+' || at(i) == '-') ++i;
    if (!digit(at(i))) return false;
    while (digit(at(i))) ++i;
  }
  if (number->negative && magnitude > (uint64_t{1} << 63)) fits = false;
  number->integer = integer && fits;
  number->magnitude = magnitude;
  number->token = text.substr(start, i - start);
  *p = i;
  return true;
}

// Appends `number` as `type` if the DOM path would accept it (ReadInteger / AppendScalar in
// json_tensor_data.cc) and gives the same bytes.
bool AppendNumber(const Number& number, Datatype type, std::vector<uint8_t>* out) {
  if (type == Datatype::kFp32) {
    double d = 0;
    if (number.integer) {
      // nlohmann stores an int64 / uint64 and converts it: -0 is +0.0.
      const double m = static_cast<double>(number.magnitude);
      d = number.negative && number.magnitude != 0 ? -m : m;
    } else {
      const auto [end, ec] = std::from_chars(number.token.data(), number.token.data() + number.token.size(), d);
      if (ec != std::errc() || end != number.token.data() + number.token.size()) return false;
    }
    if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) return false;
    AppendRaw(static_cast<float>(d), out);
    return true;
  }
  if (!number.integer) return false;
  // Within [min, max] of the type, as int64 (negative) or uint64 (positive) magnitudes.
  uint64_t max = 0, min_magnitude = 0;
  switch (type) {
    case Datatype::kUInt8: max = UINT8_MAX; break;
    case Datatype::kInt8: max = INT8_MAX, min_magnitude = uint64_t{1} << 7; break;
    case Datatype::kInt16: max = INT16_MAX, min_magnitude = uint64_t{1} << 15; break;
    case Datatype::kInt32: max = INT32_MAX, min_magnitude = uint64_t{1} << 31; break;
    case Datatype::kInt64: max = INT64_MAX, min_magnitude = uint64_t{1} << 63; break;
    case Datatype::kBool:
    case Datatype::kFp32: return false;
  }
  if (number.negative ? number.magnitude > min_magnitude : number.magnitude > max) return false;
  // Two's complement of the magnitude; -0 is 0.
  const uint64_t bits = number.negative ? ~number.magnitude + 1 : number.magnitude;
  switch (type) {
    case Datatype::kUInt8:
    case Datatype::kInt8: out->push_back(static_cast<uint8_t>(bits)); break;
    case Datatype::kInt16: AppendRaw(static_cast<uint16_t>(bits), out); break;
    case Datatype::kInt32: AppendRaw(static_cast<uint32_t>(bits), out); break;
    case Datatype::kInt64: AppendRaw(bits, out); break;
    case Datatype::kBool:
    case Datatype::kFp32: return false;
  }
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
  if (type == Datatype::kBool) return false;
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
  size_t p = 0;
  auto skip_space = [&] {
    while (p < array.size() && IsJsonSpace(array[p])) ++p;
  };
  auto element = [&](Kind kind) {
    if (kinds[depth] == Kind::kUnknown) kinds[depth] = kind;
    ++counts[depth];
    return kinds[depth] == kind;
  };
  // Closes the array at `depth`; true while the text goes on.
  auto close = [&] {
    if (sizes[depth] < 0) sizes[depth] = counts[depth];
    if (sizes[depth] != counts[depth]) return false;
    --depth;
    ++p;
    return true;
  };
  bool expect_value = true;
  while (true) {
    if (p >= array.size()) return false;
    const char c = array[p];
    if (expect_value) {
      if (c == '[') {
        if (depth == kMaxJsonTensorRank) return false;
        if (depth > 0 && !element(Kind::kArray)) return false;
        ++depth;
        max_depth = std::max(max_depth, depth);
        counts[depth] = 0;
        ++p;
        skip_space();
        if (p < array.size() && array[p] == ']') {
          if (!close()) return false;
          expect_value = false;
          if (depth == 0) break;
          skip_space();
        }
        continue;
      }
      if (depth == 0 || !element(Kind::kNumber)) return false;
      Number number;
      if (!ParseNumber(array, &p, &number) || !AppendNumber(number, type, out)) return false;
      expect_value = false;
      skip_space();
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
  if (p != array.size()) return false;
  nesting->assign(sizes.begin() + 1, sizes.begin() + 1 + static_cast<std::ptrdiff_t>(max_depth));
  return true;
}

}  // namespace s3ml::serving
