// The inference engine's public surface: load a TFLite model from untrusted bytes, then run it.
//
//   LoadOptions options;  options.threads = 2;
//   S3ML_ASSIGN_OR_RETURN(std::shared_ptr<Model> model, Model::Load(bytes, options));
//   S3ML_ASSIGN_OR_RETURN(std::unique_ptr<Execution> exec, model->CreateExecution());
//   std::memcpy(exec->input(0).data(), image, exec->input(0).size());
//   S3ML_RETURN_IF_ERROR(exec->Invoke());
//   use(exec->output(0));
//
// Concurrency: a Model is immutable after Load and may be shared by any number of threads
// (CreateExecution is thread-safe). An Execution is one request's context (its own activation
// arena and its own XNNPACK runtime) and must be used by one thread at a time; run concurrent
// requests on separate Executions, e.g. one per worker thread. Debian's XNNPACK (2022-02) has no
// weights cache, so each Execution packs its own copy of the weights (packed_weights_bytes()
// each). All Executions of a Model share its thread pool (LoadOptions::threads); the pool runs
// one parallel region at a time, so concurrent Invokes are safe and queue for it. An Execution
// keeps its Model alive.
//
// Memory: every large block (the model's constants, each Execution's arena, everything XNNPACK
// allocates) comes from LoadOptions::allocator; see engine/xnn_memory.h for how XNNPACK's
// process-wide allocator is routed to it. Small bookkeeping (tensor descriptions, per-channel
// scale lists) uses the C++ heap, and pthreadpool allocates its threads itself.
#ifndef S3ML_ENGINE_MODEL_H_
#define S3ML_ENGINE_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/allocator.h"
#include "engine/tensor_info.h"

namespace s3ml::engine {

struct LoadOptions {
  // Where all engine memory comes from; nullptr means HeapAllocator(). Must outlive the Model.
  Allocator* allocator = nullptr;
  // Threads used by one Invoke (a pool shared by the model's executions). 1 = run on the caller.
  int threads = 1;
};

class Execution;

class Model {
 public:
  virtual ~Model() = default;

  // Parses and validates `tflite` (untrusted: every offset, index, length, shape and quantization
  // parameter is checked) and prepares it for execution. Does not keep a reference to `tflite`.
  // Errors: kInvalidArgument naming what is malformed; kUnimplemented listing unsupported
  // operators by name.
  static Result<std::shared_ptr<Model>> Load(std::span<const uint8_t> tflite, const LoadOptions& options = {});

  virtual const std::vector<TensorInfo>& inputs() const = 0;
  virtual const std::vector<TensorInfo>& outputs() const = 0;

  // Bytes of one execution's activation arena (the static memory plan).
  virtual size_t arena_bytes() const = 0;
  // Bytes of weights after packing for the kernels (per execution when not shared). Measured as
  // everything XNNPACK holds for one Execution: packed weights, operator objects and XNNPACK's
  // workspace for tensors internal to a segment.
  virtual size_t packed_weights_bytes() const = 0;
  // Operators in the graph and how many run on XNNPACK vs fallback kernels.
  virtual size_t operator_count() const = 0;
  virtual size_t xnnpack_operator_count() const = 0;

  // Creates a context for one request at a time.
  virtual Result<std::unique_ptr<Execution>> CreateExecution() const = 0;
};

class Execution {
 public:
  virtual ~Execution() = default;
  // Input and output buffers, laid out as inputs()[i] / outputs()[i] describe (dense, row-major).
  // Valid for the Execution's lifetime; outputs are overwritten by each Invoke.
  virtual std::span<uint8_t> input(size_t index) = 0;
  virtual std::span<const uint8_t> output(size_t index) const = 0;
  virtual Status Invoke() = 0;
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_MODEL_H_
