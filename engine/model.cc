#include <algorithm>
#include <map>

#include "engine/kernels/kernels.h"
#include "engine/model_impl.h"
#include "engine/model_reader.h"
#include "engine/operator_registry.h"
#include "engine/xnn_memory.h"

namespace s3ml::engine {

// ---- AccountingAllocator ----

void* AccountingAllocator::Allocate(size_t size, size_t alignment) {
  void* p = target_.Allocate(size, alignment);
  if (p == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  blocks_.emplace_back(p, size);
  live_ += size;
  return p;
}

void AccountingAllocator::Free(void* ptr) {
  if (ptr == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(blocks_.begin(), blocks_.end(), [&](const auto& b) { return b.first == ptr; });
    if (it != blocks_.end()) {
      live_ -= it->second;
      *it = blocks_.back();
      blocks_.pop_back();
    }
  }
  target_.Free(ptr);
}

// ---- ExecutionImpl ----

ExecutionImpl::ExecutionImpl(const ModelImpl* model)
    : model_(model), xnn_memory_(std::make_unique<AccountingAllocator>(model_->allocator())) {}

ExecutionImpl::~ExecutionImpl() { segments_.clear(); }

Result<std::unique_ptr<ExecutionImpl>> ExecutionImpl::Create(const ModelImpl* model,
                                                             std::shared_ptr<const ModelImpl> keep_alive) {
  std::unique_ptr<ExecutionImpl> e(new ExecutionImpl(model));
  e->keep_alive_ = std::move(keep_alive);
  const ModelImpl& m = *e->model_;
  S3ML_ASSIGN_OR_RETURN(e->arena_, AlignedBuffer::Create(m.allocator(), m.plan().arena_bytes, "activation arena"));
  for (const ExecutionStep& step : m.plan().steps) {
    if (!step.xnnpack) {
      e->segments_.push_back(nullptr);
      continue;
    }
    S3ML_ASSIGN_OR_RETURN(auto seg, XnnpackSegment::Create(m.graph(), step, m.plan(), e->arena_.data(),
                                                           m.threadpool(), *e->xnn_memory_));
    e->segments_.push_back(std::move(seg));
  }
  e->xnnpack_bytes_ = e->xnn_memory_->live_bytes();
  return e;
}

std::span<uint8_t> ExecutionImpl::input(size_t index) {
  const Graph& g = model_->graph();
  if (index >= g.inputs.size()) return {};
  const int32_t t = g.inputs[index];
  return {arena_.data() + model_->plan().arena_offset[t], g.tensors[t].info.byte_size()};
}

std::span<const uint8_t> ExecutionImpl::output(size_t index) const {
  const Graph& g = model_->graph();
  if (index >= g.outputs.size()) return {};
  const int32_t t = g.outputs[index];
  return {arena_.data() + model_->plan().arena_offset[t], g.tensors[t].info.byte_size()};
}

Status ExecutionImpl::Invoke() {
  const Graph& g = model_->graph();
  const MemoryPlan& plan = model_->plan();
  uint8_t* arena = arena_.data();
  const kernels::TensorData data = [&](int32_t t) -> uint8_t* {
    if (g.tensors[t].constant()) return const_cast<uint8_t*>(g.constant_data(t));
    return arena + plan.arena_offset[t];
  };
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    if (segments_[s] != nullptr) {
      S3ML_RETURN_IF_ERROR(segments_[s]->Invoke());
      continue;
    }
    for (size_t k : plan.steps[s].operators) {
      S3ML_RETURN_IF_ERROR(kernels::RunFallback(g, g.operators[k], data));
    }
  }
  return Status::Ok();
}

std::vector<xnn_runtime_t> ExecutionImpl::xnnpack_runtimes() const {
  std::vector<xnn_runtime_t> r;
  for (const auto& s : segments_) {
    if (s != nullptr) r.push_back(s->runtime());
  }
  return r;
}

// ---- ModelImpl ----

Result<std::shared_ptr<ModelImpl>> ModelImpl::Create(std::span<const uint8_t> tflite, const LoadOptions& options) {
  if (options.threads < 1 || options.threads > 256) {
    return InvalidArgument("LoadOptions.threads is " + std::to_string(options.threads) + "; expected 1-256");
  }
  std::shared_ptr<ModelImpl> m(new ModelImpl());
  m->allocator_ = options.allocator != nullptr ? options.allocator : &HeapAllocator();
  S3ML_ASSIGN_OR_RETURN(m->graph_, ReadModel(tflite, *m->allocator_));
  S3ML_ASSIGN_OR_RETURN(m->plan_, PlanExecution(m->graph_));
  for (int32_t t : m->graph_.inputs) m->inputs_.push_back(m->graph_.tensors[t].info);
  for (int32_t t : m->graph_.outputs) m->outputs_.push_back(m->graph_.tensors[t].info);
  if (options.threads > 1) {
    m->threadpool_ = pthreadpool_create(static_cast<size_t>(options.threads));
    if (m->threadpool_ == nullptr) return ResourceExhausted("cannot create a pool of " + std::to_string(options.threads) + " threads");
  }
  // The spare holds no reference to the model until handed out (no cycle).
  S3ML_ASSIGN_OR_RETURN(m->spare_, ExecutionImpl::Create(m.get(), nullptr));
  m->packed_weights_bytes_ = m->spare_->xnnpack_bytes();
  return m;
}

ModelImpl::~ModelImpl() {
  spare_.reset();  // before the thread pool its runtimes were created on
  if (threadpool_ != nullptr) pthreadpool_destroy(threadpool_);
}

size_t ModelImpl::xnnpack_operator_count() const {
  size_t n = 0;
  for (const ExecutionStep& s : plan_.steps) {
    if (s.xnnpack) n += s.operators.size();
  }
  return n;
}

Result<std::unique_ptr<Execution>> ModelImpl::CreateExecution() const {
  {
    std::lock_guard<std::mutex> lock(spare_mu_);
    if (spare_ != nullptr) {
      spare_->set_keep_alive(shared_from_this());
      return std::unique_ptr<Execution>(std::move(spare_));
    }
  }
  S3ML_ASSIGN_OR_RETURN(std::unique_ptr<ExecutionImpl> e, ExecutionImpl::Create(this, shared_from_this()));
  return std::unique_ptr<Execution>(std::move(e));
}

std::string ModelImpl::DescribeOperators() const {
  std::vector<std::pair<std::string, size_t>> counts;
  for (const ExecutionStep& s : plan_.steps) {
    for (size_t k : s.operators) {
      const std::string name = BuiltinOperatorName(static_cast<int32_t>(graph_.operators[k].code)) +
                               (s.xnnpack ? " (xnnpack)" : " (fallback)");
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == name; });
      if (it == counts.end()) counts.emplace_back(name, 1);
      else ++it->second;
    }
  }
  std::string out;
  for (const auto& [name, n] : counts) out += (out.empty() ? "" : ", ") + name + " x" + std::to_string(n);
  return out;
}

// ---- Model ----

Result<std::shared_ptr<Model>> Model::Load(std::span<const uint8_t> tflite, const LoadOptions& options) {
  S3ML_ASSIGN_OR_RETURN(std::shared_ptr<ModelImpl> m, ModelImpl::Create(tflite, options));
  return std::shared_ptr<Model>(std::move(m));
}

}  // namespace s3ml::engine
