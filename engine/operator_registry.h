// The one registry of operators the engine supports. The reader consults it to refuse unsupported
// operators up front (all of them, by name, in one error); the validator and the runtime consult
// it for where each supported operator runs: inside an XNNPACK subgraph, or on a fallback kernel.
#ifndef S3ML_ENGINE_OPERATOR_REGISTRY_H_
#define S3ML_ENGINE_OPERATOR_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "engine/graph.h"

namespace s3ml::engine {

// TFLite's name for builtin operator `code` ("CONV_2D"), or "BUILTIN_<code>" when unknown.
std::string BuiltinOperatorName(int32_t code);

// The engine's OpCode for a TFLite builtin code, or nullopt when the engine lacks the operator.
std::optional<OpCode> SupportedOperator(int32_t code);

// True when `op` (already validated) runs inside an XNNPACK subgraph; false when it needs a
// fallback kernel (kernels/).
bool RunsOnXnnpack(const Graph& graph, const GraphOperator& op);

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_OPERATOR_REGISTRY_H_
