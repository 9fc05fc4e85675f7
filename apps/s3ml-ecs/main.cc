// s3ml-ecs: the Enclave Configuration Service (docs/protocol.md). Thin: flags -> serve/recover.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "apps/s3ml-ecs/subcommands.h"

int main(int argc, char** argv) {
  CLI::App app("s3ml-ecs: the enclave configuration service of s3ml", "s3ml-ecs");
  app.require_subcommand(1);
  s3ml::ecs_app::ServeOptions serve;
  s3ml::ecs_app::RecoverOptions recover;
  s3ml::ecs_app::AddServe(app, serve);
  s3ml::ecs_app::AddRecover(app, recover);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.got_subcommand("serve")) return s3ml::ecs_app::Serve(serve);
  return s3ml::ecs_app::Recover(recover);
}
