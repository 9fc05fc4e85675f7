// HttpHeaders: an ordered list of header fields with case-insensitive lookup (RFC 9110).
#ifndef S3ML_NET_HTTP_HEADERS_H_
#define S3ML_NET_HTTP_HEADERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3ml::net {

class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field (repeated names are kept, in order).
  void Add(std::string name, std::string value);
  // Replaces every field called `name` by one.
  void Set(std::string_view name, std::string value);
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;

  const std::vector<Field>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_HEADERS_H_
