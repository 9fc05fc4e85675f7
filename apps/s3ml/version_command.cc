// `s3ml version`: prints the version of this build.
#include <cstdio>

#include "apps/s3ml/command.h"

namespace {

void Setup(CLI::App& app) {
  app.add_subcommand("version", "Print the s3ml version")->callback([] { std::printf("s3ml 0.1.0\n"); });
}

const s3ml::cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
