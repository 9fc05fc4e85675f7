#include "attest/signed_json.h"

#include "core/hex.h"

namespace s3ml::attest {
namespace {

// A scanner over a document that nlohmann already accepted as valid JSON, so it only has to find
// value boundaries, not diagnose syntax. nlohmann reports no byte offsets, hence this small walker.
class RawScanner {
 public:
  explicit RawScanner(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // Reads a string token and returns its raw (still escaped) contents.
  bool ReadString(std::string_view* out) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= text_.size()) return false;
    *out = text_.substr(start, pos_ - start);
    ++pos_;
    return true;
  }
  // Skips one value; returns its [begin, end) byte range.
  bool SkipValue(size_t* begin, size_t* end) {
    SkipSpace();
    *begin = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        std::string_view ignored;
        if (!ReadString(&ignored)) return false;
        if (depth == 0) break;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;  // end of the enclosing object: a scalar just ended
        if (--depth == 0) {
          ++pos_;
          break;
        }
      } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
        break;
      }
      ++pos_;
    }
    *end = pos_;
    return *end > *begin;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Result<std::string_view> RawMember(std::string_view document, std::string_view member_name) {
  RawScanner s(document);
  if (!s.Consume('{')) return InvalidArgument("signed JSON is not an object");
  std::string_view found;
  int count = 0;
  if (s.Consume('}')) return InvalidArgument("signed JSON object is empty");
  do {
    std::string_view key;
    size_t begin = 0, end = 0;
    if (!s.ReadString(&key) || !s.Consume(':') || !s.SkipValue(&begin, &end)) {
      return InvalidArgument("signed JSON: cannot delimit a member");
    }
    if (key == member_name) {
      ++count;
      found = document.substr(begin, end - begin);
    }
  } while (s.Consume(','));
  if (count != 1) {
    return InvalidArgument("signed JSON must contain member \"" + std::string(member_name) + "\" exactly once (found " +
                           std::to_string(count) + ", escaped keys are not accepted)");
  }
  return found;
}

}  // namespace

Result<SignedJson> ParseSignedJson(std::string_view document, std::string_view member_name) {
  const std::string member(member_name);
  if (document.size() > kMaxSignedJsonSize) return ResourceExhausted(member + " document is larger than 1 MiB");
  nlohmann::json doc = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument(member + " document is not valid JSON");
  if (!doc.is_object()) return InvalidArgument(member + " document is not a JSON object");
  if (doc.size() != 2 || !doc.contains(member) || !doc.contains("signature")) {
    return InvalidArgument(member + " document must have exactly the members \"" + member + "\" and \"signature\"");
  }
  if (!doc[member].is_object()) return InvalidArgument(member + " is not a JSON object");
  if (!doc["signature"].is_string()) return InvalidArgument(member + " signature is not a string");
  auto signature = HexDecode(doc["signature"].get<std::string>());
  if (!signature.ok()) return signature.status().WithContext(member + " signature");
  if (signature->size() != 64) {
    return InvalidArgument(member + " signature must be 64 bytes (P-256 r||s), got " + std::to_string(signature->size()));
  }
  S3ML_ASSIGN_OR_RETURN(std::string_view raw, RawMember(document, member_name));
  SignedJson out;
  out.signed_text = std::string(raw);
  out.value = nlohmann::json::parse(out.signed_text, nullptr, false);
  // Belt and braces: the bytes we will verify must be the value we will use.
  if (out.value.is_discarded() || out.value != doc[member]) {
    return InvalidArgument(member + ": raw member bytes do not match the parsed document");
  }
  out.signature = std::move(signature).value();
  return out;
}

}  // namespace s3ml::attest
