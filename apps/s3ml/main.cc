// s3ml: the user's command line (see README.md). Subcommands live in *_command.cc files.
#include <cstdio>

#include "apps/s3ml/command.h"

int main(int argc, char** argv) {
  CLI::App app("s3ml: secure serving of machine-learning inference in SGX enclaves", "s3ml");
  app.require_subcommand(1);
  for (s3ml::cli::CommandSetup setup : s3ml::cli::RegisteredCommands()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const s3ml::cli::CommandFailed& e) {
    std::fprintf(stderr, "s3ml: %s\n", e.what());
    return e.exit_code();
  }
  return 0;
}
