// The `s3ml bench` parent command, shared by its subcommands (`bench epc-slo`, `bench slo`, ...),
// each in its own *_command.cc: whichever file's setup runs first creates `bench`, the others
// attach to it (registration order is static-initialisation order, so none may assume it is
// first). Header-only: this folder compiles only *_command.cc files besides main.cc.
//
//   void Setup(CLI::App& app) { CLI::App* cmd = cli::BenchParent(app)->add_subcommand("slo", "..."); ... }
#ifndef S3ML_APPS_S3ML_BENCH_PARENT_H_
#define S3ML_APPS_S3ML_BENCH_PARENT_H_

#include <CLI/CLI.hpp>

namespace s3ml::cli {

inline CLI::App* BenchParent(CLI::App& app) {
  try {
    return app.get_subcommand("bench");
  } catch (const CLI::OptionNotFound&) {
  }
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks of a local cluster (SLO latency under EPC paging, ...)");
  bench->require_subcommand(1);
  return bench;
}

}  // namespace s3ml::cli

#endif  // S3ML_APPS_S3ML_BENCH_PARENT_H_
