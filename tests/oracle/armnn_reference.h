// ArmnnReference: an independent implementation of TFLite inference (Debian's ArmNN 20.08, its
// TfLite parser and the CpuRef backend) used by the oracle tests to check our engine's outputs.
// TEST-ONLY: never linked into the product.
//
// Load() parses a .tflite file and prepares it on CpuRef; errors (ArmNN throws) become Status
// values naming the file and ArmNN's reason. Run() takes one byte buffer per input, laid out as
// the model's input tensors (dense, row-major, in the subgraph's input order), and returns one
// byte buffer per output in the subgraph's output order.
#ifndef S3ML_TESTS_ORACLE_ARMNN_REFERENCE_H_
#define S3ML_TESTS_ORACLE_ARMNN_REFERENCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::oracle {

class ArmnnReference {
 public:
  ~ArmnnReference();
  ArmnnReference(const ArmnnReference&) = delete;
  ArmnnReference& operator=(const ArmnnReference&) = delete;

  static Result<std::unique_ptr<ArmnnReference>> Load(const std::string& tflite_path);

  size_t input_count() const;
  size_t output_count() const;
  // Byte sizes of each input/output as ArmNN sees them.
  size_t input_bytes(size_t index) const;
  size_t output_bytes(size_t index) const;

  Result<std::vector<std::vector<uint8_t>>> Run(const std::vector<std::vector<uint8_t>>& inputs);

 private:
  struct State;
  explicit ArmnnReference(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace s3ml::oracle

#endif  // S3ML_TESTS_ORACLE_ARMNN_REFERENCE_H_
