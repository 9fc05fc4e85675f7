#include "engine/planner.h"

#include <algorithm>
#include <limits>

#include "core/checked_math.h"
#include "engine/operator_registry.h"

namespace s3ml::engine {
namespace {

constexpr int64_t kBeforeFirstStep = -1;
constexpr int64_t kAfterLastStep = std::numeric_limits<int64_t>::max();

struct Lifetime {
  int64_t first = kAfterLastStep;  // step that writes it (or kBeforeFirstStep for inputs)
  int64_t last = kBeforeFirstStep;  // last step that reads it
  bool in_arena = false;
};

}  // namespace

Result<MemoryPlan> PlanExecution(const Graph& graph) {
  size_t activation_bytes = 0;
  for (const GraphTensor& t : graph.tensors) {
    if (t.constant()) continue;
    if (!CheckedAdd(activation_bytes, t.info.byte_size(), &activation_bytes) ||
        activation_bytes > kMaxActivationBytes) {
      return ResourceExhausted("the model's run-time tensors need more than " +
                               std::to_string(kMaxActivationBytes) + " bytes");
    }
  }
  MemoryPlan plan;
  for (size_t k = 0; k < graph.operators.size(); ++k) {
    const bool xnn = RunsOnXnnpack(graph, graph.operators[k]);
    if (xnn && !plan.steps.empty() && plan.steps.back().xnnpack) {
      plan.steps.back().operators.push_back(k);
    } else {
      plan.steps.push_back({xnn, {k}});
    }
  }

  std::vector<Lifetime> life(graph.tensors.size());
  std::vector<int64_t> producer_step(graph.tensors.size(), kBeforeFirstStep);
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    const ExecutionStep& step = plan.steps[s];
    for (size_t k : step.operators) {
      const GraphOperator& op = graph.operators[k];
      for (int32_t in : op.inputs) {
        if (in < 0 || graph.tensors[in].constant()) continue;
        Lifetime& l = life[in];
        l.last = std::max<int64_t>(l.last, s);
        // Read by a fallback kernel or produced by another step: must be materialised.
        if (!step.xnnpack || producer_step[in] != static_cast<int64_t>(s)) l.in_arena = true;
      }
      for (int32_t out : op.outputs) {
        producer_step[out] = s;
        life[out].first = s;
        if (!step.xnnpack) life[out].in_arena = true;
      }
    }
  }
  // Inputs live for the whole execution: callers fill them once and may Invoke again on the same
  // input (model.h), so no later tensor may reuse their bytes.
  for (int32_t in : graph.inputs) {
    life[in].first = kBeforeFirstStep;
    life[in].last = kAfterLastStep;
    life[in].in_arena = true;
  }
  for (int32_t out : graph.outputs) {
    life[out].last = kAfterLastStep;
    life[out].in_arena = true;
  }

  // Greedy by size: place each tensor at the lowest offset clear of every placed tensor whose
  // lifetime overlaps its own.
  struct Block { int32_t tensor; size_t size; };
  std::vector<Block> blocks;
  for (size_t t = 0; t < graph.tensors.size(); ++t) {
    if (!life[t].in_arena) continue;
    size_t size;
    if (!CheckedAdd(graph.tensors[t].info.byte_size(), kTensorTailBytes, &size) ||
        !CheckedAlignUp(size, kBufferAlignment, &size)) {
      return InvalidArgument("tensor " + std::to_string(t) + " is too large to plan");
    }
    blocks.push_back({static_cast<int32_t>(t), size});
  }
  std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.size > b.size; });
  plan.arena_offset.assign(graph.tensors.size(), -1);
  std::vector<Block> placed;
  for (const Block& b : blocks) {
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) of overlapping lifetimes
    for (const Block& p : placed) {
      const Lifetime& x = life[b.tensor];
      const Lifetime& y = life[p.tensor];
      if (x.first <= y.last && y.first <= x.last) {
        const size_t begin = static_cast<size_t>(plan.arena_offset[p.tensor]);
        busy.push_back({begin, begin + p.size});
      }
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + b.size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.arena_offset[b.tensor] = static_cast<int64_t>(offset);
    size_t end;
    if (!CheckedAdd(offset, b.size, &end)) return InvalidArgument("arena size overflows");
    plan.arena_bytes = std::max(plan.arena_bytes, end);
    placed.push_back(b);
  }
  return plan;
}

}  // namespace s3ml::engine
