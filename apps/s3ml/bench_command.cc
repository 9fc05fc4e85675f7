// `s3ml bench`: the parent of the benchmark commands. Each benchmark is its own
// bench_<name>_command.cc that attaches itself with cli::BenchParent (apps/s3ml/bench_parent.h);
// this file makes sure `s3ml bench` exists (and lists them in its help) whatever the order.
#include "apps/s3ml/bench_parent.h"
#include "apps/s3ml/command.h"

namespace {

void Setup(CLI::App& app) { (void)s3ml::cli::BenchParent(app); }

const s3ml::cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
