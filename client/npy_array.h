// ParseNpy: NumPy .npy files (format versions 1.0, 2.0 and 3.0; untrusted bytes) to a typed view.
//
// Accepted dtypes ('descr'): '|u1' uint8, '|i1' int8, '|b1' bool, and little-endian '<i2', '<i4',
// '<i8', '<f4' ('=' is taken as little-endian, '|'/'<'/'>' all fine for one-byte types). Refused
// with a message naming the field: wrong magic or version, a header that is not the dict NumPy
// writes ({'descr': ..., 'fortran_order': ..., 'shape': (...), }), fortran_order True, big-endian
// or unknown dtypes, and data whose size differs from what shape x itemsize requires (checked with
// overflow-safe arithmetic; nothing is allocated: data is a view into `bytes`).
#ifndef S3ML_CLIENT_NPY_ARRAY_H_
#define S3ML_CLIENT_NPY_ARRAY_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::client {

struct NpyArray {
  std::string descr;                // as written in the file, e.g. "<f4"
  engine::DataType type = engine::DataType::kFloat32;
  size_t item_size = 0;
  std::vector<int64_t> shape;       // empty for a scalar
  std::span<const uint8_t> data;    // element_count() * item_size bytes, C order; views `bytes`

  size_t element_count() const { return item_size == 0 ? 0 : data.size() / item_size; }
};

Result<NpyArray> ParseNpy(std::span<const uint8_t> bytes);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_NPY_ARRAY_H_
