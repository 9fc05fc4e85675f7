// Test helper: writes .npy files the way numpy.save does (header padded with spaces to a multiple
// of 64 bytes and ended by '\n').
#ifndef S3ML_TESTS_CLIENT_NPY_BUILDER_H_
#define S3ML_TESTS_CLIENT_NPY_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace s3ml::client::testing {

inline std::vector<uint8_t> BuildNpyWithHeader(const std::string& dict, const std::vector<uint8_t>& data,
                                               int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const size_t length = header.size();
  out.push_back(static_cast<uint8_t>(length));
  out.push_back(static_cast<uint8_t>(length >> 8));
  if (major != 1) {
    out.push_back(static_cast<uint8_t>(length >> 16));
    out.push_back(static_cast<uint8_t>(length >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// shape is Python tuple text without parentheses, e.g. "1, 2, 3" or "5,".
inline std::vector<uint8_t> BuildNpy(const std::string& descr, const std::string& shape,
                                     const std::vector<uint8_t>& data, int major = 1) {
  return BuildNpyWithHeader("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }", data,
                            major);
}

}  // namespace s3ml::client::testing

#endif  // S3ML_TESTS_CLIENT_NPY_BUILDER_H_
